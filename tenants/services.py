"""Write paths of the control plane. Each change of membership, role, API key or setting is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.changes import fields_apply
from core.errors import ConflictError, ServiceError
from tenants.access import Principal
from tenants.context import workspace_context
from tenants.models import AuditEvent, Firm, Membership, User, Workspace, WorkspaceApiKey
from tenants.roles import CLIENT_ROLES, FirmRole, Perm, Scope, WorkspaceRole
from tenants.signals import membership_deactivated
from tenants.tasks import invitation_send_task


@dataclass(frozen=True)
class Actor:
    """Who made a change, as the audit trail records it."""

    label: str
    user: User | None = None
    api_key_prefix: str = ""

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(
            label=principal.label,
            user=principal.user,
            api_key_prefix=principal.api_key.prefix if principal.api_key else "",
        )

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)


def audit_event_record(
    *, actor: Actor, action: str, target_type: str, target_id: Any, changes: dict[str, Any] | None = None
) -> AuditEvent:
    """Append one audit event to the workspace in context."""
    return AuditEvent.objects.create(
        actor_user=actor.user,
        actor_api_key_prefix=actor.api_key_prefix,
        actor_label=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        changes=changes or {},
    )


def _audit_in(workspace_id: Any, **event: Any) -> AuditEvent:
    """Control-plane services audit into the workspace they changed (entering its context)."""
    with workspace_context(workspace_id):
        return audit_event_record(**event)


# --- Workspaces ------------------------------------------------------------------------------

WORKSPACE_SETTING_FIELDS = (
    "name",
    "fiscal_year_start_month",
    "time_zone",
    "currency",
    "pace_at_risk_threshold",
    "pace_behind_threshold",
)


@transaction.atomic
def workspace_create(*, firm: Firm, name: str, slug: str, actor: Actor, **settings_: Any) -> Workspace:
    if Workspace.objects.filter(firm=firm, slug=slug).exists():
        raise ConflictError("tenants.workspace.slug_taken", field="slug")
    workspace = Workspace(firm=firm, name=name, slug=slug, **settings_)
    workspace.full_clean()
    workspace.save()
    _audit_in(
        workspace.id,
        actor=actor,
        action="workspace.created",
        target_type="workspace",
        target_id=workspace.id,
        changes={"name": name, "slug": slug},
    )
    return workspace


@transaction.atomic
def workspace_settings_update(*, workspace: Workspace, actor: Actor, **changes: Any) -> Workspace:
    unknown = set(changes) - set(WORKSPACE_SETTING_FIELDS)
    if unknown:
        raise ServiceError("tenants.workspace.unknown_setting", params={"name": sorted(unknown)[0]})
    diff = fields_apply(workspace, changes)
    if not diff:
        return workspace
    if not 0 < workspace.pace_behind_threshold < workspace.pace_at_risk_threshold <= 1:
        raise ServiceError("tenants.workspace.invalid_thresholds", field="pace_behind_threshold")
    workspace.full_clean()
    workspace.save(update_fields=[*diff, "updated_at"])
    _audit_in(
        workspace.id,
        actor=actor,
        action="workspace.settings_changed",
        target_type="workspace",
        target_id=workspace.id,
        changes=diff,
    )
    return workspace


# --- Memberships -----------------------------------------------------------------------------


def _role_key(role: int) -> str:
    """Roles are recorded by stable key, not by translated label."""
    return WorkspaceRole(role).name.lower()


def _check_role_assignable(*, principal: Principal, role: WorkspaceRole, user: User | None) -> None:
    if role == WorkspaceRole.CONSULTANT:
        if not principal.has(Perm.CONSULTANT_ASSIGN):
            raise ServiceError("tenants.membership.consultant_assigned_by_firm", field="role")
        if user is None or user.firm_id != principal.workspace.firm_id:
            raise ServiceError("tenants.membership.consultant_not_firm_member", field="email")
    elif role not in CLIENT_ROLES:
        raise ServiceError("tenants.membership.invalid_role", field="role")


@transaction.atomic
def membership_invite(
    *, principal: Principal, email: str, role: WorkspaceRole, full_name: str = ""
) -> Membership:
    """Add someone to the workspace by e-mail, creating their account if they have none."""
    workspace = principal.workspace
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    _check_role_assignable(principal=principal, role=role, user=user)
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    elif Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ConflictError("tenants.membership.already_member", field="email")
    former = Membership.all_memberships.filter(workspace=workspace, user=user).first() if user else None
    actor = Actor.of(principal)
    # Answered the same whoever the address belongs to: pending, with the name the inviter gave. A former
    # member is invited back on their old membership, so their history and their return are one person.
    membership = former or Membership(workspace=workspace, user=user)
    membership.role, membership.invited_by, membership.invited_name = role, principal.user, full_name
    membership.accepted_at = membership.deactivated_at = None
    membership.save()
    _audit_in(
        workspace.id,
        actor=actor,
        action="membership.invited",
        target_type="membership",
        target_id=membership.id,
        changes={"email": email, "role": _role_key(role)},
    )
    invitation_send_task.delay_on_commit(str(workspace.id), str(membership.id), actor.label)
    return membership


def _ensure_not_last_admin(membership: Membership) -> None:
    if membership.role != WorkspaceRole.ADMIN:
        return
    admins = Membership.objects.filter(workspace_id=membership.workspace_id, role=WorkspaceRole.ADMIN)
    if admins.exclude(id=membership.id).count() == 0:
        raise ServiceError("tenants.membership.last_admin", field="role")


def _check_can_manage(*, principal: Principal, membership: Membership) -> None:
    if membership.role == WorkspaceRole.CONSULTANT and not principal.has(Perm.CONSULTANT_ASSIGN):
        raise ServiceError("tenants.membership.consultant_changed_by_firm")


@transaction.atomic
def membership_role_change(
    *, principal: Principal, membership: Membership, role: WorkspaceRole
) -> Membership:
    membership = Membership.objects.select_for_update().get(id=membership.id, workspace=principal.workspace)
    if membership.role == role:
        return membership
    _check_can_manage(principal=principal, membership=membership)
    _check_role_assignable(principal=principal, role=role, user=membership.user)
    _ensure_not_last_admin(membership)
    old = _role_key(membership.role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _audit_in(
        principal.workspace.id,
        actor=Actor.of(principal),
        action="membership.role_changed",
        target_type="membership",
        target_id=membership.id,
        changes={"email": membership.user.email, "role": {"from": old, "to": _role_key(role)}},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, principal: Principal, membership: Membership) -> Membership:
    """Remove someone from the workspace: their access ends now; their actuals, decisions and audit trail
    keep their name. What they were responsible for from now on (KPIs, open items and action plans,
    meetings, the calendar secret they issued) is released by each app, for the admin to hand over."""
    membership = Membership.objects.select_for_update().get(id=membership.id, workspace=principal.workspace)
    _check_can_manage(principal=principal, membership=membership)
    _ensure_not_last_admin(membership)
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["deactivated_at", "updated_at"])
    _audit_in(
        principal.workspace.id,
        actor=Actor.of(principal),
        action="membership.removed",
        target_type="membership",
        target_id=membership.id,
        changes={"email": membership.user.email, "role": _role_key(membership.role)},
    )
    # Tenant rows are only visible inside the workspace's context (row-level security).
    with workspace_context(membership.workspace_id):
        membership_deactivated.send(sender=Membership, membership=membership)
    return membership


# --- Partner API keys ------------------------------------------------------------------------


@transaction.atomic
def api_key_issue(
    *, principal: Principal, name: str, scopes: list[str], expiry_date: dt.datetime | None = None
) -> tuple[WorkspaceApiKey, str]:
    """Issue a key; the returned secret is shown once and never stored."""
    try:
        normalised = sorted({Scope(s).value for s in scopes})
    except ValueError as exc:
        raise ServiceError("tenants.api_key.invalid_scope", field="scopes") from exc
    if not normalised:
        raise ServiceError("tenants.api_key.no_scope", field="scopes")
    if expiry_date is not None and expiry_date <= timezone.now():
        raise ServiceError("tenants.api_key.expiry_in_past", field="expiry_date")
    api_key, secret = WorkspaceApiKey.objects.create_key(
        name=name,
        workspace=principal.workspace,
        scopes=normalised,
        created_by=principal.user,
        expiry_date=expiry_date,
    )
    _audit_in(
        principal.workspace.id,
        actor=Actor.of(principal),
        action="api_key.issued",
        target_type="api_key",
        target_id=api_key.prefix,
        changes={"name": name, "scopes": normalised},
    )
    return api_key, secret


@transaction.atomic
def api_key_revoke(*, principal: Principal, api_key: WorkspaceApiKey) -> WorkspaceApiKey:
    if api_key.workspace_id != principal.workspace.id:
        raise ServiceError("tenants.api_key.not_found")
    if api_key.revoked:
        return api_key
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])
    _audit_in(
        principal.workspace.id,
        actor=Actor.of(principal),
        action="api_key.revoked",
        target_type="api_key",
        target_id=api_key.prefix,
        changes={"name": api_key.name},
    )
    return api_key


def api_key_touch(*, api_key: WorkspaceApiKey) -> None:
    """Record use, at most once a minute per key so a busy partner does not write on every call."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > dt.timedelta(minutes=1):
        WorkspaceApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


# --- Firms and people (used by the admin and the demo) ---------------------------------------


def firm_user_create(
    *, firm: Firm, email: str, password: str | None, role: FirmRole, full_name: str = ""
) -> User:
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, firm=firm, firm_role=role, is_staff=True
    )


def memberships_accept(*, user: User) -> int:
    """The person signed in: every invitation of theirs still pending is accepted now."""
    return Membership.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
