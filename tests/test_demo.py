from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpi.models import KpiNode, KpiTarget
from kpi.selectors import plan_check_run
from tenants.context import workspace_context
from tenants.demo import demo_seed
from tenants.models import Membership, User, Workspace


def test_demo_seed_is_idempotent_and_builds_the_seed_plan(db: Any) -> None:
    first = demo_seed()
    counts = (User.objects.count(), Workspace.objects.count(), Membership.objects.count())
    second = demo_seed()
    assert [login.email for login in first] == [login.email for login in second]
    assert (User.objects.count(), Workspace.objects.count(), Membership.objects.count()) == counts
    assert User.objects.get(email="consultant@demo.ikkan.jp").check_password("ikkan-demo-2026")
    for workspace in Workspace.objects.all():
        roles = set(Membership.objects.filter(workspace=workspace).values_list("role", flat=True))
        assert roles == {200, 300, 400, 500, 600}
        with workspace_context(workspace.id):
            kgi = KpiNode.objects.get(kind="kgi")
            assert kgi.target_value == Decimal(100_000_000)
            months = KpiTarget.objects.filter(node__key="appointments", period_kind="month")
            assert sum(t.value for t in months) == 160
            assert not plan_check_run(plan=kgi.plan).has_errors
