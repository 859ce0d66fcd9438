"""The admin applies the same role-to-permission module as the API (tenants.roles)."""

from __future__ import annotations

from django.test import Client

from tenants.models import Membership
from tenants.roles import WorkspaceRole
from tests.conftest import World


def test_a_consultant_invited_elsewhere_as_a_viewer_sees_no_audit_trail_or_keys(world: World) -> None:
    """B's consultant is staff (their own firm's admin) and a plain viewer in A: the API refuses them A's
    audit trail and API keys, and so does the admin."""
    outsider = world.b.users["consultant"]
    Membership.objects.create(workspace=world.a.workspace, user=outsider, role=WorkspaceRole.VIEWER)
    api = Client()
    api.force_login(outsider)
    base = f"/api/v1/workspaces/{world.a.workspace.id}"
    assert api.get(f"{base}/audit-events/").status_code == 403
    assert api.get(f"{base}/api-keys/").status_code == 403

    audit = api.get("/admin/tenants/auditevent/").content.decode()
    keys = api.get("/admin/tenants/workspaceapikey/").content.decode()
    assert "test.seeded" in audit  # their own firm's workspace B is listed...
    assert world.a.workspace.name not in audit  # ...A's audit events are not
    assert world.a.api_key.prefix not in keys and world.b.api_key.prefix in keys
    # What a viewer may read through the API, the admin shows too.
    plans = api.get("/admin/kpi/kpiplan/").content.decode()
    assert world.a.plan.name in plans


def test_the_workspaces_consultant_still_sees_its_audit_trail(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    page = client.get("/admin/tenants/auditevent/").content.decode()
    assert world.a.workspace.name in page


def test_the_member_list_tells_members_invited_and_removed_apart(world: World) -> None:
    from tenants.services import membership_deactivate

    membership_deactivate(principal=world.a.principal("admin"), membership=world.a.memberships["sales_rep"])
    client = Client()
    client.force_login(world.a.users["consultant"])
    removed = client.get("/admin/tenants/membership/?state=removed").content.decode()
    current = client.get("/admin/tenants/membership/?state=active").content.decode()
    assert "Workspace A sales_rep" in removed and "削除済み" in removed
    assert "Workspace A sales_rep" not in current and "Workspace A manager" in current


def test_timestamp_columns_are_translated(world: World) -> None:
    """Every model's created/updated timestamps come from BaseModel with gettext names: the admin's
    "created at" column reads 作成日時 in Japanese."""
    from django.utils import translation

    from kpi.models import KpiPlan

    client = Client()
    client.force_login(world.a.users["consultant"])
    page = client.get("/admin/kpi/kpiplan/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "作成日時" in page and "created at" not in page.lower()
    with translation.override("ja"):
        assert str(KpiPlan._meta.get_field("updated_at").verbose_name) == "更新日時"
    with translation.override("en"):
        assert str(KpiPlan._meta.get_field("created_at").verbose_name) == "created at"


def test_every_tenant_models_workspace_column_is_translated(world: World) -> None:
    """The workspace column of every tenant-plane model comes from WorkspaceScopedModel with a gettext name."""
    from django.apps import apps
    from django.utils import translation

    from tenants.db import WorkspaceScopedModel

    scoped = [m for m in apps.get_models() if issubclass(m, WorkspaceScopedModel)]
    assert scoped
    with translation.override("ja"):
        untranslated = [
            m.__name__ for m in scoped if str(m._meta.get_field("workspace").verbose_name) != "ワークスペース"
        ]
    assert not untranslated
    client = Client()
    client.force_login(world.a.users["consultant"])
    page = client.get("/admin/kpi/kpiplan/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert ">ワークスペース<" in page or "ワークスペース</a>" in page
