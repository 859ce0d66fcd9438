"""The one protocol between the sync engine and a CRM provider, and the errors a provider raises.

The engine knows nothing of HubSpot or Salesforce. Per connection it builds a provider with
:func:`integrations.providers.registry.provider_for` (the connection's settings and base URL, a
:class:`TokenStore` and a request budget) and, per canonical object type in :class:`ObjectType` order:

1. plans closed windows with :func:`integrations.providers.windows.plan_windows` (or one full-load window);
2. iterates ``provider.read(object_type, window, resume)``; every :class:`Page` holds canonical records, their
   raw payloads, id-only deletions and merges, and the :class:`Resume` point to save *in the same transaction*
   as the page's upserts. ``page.resume is None`` means the window is fully read: advance the cursor to
   ``window.end`` in that transaction and drop the resume point;
3. runs ``provider.read_archived(object_type, since, resume)`` the same way for deletes.

Errors are :class:`ProviderError` subclasses carrying a message-layer ``code`` and JSON-able ``params``;
never human text (the integrations message module renders codes).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from integrations.canonical import CanonicalRecord, CanonicalStage


class ObjectType(StrEnum):
    """Canonical object types, in the order a run reads them (owners before what points at them)."""

    OWNERS = "owners"
    COMPANIES = "companies"
    CONTACTS = "contacts"
    DEALS = "deals"
    ACTIVITIES = "activities"


@dataclass(frozen=True, slots=True)
class Window:
    """A closed time window ``start <= modstamp <= end``. ``start`` None reads from the beginning (first load)."""

    start: dt.datetime | None
    end: dt.datetime

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None and value.utcoffset() is None:
                raise ValueError("window bounds must be timezone-aware")
        if self.start is not None and self.start > self.end:
            raise ValueError("window start is after its end")

    @property
    def is_full_load(self) -> bool:
        return self.start is None


@dataclass(frozen=True, slots=True)
class Resume:
    """Where to continue a read: opaque to the engine, which stores ``to_json()`` and passes back ``from_json``.

    ``stream`` is the provider's sub-stream (HubSpot "calls" inside activities, Salesforce "Lead" inside
    contacts); ``position`` its keyset or page token."""

    stream: str
    position: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"stream": self.stream, "position": dict(self.position)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resume:
        return cls(stream=str(data["stream"]), position={str(k): str(v) for k, v in data["position"].items()})


@dataclass(frozen=True, slots=True)
class Deletion:
    """An id-only delete from the CRM's delete log (Salesforce ``deleted/``)."""

    external_id: str
    deleted_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Merge:
    """``loser_external_id`` was merged into ``survivor_external_id``: keep the loser as a tombstone."""

    loser_external_id: str
    survivor_external_id: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of one read.

    ``records`` may include archived ones (``archived=True``: upsert them with the soft-delete flag);
    ``raw[i]`` is the CRM payload of ``records[i]`` (kept for re-mapping without a re-sync)."""

    object_type: ObjectType
    records: tuple[CanonicalRecord, ...]
    raw: tuple[Mapping[str, Any], ...]
    resume: Resume | None
    deletions: tuple[Deletion, ...] = ()
    merges: tuple[Merge, ...] = ()
    # Salesforce delete log: when the log starts; a cursor older than this needs an id reconcile.
    delete_log_starts_at: dt.datetime | None = None

    @property
    def is_last(self) -> bool:
        return self.resume is None


@dataclass(frozen=True, slots=True)
class Timing:
    """The provider's defaults for the window algorithm (research note §1.2, §2.4, §3.4)."""

    lookback: dt.timedelta
    safety_lag: dt.timedelta
    max_span: dt.timedelta


class Provider(Protocol):
    timing: Timing

    def object_types(self) -> tuple[ObjectType, ...]: ...

    def read(
        self, object_type: ObjectType, window: Window, resume: Resume | None = None
    ) -> Iterator[Page]: ...

    def read_archived(
        self, object_type: ObjectType, since: dt.datetime | None, resume: Resume | None = None
    ) -> Iterator[Page]: ...

    def read_stages(self) -> list[CanonicalStage]: ...

    def close(self) -> None: ...


# --- errors ---------------------------------------------------------------------------------------------


class ProviderError(Exception):
    """Base of the taxonomy. ``code`` is a message-layer code, ``params`` its JSON-able parameters."""

    code = "integrations.provider.error"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.code, self.params)


class RateLimited(ProviderError):
    """A short-window limit (HubSpot TEN_SECONDLY_ROLLING / SECONDLY): wait and retry."""

    code = "integrations.provider.rate_limited"

    def __init__(self, policy: str, retry_after: float | None) -> None:
        self.policy = policy
        self.retry_after = retry_after
        super().__init__({"policy": policy, "retry_after": retry_after})


class DailyLimitReached(ProviderError):
    """The account's daily allocation is spent: stop the run cleanly, keep cursors, reschedule."""

    code = "integrations.provider.daily_limit_reached"

    def __init__(self, provider: str, used: int | None = None, limit: int | None = None) -> None:
        super().__init__({"provider": provider, "used": used, "limit": limit})


class AuthFailed(ProviderError):
    """Bad or revoked credentials (refresh refused, private token rejected): permanent, needs re-authorising."""

    code = "integrations.provider.auth_failed"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__({"reason": reason})


class TokenExpired(ProviderError):
    """The access token expired: refresh once and retry (the clients do this themselves)."""

    code = "integrations.provider.token_expired"


class TransientError(ProviderError):
    """5xx, timeouts, connection errors: retry with backoff."""

    code = "integrations.provider.transient"

    def __init__(self, status: int | None, reason: str = "") -> None:
        super().__init__({"status": status, "reason": reason})


class PermanentError(ProviderError):
    """A request the CRM refuses for good (missing scope, malformed query): fail the object, keep the cursor."""

    def __init__(self, code: str = "integrations.provider.rejected", **params: Any) -> None:
        self.code = code
        super().__init__(params)


# --- credentials ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credentials:
    access_token: str
    refresh_token: str | None = None
    # None when the CRM gives no lifetime and none is assumed (a private-app token).
    expires_at: dt.datetime | None = None
    instance_url: str | None = None
    scopes: tuple[str, ...] = ()

    def expires_within(self, now: dt.datetime, margin: dt.timedelta) -> bool:
        return self.expires_at is not None and now >= self.expires_at - margin


class TokenStore(Protocol):
    """Implemented by the engine over the encrypted connection row."""

    def load(self) -> Credentials: ...

    def save(self, credentials: Credentials) -> None:
        """Persist atomically, rotated refresh token included: the old one may already be invalid."""

    def refresh_lock(self) -> AbstractContextManager[object]:
        """Held while refreshing, so one refresh per account is in flight (a row lock or a Redis lock)."""


class InMemoryTokenStore:
    """A :class:`TokenStore` for tests, fakes and scripts."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.saved: list[Credentials] = []
        self._lock = threading.Lock()

    def load(self) -> Credentials:
        return self.credentials

    def save(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.saved.append(credentials)

    def refresh_lock(self) -> AbstractContextManager[object]:
        return self._lock


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenManager:
    """Hands out a valid access token: proactive refresh near expiry, forced refresh after a 401, single-flight.

    ``refresher`` exchanges the current credentials for new ones (None for tokens that cannot be refreshed)."""

    def __init__(
        self,
        store: TokenStore,
        refresher: Callable[[Credentials], Credentials] | None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        margin: dt.timedelta = dt.timedelta(minutes=5),
    ) -> None:
        self.store = store
        self.refresher = refresher
        self.clock = clock
        self.margin = margin

    @property
    def can_refresh(self) -> bool:
        return self.refresher is not None

    def current(self) -> Credentials:
        credentials = self.store.load()
        if self.refresher is not None and credentials.expires_within(self.clock(), self.margin):
            return self._refresh(stale_token=credentials.access_token)
        return credentials

    def force_refresh(self, failed_token: str) -> Credentials:
        if self.refresher is None:
            raise AuthFailed("token_rejected")
        return self._refresh(stale_token=failed_token)

    def _refresh(self, *, stale_token: str) -> Credentials:
        assert self.refresher is not None
        with self.store.refresh_lock():
            # Another worker may have refreshed while we waited: its token is good, and with rotation our
            # refresh token is already spent, so re-read instead of refreshing again.
            latest = self.store.load()
            if latest.access_token != stale_token and not latest.expires_within(self.clock(), self.margin):
                return latest
            fresh = self.refresher(latest)
            if fresh.refresh_token is None:
                fresh = replace(fresh, refresh_token=latest.refresh_token)
            if fresh.instance_url is None:
                fresh = replace(fresh, instance_url=latest.instance_url)
            self.store.save(fresh)
            return fresh
