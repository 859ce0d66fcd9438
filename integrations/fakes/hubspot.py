"""A fake HubSpot at the HTTP level (research note §4 "HubSpot", §5): a WSGI app with a controllable state.

Serves the CRM v3 objects API (list with opaque ``after`` and ``paging.next.link``, search with integer
``after``, ``total``, the 10,000 cap, filter validation and a configurable index lag, archived listing, batch
read), v4 association batch reads, owners (with archived = deactivated), deal pipelines, properties, the OAuth
v1/v3 token endpoints and the authorise redirect, rate limits by policy (TEN_SECONDLY_ROLLING, SECONDLY on
search, DAILY) with ``X-HubSpot-RateLimit-*`` headers except on search, 401 ``EXPIRED_AUTHENTICATION``, 530
on a malformed token and 414 on long URLs. Tests drive it through the methods below; ``README.md`` documents
the fixture format.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import itertools
import json
import math
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from integrations.fakes.common import (
    FakeClock,
    FakeServer,
    Request,
    Response,
    from_ms,
    iso_ms,
    json_response,
    parse_iso,
    to_ms,
)
from integrations.providers.hubspot.webhooks import signature_v3
from integrations.providers.salesforce.oauth import pkce_challenge as pkce_s256

SEARCH_CAP = 10_000
# Object type ids accepted in paths (https://developers.hubspot.com/docs/guides/crm/using-object-apis).
TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-27": "tasks",
    "0-47": "meetings",
    "0-48": "calls",
    "0-49": "emails",
}
OBJECT_TYPES = ("companies", "contacts", "deals", "calls", "emails", "meetings", "tasks")
SINGULAR = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "tasks": "task",
}
COMPARISONS: dict[str, Callable[[Any, Any, Any], bool]] = {
    "EQ": lambda value, low, _high: value == low,
    "NEQ": lambda value, low, _high: value != low,
    "LT": lambda value, low, _high: value < low,
    "LTE": lambda value, low, _high: value <= low,
    "GT": lambda value, low, _high: value > low,
    "GTE": lambda value, low, _high: value >= low,
    "BETWEEN": lambda value, low, high: low <= value <= high,
}
SEARCH_OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY"}


def cursor_property(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def created_property(object_type: str) -> str:
    return "createdate" if object_type in ("companies", "contacts", "deals") else "hs_createdate"


@dataclass
class FakeRecord:
    id: int
    object_type: str
    properties: dict[str, str | None]
    created_ms: int
    updated_ms: int
    archived: bool = False
    archived_ms: int | None = None
    # Search sees the record's current version only from this instant on (index lag).
    searchable_from_ms: int = 0
    associations: dict[str, list[str]] = field(default_factory=dict)
    merged_ids: list[str] = field(default_factory=list)

    def all_properties(self) -> dict[str, str | None]:
        props = dict(self.properties)
        props["hs_object_id"] = str(self.id)
        props[created_property(self.object_type)] = iso_ms(self.created_ms)
        props[cursor_property(self.object_type)] = iso_ms(self.updated_ms)
        props["hs_merged_object_ids"] = ";".join(self.merged_ids) or None
        return props


@dataclass
class AccessToken:
    token: str
    expires_ms: int | None  # None: a private-app token, no expiry
    portal_id: int


class FakeHubSpot(FakeServer):
    def __init__(self, *, clock: FakeClock, portal_id: int = 1_000_001) -> None:
        super().__init__(clock)
        self.portal_id = portal_id
        self.records: dict[str, dict[int, FakeRecord]] = {name: {} for name in OBJECT_TYPES}
        self.merged_into: dict[str, dict[int, int]] = {name: {} for name in OBJECT_TYPES}
        self.owners: dict[str, dict[str, Any]] = {}
        self.pipelines: list[dict[str, Any]] = []
        self._ids = itertools.count(1_000_000)
        # Id order per object type, rebuilt after records come or go (search bisects it).
        self._order: dict[str, list[FakeRecord]] = {}
        self._order_ids: dict[str, list[int]] = {}
        # OAuth
        self.client_id = "fake-client-id"
        self.client_secret = "fake-client-secret"  # noqa: S105 - the fake's own test secret
        self.redirect_uris: set[str] = set()
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, dict[str, str]] = {}
        self.token_lifetime = dt.timedelta(minutes=30)
        # Behaviour knobs
        self.index_lag = dt.timedelta(0)
        self.ten_secondly_limit: int | None = None
        self.secondly_search_limit: int | None = None
        self.daily_limit: int | None = None
        self.send_retry_after = True
        self.max_url_length = 15_000
        self.default_limit = 10
        self._recent: deque[int] = deque()
        self._recent_search: deque[int] = deque()
        self.daily_used = 0
        self._routes_setup()

    # --- loading ------------------------------------------------------------------------------------------

    @classmethod
    def from_fixture(
        cls, fixture: dict[str, Any] | str | Path, *, clock: FakeClock | None = None
    ) -> FakeHubSpot:
        data = fixture if isinstance(fixture, dict) else json.loads(Path(fixture).read_text(encoding="utf-8"))
        fake = cls(
            clock=clock or FakeClock(parse_iso(data["now"])), portal_id=int(data.get("portal_id", 1_000_001))
        )
        app = data.get("app", {})
        fake.client_id = app.get("client_id", fake.client_id)
        fake.client_secret = app.get("client_secret", fake.client_secret)
        fake.redirect_uris.update(app.get("redirect_uris", []))
        tokens = data.get("tokens", {})
        fake.refresh_tokens.update(tokens.get("refresh_tokens", []))
        for token in tokens.get("private_app_tokens", []):
            fake.access_tokens[token] = AccessToken(token, None, fake.portal_id)
        for token in tokens.get("access_tokens", []):
            fake.access_tokens[token["token"]] = AccessToken(
                token["token"], to_ms(parse_iso(token["expires_at"])), fake.portal_id
            )
        fake.index_lag = dt.timedelta(seconds=float(data.get("index_lag_seconds", 0)))
        for owner in data.get("owners", []):
            fake.add_owner(**owner)
        fake.pipelines = list(data.get("pipelines", []))
        for object_type, rows in data.get("objects", {}).items():
            for row in rows:
                fake.add(
                    object_type,
                    row.get("properties", {}),
                    id=int(row["id"]),
                    created=parse_iso(row["createdAt"]) if row.get("createdAt") else None,
                    updated=parse_iso(row["updatedAt"]) if row.get("updatedAt") else None,
                    associations=row.get("associations"),
                    merged_ids=row.get("mergedIds"),
                )
                if row.get("archived"):
                    archived_at = parse_iso(row["archivedAt"]) if row.get("archivedAt") else None
                    fake.archive(object_type, int(row["id"]), at=archived_at)
        return fake

    # --- state control (for tests) --------------------------------------------------------------------------

    def add(
        self,
        object_type: str,
        properties: dict[str, Any] | None = None,
        *,
        id: int | None = None,
        created: dt.datetime | None = None,
        updated: dt.datetime | None = None,
        associations: dict[str, list[str]] | None = None,
        merged_ids: list[str] | None = None,
    ) -> FakeRecord:
        record_id = id if id is not None else next(self._ids)
        created_ms = to_ms(created) if created else self.clock.ms()
        updated_ms = to_ms(updated) if updated else created_ms
        record = FakeRecord(
            id=record_id,
            object_type=object_type,
            properties={
                key: None if value is None else str(value) for key, value in (properties or {}).items()
            },
            created_ms=created_ms,
            updated_ms=updated_ms,
            searchable_from_ms=max(self.clock.ms(), updated_ms) + self._lag_ms(),
            merged_ids=[str(i) for i in merged_ids or []],
        )
        self.records[object_type][record_id] = record
        self._order.pop(object_type, None)
        for to_type, ids in (associations or {}).items():
            for other in ids:
                self.associate(object_type, record_id, to_type, int(other))
        if object_type == "deals" and record.properties.get("dealstage"):
            key = f"hs_date_entered_{record.properties['dealstage']}"
            record.properties.setdefault(key, iso_ms(created_ms))
        return record

    def add_many(
        self, object_type: str, count: int, *, updated: dt.datetime, properties: dict[str, Any] | None = None
    ) -> list[FakeRecord]:
        """Many records sharing one modstamp (a month-end batch update), cheaply."""
        return [self.add(object_type, properties, created=updated, updated=updated) for _ in range(count)]

    def associate(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        source = self.records[from_type][from_id]
        source.associations.setdefault(to_type, [])
        if str(to_id) not in source.associations[to_type]:
            source.associations[to_type].append(str(to_id))
        target = self.records.get(to_type, {}).get(to_id)
        if target is not None:
            back = target.associations.setdefault(from_type, [])
            if str(from_id) not in back:
                back.append(str(from_id))

    def update(
        self, object_type: str, record_id: int, *, at: dt.datetime | None = None, **properties: Any
    ) -> FakeRecord:
        """Edit a record: its modstamp becomes ``at`` (default now); search sees it after the index lag."""
        record = self.records[object_type][record_id]
        old_stage = record.properties.get("dealstage")
        for key, value in properties.items():
            record.properties[key] = None if value is None else str(value)
        self._touch(record, at)
        new_stage = record.properties.get("dealstage")
        if object_type == "deals" and new_stage and new_stage != old_stage:
            record.properties.setdefault(f"hs_date_entered_{new_stage}", iso_ms(record.updated_ms))
        return record

    def touch_all(self, object_type: str, ids: list[int], *, at: dt.datetime) -> None:
        for record_id in ids:
            self._touch(self.records[object_type][record_id], at)

    def archive(self, object_type: str, record_id: int, *, at: dt.datetime | None = None) -> None:
        record = self.records[object_type][record_id]
        record.archived = True
        record.archived_ms = to_ms(at) if at else self.clock.ms()
        self._touch(record, at)

    def restore(self, object_type: str, record_id: int, *, at: dt.datetime | None = None) -> None:
        record = self.records[object_type][record_id]
        record.archived = False
        record.archived_ms = None
        self._touch(record, at)

    def merge(
        self, object_type: str, loser_id: int, survivor_id: int, *, new_id: int | None = None
    ) -> FakeRecord:
        """Merge ``loser_id`` into ``survivor_id``. The loser vanishes (reads of it redirect to the survivor);
        the survivor lists the loser and everything merged into the loser (two-step merges). With ``new_id``
        the survivor is re-minted under a new id and lists its old id too."""
        records = self.records[object_type]
        self._order.pop(object_type, None)
        loser = records.pop(loser_id)
        survivor = records[survivor_id]
        survivor.merged_ids = list(dict.fromkeys([*survivor.merged_ids, *loser.merged_ids, str(loser_id)]))
        for to_type, ids in loser.associations.items():
            for other in ids:
                self.associate(object_type, survivor_id, to_type, int(other))
        self.merged_into[object_type][loser_id] = survivor_id
        if new_id is not None:
            records.pop(survivor_id)
            survivor.merged_ids.append(str(survivor_id))
            self.merged_into[object_type][survivor_id] = new_id
            survivor.id = new_id
            records[new_id] = survivor
        self._touch(survivor, None)
        return survivor

    def add_owner(self, **owner: Any) -> dict[str, Any]:
        now = iso_ms(self.clock.ms())
        stored = {"createdAt": now, "updatedAt": now, "archived": False, "type": "PERSON", **owner}
        stored["id"] = str(stored["id"])
        self.owners[stored["id"]] = stored
        return stored

    def deactivate_owner(self, owner_id: str) -> None:
        self.owners[owner_id]["archived"] = True
        self.owners[owner_id]["updatedAt"] = iso_ms(self.clock.ms())

    def issue_access_token(self, *, lifetime: dt.timedelta | None = None) -> str:
        token = "CN" + secrets.token_urlsafe(24)
        expires = self.clock.ms() + int((lifetime or self.token_lifetime).total_seconds() * 1000)
        self.access_tokens[token] = AccessToken(token, expires, self.portal_id)
        return token

    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(16)
        self.refresh_tokens.add(token)
        return token

    def issue_private_app_token(self) -> str:
        token = "pat-na1-" + secrets.token_urlsafe(16)
        self.access_tokens[token] = AccessToken(token, None, self.portal_id)
        return token

    def expire_access_tokens(self) -> None:
        """Every OAuth access token expires now (mid-pagination expiry)."""
        for token in self.access_tokens.values():
            if token.expires_ms is not None:
                token.expires_ms = min(token.expires_ms, self.clock.ms() - 1)

    def revoke_refresh_token(self, token: str) -> None:
        self.refresh_tokens.discard(token)

    # --- helpers --------------------------------------------------------------------------------------------

    def _lag_ms(self) -> int:
        return int(self.index_lag.total_seconds() * 1000)

    def _touch(self, record: FakeRecord, at: dt.datetime | None) -> None:
        record.updated_ms = to_ms(at) if at else self.clock.ms()
        # Visibility follows the clock of the write, not the stamp: a late commit with an old stamp is
        # searchable only after it happened plus the lag.
        record.searchable_from_ms = max(self.clock.ms(), record.updated_ms) + self._lag_ms()

    @staticmethod
    def _error(status: int, message: str, category: str, **extra: Any) -> Response:
        payload = {
            "status": "error",
            "message": message,
            "correlationId": "00000000-0000-4000-8000-000000000000",
            "category": category,
            **extra,
        }
        return json_response(status, payload)

    def _object(
        self, record: FakeRecord, properties: list[str] | None, associations: list[str] | None
    ) -> dict[str, Any]:
        every = record.all_properties()
        default = ["hs_object_id", created_property(record.object_type), cursor_property(record.object_type)]
        wanted = list(dict.fromkeys([*default, *(properties or [])]))
        body: dict[str, Any] = {
            "id": str(record.id),
            "properties": {name: every.get(name) for name in wanted},
            "createdAt": iso_ms(record.created_ms),
            "updatedAt": iso_ms(record.updated_ms),
            "archived": record.archived,
        }
        if record.archived and record.archived_ms is not None:
            body["archivedAt"] = iso_ms(record.archived_ms)
        if associations:
            linked = {}
            for to_type in associations:
                ids = record.associations.get(to_type, [])
                if ids:
                    kind = f"{SINGULAR.get(record.object_type, record.object_type)}_to_{SINGULAR.get(to_type, to_type)}"
                    linked[to_type] = {"results": [{"id": i, "type": kind} for i in ids]}
            if linked:
                body["associations"] = linked
        return body

    # --- gatekeeping: auth, limits --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if len(request.raw_uri) > self.max_url_length:
            self.requests.append(request)
            return Response(414, b"URI Too Long", {"Content-Type": "text/plain"})
        return super().handle(request)

    def _authorise(self, request: Request, *, search: bool = False) -> Response | None:
        token = request.bearer()
        if token is None:
            return self._error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION")
        if len(token) < 8 or any(ch.isspace() for ch in token) or not token.isascii():
            return Response(530, b"error code: 1016", {"Content-Type": "text/plain"})
        known = self.access_tokens.get(token)
        if known is None:
            return self._error(
                401, "The OAuth token used to make this call is invalid.", "INVALID_AUTHENTICATION"
            )
        now = self.clock.ms()
        if known.expires_ms is not None and now >= known.expires_ms:
            seconds = max(1, (now - known.expires_ms) // 1000)
            return self._error(
                401,
                f"The OAuth token used to make this call expired {seconds} second(s) ago.",
                "EXPIRED_AUTHENTICATION",
                context={"expire time": [iso_ms(known.expires_ms)]},
            )
        if self.daily_limit is not None and self.daily_used >= self.daily_limit:
            return self._rate_limited("DAILY", "You have reached your daily limit.")
        if search:
            if self.secondly_search_limit is not None and not self._within(
                self._recent_search, 1000, self.secondly_search_limit
            ):
                return self._rate_limited("SECONDLY", "You have reached your secondly limit.")
        elif self.ten_secondly_limit is not None and not self._within(
            self._recent, 10_000, self.ten_secondly_limit
        ):
            return self._rate_limited(
                "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit."
            )
        self.daily_used += 1
        return None

    def _within(self, recent: deque[int], window_ms: int, limit: int) -> bool:
        now = self.clock.ms()
        while recent and recent[0] <= now - window_ms:
            recent.popleft()
        if len(recent) >= limit:
            return False
        recent.append(now)
        return True

    def _rate_limited(self, policy: str, message: str) -> Response:
        response = self._error(429, message, "RATE_LIMITS", errorType="RATE_LIMIT", policyName=policy)
        if self.send_retry_after and policy != "DAILY":
            response.headers["Retry-After"] = "1" if policy == "SECONDLY" else "10"
        return response

    def _limit_headers(self, response: Response) -> Response:
        if self.ten_secondly_limit is not None:
            response.headers["X-HubSpot-RateLimit-Max"] = str(self.ten_secondly_limit)
            response.headers["X-HubSpot-RateLimit-Remaining"] = str(
                max(0, self.ten_secondly_limit - len(self._recent))
            )
            response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000"
        return response

    # --- routes ---------------------------------------------------------------------------------------------

    def _routes_setup(self) -> None:
        objects = r"^/crm/(?:v3/objects|objects/\d{4}-\d{2})/(?P<type>[^/]+)"
        self.route("GET", objects, self._list)
        self.route("POST", objects + r"/search", self._search)
        self.route("POST", objects + r"/batch/read", self._batch_read)
        self.route("GET", objects + r"/(?P<id>\d+)", self._get_one)
        self.route(
            "POST", r"^/crm/v4/associations/(?P<from>[^/]+)/(?P<to>[^/]+)/batch/read", self._associations
        )
        self.route("GET", r"^/crm/v3/owners", self._owners)
        self.route("GET", r"^/crm/v3/pipelines/(?P<type>[^/]+)", self._pipelines)
        self.route("GET", r"^/crm/v3/properties/(?P<type>[^/]+)", self._properties)
        self.route("POST", r"^/oauth/v[13]/token", self._token)
        self.route("GET", r"^/oauth/authorize", self._authorize)
        self.route("GET", r"^/oauth/v1/access-tokens/(?P<token>[^/]+)", self._token_info)
        self.route("GET", r"^/account-info/v3/details", self._account_details)

    def _type(self, name: str) -> str | None:
        name = TYPE_IDS.get(name, name)
        return name if name in self.records else None

    def _list(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        object_type = self._type(args["type"])
        if object_type is None:
            return self._error(400, f"Unable to infer object type from: {args['type']}", "VALIDATION_ERROR")
        limit = min(int(request.arg("limit") or self.default_limit), 100)
        archived = (request.arg("archived") or "false").lower() == "true"
        after_id = self._decode_after(request.arg("after"))
        if after_id is None and request.arg("after"):
            return self._error(400, "Invalid after token.", "VALIDATION_ERROR")
        properties = [p for p in (request.arg("properties") or "").split(",") if p]
        associations = [a for a in (request.arg("associations") or "").split(",") if a]
        rows = sorted(
            (
                r
                for r in self.records[object_type].values()
                if r.archived == archived and r.id > (after_id or 0)
            ),
            key=lambda r: r.id,
        )
        page = rows[:limit]
        body: dict[str, Any] = {"results": [self._object(r, properties, associations) for r in page]}
        if len(rows) > limit:
            token = base64.b64encode(str(page[-1].id).encode()).decode()
            query = {k: v[0] for k, v in request.query.items()} | {"after": token}
            body["paging"] = {"next": {"after": token, "link": f"{request.path}?{urlencode(query)}"}}
        return self._limit_headers(json_response(200, body))

    @staticmethod
    def _decode_after(token: str | None) -> int | None:
        if not token:
            return None
        try:
            return int(base64.b64decode(token.encode()).decode())
        except ValueError:
            return None

    def _get_one(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        object_type = self._type(args["type"])
        record_id = int(args["id"])
        if object_type is None:
            return self._error(404, "Not found", "OBJECT_NOT_FOUND")
        while record_id in self.merged_into[object_type]:
            record_id = self.merged_into[object_type][record_id]
        record = self.records[object_type].get(record_id)
        if record is None:
            return self._error(404, "Object not found.", "OBJECT_NOT_FOUND")
        properties = [p for p in (request.arg("properties") or "").split(",") if p]
        return self._limit_headers(json_response(200, self._object(record, properties, None)))

    def _batch_read(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        object_type = self._type(args["type"])
        if object_type is None:
            return self._error(400, "Unknown object type.", "VALIDATION_ERROR")
        body = request.json() or {}
        inputs = body.get("inputs", [])
        if len(inputs) > 100:
            return self._error(400, "Too many inputs.", "VALIDATION_ERROR")
        archived = (request.arg("archived") or "false").lower() == "true"
        results = []
        for item in inputs:
            record = self.records[object_type].get(int(item["id"]))
            if record is not None and record.archived == archived:
                results.append(self._object(record, body.get("properties"), None))
        return self._limit_headers(json_response(200, {"status": "COMPLETE", "results": results}))

    def _search(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request, search=True)) is not None:
            return denied
        object_type = self._type(args["type"])
        if object_type is None:
            return self._error(400, "Unknown object type.", "VALIDATION_ERROR")
        if len(request.body) > 3000:
            return self._error(400, "Request body exceeds 3000 characters.", "VALIDATION_ERROR")
        body = request.json() or {}
        groups = body.get("filterGroups") or []
        filters_total = sum(len(group.get("filters", [])) for group in groups)
        if len(groups) > 5 or any(len(g.get("filters", [])) > 6 for g in groups) or filters_total > 18:
            return self._error(400, "Too many filters.", "VALIDATION_ERROR")
        sorts = body.get("sorts") or []
        if len(sorts) > 1:
            return self._error(400, "Only one sort is allowed.", "VALIDATION_ERROR")
        limit = int(body.get("limit") or 10)
        if limit > 200:
            return self._error(400, "limit may not exceed 200.", "VALIDATION_ERROR")
        offset = int(body.get("after") or 0)
        if offset + limit > SEARCH_CAP:
            return self._error(400, "Search results are limited to 10,000 per query.", "VALIDATION_ERROR")
        now = self.clock.ms()
        matches = self._compile(groups)
        candidates = [
            r
            for r in self._scan(object_type, groups)
            if not r.archived and r.searchable_from_ms <= now and matches(r)
        ]
        if sorts:
            sort = sorts[0]
            name = sort if isinstance(sort, str) else sort.get("propertyName")
            descending = (not isinstance(sort, str)) and sort.get("direction") == "DESCENDING"
            if name == "hs_object_id":
                candidates.sort(key=lambda r: r.id, reverse=descending)
            else:
                candidates.sort(key=lambda r: (self._sort_key(r, name), r.id), reverse=descending)
        else:
            candidates.sort(key=lambda r: (r.created_ms, r.id))  # default: by creation, oldest first
        page = candidates[offset : offset + limit]
        result: dict[str, Any] = {
            "total": len(candidates),
            "results": [self._object(r, body.get("properties"), None) for r in page],
        }
        if offset + limit < len(candidates):
            result["paging"] = {"next": {"after": str(offset + limit)}}
        return json_response(200, result)  # search responses carry no rate-limit headers

    def _value(self, record: FakeRecord, name: str) -> tuple[int, float | str] | None:
        """A comparable value: timestamps and numbers compare as numbers, the rest as text."""
        if name == "hs_object_id":
            return (0, float(record.id))
        if name == cursor_property(record.object_type):
            return (0, float(record.updated_ms))
        if name == created_property(record.object_type):
            return (0, float(record.created_ms))
        raw = record.properties.get(name)
        if raw is None:
            return None
        return self._literal(raw)

    @staticmethod
    def _literal(raw: str) -> tuple[int, float | str]:
        try:
            return (0, float(raw))
        except ValueError:
            pass
        try:
            return (0, float(to_ms(parse_iso(raw))))
        except ValueError:
            return (1, raw)

    def _sort_key(self, record: FakeRecord, name: str) -> tuple[int, float | str]:
        return self._value(record, name) or (2, "")

    def _scan(self, object_type: str, groups: list[dict[str, Any]]) -> list[FakeRecord]:
        """The records a search has to look at: with one filter group bounding ``hs_object_id`` from below
        (the keyset the client sends), only those past the bound, found by bisection over the id order."""
        ordered = self._order.get(object_type)
        if ordered is None:
            ordered = sorted(self.records[object_type].values(), key=lambda r: r.id)
            self._order[object_type] = ordered
            self._order_ids[object_type] = [r.id for r in ordered]
        if len(groups) != 1:
            return ordered
        start = 0
        for rule in groups[0].get("filters", []):
            if rule.get("propertyName") == "hs_object_id" and rule.get("operator") in ("GT", "GTE"):
                bound = float(rule.get("value") or 0)
                ids = self._order_ids[object_type]
                index = (
                    bisect.bisect_right(ids, bound)
                    if rule["operator"] == "GT"
                    else bisect.bisect_left(ids, bound)
                )
                start = max(start, index)
        return ordered[start:]

    def _compile(self, groups: list[dict[str, Any]]) -> Callable[[FakeRecord], bool]:
        """Filter groups -> one predicate, with every literal parsed once per request (the fake holds
        10,000+ records in the cap tests, so per-record parsing would dominate)."""
        if not groups:
            return lambda _record: True
        if len(groups) == 1 and (fast := self._interval_predicate(groups[0].get("filters", []))) is not None:
            return fast
        compiled = [[self._compile_rule(rule) for rule in group.get("filters", [])] for group in groups]
        return lambda record: any(all(rule(record) for rule in group) for group in compiled)

    def _compile_rule(self, rule: dict[str, Any]) -> Callable[[FakeRecord], bool]:
        operator = rule.get("operator")
        name = rule.get("propertyName", "")
        if operator not in SEARCH_OPERATORS:
            return lambda _record: False
        if operator == "HAS_PROPERTY":
            return lambda record: self._value(record, name) is not None
        if operator in ("IN", "NOT_IN"):
            values = [self._literal(str(v)) for v in rule.get("values", [])]
            wanted = operator == "IN"

            def member(record: FakeRecord) -> bool:
                value = self._value(record, name)
                return (value in values) == wanted if value is not None else not wanted

            return member
        if name in ("hs_object_id", "createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate"):
            return self._compile_stamp_rule(operator, name, rule)
        low = self._literal(str(rule.get("value")))
        high = self._literal(str(rule.get("highValue"))) if operator == "BETWEEN" else low
        test = COMPARISONS[operator]

        def compare(record: FakeRecord) -> bool:
            value = self._value(record, name)
            if value is None:
                return operator == "NEQ"
            return value[0] == low[0] and test(value, low, high)

        return compare

    @staticmethod
    def _interval_predicate(rules: list[dict[str, Any]]) -> Callable[[FakeRecord], bool] | None:
        """Range rules on ids and stamps only (every incremental search) -> one closed-interval check per
        attribute; None when a rule is of another kind."""
        attribute = {
            "hs_object_id": "id",
            "createdate": "created_ms",
            "hs_createdate": "created_ms",
            "lastmodifieddate": "updated_ms",
            "hs_lastmodifieddate": "updated_ms",
        }
        bounds = {
            "id": [-math.inf, math.inf],
            "created_ms": [-math.inf, math.inf],
            "updated_ms": [-math.inf, math.inf],
        }
        for rule in rules:
            name, operator = attribute.get(rule.get("propertyName", "")), rule.get("operator")
            if name is None or operator not in ("GT", "GTE", "LT", "LTE", "EQ", "BETWEEN"):
                return None
            try:
                value = float(rule.get("value") or 0)
                high = float(rule.get("highValue") or 0)
            except ValueError:
                return None
            low_bound = {"GT": math.floor(value) + 1, "GTE": value, "EQ": value, "BETWEEN": value}.get(
                operator
            )
            high_bound = {"LT": math.ceil(value) - 1, "LTE": value, "EQ": value, "BETWEEN": high}.get(
                operator
            )
            if low_bound is not None:
                bounds[name][0] = max(bounds[name][0], low_bound)
            if high_bound is not None:
                bounds[name][1] = min(bounds[name][1], high_bound)
        (id_low, id_high), (c_low, c_high), (u_low, u_high) = (
            bounds["id"],
            bounds["created_ms"],
            bounds["updated_ms"],
        )
        return lambda r: (
            id_low <= r.id <= id_high and c_low <= r.created_ms <= c_high and u_low <= r.updated_ms <= u_high
        )

    @staticmethod
    def _compile_stamp_rule(operator: str, name: str, rule: dict[str, Any]) -> Callable[[FakeRecord], bool]:
        """Ids and stamps straight off the record: the hot path of every incremental search."""
        low = float(rule.get("value") or 0)
        high = float(rule.get("highValue") or 0) if operator == "BETWEEN" else low
        test = COMPARISONS[operator]
        if name == "hs_object_id":
            return lambda record: test(record.id, low, high)
        if name in ("createdate", "hs_createdate"):
            return lambda record: test(record.created_ms, low, high)
        return lambda record: test(record.updated_ms, low, high)

    def _associations(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        from_type, to_type = self._type(args["from"]), self._type(args["to"])
        if from_type is None or to_type is None:
            return self._error(400, "Unknown object type.", "VALIDATION_ERROR")
        results = []
        for item in (request.json() or {}).get("inputs", []):
            record = self.records[from_type].get(int(item["id"]))
            if record is None:
                continue
            targets = [
                {
                    "toObjectId": int(i),
                    "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}],
                }
                for i in record.associations.get(to_type, [])
            ]
            results.append({"from": {"id": str(record.id)}, "to": targets})
        return self._limit_headers(json_response(200, {"status": "COMPLETE", "results": results}))

    def _owners(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        archived = (request.arg("archived") or "false").lower() == "true"
        limit = min(int(request.arg("limit") or 100), 500)
        offset = int(request.arg("after") or 0)
        rows = sorted(
            (o for o in self.owners.values() if bool(o["archived"]) == archived), key=lambda o: int(o["id"])
        )
        body: dict[str, Any] = {"results": rows[offset : offset + limit]}
        if offset + limit < len(rows):
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return self._limit_headers(json_response(200, body))

    def _pipelines(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        results = self.pipelines if args["type"] in ("deals", "0-3") else []
        return self._limit_headers(json_response(200, {"results": results}))

    def _properties(self, request: Request, args: dict[str, str]) -> Response:
        if (denied := self._authorise(request)) is not None:
            return denied
        object_type = self._type(args["type"])
        if object_type is None:
            return self._error(400, "Unknown object type.", "VALIDATION_ERROR")
        names = sorted({name for r in self.records[object_type].values() for name in r.all_properties()})
        results = [{"name": name, "label": name, "type": "string", "fieldType": "text"} for name in names]
        return self._limit_headers(json_response(200, {"results": results}))

    def _authorize(self, request: Request, args: dict[str, str]) -> Response:
        redirect_uri = request.arg("redirect_uri") or ""
        if request.arg("client_id") != self.client_id or (
            self.redirect_uris and redirect_uri not in self.redirect_uris
        ):
            return self._error(400, "Invalid client or redirect URI.", "VALIDATION_ERROR")
        code = "code-" + secrets.token_urlsafe(12)
        # The code is bound to the app and the redirect URI it was issued for (and a PKCE challenge, if sent).
        self.codes[code] = {"redirect_uri": redirect_uri, "client_id": self.client_id,
                            "challenge": request.arg("code_challenge") or ""}  # fmt: skip
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': request.arg('state') or ''})}"
        return Response(302, b"", {"Location": location})

    def _token(self, request: Request, args: dict[str, str]) -> Response:
        form = request.form()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return json_response(400, {"status": "BAD_CLIENT_ID", "message": "Invalid client credentials."})
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return json_response(
                    400, {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"}
                )
            refresh_token = form["refresh_token"]
        elif grant == "authorization_code":
            code = self.codes.pop(form.get("code", ""), None)
            if (
                code is None
                or code["redirect_uri"] != form.get("redirect_uri")
                or code.get("client_id", self.client_id) != form.get("client_id")
            ):
                return json_response(
                    400, {"status": "BAD_AUTH_CODE", "message": "missing or unknown auth code"}
                )
            if code.get("challenge") and pkce_s256(form.get("code_verifier", "")) != code["challenge"]:
                return json_response(400, {"status": "BAD_AUTH_CODE", "message": "invalid code verifier"})
            refresh_token = self.issue_refresh_token()
        else:
            return json_response(400, {"status": "BAD_GRANT_TYPE", "message": "unsupported grant type"})
        access_token = self.issue_access_token()
        return json_response(
            200,
            {
                "token_type": "bearer",
                "access_token": access_token,
                "refresh_token": refresh_token,
                "expires_in": int(self.token_lifetime.total_seconds()),
            },
        )

    def issue_code(self, redirect_uri: str, *, challenge: str = "") -> str:
        """An authorisation code as if a user had approved the app (the authorise redirect's ``code``)."""
        code = "code-" + secrets.token_urlsafe(12)
        self.codes[code] = {"redirect_uri": redirect_uri, "client_id": self.client_id, "challenge": challenge}
        return code

    def _token_info(self, request: Request, args: dict[str, str]) -> Response:
        """``GET /oauth/v1/access-tokens/{token}``: the token's portal (``hub_id``), user and scopes."""
        known = self.access_tokens.get(args["token"])
        now = self.clock.ms()
        if known is None or known.expires_ms is None or now >= known.expires_ms:
            return self._error(404, "Token not found or expired.", "OBJECT_NOT_FOUND")
        return json_response(200, {
            "token": known.token, "user": "owner@example.jp", "hub_domain": f"{known.portal_id}.hubspot.com",
            "scopes": ["oauth", "crm.objects.contacts.read", "crm.objects.deals.read"], "hub_id": known.portal_id,
            "app_id": 1_234_567, "expires_in": max(0, (known.expires_ms - now) // 1000), "user_id": 7_654_321,
            "token_type": "access",
        })  # fmt: skip

    def _account_details(self, request: Request, args: dict[str, str]) -> Response:
        """``GET /account-info/v3/details`` with a Bearer token (a private app's, or an OAuth one)."""
        refused = self._authorise(request)
        if refused is not None:
            return refused
        known = self.access_tokens[request.bearer() or ""]
        return self._limit_headers(json_response(200, {
            "portalId": known.portal_id, "timeZone": "Asia/Tokyo", "companyCurrency": "JPY",
            "additionalCurrencies": [], "utcOffset": "+09:00", "utcOffsetMilliseconds": 32_400_000,
            "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1", "accountType": "STANDARD",
        }))  # fmt: skip

    # --- webhooks -------------------------------------------------------------------------------------------

    def signed_webhook(
        self, uri: str, events: list[dict[str, Any]], *, at: dt.datetime | None = None
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body of a webhook call to ``uri``, signed with v3 as HubSpot signs it."""
        body = json.dumps(events).encode()
        timestamp = str(to_ms(at or self.clock()))
        signature = signature_v3(
            client_secret=self.client_secret, method="POST", uri=uri, body=body, timestamp=timestamp
        )
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": timestamp,
        }
        return headers, body

    def event(self, subscription_type: str, object_id: int, **extra: Any) -> dict[str, Any]:
        """One webhook event as HubSpot sends it (``contact.merge`` carries ``primaryObjectId`` etc.)."""
        return {
            "eventId": next(self._ids),
            "subscriptionId": 1,
            "portalId": self.portal_id,
            "occurredAt": self.clock.ms(),
            "subscriptionType": subscription_type,
            "attemptNumber": 0,
            "objectId": object_id,
            "changeSource": "CRM",
            **extra,
        }

    def searchable_at(self, object_type: str, record_id: int) -> dt.datetime:
        return from_ms(self.records[object_type][record_id].searchable_from_ms)
