from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from demo.seed import demo_crm_connect, demo_seed
from integrations.demo import FIXTURE
from integrations.fakes.common import WallClock, shift_fixture
from integrations.fakes.hubspot import FakeHubSpot
from integrations.models import Connection
from kpi.models import KpiNode, KpiTarget, MetricActual
from kpi.selectors import plan_check_run
from tenants.context import workspace_context
from tenants.models import Membership, User, Workspace
from tenants.roles import WorkspaceRole


def test_demo_seed_is_idempotent_and_builds_the_seed_plan(db: Any) -> None:
    first = demo_seed()
    counts = (User.objects.count(), Workspace.objects.count(), Membership.objects.count())
    second = demo_seed()
    assert [login.email for login in first] == [login.email for login in second]
    assert (User.objects.count(), Workspace.objects.count(), Membership.objects.count()) == counts
    assert User.objects.get(email="consultant@demo.ikkan.jp").check_password("ikkan-demo-2026")
    for workspace in Workspace.objects.filter(firm__slug="demo-consulting"):  # the demo's, not the world's
        roles = set(Membership.objects.filter(workspace=workspace).values_list("role", flat=True))
        assert roles == {200, 300, 400, 500, 600}
        with workspace_context(workspace.id):
            kgi = KpiNode.objects.get(kind="kgi")
            assert kgi.target_value == Decimal(100_000_000)
            months = KpiTarget.objects.filter(node__key="appointments", period_kind="month")
            assert sum(t.value for t in months) == 160
            assert not plan_check_run(plan=kgi.plan).has_errors


def _fake_hubspot_transport() -> httpx.WSGITransport:
    """The fake HubSpot as ``manage.py fake_crm serve`` serves it (real time, the data moved to today)."""
    clock = WallClock()
    data = shift_fixture(json.loads(FIXTURE.read_text(encoding="utf-8")), clock())
    return httpx.WSGITransport(app=FakeHubSpot.from_fixture(data, clock=clock))


def test_demo_workspaces_show_checklists_a_and_b_verified_from_their_state(db: Any, client: Any) -> None:
    """The issue's "done when": the demo's checklists verify themselves from the demo's real state."""
    demo_seed()
    run = demo_crm_connect(base_url="http://127.0.0.1:8765", transport=_fake_hubspot_transport())
    assert run is not None and run.status == "succeeded", run and run.error_code
    user = User.objects.get(email="viewer@alpha.example.jp")
    workspace = Membership.objects.get(user=user).workspace
    client.force_login(user)
    base = f"/api/v1/workspaces/{workspace.id}/checklist/checklists/"
    checklists = {c["template_key"]: c for c in client.get(base).json()["results"]}
    assert set(checklists) == {"kpi_design", "sales_metrics"}
    verified = set()
    for checklist in checklists.values():
        items = client.get(f"{base}{checklist['id']}/").json()["items"]
        verified |= {i["key"] for i in items if i["verification"]["verified"]}
    # The KPI tree (A01-A06, A18, B01-B04, B15), the recorded decision and its requirements (A11-A13), the
    # review cadences (A16, B09, B10). A20/B11 depend on how the week's actuals stand on the day it runs.
    assert {"A01", "A02", "A03", "A04", "A05", "A06", "A11", "A12", "A13", "A16", "A18",
            "B01", "B02", "B03", "B04", "B09", "B10", "B15"} <= verified  # fmt: skip
    # The CRM workspace synced a moment ago, its KPIs read CRM-fed metrics with confirmed mappings.
    assert {"A07", "B05", "B06"} <= verified


def test_the_demo_crm_workspace_counts_its_actuals_from_the_fake_hubspot(db: Any) -> None:
    demo_seed()
    transport = _fake_hubspot_transport()
    first = demo_crm_connect(base_url="http://127.0.0.1:8765", transport=transport)
    assert first is not None and first.status == "succeeded" and first.created_count > 100
    again = demo_crm_connect(base_url="http://127.0.0.1:8765", transport=transport)
    assert again is not None and (again.created_count, again.updated_count) == (0, 0)  # safe to run again
    alpha = Workspace.objects.get(firm__slug="demo-consulting", slug="alpha")
    beta = Workspace.objects.get(firm__slug="demo-consulting", slug="beta")
    with workspace_context(alpha.id):
        sources = set(MetricActual.objects.values_list("source", flat=True))
        rep = Membership.objects.get(workspace=alpha, role=WorkspaceRole.SALES_REP)
        assert sources == {"crm"}  # no typed figure beside the CRM's
        assert MetricActual.objects.filter(metric__key="calls", owner=rep).exists()  # owner 101 is the rep
        assert MetricActual.objects.filter(metric__key="wins").exists()
        assert Connection.objects.get().status == "connected"
    with workspace_context(beta.id):
        assert set(MetricActual.objects.values_list("source", flat=True)) == {"manual"}
