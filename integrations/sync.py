"""The sync engine: one run of one connection, page by page, through the provider protocol.

A run holds the connection's lease (a dead worker's lease expires; the lease is named after the task, so the
broker's redelivery of the same task takes its lease straight back). Per canonical object type, in order:

1. the closed windows of the research note (§1.2) from the object's cursor, or one full-load window the first
   time; a window a dead worker left half-read is finished first, from its saved resume point;
2. every page is applied in one transaction with its resume point: upsert, deletions, merges, the daily
   actuals of the days it touched, the run's live counts, the lease renewed. The cursor moves to the window's
   end with its last page;
3. the deletions pass (``read_archived``) the same way.

Each of those transactions commits on its own (each enters the workspace: the tenant setting of row-level
security lives as long as one transaction), so the task must not run the engine inside an outer transaction:
a worker killed mid-run would lose every page, and nobody would see its lease, progress or resume points.
Called inside one (the tests' workspace context), the steps are savepoints of it.

Errors (``integrations.providers.base``): a daily or org-wide limit stops the run cleanly and reschedules it
after the reset; bad credentials and refusals mark the connection as needing attention; transient errors end
the run as failed and the dispatcher retries with exponential backoff. The engine names no CRM.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.errors import ConflictError, ServiceError
from integrations import actuals, selectors, services
from integrations.canonical import CanonicalStage
from integrations.csv_import.fields import funnel_stage_guess
from integrations.ingest import IngestResult, page_ingest
from integrations.mapping import MappingContext, mapping_context_load
from integrations.models import Connection, StageMapping, SyncRun, SyncState
from integrations.providers.base import (
    AuthFailed,
    Credentials,
    DailyLimitReached,
    ObjectType,
    Page,
    PermanentError,
    Provider,
    ProviderError,
    Resume,
    Window,
)
from integrations.providers.budget import RequestBudget
from integrations.providers.registry import ProviderSettings, provider_for
from integrations.providers.windows import full_load_window, plan_windows
from integrations.remap import connection_remap
from tenants.context import require_workspace_id, workspace_context
from tenants.models import Workspace
from tenants.services import Actor, audit_event_record

logger = logging.getLogger(__name__)

LEASE_TTL = dt.timedelta(minutes=10)
# Transient failures back off 1, 2, 4 ... minutes up to an hour; after this many in a row the connection
# says it needs attention (it keeps retrying).
BACKOFF_CAP = dt.timedelta(hours=1)
FAILURES_BEFORE_ATTENTION = 5
# Salesforce's allocation is a rolling 24 hours: try again after a cool-down (§1.5).
LIMIT_COOL_DOWN = dt.timedelta(hours=1)


# --- entry points ------------------------------------------------------------------------------------------


def sync_enqueue(
    *, connection: Connection, trigger: str, object_types: tuple[ObjectType, ...] | None = None
) -> None:
    """Queue a sync of the connection once the caller's transaction commits (inline without a broker)."""
    args = (str(connection.workspace_id), str(connection.id), trigger, [str(t) for t in object_types or ()])
    # By name: integrations.tasks imports this module.
    task = current_app.signature("integrations.connection_sync", args=args)
    transaction.on_commit(lambda: task.delay())


def sync_request(*, actor: Actor, connection: Connection) -> Connection:
    """ "Sync now": refused for a CSV connection (it syncs by file), one without credentials, one that is
    disconnected or already syncing; otherwise queued at once, audited."""
    if connection.status == Connection.Status.DISCONNECTED:
        raise ServiceError("integrations.connection.disconnected")
    if connection.provider == Connection.Provider.CSV:
        raise ServiceError("integrations.sync.csv_by_file")
    if not connection.has_credentials:
        raise ServiceError("integrations.status.credentials_missing")
    if selectors.connection_is_syncing(connection, now=timezone.now()):
        raise ConflictError("integrations.sync.already_running")
    audit_event_record(actor=actor, action="connection.sync_requested", target_type="connection",
                       target_id=connection.id, changes={})  # fmt: skip
    sync_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
    return connection


def connections_due_dispatch(*, now: dt.datetime | None = None) -> int:
    """The beat's job: queue every connection whose next sync is due, one task each, across workspaces."""
    now = now or timezone.now()
    queued = 0
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        with workspace_context(workspace_id), transaction.atomic():
            due = (
                Connection.objects.filter(next_sync_at__lte=now)
                .exclude(status=Connection.Status.DISCONNECTED)
                .exclude(provider=Connection.Provider.CSV)
                .exclude(credentials_ciphertext="")
                .exclude(lease_expires_at__gt=now)
            )
            for connection in due:
                # Pushed forward now so the next beat does not queue it again while it waits in the queue.
                Connection.objects.filter(id=connection.id).update(
                    next_sync_at=now + dt.timedelta(minutes=connection.sync_interval_minutes)
                )
                sync_enqueue(connection=connection, trigger=SyncRun.Trigger.SCHEDULE)
                queued += 1
    return queued


def page_apply(*, connection: Connection, page: Page, context: MappingContext | None = None) -> IngestResult:
    """Upsert one page and recompute the daily actuals of the days it touched (the caller's transaction)."""
    result = page_ingest(connection=connection, page=page, context=context)
    actuals.actuals_for_days(result.touched)
    return result


def connection_remap_enqueue(*, connection: Connection) -> None:
    """Map the connection's records again once the caller's mapping change commits (a task: it may be long)."""
    task = current_app.signature(
        "integrations.connection_remap", args=(str(connection.workspace_id), str(connection.id))
    )
    transaction.on_commit(lambda: task.delay())


def connection_remap_apply(*, connection: Connection) -> IngestResult:
    with transaction.atomic():
        result = connection_remap(connection=connection)
        actuals.actuals_for_days(result.touched)
    return result


# --- one run -----------------------------------------------------------------------------------------------


def credentials_stored(credentials: Credentials) -> dict[str, Any]:
    """Tokens as the connection's encrypted credentials keep them (read back by ConnectionTokenStore.load)."""
    return {
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token or "",
        "expires_at": credentials.expires_at.isoformat() if credentials.expires_at else "",
        "instance_url": credentials.instance_url or "",
        "scopes": list(credentials.scopes),
    }


class ConnectionTokenStore:
    """The provider's tokens, read from and saved to the connection's encrypted credentials."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load(self) -> Credentials:
        data = selectors.connection_credentials_get(connection=self.connection)  # in memory, no query
        if data.get("private_app_token"):
            return Credentials(access_token=data["private_app_token"])
        expires_at = data.get("expires_at")
        return Credentials(
            access_token=data.get("access_token", ""),
            refresh_token=data.get("refresh_token") or None,
            expires_at=dt.datetime.fromisoformat(expires_at) if expires_at else None,
            instance_url=data.get("instance_url") or None,
            scopes=tuple(data.get("scopes") or ()),
        )

    def save(self, credentials: Credentials) -> None:
        # Its own transaction, committed at once: a rotated refresh token must outlive a page that fails.
        with workspace_context(self.connection.workspace_id):
            data = selectors.connection_credentials_get(connection=self.connection)
            data.update(credentials_stored(credentials))
            self.connection = services.connection_credentials_set(
                connection=self.connection, credentials=data
            )

    @contextmanager
    def refresh_lock(self) -> Iterator[object]:
        # The connection's row lock: one refresh in flight per account, whichever worker asks.
        with workspace_context(self.connection.workspace_id):
            yield Connection.objects.select_for_update().get(id=self.connection.id)
        with workspace_context(self.connection.workspace_id):
            self.connection.refresh_from_db()


def provider_settings(connection: Connection) -> ProviderSettings:
    prefix = connection.provider.upper()
    credentials = selectors.connection_credentials_get(connection=connection)
    return ProviderSettings(
        provider=connection.provider,
        budget_key=f"ws:{connection.workspace_id}:{connection.provider}:{connection.external_account_id or connection.id}",
        client_id=getattr(settings, f"{prefix}_CLIENT_ID", ""),
        client_secret=getattr(settings, f"{prefix}_CLIENT_SECRET", ""),
        redirect_uri=getattr(settings, f"{prefix}_REDIRECT_URI", ""),
        base_url=connection.base_url or None,
        private_app=bool(credentials.get("private_app_token")),
    )


def _budget() -> RequestBudget | None:
    # Shared by every worker through Redis when there is one (limits are per CRM account, §1.5).
    if not settings.REDIS_URL:
        return None
    import redis

    from integrations.providers.budget import RedisBudget

    return RedisBudget(redis.Redis.from_url(settings.REDIS_URL))


def connection_sync(
    *,
    connection_id: Any,
    trigger: str,
    lease_owner: str,
    workspace_id: Any = None,
    object_types: tuple[ObjectType, ...] | None = None,
    provider: Provider | None = None,
    clock: Callable[[], dt.datetime] = timezone.now,
) -> SyncRun | None:
    """Run one sync of the connection of ``workspace_id`` (default: the workspace in context). None when
    another worker holds it. Every step commits on its own unless the caller holds a transaction (the module's
    docstring): the task calls this outside any.

    ``provider`` and ``clock`` are for tests and scripts (a fake CRM on its own clock); the task builds the
    provider from the connection, and the windows end at the clock's now minus the safety lag."""
    workspace_id = workspace_id or require_workspace_id()
    with workspace_context(workspace_id):
        connection = Connection.objects.filter(id=connection_id).first()
        if connection is None or connection.status == Connection.Status.DISCONNECTED:
            return None
        if not services.connection_lease_acquire(connection=connection, owner=lease_owner, ttl=LEASE_TTL):
            return None
    run: SyncRun | None = None
    try:
        with workspace_context(workspace_id):
            run = services.sync_run_start(connection=connection, trigger=trigger, lease_owner=lease_owner)
        try:
            if provider is None:
                with workspace_context(workspace_id):
                    provider = provider_for(
                        provider_settings(connection),
                        tokens=ConnectionTokenStore(connection),
                        budget=_budget(),
                    )
            _run(connection, run, provider, object_types, lease_owner, clock())
        except ProviderError as error:
            with workspace_context(workspace_id):
                _fail(run, connection, error)
        except Exception:
            # A defect, not the CRM: the run says so (and the error is logged with its traceback).
            logger.exception("sync %s failed", run.id)
            with workspace_context(workspace_id):
                services.sync_run_finish(
                    run=run, status=SyncRun.Status.FAILED, error_code="integrations.sync.internal_error"
                )
            raise
        else:
            with workspace_context(workspace_id):
                services.sync_run_finish(run=run, status=SyncRun.Status.SUCCEEDED)
                _attention_clear(connection)
        finally:
            if provider is not None:
                provider.close()
    finally:
        with workspace_context(workspace_id):
            services.connection_lease_release(connection=connection, owner=lease_owner)
    with workspace_context(workspace_id):
        run.refresh_from_db()
    return run


def _finish(
    run: SyncRun,
    connection: Connection,
    status: str,
    error: ProviderError,
    *,
    status_code: str = "",
    next_sync: dt.datetime | None = None,
) -> None:
    logger.warning("sync %s ended %s: %s %s", run.id, status, error.code, error.params)
    services.sync_run_finish(
        run=run, status=status, error_code=error.code, error_params=_jsonable(error.params)
    )
    if status_code:
        services.connection_status_set(
            connection=connection, status=Connection.Status.NEEDS_ATTENTION, code=status_code,
            params=_jsonable(error.params),
        )  # fmt: skip
    if next_sync is not None:
        Connection.objects.filter(id=connection.id).update(next_sync_at=next_sync)


def _fail(run: SyncRun, connection: Connection, error: ProviderError) -> None:
    """The CRM's error onto the run and the connection: a daily limit stops cleanly until the cool-down, refused
    credentials and other permanent errors need attention, transient ones back off."""
    if isinstance(error, DailyLimitReached):
        _finish(run, connection, SyncRun.Status.STOPPED_RATE_LIMITED, error, status_code="integrations.status.rate_limited",
                next_sync=timezone.now() + LIMIT_COOL_DOWN)  # fmt: skip
    elif isinstance(error, AuthFailed):
        _finish(
            run, connection, SyncRun.Status.FAILED, error, status_code="integrations.status.token_revoked"
        )
    elif isinstance(error, PermanentError):
        _finish(run, connection, SyncRun.Status.FAILED, error, status_code=error.code)
    else:
        _finish(run, connection, SyncRun.Status.FAILED, error, next_sync=_backoff(connection, run))


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, str | int | float | bool | None) else str(value)
        for key, value in params.items()
    }


def _backoff(connection: Connection, run: SyncRun) -> dt.datetime:
    """1, 2, 4 ... minutes after the last of the failures in a row (capped); after several, needs attention."""
    since = connection.last_success_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    # This run (still running) and the failed ones before it since the last success.
    failures = (
        1
        + SyncRun.objects.filter(
            connection=connection, status=SyncRun.Status.FAILED, started_at__gt=since
        ).count()
    )
    if failures >= FAILURES_BEFORE_ATTENTION:
        services.connection_status_set(
            connection=connection, status=Connection.Status.NEEDS_ATTENTION, code="integrations.status.sync_failing",
            params={"failures": failures},
        )  # fmt: skip
    return timezone.now() + min(dt.timedelta(minutes=2 ** (failures - 1)), BACKOFF_CAP)


def _attention_clear(connection: Connection) -> None:
    """A run that succeeded answers whatever the last one's trouble was."""
    Connection.objects.filter(id=connection.id).exclude(status=Connection.Status.DISCONNECTED).update(
        status=Connection.Status.CONNECTED, status_code="", status_params={}
    )


def _run(
    connection: Connection,
    run: SyncRun,
    provider: Provider,
    object_types: tuple[ObjectType, ...] | None,
    lease_owner: str,
    started: dt.datetime,
) -> None:
    stages = provider.read_stages()  # HTTP: outside any transaction
    planned = [
        object_type
        for object_type in provider.object_types()
        if not object_types or object_type in object_types or object_type is ObjectType.OWNERS
    ]
    with workspace_context(connection.workspace_id):
        stages_refresh(connection=connection, stages=stages)
        context = mapping_context_load(connection)
        SyncRun.objects.filter(id=run.id).update(
            progress={str(object_type): {"fetched": 0, "done": False} for object_type in planned}
        )
    for object_type in planned:
        with workspace_context(connection.workspace_id):
            state, _ = SyncState.objects.get_or_create(connection=connection, object_type=str(object_type))
        _ObjectReader(connection, run, provider, state, context, lease_owner, started).read()


class _ObjectReader:
    """The windows and the deletions pass of one object type of one run. The provider is read outside any
    transaction; each page is applied in its own (:meth:`_step`)."""

    def __init__(
        self,
        connection: Connection,
        run: SyncRun,
        provider: Provider,
        state: SyncState,
        context: MappingContext,
        lease_owner: str,
        started: dt.datetime,
    ) -> None:
        self.connection, self.run, self.provider = connection, run, provider
        self.state, self.context, self.lease_owner = state, context, lease_owner
        self.started = started
        self.object_type = ObjectType(state.object_type)
        self.owners_changed = False

    def _step(self) -> Any:
        """One transaction in the connection's workspace, committed when it ends (a savepoint when nested)."""
        return workspace_context(self.connection.workspace_id)

    def read(self) -> bool:
        timing = self.provider.timing
        started = self.started
        state = self.state
        with self._step():
            SyncRun.objects.filter(id=self.run.id).update(current_object_type=state.object_type)
        if state.resume is not None and state.window_end is not None:
            self._window(Window(state.window_start, state.window_end), Resume.from_json(state.resume))
        if state.full_sync_completed_at is None:
            self._window(full_load_window(now=started, safety_lag=timing.safety_lag), None)
        else:
            for window in plan_windows(
                cursor=state.cursor_ts or state.full_sync_completed_at,
                now=started,
                lookback=timing.lookback,
                safety_lag=timing.safety_lag,
                max_span=timing.max_span,
            ):
                self._window(window, None)
        self._deletions(started - timing.safety_lag, timing.lookback)
        with self._step():
            self._progress(done=True)
        return self.owners_changed

    def _window(self, window: Window, resume: Resume | None) -> None:
        state = self.state
        for page in self.provider.read(self.object_type, window, resume):
            with self._step():
                self._apply(page)
                state.window_start, state.window_end = window.start, window.end
                state.resume = page.resume.to_json() if page.resume else None
                if page.is_last:
                    state.cursor_ts, state.window_start, state.window_end = window.end, None, None
                    if window.is_full_load:
                        state.full_sync_completed_at = timezone.now()
                state.save()
            if page.is_last:
                return
        # A provider that yielded no last page has read the window all the same.
        with self._step():
            state.cursor_ts, state.window_start, state.window_end, state.resume = window.end, None, None, None
            if window.is_full_load:
                state.full_sync_completed_at = timezone.now()
            state.save()

    def _deletions(self, until: dt.datetime, lookback: dt.timedelta) -> None:
        state = self.state
        since = state.archived_cursor_ts - lookback if state.archived_cursor_ts else None
        resume = Resume.from_json(state.archived_resume) if state.archived_resume else None
        for page in self.provider.read_archived(self.object_type, since, resume):
            with self._step():
                self._apply(page)
                state.archived_resume = page.resume.to_json() if page.resume else None
                if page.is_last:
                    state.archived_cursor_ts = until
                state.save()
            if page.is_last:
                return

    def _apply(self, page: Page) -> None:
        result = page_apply(connection=self.connection, page=page, context=self.context)
        self.owners_changed |= result.owners_changed
        if result.owners_changed:
            # Owners new or changed are matched to members by e-mail (their records' actuals follow) with the
            # page that brought them: matched at the run's end, a run that died before it (or failed on a
            # later object) left them unmatched for good, since the next run reads them unchanged.
            services.crm_owner_match_run(connection=self.connection)
        if not services.connection_lease_acquire(
            connection=self.connection, owner=self.lease_owner, ttl=LEASE_TTL
        ):
            # Another worker took the connection over (our lease had expired): stop, it carries on.
            raise LeaseLost()
        SyncRun.objects.filter(id=self.run.id).update(
            fetched_count=F("fetched_count") + result.fetched,
            created_count=F("created_count") + result.created,
            updated_count=F("updated_count") + result.updated,
            unchanged_count=F("unchanged_count") + result.unchanged,
            deleted_count=F("deleted_count") + result.deleted,
        )
        self._progress(fetched=result.fetched)

    def _progress(self, *, fetched: int = 0, done: bool = False) -> None:
        run = SyncRun.objects.select_for_update().only("progress").get(id=self.run.id)
        entry = run.progress.get(self.state.object_type, {"fetched": 0, "done": False})
        entry = {"fetched": entry["fetched"] + fetched, "done": done or entry["done"]}
        SyncRun.objects.filter(id=self.run.id).update(
            progress={**run.progress, self.state.object_type: entry}
        )


class LeaseLost(ProviderError):
    code = "integrations.sync.worker_lost"


def stages_refresh(*, connection: Connection, stages: list[CanonicalStage]) -> int:
    """Stages the CRM has and the mapping has not yet get a row: closed ones map to won/lost, the rest wait
    for the user ("not counted" until mapped). Returns how many were added."""
    known = set(StageMapping.objects.filter(connection=connection).values_list("pipeline", "stage"))
    known_any_pipeline = {stage for pipeline, stage in known if pipeline == ""}
    new = []
    for stage in stages:
        if (stage.pipeline, stage.stage) in known or stage.stage in known_any_pipeline or stage.archived:
            continue
        target = (
            StageMapping.Target.WON if stage.is_won
            else StageMapping.Target.LOST if stage.is_closed
            # A file's stage names are people's words: アポ, 商談, 提案 are guessed, for the user to confirm.
            else funnel_stage_guess(stage.label) or StageMapping.Target.IGNORE
            if connection.provider == Connection.Provider.CSV
            else StageMapping.Target.IGNORE
        )  # fmt: skip
        new.append(
            StageMapping(
                workspace_id=connection.workspace_id, connection=connection, pipeline=stage.pipeline, stage=stage.stage, label=stage.label[:200],
                funnel_stage=target, position=stage.display_order, is_default=True,
            )
        )  # fmt: skip
    StageMapping.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
