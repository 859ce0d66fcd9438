"""Roles and what each may do: the one module that maps roles and API-key scopes to permissions."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class FirmRole(models.IntegerChoices):
    """A user's role in the consulting firm. Numbers leave gaps for roles to come."""

    OWNER = 100, _("Firm owner")
    CONSULTANT = 200, _("Consultant")


class WorkspaceRole(models.IntegerChoices):
    """A membership's role in one client workspace (a consultant's assignment included)."""

    CONSULTANT = 200, _("Consultant")
    ADMIN = 300, _("Client admin")
    MANAGER = 400, _("Manager")
    SALES_REP = 500, _("Sales rep")
    VIEWER = 600, _("Viewer")


CLIENT_ROLES = (WorkspaceRole.ADMIN, WorkspaceRole.MANAGER, WorkspaceRole.SALES_REP, WorkspaceRole.VIEWER)


class Perm(StrEnum):
    WORKSPACE_READ = "workspace.read"
    WORKSPACE_SETTINGS = "workspace.settings"
    MEMBERSHIP_READ = "membership.read"
    MEMBERSHIP_MANAGE = "membership.manage"
    CONSULTANT_ASSIGN = "membership.assign_consultant"
    API_KEY_MANAGE = "api_key.manage"
    AUDIT_READ = "audit.read"
    KPI_READ = "kpi.read"
    KPI_WRITE = "kpi.write"  # actuals and day-to-day values
    KPI_DESIGN = "kpi.design"  # plans, trees, formulas, targets
    CHECKLIST_READ = "checklist.read"
    CHECKLIST_WRITE = "checklist.write"  # item status, action plans
    CHECKLIST_MANAGE = "checklist.manage"  # templates, decision matrices
    INTEGRATIONS_READ = "integrations.read"
    INTEGRATIONS_WRITE = "integrations.write"


_READ = {
    Perm.WORKSPACE_READ,
    Perm.MEMBERSHIP_READ,
    Perm.KPI_READ,
    Perm.CHECKLIST_READ,
}
_CONSULTING = set(Perm)

# Firm owners get the consultant's rights in every workspace of their firm.
FIRM_ROLE_PERMISSIONS: dict[FirmRole, frozenset[Perm]] = {
    FirmRole.OWNER: frozenset(_CONSULTING),
    FirmRole.CONSULTANT: frozenset(),  # a consultant's rights come from an assignment (membership)
}

ROLE_PERMISSIONS: dict[WorkspaceRole, frozenset[Perm]] = {
    WorkspaceRole.CONSULTANT: frozenset(_CONSULTING),
    WorkspaceRole.ADMIN: frozenset(
        _READ
        | {
            Perm.WORKSPACE_SETTINGS,
            Perm.MEMBERSHIP_MANAGE,
            Perm.API_KEY_MANAGE,
            Perm.AUDIT_READ,
            Perm.KPI_WRITE,
            Perm.KPI_DESIGN,
            Perm.CHECKLIST_WRITE,
            Perm.INTEGRATIONS_READ,
            Perm.INTEGRATIONS_WRITE,
        }
    ),
    # CRM connections: client admins and consultants manage them, managers read them (their status, sync
    # runs, mappings and owner matches); sales reps and viewers see the numbers, not the plumbing.
    WorkspaceRole.MANAGER: frozenset(_READ | {Perm.KPI_WRITE, Perm.CHECKLIST_WRITE, Perm.INTEGRATIONS_READ}),
    WorkspaceRole.SALES_REP: frozenset(_READ | {Perm.KPI_WRITE}),
    WorkspaceRole.VIEWER: frozenset(_READ),
}


class Scope(StrEnum):
    """Scopes a partner API key can carry."""

    KPI_READ = "kpi:read"
    KPI_WRITE = "kpi:write"
    CHECKLIST_READ = "checklist:read"
    CHECKLIST_WRITE = "checklist:write"
    INTEGRATIONS_READ = "integrations:read"
    INTEGRATIONS_WRITE = "integrations:write"


SCOPE_PERMISSIONS: dict[Scope, frozenset[Perm]] = {
    Scope.KPI_READ: frozenset({Perm.KPI_READ}),
    Scope.KPI_WRITE: frozenset({Perm.KPI_READ, Perm.KPI_WRITE}),
    Scope.CHECKLIST_READ: frozenset({Perm.CHECKLIST_READ}),
    Scope.CHECKLIST_WRITE: frozenset({Perm.CHECKLIST_READ, Perm.CHECKLIST_WRITE}),
    Scope.INTEGRATIONS_READ: frozenset({Perm.INTEGRATIONS_READ}),
    Scope.INTEGRATIONS_WRITE: frozenset({Perm.INTEGRATIONS_READ, Perm.INTEGRATIONS_WRITE}),
}
# Every key may read the workspace it belongs to.
API_KEY_BASE_PERMISSIONS = frozenset({Perm.WORKSPACE_READ})


def permissions_for_scopes(scopes: list[str]) -> frozenset[Perm]:
    granted = set(API_KEY_BASE_PERMISSIONS)
    for scope in scopes:
        granted |= SCOPE_PERMISSIONS[Scope(scope)]
    return frozenset(granted)
