"""A fake Salesforce at the HTTP level (research note §4 "Salesforce", §5): a WSGI app with a controllable org.

Serves REST ``query``/``queryAll`` over a SOQL subset (deleted, merged and archived rows only in ``queryAll``),
``nextRecordsUrl`` paging with configurable (and variable) page sizes and locators that can expire,
``sobjects/{obj}/deleted/`` and ``updated/`` with ``earliestDateAvailable``/``latestDateCovered``, ``limits/``,
``describe`` with filterable flags, ``Sforce-Limit-Info`` on every response and ``REQUEST_LIMIT_EXCEEDED`` at
the allocation, ``QUERY_TIMEOUT`` above a row count, ``INVALID_FIELD`` on a non-filterable field, sessions that
time out (``INVALID_SESSION_ID``), the OAuth web-server flow with PKCE, refresh-token rotation and a moving
``instance_url``, and late commits (a row visible only after its ``SystemModstamp``). Bulk API 2.0 is not
emulated (the providers do not use it yet).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from integrations.fakes.common import FakeClock, FakeServer, Request, Response, json_response, parse_iso
from integrations.fakes.soql import SoqlError, comparable, parse, sort_key

API_PATH = r"^/services/data/(?P<version>v\d+\.\d)"
# Key prefixes of the standard objects (the first three characters of an Id).
KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "User": "005",
    "OpportunityHistory": "008",
    "OpportunityStage": "01J",
}
ACTIVITY_OBJECTS = {"Task", "Event"}
DATETIME_FIELDS = {"SystemModstamp", "CreatedDate", "LastModifiedDate", "CompletedDateTime", "StartDateTime",
                   "EndDateTime", "ActivityDateTime", "ConvertedDate"}  # fmt: skip


def sf_datetime(value: dt.datetime) -> str:
    """Salesforce's REST format: ``2026-05-07T16:30:00.000+0000``."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


@dataclass
class FakeRow:
    sobject: str
    fields: dict[str, Any]
    # Late commit: the row exists for readers only from this instant (its stamp may be older).
    visible_from: dt.datetime
    deleted_at: dt.datetime | None = None
    purged: bool = False

    @property
    def id(self) -> str:
        return str(self.fields["Id"])


@dataclass
class Session:
    token: str
    expires_at: dt.datetime


@dataclass
class Cursor:
    rows: list[dict[str, Any]]
    expires_at: dt.datetime
    sizes: list[int] = field(default_factory=list)


class FakeSalesforce(FakeServer):
    def __init__(self, *, clock: FakeClock, org_id: str = "00D000000000001EAA") -> None:
        super().__init__(clock)
        self.org_id = org_id
        self.rows: dict[str, dict[str, FakeRow]] = {}
        self._counters: dict[str, itertools.count[int]] = {}
        # OAuth and sessions
        self.client_id = "fake-sf-client-id"
        self.client_secret = "fake-sf-client-secret"  # noqa: S105 - the fake's own test secret
        self.redirect_uris: set[str] = set()
        self.sessions: dict[str, Session] = {}
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, dict[str, str]] = {}
        self.session_timeout = dt.timedelta(hours=2)
        self.rotate_refresh_tokens = False
        self.instance_url = "https://fake.my.salesforce.com"
        # Limits and behaviour
        self.api_limit = 100_000
        self.api_used = 0
        self.page_sizes: list[int] = [2000]  # cycled: pages of varying size, as the real API may return
        self.query_timeout_rows: int | None = None
        self.non_filterable: dict[str, set[str]] = {}
        self.cursor_lifetime = dt.timedelta(days=2)
        self.delete_log_days = 15
        self.earliest_delete_available: dt.datetime | None = None
        self._cursors: dict[str, Cursor] = {}
        self._routes_setup()

    # --- loading ------------------------------------------------------------------------------------------

    @classmethod
    def from_fixture(
        cls, fixture: dict[str, Any] | str | Path, *, clock: FakeClock | None = None
    ) -> FakeSalesforce:
        data = fixture if isinstance(fixture, dict) else json.loads(Path(fixture).read_text(encoding="utf-8"))
        fake = cls(
            clock=clock or FakeClock(parse_iso(data["now"])), org_id=data.get("org_id", "00D000000000001EAA")
        )
        app = data.get("app", {})
        fake.client_id = app.get("client_id", fake.client_id)
        fake.client_secret = app.get("client_secret", fake.client_secret)
        fake.redirect_uris.update(app.get("redirect_uris", []))
        fake.instance_url = data.get("instance_url", fake.instance_url)
        tokens = data.get("tokens", {})
        fake.refresh_tokens.update(tokens.get("refresh_tokens", []))
        for session in tokens.get("sessions", []):
            fake.sessions[session["token"]] = Session(session["token"], parse_iso(session["expires_at"]))
        fake.api_limit = int(data.get("api_limit", fake.api_limit))
        for sobject, rows in data.get("objects", {}).items():
            for row in rows:
                fields = dict(row)
                deleted = fields.pop("_deleted_at", None)
                fake.add(sobject, record_history=False, **fields)  # the fixture lists its own history
                if deleted:
                    fake.delete(sobject, fields["Id"], at=parse_iso(deleted))
        return fake

    # --- state control (for tests) --------------------------------------------------------------------------

    def new_id(self, sobject: str) -> str:
        counter = self._counters.setdefault(sobject, itertools.count(1))
        prefix = KEY_PREFIXES.get(sobject, "a00")
        return f"{prefix}{next(counter):012d}AAA"

    def add(
        self,
        sobject: str,
        *,
        visible_from: dt.datetime | None = None,
        record_history: bool = True,
        **fields: Any,
    ) -> dict[str, Any]:
        """Insert a row; ``SystemModstamp``/``CreatedDate`` default to now. With ``visible_from`` later than its
        stamp the row is a late commit: invisible until then. An opportunity gets its first history row, as
        Salesforce writes one, unless ``record_history`` is off."""
        now = self.clock()
        fields.setdefault("Id", self.new_id(sobject))
        for name in ("CreatedDate", "SystemModstamp", "LastModifiedDate"):
            fields.setdefault(name, now)
        if sobject != "User":
            fields.setdefault("IsDeleted", False)
        if sobject in ACTIVITY_OBJECTS:
            fields.setdefault("IsArchived", False)
        normalised = {key: self._normalise(key, value) for key, value in fields.items()}
        self.rows.setdefault(sobject, {})[str(normalised["Id"])] = FakeRow(
            sobject, normalised, visible_from or now
        )
        if sobject == "Opportunity" and normalised.get("StageName") and record_history:
            self.add(
                "OpportunityHistory",
                OpportunityId=normalised["Id"],
                StageName=normalised["StageName"],
                CreatedDate=normalised["CreatedDate"],
                SystemModstamp=normalised["CreatedDate"],
            )
        return normalised

    def add_many(
        self, sobject: str, count: int, *, stamp: dt.datetime, **fields: Any
    ) -> list[dict[str, Any]]:
        """Rows sharing one ``SystemModstamp`` (a bulk update)."""
        return [self.add(sobject, SystemModstamp=stamp, CreatedDate=stamp, **fields) for _ in range(count)]

    @staticmethod
    def _normalise(name: str, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return sf_datetime(value)
        if isinstance(value, str) and name in DATETIME_FIELDS and "T" in value:
            return sf_datetime(parse_iso(value))
        return value

    def update(
        self, sobject: str, record_id: str, *, at: dt.datetime | None = None, **fields: Any
    ) -> dict[str, Any]:
        row = self.rows[sobject][record_id]
        old_stage = row.fields.get("StageName")
        for key, value in fields.items():
            row.fields[key] = self._normalise(key, value)
        stamp = sf_datetime(at or self.clock())
        row.fields["SystemModstamp"] = stamp
        row.fields["LastModifiedDate"] = stamp
        if sobject == "Opportunity" and fields.get("StageName") and fields["StageName"] != old_stage:
            self.add("OpportunityHistory", OpportunityId=record_id, StageName=fields["StageName"],
                     CreatedDate=stamp, SystemModstamp=stamp)  # fmt: skip
        return row.fields

    def delete(self, sobject: str, record_id: str, *, at: dt.datetime | None = None) -> None:
        row = self.rows[sobject][record_id]
        when = at or self.clock()
        row.fields["IsDeleted"] = True
        row.fields["SystemModstamp"] = sf_datetime(when)
        row.deleted_at = when

    def undelete(self, sobject: str, record_id: str, *, at: dt.datetime | None = None) -> None:
        row = self.rows[sobject][record_id]
        row.fields["IsDeleted"] = False
        row.fields["SystemModstamp"] = sf_datetime(at or self.clock())
        row.deleted_at = None

    def merge(self, sobject: str, loser_id: str, master_id: str) -> None:
        """The loser is deleted with ``MasterRecordId`` pointing at the master (Lead, Contact, Account)."""
        self.rows[sobject][loser_id].fields["MasterRecordId"] = master_id
        self.delete(sobject, loser_id)
        self.update(sobject, master_id)

    def purge(self, sobject: str, record_id: str) -> None:
        """Emptied from the recycle bin: no query sees it any more; the delete log keeps it."""
        self.rows[sobject][record_id].purged = True

    def archive_activity(self, sobject: str, record_id: str) -> None:
        self.rows[sobject][record_id].fields["IsArchived"] = True

    def deactivate_user(self, user_id: str) -> None:
        self.update("User", user_id, IsActive=False)

    def issue_session(self, *, lifetime: dt.timedelta | None = None) -> str:
        token = f"{self.org_id}!" + secrets.token_urlsafe(24)
        self.sessions[token] = Session(token, self.clock() + (lifetime or self.session_timeout))
        return token

    def issue_refresh_token(self) -> str:
        token = "5Aep" + secrets.token_urlsafe(24)
        self.refresh_tokens.add(token)
        return token

    def expire_sessions(self) -> None:
        for session in self.sessions.values():
            session.expires_at = min(session.expires_at, self.clock() - dt.timedelta(seconds=1))

    def expire_locators(self) -> None:
        self._cursors.clear()

    # --- helpers --------------------------------------------------------------------------------------------

    @staticmethod
    def _errors(status: int, error_code: str, message: str) -> Response:
        return json_response(status, [{"message": message, "errorCode": error_code}])

    def _limit_header(self, response: Response) -> Response:
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.api_limit}"
        return response

    def _authorise(self, request: Request) -> Response | None:
        token = request.bearer()
        session = self.sessions.get(token or "")
        if session is None or self.clock() >= session.expires_at:
            return self._errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if self.api_used >= self.api_limit:
            return self._limit_header(
                self._errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            )
        self.api_used += 1
        return None

    def _visible(self, sobject: str, *, include_deleted: bool) -> list[dict[str, Any]]:
        now = self.clock()
        rows = []
        for row in self.rows.get(sobject, {}).values():
            if row.purged or row.visible_from > now:
                continue
            if not include_deleted and (row.fields.get("IsDeleted") or row.fields.get("IsArchived")):
                continue
            rows.append(row.fields)
        return rows

    def _record(self, sobject: str, fields: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "attributes": {"type": sobject, "url": f"/services/data/v61.0/sobjects/{sobject}/{fields['Id']}"}
        }
        for name in wanted:
            record[name] = fields.get(name)
        return record

    # --- routes ---------------------------------------------------------------------------------------------

    def _routes_setup(self) -> None:
        self.route("GET", API_PATH + r"/query", self._query)
        self.route("GET", API_PATH + r"/queryAll", self._query_all)
        self.route("GET", API_PATH + r"/query/(?P<locator>[A-Za-z0-9]+-\d+)", self._more)
        self.route("GET", API_PATH + r"/sobjects/(?P<sobject>\w+)/deleted", self._deleted)
        self.route("GET", API_PATH + r"/sobjects/(?P<sobject>\w+)/updated", self._updated)
        self.route("GET", API_PATH + r"/sobjects/(?P<sobject>\w+)/describe", self._describe)
        self.route("GET", API_PATH + r"/limits", self._limits)
        self.route("POST", r"^/services/oauth2/token", self._token)
        self.route("GET", r"^/services/oauth2/authorize", self._authorize)

    def _query(self, request: Request, args: dict[str, str]) -> Response:
        return self._run(request, include_deleted=False)

    def _query_all(self, request: Request, args: dict[str, str]) -> Response:
        return self._run(request, include_deleted=True)

    def _run(self, request: Request, *, include_deleted: bool) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        try:
            query = parse(request.arg("q") or "")
        except SoqlError as error:
            return self._limit_header(self._errors(400, error.error_code, error.message))
        blocked = self.non_filterable.get(query.sobject, set()) & query.where_fields
        if blocked:
            field_name = sorted(blocked)[0]
            return self._limit_header(
                self._errors(
                    400, "INVALID_FIELD", f"field '{field_name}' can not be filtered in a query call"
                )
            )
        if query.sobject not in self.rows and query.sobject not in KEY_PREFIXES:
            return self._limit_header(
                self._errors(400, "INVALID_TYPE", f"sObject type '{query.sobject}' is not supported.")
            )
        try:
            rows = [
                row
                for row in self._visible(query.sobject, include_deleted=include_deleted)
                if query.where is None or query.where(row)
            ]
        except SoqlError as error:
            return self._limit_header(self._errors(400, error.error_code, error.message))
        if self.query_timeout_rows is not None and len(rows) > self.query_timeout_rows:
            return self._limit_header(
                self._errors(400, "QUERY_TIMEOUT", "Your query request was running for too long.")
            )
        for name, descending in reversed(query.order):
            rows.sort(key=lambda row, n=name: sort_key(row, [(n, False)]), reverse=descending)
        if query.limit is not None:
            rows = rows[: query.limit]
        records = [self._record(query.sobject, row, query.fields) for row in rows]
        cursor = Cursor(records, self.clock() + self.cursor_lifetime, list(self.page_sizes))
        locator = "01g" + secrets.token_hex(6)
        self._cursors[locator] = cursor
        return self._limit_header(self._page(locator, cursor, 0, request))

    def _page(self, locator: str, cursor: Cursor, offset: int, request: Request) -> Response:
        size = self._page_size(cursor, offset)
        chunk = cursor.rows[offset : offset + size]
        end = offset + len(chunk)
        body: dict[str, Any] = {
            "totalSize": len(cursor.rows),
            "done": end >= len(cursor.rows),
            "records": chunk,
        }
        if not body["done"]:
            version = request.path.split("/")[3]
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{end}"
        return json_response(200, body)

    @staticmethod
    def _page_size(cursor: Cursor, offset: int) -> int:
        """The configured sizes taken in turn, page after page."""
        sizes = cursor.sizes or [2000]
        total, page = 0, 0
        while total < offset:
            total += sizes[page % len(sizes)]
            page += 1
        return sizes[page % len(sizes)]

    def _more(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        locator, offset = args["locator"].rsplit("-", 1)
        cursor = self._cursors.get(locator)
        if cursor is None or self.clock() >= cursor.expires_at:
            return self._limit_header(self._errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator"))
        return self._limit_header(self._page(locator, cursor, int(offset), request))

    def _window(self, request: Request) -> tuple[dt.datetime, dt.datetime] | Response:
        try:
            start = parse_iso(request.arg("start") or "")
            end = parse_iso(request.arg("end") or "")
        except ValueError:
            return self._limit_header(
                self._errors(400, "INVALID_REPLICATION_DATE", "start and end are required")
            )
        if start > end:
            return self._limit_header(self._errors(400, "INVALID_REPLICATION_DATE", "start is after end"))
        return start, end

    def _deleted(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        window = self._window(request)
        if isinstance(window, Response):
            return window
        start, end = window
        earliest = self.earliest_delete_available or self.clock() - dt.timedelta(days=self.delete_log_days)
        if start < earliest - dt.timedelta(minutes=1):
            return self._limit_header(self._errors(400, "INVALID_REPLICATION_DATE", "start date is too old"))
        deleted = [
            {"id": row.id, "deletedDate": sf_datetime(row.deleted_at)}
            for row in self.rows.get(args["sobject"], {}).values()
            if row.deleted_at is not None and start <= row.deleted_at <= end and row.deleted_at >= earliest
        ]
        body = {
            "deletedRecords": sorted(deleted, key=lambda r: (r["deletedDate"], r["id"])),
            "earliestDateAvailable": sf_datetime(earliest),
            "latestDateCovered": sf_datetime(min(end, self.clock())),
        }
        return self._limit_header(json_response(200, body))

    def _updated(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        window = self._window(request)
        if isinstance(window, Response):
            return window
        start, end = window
        if start < self.clock() - dt.timedelta(days=30):
            return self._limit_header(self._errors(400, "INVALID_REPLICATION_DATE", "start date is too old"))
        ids = [
            row["Id"]
            for row in self._visible(args["sobject"], include_deleted=False)
            if start <= comparable(row["SystemModstamp"]) <= end
        ]
        # Rows whose commit is still pending hold the covered date back (late commits).
        pending = [
            comparable(row.fields["SystemModstamp"])
            for row in self.rows.get(args["sobject"], {}).values()
            if row.visible_from > self.clock()
        ]
        covered = min([end, self.clock(), *(p - dt.timedelta(seconds=1) for p in pending)])
        return self._limit_header(json_response(200, {"ids": ids, "latestDateCovered": sf_datetime(covered)}))

    def _describe(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        sobject = args["sobject"]
        names = sorted({name for row in self.rows.get(sobject, {}).values() for name in row.fields})
        blocked = self.non_filterable.get(sobject, set())
        fields = [{"name": name, "filterable": name not in blocked, "type": "string"} for name in names]
        return self._limit_header(json_response(200, {"name": sobject, "queryable": True, "fields": fields}))

    def _limits(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        body = {
            "DailyApiRequests": {"Max": self.api_limit, "Remaining": max(0, self.api_limit - self.api_used)}
        }
        return self._limit_header(json_response(200, body))

    def _authorize(self, request: Request, args: dict[str, str]) -> Response:
        redirect_uri = request.arg("redirect_uri") or ""
        if request.arg("client_id") != self.client_id or (
            self.redirect_uris and redirect_uri not in self.redirect_uris
        ):
            return json_response(
                400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
            )
        if request.arg("code_challenge_method", "S256") != "S256" or not request.arg("code_challenge"):
            return json_response(
                400, {"error": "invalid_request", "error_description": "code_challenge required"}
            )
        code = self.issue_code(redirect_uri, challenge=request.arg("code_challenge") or "")
        return Response(
            302,
            b"",
            {"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': request.arg('state') or ''})}"},
        )

    def issue_code(self, redirect_uri: str, *, challenge: str) -> str:
        """An authorisation code as if a user had approved the connected app, bound to its PKCE challenge."""
        code = "aPrx" + secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": redirect_uri, "challenge": challenge, "client_id": self.client_id}
        return code

    def _token(self, request: Request, args: dict[str, str]) -> Response:
        form = request.form()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return json_response(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        grant = form.get("grant_type")
        refresh_token: str | None = None
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return json_response(
                    400, {"error": "invalid_grant", "error_description": "expired access/refresh token"}
                )
            if self.rotate_refresh_tokens:
                self.refresh_tokens.discard(form["refresh_token"])  # the old one is dead from now on
                refresh_token = self.issue_refresh_token()
        elif grant == "authorization_code":
            code = self.codes.pop(form.get("code", ""), None)
            if (
                code is None
                or code["redirect_uri"] != form.get("redirect_uri")
                or code.get("client_id", self.client_id) != form.get("client_id")
            ):
                return json_response(
                    400, {"error": "invalid_grant", "error_description": "invalid authorization code"}
                )
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if challenge != code["challenge"]:
                return json_response(
                    400, {"error": "invalid_grant", "error_description": "invalid code verifier"}
                )
            refresh_token = self.issue_refresh_token()
        else:
            return json_response(
                400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            )
        body = {
            "access_token": self.issue_session(),
            "instance_url": self.instance_url,
            "id": f"https://login.salesforce.com/id/{self.org_id}/005000000000001AAA",
            "token_type": "Bearer",
            "issued_at": str(int(self.clock().timestamp() * 1000)),
            "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
            "scope": "api refresh_token",
        }
        if refresh_token:
            body["refresh_token"] = refresh_token
        return json_response(200, body)
