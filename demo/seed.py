"""Demo data: a firm, its consultant, and two client workspaces with a person of every role.

Idempotent: running it again changes nothing that exists (passwords included).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.db import transaction
from django.utils import timezone

from checklist.checklists.demo import demo_checklists_seed
from checklist.decisions.demo import demo_decisions_seed
from checklist.reviews.demo import demo_reviews_seed
from integrations.demo import demo_crm_seed
from integrations.models import SyncRun
from kpi.demo import demo_actuals_seed, demo_plan_seed
from tenants import services
from tenants.context import workspace_context
from tenants.models import Firm, Membership, User, Workspace
from tenants.roles import FirmRole, WorkspaceRole

DEMO_PASSWORD = "ikkan-demo-2026"  # noqa: S105 - published demo credential, local data only
# The workspace whose sales figures come from its CRM (the fake HubSpot); the other one types its actuals, as a
# client does before connecting one.
CRM_WORKSPACE = "alpha"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    description: str


def _user(email: str, full_name: str, *, firm: Firm | None = None, firm_role: FirmRole | None = None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if firm is not None and firm_role is not None:
            user = services.firm_user_create(
                firm=firm, email=email, password=DEMO_PASSWORD, role=firm_role, full_name=full_name
            )
        else:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    system = services.Actor.system("demo")
    firm, _ = Firm.objects.get_or_create(
        slug="demo-consulting", defaults={"name": "デモ・コンサルティング株式会社"}
    )
    owner = _user("owner@demo.ikkan.jp", "代表 一気", firm=firm, firm_role=FirmRole.OWNER)
    consultant = _user("consultant@demo.ikkan.jp", "佐藤 健", firm=firm, firm_role=FirmRole.CONSULTANT)
    logins = [
        DemoLogin(owner.email, "firm owner: every client workspace, admin"),
        DemoLogin(consultant.email, "consultant assigned to both workspaces, admin"),
    ]
    clients = [
        ("alpha", "株式会社アルファ製作所", "alpha.example.jp"),
        ("beta", "ベータ商事株式会社", "beta.example.jp"),
    ]
    people = [
        (WorkspaceRole.ADMIN, "admin", "管理者"),
        (WorkspaceRole.MANAGER, "manager", "営業部長"),
        (WorkspaceRole.SALES_REP, "rep", "営業担当"),
        (WorkspaceRole.VIEWER, "viewer", "経営陣"),
    ]
    for slug, name, domain in clients:
        workspace = Workspace.objects.filter(firm=firm, slug=slug).first()
        if workspace is None:
            workspace = services.workspace_create(firm=firm, name=name, slug=slug, actor=system)
        Membership.objects.get_or_create(
            workspace=workspace,
            user=consultant,
            defaults={"role": WorkspaceRole.CONSULTANT, "invited_by": owner},
        )
        for role, local, title in people:
            user = _user(f"{local}@{domain}", f"{name} {title}")
            Membership.objects.get_or_create(
                workspace=workspace, user=user, defaults={"role": role, "invited_by": consultant}
            )
            logins.append(DemoLogin(user.email, f"{WorkspaceRole(role).name.lower()} of {name}"))
        with workspace_context(workspace.id):
            demo_plan_seed(workspace=workspace, actor=system)
            if slug != CRM_WORKSPACE:
                demo_actuals_seed(workspace=workspace, until=timezone.localdate())
            demo_decisions_seed(workspace=workspace, actor=system)
            demo_reviews_seed(workspace=workspace, actor=system)
            demo_checklists_seed(workspace=workspace, actor=system)
    return logins


def demo_crm_connect(*, base_url: str, transport: httpx.BaseTransport | None = None) -> SyncRun | None:
    """Connect the CRM workspace to the fake HubSpot at ``base_url`` and sync it (after :func:`demo_seed`).

    Outside demo_seed's transaction: a sync commits page by page, as it does in a worker."""
    workspace = Workspace.objects.get(firm__slug="demo-consulting", slug=CRM_WORKSPACE)
    with workspace_context(workspace.id):
        return demo_crm_seed(workspace=workspace, actor=services.Actor.system("demo"), base_url=base_url,
                             transport=transport)  # fmt: skip
