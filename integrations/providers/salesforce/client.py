"""Salesforce REST client (httpx) and the :class:`SalesforceProvider` the sync engine reads (note §3).

Incremental reads are ``queryAll`` SOQL on ``SystemModstamp`` over the closed window, ``ORDER BY
SystemModstamp ASC, Id ASC``, paged with ``nextRecordsUrl``; rows with ``IsDeleted`` come back archived and a
merged loser's ``MasterRecordId`` becomes a merge. The resume point after each page is the keyset
``(SystemModstamp, Id)`` of its last row, never the query locator: a locator expires, a keyset does not. The
delete log (``sobjects/{obj}/deleted/``) is the archived pass. ``Sforce-Limit-Info`` is read on every
response; ``REQUEST_LIMIT_EXCEEDED`` (or usage past the configured share) stops the run, never retried.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from integrations.canonical import CanonicalRecord, CanonicalStage
from integrations.providers.base import (
    Credentials,
    DailyLimitReached,
    Deletion,
    Merge,
    ObjectType,
    Page,
    PermanentError,
    ProviderError,
    RateLimited,
    Resume,
    Timing,
    TokenExpired,
    TokenManager,
    TransientError,
    Window,
    utc_now,
)
from integrations.providers.budget import Rate, RequestBudget, UnlimitedBudget
from integrations.providers.http import RequestLoop, RetryPolicy, json_or_empty, retry_after_seconds
from integrations.providers.outbound import guarded_client
from integrations.providers.salesforce import mapper
from integrations.providers.values import parse_timestamp

API_VERSION = "v61.0"
CURSOR_FIELD = "SystemModstamp"
DELETE_LOG_DAYS = 15
MAX_TIMEOUT_SPLITS = 6

STREAMS: dict[ObjectType, tuple[str, ...]] = {
    ObjectType.OWNERS: ("User",),
    ObjectType.COMPANIES: ("Account",),
    ObjectType.CONTACTS: ("Lead", "Contact"),
    ObjectType.DEALS: ("Opportunity",),
    ObjectType.ACTIVITIES: ("Task", "Event"),
}

FIELDS: dict[str, tuple[str, ...]] = {
    # User has no IsDeleted: users are deactivated, never deleted.
    "User": ("Id", "Email", "FirstName", "LastName", "IsActive", "SystemModstamp"),
    "Account": ("Id", "Name", "Website", "SystemModstamp", "IsDeleted", "MasterRecordId"),
    "Lead": (
        "Id", "Email", "FirstName", "LastName", "Company", "Status", "IsConverted", "ConvertedDate",
        "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId", "OwnerId", "CreatedDate",
        "SystemModstamp", "IsDeleted", "MasterRecordId",
    ),
    "Contact": (
        "Id", "Email", "FirstName", "LastName", "AccountId", "OwnerId", "CreatedDate", "SystemModstamp",
        "IsDeleted", "MasterRecordId",
    ),
    "Opportunity": (
        "Id", "Name", "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "Probability", "OwnerId",
        "AccountId", "RecordTypeId", "CreatedDate", "SystemModstamp", "IsDeleted",
    ),
    "Task": (
        "Id", "Subject", "TaskSubtype", "ActivityDate", "CompletedDateTime", "Status", "IsClosed",
        "CallDisposition", "CallType", "CallDurationInSeconds", "OwnerId", "WhoId", "WhatId", "AccountId",
        "CreatedDate", "SystemModstamp", "IsDeleted", "IsArchived",
    ),
    "Event": (
        "Id", "Subject", "EventSubtype", "StartDateTime", "EndDateTime", "ActivityDateTime", "IsAllDayEvent",
        "OwnerId", "WhoId", "WhatId", "AccountId", "CreatedDate", "SystemModstamp", "IsDeleted", "IsArchived",
    ),
}  # fmt: skip

_SF_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


class QueryTimeout(PermanentError):
    """``QUERY_TIMEOUT``: the provider halves the window itself; raised only after too many halvings."""

    def __init__(self) -> None:
        super().__init__("integrations.provider.query_timeout")


class LocatorInvalid(PermanentError):
    """``INVALID_QUERY_LOCATOR``: the cursor expired; the provider restarts from its keyset."""

    def __init__(self) -> None:
        super().__init__("integrations.provider.query_locator_invalid")


def soql_datetime(value: dt.datetime) -> str:
    """An unquoted UTC literal, to the second (Salesforce stamps whole seconds)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql_id(value: str) -> str:
    if not _SF_ID.match(value):
        raise ValueError(f"not a Salesforce id: {value!r}")  # never let a resume point inject SOQL
    return f"'{value}'"


def classify_salesforce(response: httpx.Response) -> ProviderError | None:
    status = response.status_code
    if status < 400:
        return None
    body = json_or_empty(response)
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    error_code = str(first.get("errorCode", "")) or (
        str(body.get("error", "")) if isinstance(body, dict) else ""
    )
    if error_code == "REQUEST_LIMIT_EXCEEDED":
        return DailyLimitReached("salesforce")  # a 24-hour window: retrying in a loop only burns more
    if status == 401 or error_code == "INVALID_SESSION_ID":
        return TokenExpired({"error_code": error_code})
    if error_code == "QUERY_TIMEOUT":
        return QueryTimeout()
    if error_code == "INVALID_QUERY_LOCATOR":
        return LocatorInvalid()
    if status == 429:
        return RateLimited("salesforce", retry_after_seconds(response))
    if status in (406, 420) or status >= 500:
        return TransientError(status)
    if error_code == "INVALID_FIELD":
        return PermanentError("integrations.provider.invalid_field", status=status)
    if error_code == "MALFORMED_QUERY":
        return PermanentError("integrations.provider.malformed_query", status=status)
    if error_code in ("TXN_SECURITY_METERING_ERROR", "INSUFFICIENT_ACCESS", "API_DISABLED_FOR_ORG"):
        return PermanentError("integrations.provider.missing_access", error_code=error_code)
    return PermanentError("integrations.provider.rejected", status=status, error_code=error_code)


class SalesforceClient:
    def __init__(
        self,
        *,
        tokens: TokenManager,
        transport: httpx.BaseTransport | None = None,
        api_version: str = API_VERSION,
        budget: RequestBudget | None = None,
        budget_key: str = "salesforce",
        rate: Rate = Rate(25, 1),  # noqa: B008 - frozen value
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 120.0,
        stop_at_usage: float = 0.8,
        max_requests_per_run: int | None = None,
    ) -> None:
        self.http = guarded_client(transport, timeout=timeout)
        self.api_version = api_version
        self.rates = {"rest": rate}
        # The share of the org's daily allocation past which a run stops (tap-salesforce's 80 % guard), and
        # an optional cap per run, so one tenant's backfill cannot drain the org.
        self.stop_at_usage = stop_at_usage
        self.max_requests_per_run = max_requests_per_run
        self.api_usage: tuple[int, int] | None = None
        self.loop = RequestLoop(
            http=self.http,
            tokens=tokens,
            base_url=self._instance_url,
            auth_headers=lambda credentials: {
                "Authorization": f"Bearer {credentials.access_token}",
                "Accept": "application/json",
            },
            classify=classify_salesforce,
            budget=budget or UnlimitedBudget(),
            budget_key=budget_key,
            retry=retry,
            sleep=sleep,
        )

    @staticmethod
    def _instance_url(credentials: Credentials) -> str:
        if not credentials.instance_url:
            raise PermanentError("integrations.provider.no_instance_url")
        return credentials.instance_url

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        self._check_quota()
        reply = self.loop.send("GET", path, rates=self.rates, params=params)
        match = _LIMIT_INFO.search(reply.headers.get("Sforce-Limit-Info", ""))
        if match:
            self.api_usage = (int(match.group(1)), int(match.group(2)))
        return reply.body

    def _check_quota(self) -> None:
        if self.api_usage is not None:
            used, limit = self.api_usage
            if limit and used >= limit * self.stop_at_usage:
                raise DailyLimitReached("salesforce", used, limit)
        if self.max_requests_per_run is not None and self.loop.requests_sent >= self.max_requests_per_run:
            used, limit = self.api_usage or (None, None)
            raise DailyLimitReached("salesforce", used, limit)

    def _data(self, path: str) -> str:
        return f"/services/data/{self.api_version}/{path}"

    def query_all(self, soql: str) -> dict[str, Any]:
        return self._get(self._data("queryAll/"), {"q": soql})

    def query(self, soql: str) -> dict[str, Any]:
        return self._get(self._data("query/"), {"q": soql})

    def next_records(self, next_records_url: str) -> dict[str, Any]:
        return self._get(next_records_url)

    def deleted(self, sobject: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        params = {"start": soql_datetime(start), "end": soql_datetime(end)}
        return self._get(self._data(f"sobjects/{sobject}/deleted/"), params)

    def limits(self) -> dict[str, Any]:
        return self._get(self._data("limits/"))

    def query_every_page(self, soql: str) -> list[dict[str, Any]]:
        """All rows of a small query (stages, histories)."""
        body = self.query(soql)
        rows = list(body.get("records", []))
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            body = self.next_records(body["nextRecordsUrl"])
            rows.extend(body.get("records", []))
        return rows


class SalesforceProvider:
    """The :class:`integrations.providers.base.Provider` for one Salesforce org."""

    timing = Timing(
        lookback=dt.timedelta(minutes=15), safety_lag=dt.timedelta(minutes=2), max_span=dt.timedelta(days=30)
    )

    def __init__(
        self,
        client: SalesforceClient,
        *,
        default_currency: str = "JPY",
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.client = client
        self.default_currency = default_currency
        self.clock = clock

    def object_types(self) -> tuple[ObjectType, ...]:
        return tuple(STREAMS)

    def close(self) -> None:
        self.client.close()

    def read_stages(self) -> list[CanonicalStage]:
        rows = self.client.query_every_page(
            "SELECT ApiName, MasterLabel, IsActive, IsClosed, IsWon, DefaultProbability, SortOrder "
            "FROM OpportunityStage ORDER BY SortOrder"
        )
        return mapper.stages_from_salesforce(rows)

    def read(self, object_type: ObjectType, window: Window, resume: Resume | None = None) -> Iterator[Page]:
        streams = STREAMS[object_type]
        start = streams.index(resume.stream) if resume and resume.stream in streams else 0
        for index in range(start, len(streams)):
            sobject = streams[index]
            following = streams[index + 1] if index + 1 < len(streams) else None
            position = dict(resume.position) if resume and resume.stream == sobject else {}
            yield from self._read_stream(object_type, sobject, window, position, following)

    def _read_stream(
        self,
        object_type: ObjectType,
        sobject: str,
        window: Window,
        position: dict[str, str],
        following: str | None,
    ) -> Iterator[Page]:
        """Read ``sobject`` over ``window`` from the keyset in ``position``.

        A ``QUERY_TIMEOUT`` shrinks the upper bound of the query to the midpoint and carries on; the keyset
        stays valid because rows come in (stamp, id) order whatever the bound. Once the shrunk part is read,
        the bound widens again to the window's end."""
        keyset = (position["ts"], position.get("id", "")) if "ts" in position else None
        upper = window.end
        splits = 0
        while True:
            soql = self._soql(sobject, window.start, upper, keyset)
            try:
                first = self.client.query_all(soql)
                for body in self._pages(first, sobject, window.start, upper, keyset):
                    rows = list(body.get("records", []))
                    if rows:
                        last = rows[-1]
                        keyset = (str(last[CURSOR_FIELD]), str(last["Id"]))
                    if not body.get("done", True) or upper < window.end:
                        resume: Resume | None = (
                            Resume(sobject, {"ts": keyset[0], "id": keyset[1]})
                            if keyset
                            else Resume(sobject, {})
                        )
                    else:
                        resume = Resume(following, {}) if following else None
                    yield self._page(object_type, sobject, rows, resume)
            except QueryTimeout:
                splits += 1
                lower = parse_timestamp(keyset[0]) if keyset else window.start
                if splits > MAX_TIMEOUT_SPLITS or lower is None:
                    raise
                upper = lower + (upper - lower) / 2
                continue
            if upper >= window.end:
                return
            if keyset is None or (parse_timestamp(keyset[0]) or upper) < upper:
                # Everything up to the shrunk bound is read: continue strictly after it.
                keyset = (soql_datetime(upper), "")
            upper, splits = window.end, 0

    def _pages(
        self,
        body: dict[str, Any],
        sobject: str,
        start: dt.datetime | None,
        upper: dt.datetime,
        keyset: tuple[str, str] | None,
    ) -> Iterator[dict[str, Any]]:
        """The first response and every ``nextRecordsUrl`` after it; an expired locator restarts from the
        keyset of the last row read."""
        while True:
            yield body
            rows = body.get("records", [])
            if rows:
                keyset = (str(rows[-1][CURSOR_FIELD]), str(rows[-1]["Id"]))
            if body.get("done", True) or not body.get("nextRecordsUrl"):
                return
            try:
                body = self.client.next_records(body["nextRecordsUrl"])
            except LocatorInvalid:
                body = self.client.query_all(self._soql(sobject, start, upper, keyset))

    @staticmethod
    def _soql(
        sobject: str, start: dt.datetime | None, end: dt.datetime, keyset: tuple[str, str] | None
    ) -> str:
        conditions = []
        if keyset is not None:
            stamp = parse_timestamp(keyset[0])
            assert stamp is not None
            literal = soql_datetime(stamp)
            if keyset[1]:
                conditions.append(
                    f"({CURSOR_FIELD} > {literal} OR ({CURSOR_FIELD} = {literal} AND Id > {soql_id(keyset[1])}))"
                )
            else:
                conditions.append(f"{CURSOR_FIELD} > {literal}")  # a bound, not a row: strictly after it
        elif start is not None:
            conditions.append(f"{CURSOR_FIELD} >= {soql_datetime(start)}")
        conditions.append(f"{CURSOR_FIELD} <= {soql_datetime(end)}")
        fields = ", ".join(FIELDS[sobject])
        # SOQL, not SQL: the field list is ours and every literal went through soql_datetime / soql_id.
        return (
            f"SELECT {fields} FROM {sobject} WHERE {' AND '.join(conditions)} "  # noqa: S608
            f"ORDER BY {CURSOR_FIELD} ASC, Id ASC"
        )

    def read_archived(
        self, object_type: ObjectType, since: dt.datetime | None, resume: Resume | None = None
    ) -> Iterator[Page]:
        """The delete log over ``[since, now]`` (clamped to the 15 days it keeps), one page per object.
        ``delete_log_starts_at`` later than ``since`` means deletes were lost: schedule an id reconcile."""
        if object_type is ObjectType.OWNERS:
            yield Page(object_type, (), (), None)
            return
        streams = STREAMS[object_type]
        now = self.clock()
        oldest = now - dt.timedelta(days=DELETE_LOG_DAYS) + dt.timedelta(minutes=1)
        start = max(since, oldest) if since is not None else oldest
        first = streams.index(resume.stream) if resume and resume.stream in streams else 0
        for index in range(first, len(streams)):
            body = self.client.deleted(streams[index], start, now)
            deletions = tuple(
                Deletion(str(row["id"]), parse_timestamp(row.get("deletedDate")))
                for row in body.get("deletedRecords", [])
            )
            following = streams[index + 1] if index + 1 < len(streams) else None
            yield Page(
                object_type,
                (),
                (),
                Resume(following, {}) if following else None,
                deletions=deletions,
                delete_log_starts_at=parse_timestamp(body.get("earliestDateAvailable")),
            )

    def _page(
        self, object_type: ObjectType, sobject: str, rows: list[dict[str, Any]], resume: Resume | None
    ) -> Page:
        if sobject == "Opportunity" and rows:
            self._attach_history(rows)
        records = tuple(self._map(sobject, row) for row in rows)
        merges = tuple(
            Merge(loser_external_id=str(row["Id"]), survivor_external_id=str(row["MasterRecordId"]))
            for row in rows
            if row.get("IsDeleted") and row.get("MasterRecordId")
        )
        return Page(object_type, records, tuple(rows), resume, merges=merges)

    def _attach_history(self, rows: list[dict[str, Any]]) -> None:
        """Stage history for a page of opportunities, one query per 100 ids, in the subquery's shape."""
        by_id: dict[str, list[dict[str, Any]]] = {str(row["Id"]): [] for row in rows}
        ids = list(by_id)
        for start in range(0, len(ids), 100):
            chunk = ", ".join(soql_id(i) for i in ids[start : start + 100])
            for history in self.client.query_every_page(
                "SELECT OpportunityId, StageName, CreatedDate FROM OpportunityHistory "  # noqa: S608 - ids checked
                f"WHERE OpportunityId IN ({chunk}) ORDER BY CreatedDate ASC, Id ASC"
            ):
                by_id.setdefault(str(history["OpportunityId"]), []).append(history)
        for row in rows:
            histories = by_id.get(str(row["Id"]), [])
            row["OpportunityHistories"] = {"totalSize": len(histories), "done": True, "records": histories}

    def _map(self, sobject: str, row: Mapping[str, Any]) -> CanonicalRecord:
        if sobject == "User":
            return mapper.owner_from_salesforce(row)
        if sobject == "Account":
            return mapper.company_from_salesforce(row)
        if sobject == "Lead":
            return mapper.lead_from_salesforce(row)
        if sobject == "Contact":
            return mapper.contact_from_salesforce(row)
        if sobject == "Opportunity":
            return mapper.deal_from_salesforce(row, default_currency=self.default_currency)
        return mapper.activity_from_salesforce(row)
