"""The demo's checklists: A and B adopted once, a few hand-kept items with progress, the rest proven by the plan."""

from __future__ import annotations

from typing import Any

from checklist.checklists import selectors
from checklist.checklists.demo import demo_checklists_seed
from checklist.models import Checklist, ChecklistItem
from kpi.demo import demo_plan_seed
from tenants.context import workspace_context
from tenants.services import Actor
from tests.checklist.test_checklists_verification import KPI_RULES
from tests.conftest import World


def test_demo_checklists_seed_is_idempotent_and_realistic(world: World) -> None:
    workspace, actor = world.a.workspace, Actor.system("demo")
    with workspace_context(workspace.id):
        demo_plan_seed(workspace=workspace, actor=actor, fiscal_year=2027)
        demo_checklists_seed(workspace=workspace, actor=actor)
        a19 = ChecklistItem.objects.get(key="A19")
        a19_updated = a19.updated_at
        demo_checklists_seed(workspace=workspace, actor=actor)  # again: nothing changes
        assert sorted(Checklist.objects.values_list("template_key", flat=True)) == [
            "kpi_design",
            "sales_metrics",
        ]
        items = {i.key: i for i in ChecklistItem.objects.select_related("owner")}
        assert items["A19"].updated_at == a19_updated
        assert items["A19"].status == "done" and items["A19"].evidence_links
        assert items["A07"].status == "in_progress" and items["A07"].due_date is not None
        assert items["B13"].status == "in_progress"
        outcomes = selectors.checklist_outcomes(workspace=workspace, items=list(items.values()))
        verified = {k for k, i in items.items() if selectors.item_verification(i, outcomes).verified}
        kpi_rule_items = {k for k, i in items.items() if i.rule in KPI_RULES}
    # Every KPI-provable item holds on the demo plan (the world's decision and cadences prove others).
    assert verified & kpi_rule_items == {"A01", "A02", "A03", "A04", "A05", "A06", "A18", "B01", "B02", "B03",
                                         "B04", "B15"}  # fmt: skip


def test_demo_evidence_reads_well(world: World, client_as: Any) -> None:
    workspace, actor = world.a.workspace, Actor.system("demo")
    with workspace_context(workspace.id):
        demo_plan_seed(workspace=workspace, actor=actor, fiscal_year=2027)
        demo_checklists_seed(workspace=workspace, actor=actor)
        a = Checklist.objects.get(template_key="kpi_design")
    data = client_as("viewer").get(f"/api/v1/workspaces/{workspace.id}/checklist/checklists/{a.id}/").json()
    items = {i["key"]: i for i in data["items"]}
    assert items["A01"]["verification"]["evidence"] == "KGI「年間売上」目標 100,000,000円"
    assert "全社KPIは5個" in items["A05"]["verification"]["evidence"]
    assert items["A19"]["verification"]["contradiction"] is False  # a manual item cannot be contradicted
