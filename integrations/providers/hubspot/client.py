"""HubSpot client (httpx) and the :class:`HubSpotProvider` that reads it page by page for the sync engine.

Reads (research note §2.2-§2.5):

- first load: the list endpoint ``GET /crm/v3/objects/{type}`` (``after`` cursor, ``limit`` 100, no 10k cap);
- incremental: ``POST /crm/v3/objects/{type}/search`` on the closed window (``GTE``/``LTE`` on the cursor
  property), sorted by ``hs_object_id`` ascending with ``hs_object_id > last_id``. We re-anchor on the last id
  at *every* page instead of following ``after`` until near 10,000: the search stays under the 10,000-result
  cap by construction, never loops on equal timestamps, and a record that leaves the result set between two
  pages (edited past the window end) cannot shift the offsets and hide its neighbour;
- deletes: the list endpoint with ``archived=true``, filtered on ``archivedAt`` here (it has no time filter);
- merges: ``hs_merged_object_ids`` on the survivor.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from integrations.canonical import CanonicalRecord, CanonicalStage
from integrations.providers.base import (
    AuthFailed,
    Credentials,
    DailyLimitReached,
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
)
from integrations.providers.budget import Rate, RequestBudget, UnlimitedBudget
from integrations.providers.http import RequestLoop, RetryPolicy, json_or_empty, retry_after_seconds
from integrations.providers.hubspot import mapper
from integrations.providers.hubspot.oauth import API_BASE_URL
from integrations.providers.outbound import guarded_client
from integrations.providers.values import parse_timestamp

LIST_LIMIT = 100
SEARCH_LIMIT = 200
SEARCH_RESULT_CAP = 10_000

# The HubSpot objects behind each canonical type, read in this order.
STREAMS: dict[ObjectType, tuple[str, ...]] = {
    ObjectType.OWNERS: ("owners", "owners_archived"),
    ObjectType.COMPANIES: ("companies",),
    ObjectType.CONTACTS: ("contacts",),
    ObjectType.DEALS: ("deals",),
    ObjectType.ACTIVITIES: ("calls", "emails", "meetings", "tasks"),
}

# contacts keep the legacy name without the hs_ prefix (supaglue PR #478 review; research note §2.2).
CURSOR_PROPERTY: dict[str, str] = {"contacts": "lastmodifieddate"}
DEFAULT_CURSOR_PROPERTY = "hs_lastmodifieddate"

PROPERTIES: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain", "createdate", "hs_lastmodifieddate", "hs_merged_object_ids"),
    "contacts": (
        "email",
        "firstname",
        "lastname",
        "associatedcompanyid",
        "lifecyclestage",
        "hs_lifecyclestage_lead_date",
        "hubspot_owner_id",
        "createdate",
        "lastmodifieddate",
        "hs_merged_object_ids",
    ),
    "deals": (
        "dealname",
        "pipeline",
        "dealstage",
        "amount",
        "deal_currency_code",
        "createdate",
        "closedate",
        "hs_is_closed",
        "hs_is_closed_won",
        "hubspot_owner_id",
        "hs_lastmodifieddate",
        "hs_merged_object_ids",
    ),
    "calls": (
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_call_disposition",
        "hs_call_status",
        "hs_lastmodifieddate",
    ),
    "emails": (
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_email_status",
        "hs_email_direction",
        "hs_lastmodifieddate",
    ),
    "meetings": (
        "hs_timestamp",
        "hs_meeting_start_time",
        "hubspot_owner_id",
        "hs_meeting_outcome",
        "hs_lastmodifieddate",
    ),
    "tasks": ("hs_timestamp", "hubspot_owner_id", "hs_task_status", "hs_task_type", "hs_lastmodifieddate"),
}

# Search returns no associations, so they are fetched per page (one v4 batch call per target type).
ASSOCIATIONS: dict[str, tuple[str, ...]] = {
    "contacts": ("companies",),
    "deals": ("companies",),
    "calls": ("deals", "contacts", "companies"),
    "emails": ("deals", "contacts", "companies"),
    "meetings": ("deals", "contacts", "companies"),
    "tasks": ("deals", "contacts", "companies"),
}


def epoch_ms(value: dt.datetime) -> str:
    return str(int(value.timestamp() * 1000))


def classify_hubspot(response: httpx.Response) -> ProviderError | None:
    """HTTP response -> the error taxonomy (research note §2.6); None when it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    body = json_or_empty(response)
    body = body if isinstance(body, dict) else {}
    if status == 429:
        policy = str(body.get("policyName") or "").upper()
        if not policy:
            # Search's secondly limit says so only in the message.
            policy = "SECONDLY" if "secondly" in str(body.get("message", "")).lower() else "UNKNOWN"
        if policy == "DAILY":
            return DailyLimitReached("hubspot")
        return RateLimited(policy, retry_after_seconds(response))
    if status == 401:
        # EXPIRED_AUTHENTICATION, or any 401 on an OAuth token: refresh once; the loop gives up after that.
        return TokenExpired({"category": str(body.get("category", ""))})
    if status == 530:
        return AuthFailed("malformed_token")  # Cloudflare answers a wrongly formatted token with 530
    if status == 403:
        context = body.get("context") or {}
        return PermanentError(
            "integrations.provider.missing_scopes", scopes=list(context.get("requiredScopes", []))
        )
    if status == 414:
        return PermanentError("integrations.provider.uri_too_long")
    if status >= 500:
        return TransientError(status)
    return PermanentError(
        "integrations.provider.rejected", status=status, category=str(body.get("category", ""))
    )


class HubSpotClient:
    """The HTTP calls, nothing more: JSON in, JSON out, errors mapped."""

    def __init__(
        self,
        *,
        tokens: TokenManager,
        base_url: str = API_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        budget: RequestBudget | None = None,
        budget_key: str = "hubspot",
        # Under HubSpot's rolling limits (110 or 190 per 10 s; search 5/s) with small bursts, see Rate.
        general_rate: Rate = Rate(100, 10, burst=10),  # noqa: B008 - frozen value
        search_rate: Rate = Rate(4, 1, burst=1),  # noqa: B008 - the research note says design for 4/s
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        objects_path: str = "/crm/v3/objects",
    ) -> None:
        self.http = guarded_client(transport, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.objects_path = objects_path  # one place for the path version (v3 or a dated one)
        self.general_rates = {"general": general_rate}
        self.search_rates = {"search": search_rate}
        self.loop = RequestLoop(
            http=self.http,
            tokens=tokens,
            base_url=lambda _credentials: self.base_url,
            auth_headers=self._auth_headers,
            classify=classify_hubspot,
            budget=budget or UnlimitedBudget(),
            budget_key=budget_key,
            retry=retry,
            sleep=sleep,
        )

    @staticmethod
    def _auth_headers(credentials: Credentials) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {credentials.access_token}", "Accept": "application/json"}

    def close(self) -> None:
        self.http.close()

    def list_objects(
        self,
        object_type: str,
        *,
        properties: Sequence[str],
        archived: bool = False,
        associations: Sequence[str] = (),
        after: str | None = None,
        limit: int = LIST_LIMIT,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "limit": limit,
            "archived": "true" if archived else "false",
            "properties": ",".join(properties),
        }
        if associations:
            params["associations"] = ",".join(associations)
        if after:
            params["after"] = after
        path = f"{self.objects_path}/{object_type}"
        return self.loop.send("GET", path, rates=self.general_rates, params=params).body

    def search(self, object_type: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"{self.objects_path}/{object_type}/search"
        return self.loop.send("POST", path, rates=self.search_rates, json=dict(body)).body

    def owners(self, *, archived: bool = False, after: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": LIST_LIMIT, "archived": "true" if archived else "false"}
        if after:
            params["after"] = after
        return self.loop.send("GET", "/crm/v3/owners", rates=self.general_rates, params=params).body

    def pipelines(self, object_type: str = "deals") -> list[dict[str, Any]]:
        body = self.loop.send("GET", f"/crm/v3/pipelines/{object_type}", rates=self.general_rates).body
        return list(body.get("results", []))

    def associated_ids(self, from_type: str, to_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """``POST /crm/v4/associations/{from}/{to}/batch/read``: from id -> associated ids."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), 100):
            inputs = [{"id": object_id} for object_id in ids[start : start + 100]]
            body = self.loop.send(
                "POST",
                f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                rates=self.general_rates,
                json={"inputs": inputs},
            ).body
            for result in body.get("results", []):
                source = str(result["from"]["id"])
                found.setdefault(source, []).extend(str(item["toObjectId"]) for item in result.get("to", []))
        return found


class HubSpotProvider:
    """The :class:`integrations.providers.base.Provider` for one HubSpot account."""

    timing = Timing(
        lookback=dt.timedelta(minutes=10), safety_lag=dt.timedelta(minutes=2), max_span=dt.timedelta(days=1)
    )

    def __init__(self, client: HubSpotClient, *, default_currency: str = "JPY") -> None:
        self.client = client
        self.default_currency = default_currency
        self._stages: list[CanonicalStage] | None = None
        self._stages_by_id: dict[str, CanonicalStage] | None = None

    def object_types(self) -> tuple[ObjectType, ...]:
        return tuple(STREAMS)

    def close(self) -> None:
        self.client.close()

    def read_stages(self) -> list[CanonicalStage]:
        if self._stages is None:
            self._stages = mapper.stages_from_hubspot(self.client.pipelines("deals"))
        return self._stages

    # --- reads ------------------------------------------------------------------------------------------

    def read(self, object_type: ObjectType, window: Window, resume: Resume | None = None) -> Iterator[Page]:
        """Owners are listed in full (active, then archived = deactivated) whatever the window; objects use
        the list endpoint for a full-load window and search for a bounded one."""
        streams = STREAMS[object_type]
        for index, stream in self._streams_from(streams, resume):
            position = dict(resume.position) if resume and resume.stream == stream else {}
            following = streams[index + 1] if index + 1 < len(streams) else None
            if object_type is ObjectType.OWNERS:
                pages = self._read_owners(stream, position, following)
            elif window.is_full_load:
                pages = self._read_list(object_type, stream, position, following, archived=False, since=None)
            else:
                pages = self._read_search(object_type, stream, window, position, following)
            yield from pages

    def read_archived(
        self, object_type: ObjectType, since: dt.datetime | None, resume: Resume | None = None
    ) -> Iterator[Page]:
        """Archived records with ``archivedAt >= since`` (all when None), as archived canonical records."""
        if object_type is ObjectType.OWNERS:
            yield Page(object_type, (), (), None)  # archived owners come with read(): they are still owners
            return
        streams = STREAMS[object_type]
        for index, stream in self._streams_from(streams, resume):
            position = dict(resume.position) if resume and resume.stream == stream else {}
            following = streams[index + 1] if index + 1 < len(streams) else None
            yield from self._read_list(object_type, stream, position, following, archived=True, since=since)

    @staticmethod
    def _streams_from(streams: tuple[str, ...], resume: Resume | None) -> Iterator[tuple[int, str]]:
        start = streams.index(resume.stream) if resume and resume.stream in streams else 0
        for index in range(start, len(streams)):
            yield index, streams[index]

    @staticmethod
    def _next(following: str | None) -> Resume | None:
        return Resume(following, {}) if following else None

    def _read_owners(self, stream: str, position: dict[str, str], following: str | None) -> Iterator[Page]:
        after = position.get("after")
        while True:
            body = self.client.owners(archived=stream == "owners_archived", after=after)
            raws = body.get("results", [])
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            resume = Resume(stream, {"after": after}) if after else self._next(following)
            records = tuple(mapper.owner_from_hubspot(raw) for raw in raws)
            yield Page(ObjectType.OWNERS, records, tuple(raws), resume)
            if not after:
                return

    def _read_list(
        self,
        object_type: ObjectType,
        stream: str,
        position: dict[str, str],
        following: str | None,
        *,
        archived: bool,
        since: dt.datetime | None,
    ) -> Iterator[Page]:
        after = position.get("after")
        while True:
            body = self.client.list_objects(
                stream,
                properties=self._properties(stream),
                archived=archived,
                associations=ASSOCIATIONS.get(stream, ()),
                after=after,
            )
            raws = body.get("results", [])
            if since is not None:
                raws = [raw for raw in raws if (parse_timestamp(raw.get("archivedAt")) or since) >= since]
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            resume = Resume(stream, {"after": after}) if after else self._next(following)
            yield self._page(object_type, stream, raws, resume)
            if not after:
                return

    def _read_search(
        self,
        object_type: ObjectType,
        stream: str,
        window: Window,
        position: dict[str, str],
        following: str | None,
    ) -> Iterator[Page]:
        assert window.start is not None
        cursor_property = CURSOR_PROPERTY.get(stream, DEFAULT_CURSOR_PROPERTY)
        last_id = int(position.get("last_id", "0"))
        while True:
            body = {
                "filterGroups": [
                    {
                        "filters": [
                            {
                                "propertyName": cursor_property,
                                "operator": "GTE",
                                "value": epoch_ms(window.start),
                            },
                            {
                                "propertyName": cursor_property,
                                "operator": "LTE",
                                "value": epoch_ms(window.end),
                            },
                            {"propertyName": "hs_object_id", "operator": "GT", "value": str(last_id)},
                        ]
                    }
                ],
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": list(self._properties(stream)),
                "limit": SEARCH_LIMIT,
            }
            result = self.client.search(stream, body)
            raws = list(result.get("results", []))
            has_more = bool((result.get("paging") or {}).get("next")) and bool(raws)
            if raws:
                last_id = max(last_id, *(int(raw["id"]) for raw in raws))
                self._attach_associations(stream, raws)
            resume = Resume(stream, {"last_id": str(last_id)}) if has_more else self._next(following)
            yield self._page(object_type, stream, raws, resume)
            if not has_more:
                return

    def _attach_associations(self, stream: str, raws: list[dict[str, Any]]) -> None:
        """Give search results the ``associations`` shape the list endpoint returns, for one mapper path."""
        ids = [str(raw["id"]) for raw in raws]
        for to_type in ASSOCIATIONS.get(stream, ()):
            found = self.client.associated_ids(stream, to_type, ids)
            for raw in raws:
                targets = found.get(str(raw["id"]), [])
                raw.setdefault("associations", {})[to_type] = {"results": [{"id": t} for t in targets]}

    def _properties(self, stream: str) -> tuple[str, ...]:
        properties = PROPERTIES[stream]
        if stream == "deals":
            stage_ids = dict.fromkeys(stage.stage for stage in self.read_stages())
            properties = properties + tuple(f"{mapper.STAGE_ENTERED_PREFIX}{stage}" for stage in stage_ids)
        return properties

    def _page(
        self, object_type: ObjectType, stream: str, raws: list[dict[str, Any]], resume: Resume | None
    ) -> Page:
        records = tuple(self._map(stream, raw) for raw in raws)
        merges = tuple(
            Merge(loser_external_id=loser, survivor_external_id=record.external_id)
            for record in records
            if not record.archived
            for loser in getattr(record, "merged_ids", ())
        )
        return Page(object_type, records, tuple(raws), resume, merges=merges)

    def _map(self, stream: str, raw: Mapping[str, Any]) -> CanonicalRecord:
        if stream == "companies":
            return mapper.company_from_hubspot(raw)
        if stream == "contacts":
            return mapper.contact_from_hubspot(raw)
        if stream == "deals":
            if self._stages_by_id is None:
                self._stages_by_id = {stage.stage: stage for stage in self.read_stages()}
            return mapper.deal_from_hubspot(
                raw, stages=self._stages_by_id, default_currency=self.default_currency
            )
        return mapper.activity_from_hubspot(raw, object_type=stream)
