"""The consultants' admin for KPI data: lists scoped to their workspaces, manual entry of actuals."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from kpi.models import Metric, MetricActual
from tenants.context import workspace_context
from tests.conftest import CANARY_B, World


def _metric(world: World, side: str, key: str) -> Metric:
    workspace = getattr(world, side).workspace
    with workspace_context(workspace.id):
        return Metric.objects.get(key=key)


def test_consultant_enters_an_actual_idempotently(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    form = client.get("/admin/kpi/metricactual/add/")
    assert form.status_code == 200
    page = form.content.decode()
    assert "meetings" in page and CANARY_B not in page  # only the consultant's workspaces to choose from
    meetings = _metric(world, "a", "meetings")
    for value in ("4", "6"):
        response = client.post("/admin/kpi/metricactual/add/",
                               {"metric": meetings.id, "date": "2026-05-08", "value": value, "owner": ""})  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:2000]
    with workspace_context(world.a.workspace.id):
        rows = list(MetricActual.objects.filter(metric=meetings, date="2026-05-08"))
    assert [(r.value, r.source) for r in rows] == [(Decimal(6), "manual")]


def test_admin_entry_refuses_another_workspaces_metric_and_mismatched_owner(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    foreign = _metric(world, "b", "meetings")
    response = client.post("/admin/kpi/metricactual/add/",
                           {"metric": foreign.id, "date": "2026-05-08", "value": "1", "owner": ""})  # fmt: skip
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    own = _metric(world, "a", "meetings")
    response = client.post("/admin/kpi/metricactual/add/", {
        "metric": own.id, "date": "2026-05-08", "value": "1", "owner": world.b.memberships["manager"].id})  # fmt: skip
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    with workspace_context(world.b.workspace.id):
        assert not MetricActual.objects.filter(date="2026-05-08").exists()
    with workspace_context(world.a.workspace.id):
        assert not MetricActual.objects.filter(date="2026-05-08").exists()


def test_the_entry_form_offers_only_workspaces_where_the_user_may_write_kpis(world: World) -> None:
    """Consultant A also invited to B as a plain viewer: B's metrics and members are not offered, and a
    person who may write KPIs nowhere cannot open the form."""
    from tenants.roles import WorkspaceRole
    from tests.factories.tenants import MembershipFactory, UserFactory

    consultant = world.a.users["consultant"]
    MembershipFactory(workspace=world.b.workspace, user=consultant, role=WorkspaceRole.VIEWER)
    client = Client()
    client.force_login(consultant)
    form = client.get("/admin/kpi/metricactual/add/")
    assert form.status_code == 200
    page = form.content.decode()
    assert str(_metric(world, "a", "meetings").id) in page
    assert str(_metric(world, "b", "meetings").id) not in page and CANARY_B not in page
    foreign = client.post("/admin/kpi/metricactual/add/", {
        "metric": _metric(world, "b", "meetings").id, "date": "2026-05-08", "value": "1", "owner": ""})  # fmt: skip
    assert foreign.status_code == 200 and "errorlist" in foreign.content.decode()
    with workspace_context(world.b.workspace.id):
        assert not MetricActual.objects.filter(date="2026-05-08").exists()

    viewer = UserFactory(is_staff=True)
    MembershipFactory(workspace=world.a.workspace, user=viewer, role=WorkspaceRole.VIEWER)
    client.force_login(viewer)
    assert client.get("/admin/kpi/metricactual/add/").status_code in (302, 403)  # no form for them
