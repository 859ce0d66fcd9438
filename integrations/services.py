"""Write paths of the CRM integrations. Each runs in the workspace in context, owns its transaction and
audits what a person changed. Credentials are never written to the audit trail or returned.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import ConflictError, ServiceError
from integrations import actuals, defaults
from integrations.crypto import CryptoError
from integrations.funnel import PROGRESSION
from integrations.models import (
    ActivityTypeMapping,
    Connection,
    CrmOwner,
    LeadDefinition,
    MetricRuleOverride,
    StageMapping,
    SyncRun,
)
from integrations.providers import outbound
from integrations.rollups.rules import ACTIVITY_TYPES, DEFAULT_RULES, Event, Measure, MetricRule, event_source
from integrations.selectors import (
    connection_credentials_get,
    credentials_associated_data,
    credentials_keyring,
)
from kpi.models import Metric
from tenants.context import require_workspace_id
from tenants.models import Membership
from tenants.services import Actor, audit_event_record

logger = logging.getLogger(__name__)

INTERVAL_MIN, INTERVAL_MAX = 5, 1440
# What a connection's credentials may hold (crm-sync.md §1.6): OAuth tokens, or a private-app token.
CREDENTIAL_FIELDS = frozenset({
    "access_token", "refresh_token", "expires_at", "instance_url", "scopes", "token_type", "issued_at",
    "private_app_token",
})  # fmt: skip
UPDATABLE_FIELDS = ("display_name", "sync_interval_minutes", "base_url", "external_account_id", "credentials")

# Revokes a connection's authorisation at the CRM on disconnect: ``revoke(connection=..., credentials=...)``.
# The provider packages register theirs (connection_revoker_register); a failure does not stop the
# disconnect (the credentials are deleted here either way) and is recorded in the audit trail.
Revoker = Callable[..., None]
_REVOKERS: dict[str, Revoker] = {}


def connection_revoker_register(provider: str, revoke: Revoker) -> None:
    _REVOKERS[provider] = revoke


# --- Validation --------------------------------------------------------------------------------------


def base_url_check(base_url: str) -> str:
    base_url = base_url.strip()
    if not base_url:
        return ""
    scheme = urlsplit(base_url).scheme
    insecure_ok = getattr(settings, "INTEGRATIONS_ALLOW_HTTP_BASE_URL", False)
    if scheme != "https" and not (insecure_ok and scheme == "http"):
        raise ServiceError("integrations.connection.base_url_insecure", field="base_url")
    # The same allow-list as every outbound request (SSRF): no private, loopback or link-local host.
    try:
        outbound.host_check(urlsplit(base_url).hostname or "")
    except outbound.HostRefused as refused:
        raise ServiceError(
            refused.code.replace("integrations.outbound.", "integrations.connection.base_url_"),
            params=refused.params, field="base_url",
        ) from refused  # fmt: skip
    return base_url.rstrip("/")


def _interval_check(minutes: int) -> int:
    if not INTERVAL_MIN <= minutes <= INTERVAL_MAX:
        raise ServiceError("integrations.connection.interval_range", params={"min": INTERVAL_MIN,
                           "max": INTERVAL_MAX}, field="sync_interval_minutes")  # fmt: skip
    return minutes


def _credentials_check(credentials: Mapping[str, Any]) -> dict[str, Any]:
    for name, value in credentials.items():
        if name not in CREDENTIAL_FIELDS:
            raise ServiceError("integrations.connection.unknown_credential", params={"name": name},
                               field="credentials")  # fmt: skip
        if not (isinstance(value, str) or (name == "scopes" and isinstance(value, list)
                                           and all(isinstance(v, str) for v in value))):  # fmt: skip
            raise ServiceError("integrations.connection.credentials_not_text", field="credentials")
    return dict(credentials)


def _account_free(*, provider: str, external_account_id: str, exclude_id: Any = None) -> None:
    if not external_account_id:
        return
    taken = Connection.objects.filter(provider=provider, external_account_id=external_account_id).exclude(
        status=Connection.Status.DISCONNECTED
    )
    if exclude_id is not None:
        taken = taken.exclude(id=exclude_id)
    if taken.exists():
        raise ConflictError("integrations.connection.account_taken", field="external_account_id")


# --- Credentials -------------------------------------------------------------------------------------


def _credentials_seal(connection: Connection, credentials: Mapping[str, Any]) -> None:
    """Encrypt onto ``connection`` (not saved); empty credentials clear both columns."""
    if not credentials:
        connection.credentials_ciphertext = connection.credentials_key_id = ""
        return
    plaintext = json.dumps(dict(credentials), sort_keys=True, separators=(",", ":")).encode("utf-8")
    key_id, token = credentials_keyring().encrypt(
        plaintext, associated_data=credentials_associated_data(connection)
    )
    connection.credentials_key_id, connection.credentials_ciphertext = key_id, token


@transaction.atomic
def connection_credentials_set(*, connection: Connection, credentials: Mapping[str, Any]) -> Connection:
    """Replace the stored credentials (a new token, a rotated refresh token) atomically, under the row lock,
    so two workers refreshing at once cannot interleave. A credential-related "needs attention" clears."""
    locked = Connection.objects.select_for_update().get(id=connection.id)
    if locked.status == Connection.Status.DISCONNECTED:
        raise ServiceError("integrations.connection.disconnected")
    _credentials_seal(locked, _credentials_check(credentials))
    fields = ["credentials_ciphertext", "credentials_key_id", "updated_at"]
    if locked.status == Connection.Status.NEEDS_ATTENTION and locked.status_code in CREDENTIAL_STATUS_CODES:
        locked.status, locked.status_code, locked.status_params = Connection.Status.CONNECTED, "", {}
        locked.next_sync_at = timezone.now()
        fields += ["status", "status_code", "status_params", "next_sync_at"]
    locked.save(update_fields=fields)
    return locked


CREDENTIAL_STATUS_CODES = frozenset({
    "integrations.status.credentials_missing", "integrations.status.token_revoked",
    "integrations.status.credentials_unreadable",
})  # fmt: skip


@dataclass
class RotationReport:
    """Rows per key id: moved to the newest key, still on an old one, or unreadable (key gone)."""

    current_key_id: str
    rotated: int = 0
    on_old_keys: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)


def connection_credentials_rotate(
    *, check: bool = False, report: RotationReport | None = None
) -> RotationReport:
    """Re-encrypt every connection of the workspace in context onto the newest key (``check``: only count).

    Each row is rewritten in its own transaction under its lock, so a long rotation never holds the table
    and a concurrent token refresh is not lost.
    """
    keyring = credentials_keyring()
    report = report or RotationReport(current_key_id=keyring.current.id)
    stale = Connection.objects.exclude(credentials_key_id="").exclude(credentials_key_id=keyring.current.id)
    for connection_id, key_id in list(stale.values_list("id", "credentials_key_id")):
        if check:
            report.on_old_keys[key_id] += 1
            continue
        with transaction.atomic():
            row = Connection.objects.select_for_update().get(id=connection_id)
            if not row.credentials_key_id or keyring.is_current(row.credentials_key_id):
                continue
            try:
                row.credentials_key_id, row.credentials_ciphertext = keyring.reencrypt(
                    row.credentials_ciphertext, key_id=row.credentials_key_id,
                    associated_data=credentials_associated_data(row),
                )  # fmt: skip
            except CryptoError:
                report.on_old_keys[key_id] += 1
                report.unreadable.append(str(row.id))
                continue
            row.save(update_fields=["credentials_key_id", "credentials_ciphertext", "updated_at"])
            report.rotated += 1
    return report


# --- Connections -------------------------------------------------------------------------------------


def _default_mappings_create(connection: Connection) -> None:
    workspace_id = require_workspace_id()
    StageMapping.objects.bulk_create([
        StageMapping(workspace_id=workspace_id, connection=connection, pipeline=d.pipeline, stage=d.stage,
                     label=d.label, funnel_stage=d.funnel_stage, position=i, is_default=True)
        for i, d in enumerate(defaults.STAGES[connection.provider])
    ])  # fmt: skip
    ActivityTypeMapping.objects.bulk_create([
        ActivityTypeMapping(workspace_id=workspace_id, connection=connection, raw_type=raw, activity_type=target,
                            is_default=True)
        for raw, target in defaults.ACTIVITY_TYPES[connection.provider].items()
    ])  # fmt: skip
    lead = defaults.LEADS[connection.provider]
    LeadDefinition.objects.create(connection=connection, source=lead.source, lead_stages=list(lead.lead_stages),
                                  mql_stages=list(lead.mql_stages), sql_stages=list(lead.sql_stages))  # fmt: skip


@transaction.atomic
def connection_create(
    *,
    actor: Actor,
    provider: str,
    display_name: str,
    base_url: str = "",
    sync_interval_minutes: int = 15,
    external_account_id: str = "",
    credentials: Mapping[str, Any] | None = None,
) -> Connection:
    """A new connection with its default mappings (stages, activity types, leads) for the user to confirm.

    Without credentials a CRM connection waits for authorisation ("needs attention", credentials missing);
    a CSV connection needs none.
    """
    credentials = _credentials_check(credentials or {})
    connection = Connection(
        workspace_id=require_workspace_id(),
        provider=provider,
        display_name=display_name,
        base_url=base_url_check(base_url),
        sync_interval_minutes=_interval_check(sync_interval_minutes),
        external_account_id=external_account_id,
        created_by=actor.user,
    )
    _account_free(provider=provider, external_account_id=external_account_id)
    if credentials or provider == Connection.Provider.CSV:
        connection.status = Connection.Status.CONNECTED
        connection.next_sync_at = timezone.now() if provider != Connection.Provider.CSV else None
    else:
        connection.status = Connection.Status.NEEDS_ATTENTION
        connection.status_code = "integrations.status.credentials_missing"
    _credentials_seal(connection, credentials)
    connection.save()
    _default_mappings_create(connection)
    audit_event_record(actor=actor, action="connection.created", target_type="connection", target_id=connection.id,
                       changes={"provider": provider, "display_name": display_name, "base_url": connection.base_url,
                                "credentials": "set" if credentials else "none"})  # fmt: skip
    return connection


@transaction.atomic
def connection_authorise(
    *,
    actor: Actor,
    provider: str,
    external_account_id: str,
    credentials: Mapping[str, Any],
    display_name: str,
    base_url: str = "",
) -> Connection:
    """An OAuth grant for ``external_account_id`` arrived: store it on the workspace's connection of that account
    (the live one, else the most recently disconnected one, which keeps its history and mappings) and make it
    syncable again, or create the connection. The caller queues the first sync."""
    credentials = _credentials_check(credentials)
    accounts = Connection.objects.select_for_update().filter(
        provider=provider, external_account_id=external_account_id
    )
    existing = (
        accounts.exclude(status=Connection.Status.DISCONNECTED).first()
        or accounts.filter(status=Connection.Status.DISCONNECTED).order_by("-updated_at").first()
    )
    if existing is None:
        return connection_create(actor=actor, provider=provider, display_name=display_name, base_url=base_url,
                                 external_account_id=external_account_id, credentials=credentials)  # fmt: skip
    was = existing.status
    if existing.status != Connection.Status.SYNCING:
        existing.status = Connection.Status.CONNECTED
    existing.status_code, existing.status_params = "", {}
    existing.next_sync_at = timezone.now()
    if base_url:
        existing.base_url = base_url_check(base_url)
    _credentials_seal(existing, credentials)
    existing.save()
    audit_event_record(actor=actor, action="connection.authorised", target_type="connection", target_id=existing.id,
                       changes={"status": {"from": was, "to": existing.status}, "credentials": "replaced"})  # fmt: skip
    return existing


def _locked_live(connection: Connection) -> Connection:
    locked = Connection.objects.select_for_update().get(id=connection.id)
    if locked.status == Connection.Status.DISCONNECTED:
        raise ServiceError("integrations.connection.disconnected")
    return locked


@transaction.atomic
def connection_update(*, actor: Actor, connection: Connection, **changes: Any) -> Connection:
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ServiceError("integrations.connection.unknown_field", params={"name": sorted(unknown)[0]})
    locked = _locked_live(connection)
    audit: dict[str, Any] = {}
    for name in ("display_name", "sync_interval_minutes", "base_url", "external_account_id"):
        if name not in changes:
            continue
        value = changes[name]
        if name == "base_url":
            value = base_url_check(value)
        elif name == "sync_interval_minutes":
            value = _interval_check(value)
        elif name == "external_account_id" and value != locked.external_account_id:
            _account_free(provider=locked.provider, external_account_id=value, exclude_id=locked.id)
        if getattr(locked, name) != value:
            audit[name] = {"from": getattr(locked, name), "to": value}
            setattr(locked, name, value)
    if audit:
        if "sync_interval_minutes" in audit and locked.last_synced_at and locked.next_sync_at:
            locked.next_sync_at = locked.last_synced_at + dt.timedelta(minutes=locked.sync_interval_minutes)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:  # the same account connected concurrently
            raise ConflictError("integrations.connection.account_taken", field="external_account_id") from exc
    if "credentials" in changes:
        locked = connection_credentials_set(connection=locked, credentials=changes["credentials"] or {})
        audit["credentials"] = "replaced" if changes["credentials"] else "removed"
    if audit:
        audit_event_record(actor=actor, action="connection.updated", target_type="connection",
                           target_id=locked.id, changes=audit)  # fmt: skip
    return locked


def connection_disconnect(
    *, actor: Actor, connection: Connection, revoke: Revoker | None = None
) -> Connection:
    """Revoke the authorisation at the CRM (best effort), delete the credentials, stop syncing. Synced
    records, runs and mappings stay: the history the KPIs were computed from is kept.

    ``revoke`` defaults to the provider's registered revoker; it runs before the credentials are deleted
    (it needs them) and outside the transaction (it is a network call).
    """
    revoke = revoke or _REVOKERS.get(connection.provider)
    revoked: bool | None = None
    if revoke is not None and connection.status != Connection.Status.DISCONNECTED:
        try:
            credentials = connection_credentials_get(connection=connection)
            if credentials:
                revoke(connection=connection, credentials=credentials)
                revoked = True
        except Exception:  # the CRM may be down or the token already dead: the disconnect goes on
            logger.warning("revoking the credentials of connection %s failed", connection.id, exc_info=True)
            revoked = False
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(id=connection.id)
        if locked.status == Connection.Status.DISCONNECTED:
            return locked
        locked.status, locked.status_code, locked.status_params = Connection.Status.DISCONNECTED, "", {}
        locked.credentials_ciphertext = locked.credentials_key_id = ""
        locked.next_sync_at = None
        locked.lease_owner, locked.lease_expires_at = "", None
        locked.save()
        audit_event_record(actor=actor, action="connection.disconnected", target_type="connection",
                           target_id=locked.id, changes={"revoked": revoked})  # fmt: skip
    return locked


@transaction.atomic
def connection_status_set(
    *, connection: Connection, status: str, code: str = "", params: Mapping[str, Any] | None = None
) -> Connection:
    """The sync engine's verdict on a connection (e.g. needs attention, token revoked)."""
    locked = _locked_live(connection)
    locked.status, locked.status_code, locked.status_params = status, code, dict(params or {})
    locked.save(update_fields=["status", "status_code", "status_params", "updated_at"])
    return locked


# --- Lease and runs ----------------------------------------------------------------------------------


def connection_lease_acquire(*, connection: Connection, owner: str, ttl: dt.timedelta) -> bool:
    """Take (or extend) the connection's sync lease; False while another live worker holds it.

    One conditional UPDATE, so two workers can never both win; a lease whose holder died expires.
    """
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now) | Q(lease_owner=owner)
    taken = (
        Connection.objects.filter(free, id=connection.id)
        .exclude(status=Connection.Status.DISCONNECTED)
        .update(lease_owner=owner, lease_expires_at=now + ttl, updated_at=now)
    )
    return taken == 1


def connection_lease_release(*, connection: Connection, owner: str) -> bool:
    released = Connection.objects.filter(id=connection.id, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None, updated_at=timezone.now()
    )
    return released == 1


@transaction.atomic
def sync_run_start(*, connection: Connection, trigger: str, lease_owner: str) -> SyncRun:
    """Open a run for the lease holder. A run left "running" by a worker that died (its lease expired and
    was taken over) is closed as failed first."""
    locked = _locked_live(connection)
    if locked.lease_owner != lease_owner:
        raise ConflictError("integrations.sync.worker_lost")
    now = timezone.now()
    SyncRun.objects.filter(connection=locked, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED,
        finished_at=now,
        error_code="integrations.sync.worker_lost",
        updated_at=now,
    )
    run = SyncRun.objects.create(connection=locked, trigger=trigger, started_at=now)
    locked.status = Connection.Status.SYNCING
    locked.save(update_fields=["status", "updated_at"])
    return run


@transaction.atomic
def sync_run_finish(
    *, run: SyncRun, status: str, error_code: str = "", error_params: Mapping[str, Any] | None = None
) -> SyncRun:
    now = timezone.now()
    run = SyncRun.objects.select_for_update().get(id=run.id)
    run.status, run.finished_at = status, now
    run.error_code, run.error_params = error_code, dict(error_params or {})
    run.current_object_type = ""
    run.save()
    connection = Connection.objects.select_for_update().get(id=run.connection_id)
    connection.last_synced_at = now
    if status == SyncRun.Status.SUCCEEDED:
        connection.last_success_at = now
    if connection.status == Connection.Status.SYNCING:
        connection.status = Connection.Status.CONNECTED
    connection.next_sync_at = now + dt.timedelta(minutes=connection.sync_interval_minutes)
    connection.save()
    return run


# --- Mappings ----------------------------------------------------------------------------------------


def _duplicates(keys: Sequence[Any]) -> None:
    seen = set()
    for key in keys:
        if key in seen:
            name = "/".join(k for k in key if k) if isinstance(key, tuple) else key
            raise ServiceError("integrations.mapping.duplicate", params={"name": name})
        seen.add(key)


@transaction.atomic
def connection_mappings_update(
    *,
    actor: Actor,
    connection: Connection,
    stages: Sequence[Mapping[str, Any]] | None = None,
    activity_types: Sequence[Mapping[str, Any]] | None = None,
    lead_definition: Mapping[str, Any] | None = None,
    confirm_all: bool = False,
) -> None:
    """Set stage and activity-type mappings (by CRM id: existing rows change, new ones are added) and the
    lead definition. Every row the user sends is confirmed; ``confirm_all`` confirms the rest as they are.

    Records already synced are mapped again once this commits (integrations.remap, as a task), and the daily
    actuals of the days they move between are recomputed.
    """
    locked = _locked_live(connection)
    now = timezone.now()
    workspace_id = require_workspace_id()
    audit: dict[str, Any] = {}
    if stages:
        _duplicates([(s.get("pipeline", ""), s["stage"]) for s in stages])
        existing = {(m.pipeline, m.stage): m for m in StageMapping.objects.filter(connection=locked)}
        top = max((m.position for m in existing.values()), default=-1)
        for row in stages:
            key = (row.get("pipeline", ""), row["stage"])
            mapping = existing.get(key)
            if mapping is None:
                top += 1
                mapping = StageMapping(workspace_id=workspace_id, connection=locked, pipeline=key[0], stage=key[1],
                                       position=top)  # fmt: skip
            mapping.funnel_stage = row["funnel_stage"]
            if row.get("label"):
                mapping.label = row["label"]
            mapping.confirmed_at = now
            mapping.save()
        audit["stages"] = {"/".join(k for k in (s.get("pipeline", ""), s["stage"]) if k): s["funnel_stage"]
                           for s in stages}  # fmt: skip
    if activity_types:
        _duplicates([a["raw_type"] for a in activity_types])
        existing_types = {m.raw_type: m for m in ActivityTypeMapping.objects.filter(connection=locked)}
        for row in activity_types:
            mapping = existing_types.get(row["raw_type"]) or ActivityTypeMapping(
                workspace_id=workspace_id, connection=locked, raw_type=row["raw_type"]
            )
            mapping.activity_type, mapping.confirmed_at = row["activity_type"], now
            mapping.save()
        audit["activity_types"] = {a["raw_type"]: a["activity_type"] for a in activity_types}
    if lead_definition:
        definition = LeadDefinition.objects.filter(connection=locked).first() or LeadDefinition(
            connection=locked
        )
        for name in ("source", "lead_stages", "mql_stages", "sql_stages"):
            if name in lead_definition:
                value = lead_definition[name]
                setattr(definition, name, list(value) if name != "source" else value)
        if definition.source == LeadDefinition.Source.LIFECYCLE and not definition.lead_stages:
            raise ServiceError("integrations.lead.stages_required", field="lead_definition")
        definition.confirmed_at = now
        definition.save()
        audit["lead_definition"] = {k: lead_definition[k] for k in sorted(lead_definition)}
    if confirm_all:
        for model in (StageMapping, ActivityTypeMapping, LeadDefinition):
            model.objects.filter(connection=locked, confirmed_at__isnull=True).update(
                confirmed_at=now, updated_at=now
            )
        audit["confirmed_all"] = True
    if audit:
        audit_event_record(actor=actor, action="connection.mappings_updated", target_type="connection",
                           target_id=locked.id, changes=audit)  # fmt: skip
    if stages or activity_types or lead_definition:
        # By name: the remap task's module imports this one.
        remap = current_app.signature(
            "integrations.connection_remap", args=(str(locked.workspace_id), str(locked.id))
        )
        transaction.on_commit(lambda: remap.delay())


# --- Owners ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerMatchResult:
    matched: int
    unmatched: int
    changed: int


@transaction.atomic
def crm_owner_match_run(*, connection: Connection, actor: Actor | None = None) -> OwnerMatchResult:
    """Match the connection's CRM owners to members by e-mail (case-insensitive), set-based.

    An owner set by hand is left alone. An owner is matched to the active membership with its e-mail; an
    owner already matched to a member who has since left keeps that match (their history stays theirs)
    unless an active member now has the e-mail; otherwise the match is cleared.
    """
    memberships = Membership.all_memberships.filter(workspace_id=require_workspace_id()).select_related(
        "user"
    )
    active: dict[str, Any] = {}
    for membership in memberships:
        if membership.deactivated_at is None:
            active[membership.user.email.strip().lower()] = membership.id
    inactive_ids = {m.id for m in memberships if m.deactivated_at is not None}
    owners = list(
        CrmOwner.objects.filter(connection=connection).exclude(match_source=CrmOwner.MatchSource.MANUAL)
    )
    changed = []
    now = timezone.now()
    for owner in owners:
        email = owner.email.strip().lower()
        member_id = active.get(email) if email else None
        if member_id is None and owner.member_id in inactive_ids:
            member_id = owner.member_id
        source = CrmOwner.MatchSource.EMAIL if member_id else CrmOwner.MatchSource.NONE
        if (owner.member_id, owner.match_source) != (member_id, source):
            owner.member_id, owner.match_source, owner.updated_at = member_id, source, now
            changed.append(owner)
    CrmOwner.objects.bulk_update(changed, ["member", "match_source", "updated_at"], batch_size=500)
    actuals.actuals_for_owners(owner.id for owner in changed)
    matched = sum(1 for o in owners if o.member_id is not None)
    if actor is not None and changed:  # a person asked for it (the sync engine runs it silently)
        audit_event_record(actor=actor, action="crm_owner.matched_by_email", target_type="connection",
                           target_id=connection.id, changes={"changed": len(changed)})  # fmt: skip
    return OwnerMatchResult(matched=matched, unmatched=len(owners) - matched, changed=len(changed))


@transaction.atomic
def crm_owner_member_set(*, actor: Actor, owner: CrmOwner, member: Membership | None) -> CrmOwner:
    """Match an owner by hand (``member=None``: deliberately no member); the matching run keeps it."""
    if member is not None and (
        member.workspace_id != require_workspace_id() or member.deactivated_at is not None
    ):
        raise ServiceError("integrations.owner.not_a_member", field="member")
    locked = CrmOwner.objects.select_for_update().get(id=owner.id)
    before = locked.member_id
    locked.member, locked.match_source = member, CrmOwner.MatchSource.MANUAL
    locked.save(update_fields=["member", "match_source", "updated_at"])
    if before != locked.member_id:
        actuals.actuals_for_owners([locked.id])
    audit_event_record(actor=actor, action="crm_owner.matched", target_type="crm_owner", target_id=locked.id,
                       changes={"member": {"from": str(before) if before else None,
                                           "to": str(member.id) if member else None}})  # fmt: skip
    return locked


# --- Metric rules ----------------------------------------------------------------------------------------


def _metric_rule_check(*, metric: Metric, rule: dict[str, Any]) -> None:
    event, measure = Event(rule["event"]), Measure(rule["measure"])
    if event is Event.REACHED_STAGE and rule["stage"] not in PROGRESSION:
        raise ServiceError("integrations.rule.stage_required", field="stage")
    if event is not Event.REACHED_STAGE and rule["stage"]:
        raise ServiceError("integrations.rule.stage_unexpected", field="stage")
    if event is Event.ACTIVITY and rule["activity_type"] not in ACTIVITY_TYPES:
        raise ServiceError("integrations.rule.activity_type_required", field="activity_type")
    if event is not Event.ACTIVITY and rule["activity_type"]:
        raise ServiceError("integrations.rule.activity_type_unexpected", field="activity_type")
    if event is not Event.ACTIVITY and rule["completed_only"]:
        raise ServiceError("integrations.rule.completed_only_unexpected", field="completed_only")
    if measure is Measure.AMOUNT and event_source(event).value != "deals":
        raise ServiceError("integrations.rule.amount_needs_deals", field="measure")
    if (measure is Measure.AMOUNT) != (metric.unit == "jpy"):
        raise ServiceError("integrations.rule.measure_unit", params={"metric": metric.key, "unit": metric.unit},
                           field="measure")  # fmt: skip


@transaction.atomic
def metric_rule_set(
    *,
    actor: Actor,
    metric_key: str,
    event: str,
    measure: str = Measure.COUNT.value,
    stage: str = "",
    activity_type: str = "",
    completed_only: bool = False,
) -> MetricRule:
    """The workspace's own rule for a base metric (replacing the default); the metric's CRM actuals are
    recomputed once this commits."""
    metric = Metric.objects.filter(key=metric_key).first()
    if metric is None:
        raise ServiceError("integrations.rule.metric_unknown", params={"metric": metric_key}, field="metric")
    values = {"event": event, "measure": measure, "stage": stage, "activity_type": activity_type,
              "completed_only": completed_only}  # fmt: skip
    _metric_rule_check(metric=metric, rule=values)
    override, _created = MetricRuleOverride.objects.update_or_create(metric_key=metric_key, defaults=values)
    audit_event_record(actor=actor, action="metric_rule.set", target_type="metric", target_id=metric.id,
                       changes={"metric": metric_key, **values})  # fmt: skip
    actuals.actuals_all_enqueue()
    return override.as_rule()


@transaction.atomic
def metric_rule_reset(*, actor: Actor, metric_key: str) -> MetricRule | None:
    """Back to the default rule; a metric with no default is no longer fed (its CRM actuals go)."""
    deleted, _ = MetricRuleOverride.objects.filter(metric_key=metric_key).delete()
    default = next((rule for rule in DEFAULT_RULES if rule.metric == metric_key), None)
    if deleted:
        metric = Metric.objects.filter(key=metric_key).first()
        audit_event_record(actor=actor, action="metric_rule.reset", target_type="metric",
                           target_id=metric.id if metric else None, changes={"metric": metric_key})  # fmt: skip
        if default is None:
            actuals.actuals_clear(metric_keys=[metric_key])
        actuals.actuals_all_enqueue()
    return default
