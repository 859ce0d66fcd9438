"""Who is asking, and what they may do in one workspace. Read by the API mixin, admin and web pages."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet

from tenants.models import Membership, User, Workspace, WorkspaceApiKey
from tenants.roles import (
    FIRM_ROLE_PERMISSIONS,
    ROLE_PERMISSIONS,
    FirmRole,
    Perm,
    WorkspaceRole,
    permissions_for_scopes,
)


@dataclass(frozen=True)
class Principal:
    """The caller in one workspace: a user with a role, or a partner API key with scopes."""

    workspace: Workspace
    permissions: frozenset[Perm]
    user: User | None = None
    api_key: WorkspaceApiKey | None = None
    role: WorkspaceRole | None = None
    firm_role: FirmRole | None = None

    def has(self, permission: Perm) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        if self.api_key is not None:
            return f"api-key:{self.api_key.prefix}"
        assert self.user is not None
        return self.user.email


def workspaces_visible_to(user: User) -> QuerySet[Workspace]:
    """A firm owner sees every workspace of the firm; everyone else those they are a member of."""
    if not user.is_authenticated or not user.is_active:
        return Workspace.objects.none()
    condition = Q(memberships__user=user, memberships__deactivated_at__isnull=True)
    if user.firm_id is not None and user.firm_role == FirmRole.OWNER:
        condition |= Q(firm_id=user.firm_id)
    return Workspace.objects.filter(condition).distinct()


def principal_for_user(*, user: User, workspace: Workspace) -> Principal | None:
    if not user.is_authenticated or not user.is_active:
        return None
    permissions: set[Perm] = set()
    firm_role = None
    if user.firm_id is not None and user.firm_id == workspace.firm_id and user.firm_role is not None:
        firm_role = FirmRole(user.firm_role)
        permissions |= FIRM_ROLE_PERMISSIONS[firm_role]
    membership = Membership.objects.filter(user=user, workspace=workspace).only("role").first()
    role = WorkspaceRole(membership.role) if membership else None
    if role is not None:
        # A consultant of another firm never gets consulting rights here, whatever a row says.
        if role == WorkspaceRole.CONSULTANT and user.firm_id != workspace.firm_id:
            role = None
        else:
            permissions |= ROLE_PERMISSIONS[role]
    if not permissions:
        return None
    return Principal(
        workspace=workspace, permissions=frozenset(permissions), user=user, role=role, firm_role=firm_role
    )


def principal_for_api_key(*, api_key: WorkspaceApiKey, workspace: Workspace) -> Principal | None:
    if api_key.workspace_id != workspace.id or api_key.has_expired or api_key.revoked:
        return None
    return Principal(workspace=workspace, permissions=permissions_for_scopes(api_key.scopes), api_key=api_key)


def workspace_get_visible(
    *, workspace_id: UUID, user: User | None, api_key: WorkspaceApiKey | None
) -> tuple[Workspace, Principal] | None:
    """The workspace and the caller's rights in it, or None when it does not exist or is not theirs."""
    if api_key is not None:
        # A key sees its own workspace only, which authentication has already read with it.
        if str(api_key.workspace_id) != str(workspace_id):
            return None
        workspace = api_key.workspace
    else:
        workspace = Workspace.objects.filter(id=workspace_id).select_related("firm").first()
    if workspace is None:
        return None
    if api_key is not None:
        principal = principal_for_api_key(api_key=api_key, workspace=workspace)
    elif user is not None:
        principal = principal_for_user(user=user, workspace=workspace)
    else:
        principal = None
    return (workspace, principal) if principal is not None else None
