"""Items that verify themselves: a workspace built like the demo shows A and B verified from its real state,
and the items flip back when the state changes; a contradicted manual "done" is flagged, never rewritten."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from checklist.checklists import selectors
from checklist.checklists.services import checklist_adopt, checklist_template_catalogue_install
from checklist.models import (
    ActionPlan,
    CalendarFeedToken,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    DecisionMatrix,
    MatrixOption,
    ReviewCadence,
    ReviewMeeting,
)
from kpi import services as kpi_services
from kpi.models import KpiNode
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

# Items whose rules the KPI engine can prove (see checklist.checklists.catalog).
KPI_PROVABLE_A = {"A01", "A02", "A03", "A04", "A05", "A06", "A18"}
KPI_PROVABLE_B = {"B01", "B02", "B03", "B04", "B15"}
KPI_RULES = {"kgi_numeric", "ksf_under_kgi", "kpis_under_ksfs", "all_kpis_smart", "kpi_count_guidance",
             "tree_exists", "leading_and_lagging", "all_kpis_owned"}  # fmt: skip


def clear_other_capabilities(world: World) -> None:
    """The world also seeds a recorded decision, review cadences and action plans, which prove items of
    their own (tested in test_decisions_rules / test_reviews_rules); remove them so only the KPI engine
    speaks here and the progress figures can be computed by hand."""
    with workspace_context(world.a.workspace.id):
        for model in (
            ActionPlan,
            ReviewMeeting,
            ReviewCadence,
            CalendarFeedToken,
            MatrixOption,
            DecisionMatrix,
        ):
            model.objects.all().delete()


def url(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/{suffix}"


def build_demo_like_plan(world: World) -> dict[str, KpiNode]:
    """An active FY2027 plan like the demo's: KGI 100,000,000 JPY, one KSF, four company-wide KPIs with
    owners, targets, definitions, formulas and data sources; leading and lagging both present."""
    side = world.a
    actor = Actor.of(side.principal("consultant"))
    manager, rep = side.memberships["manager"], side.memberships["sales_rep"]
    with workspace_context(side.workspace.id):
        plan = kpi_services.plan_create(actor=actor, fiscal_year=2027, name="FY2027 売上1億円計画")
        kgi = kpi_services.node_create(
            actor=actor, plan=plan, kind="kgi", key="revenue", name_ja="年間売上", name_en="Annual revenue",
            formula="won_amount", unit="jpy", target_value=Decimal(100_000_000), data_source="SFA",
        )  # fmt: skip
        ksf = kpi_services.node_create(
            actor=actor, plan=plan, kind="ksf", key="new_business", name_ja="新規顧客の獲得",
            name_en="New-customer acquisition", parent=kgi,
        )  # fmt: skip
        nodes = {"kgi": kgi, "ksf": ksf}
        for key, name, formula, unit, indicator, target, owner in [
            ("appointments", "アポ獲得数", "appointments", "count", "leading", 160, rep),
            ("meetings", "商談数", "meetings", "count", "leading", 80, rep),
            ("win_rate", "受注率", "wins / meetings * 100", "percent", "lagging", 25, manager),
            ("avg_deal_size", "平均受注単価", "won_amount / wins", "jpy", "lagging", 5_000_000, manager),
        ]:
            nodes[key] = kpi_services.node_create(
                actor=actor, plan=plan, kind="kpi", key=key, name_ja=name, parent=ksf, formula=formula,
                definition=f"{name}（{formula}）。毎週の営業会議で確認する。", unit=unit, indicator=indicator,
                target_value=Decimal(target), owner=owner, cadence="monthly", data_source="SFA",
            )  # fmt: skip
        kpi_services.plan_activate(actor=actor, plan=plan)
    return nodes


def adopt_both(world: World) -> dict[str, Checklist]:
    """Checklist A is adopted by the world already; adopt B too."""
    side = world.a
    with workspace_context(side.workspace.id):
        templates = {t.key: t for t in checklist_template_catalogue_install()}
        checklist_adopt(
            actor=Actor.of(side.principal("consultant")),
            workspace=side.workspace,
            template=templates["sales_metrics"],
        )
        return {c.template_key: c for c in Checklist.objects.all()}


def items_of(client: Any, world: World, checklist: Checklist) -> dict[str, dict[str, Any]]:
    response = client.get(url(world, f"checklist/checklists/{checklist.id}/"))
    assert response.status_code == 200, response.content
    return {item["key"]: item for item in response.json()["items"]}


def verified_keys(items: dict[str, dict[str, Any]]) -> set[str]:
    return {key for key, item in items.items() if item["verification"]["verified"]}


def test_demo_like_workspace_shows_a_and_b_verified_from_its_state(world: World, client_as: Any) -> None:
    clear_other_capabilities(world)
    build_demo_like_plan(world)
    checklists = adopt_both(world)
    client = client_as("viewer")
    a = items_of(client, world, checklists["kpi_design"])
    b = items_of(client, world, checklists["sales_metrics"])
    assert verified_keys(a) == KPI_PROVABLE_A
    assert verified_keys(b) == KPI_PROVABLE_B

    a01 = a["A01"]["verification"]
    assert a01["rule"] == "kgi_numeric" and a01["provable"] is True
    assert a01["evidence"] == "KGI「年間売上」目標 100,000,000円"
    assert a01["facts"]["target"] == "100000000.0000" and a01["facts"]["unit"] == "jpy"
    assert "数値の目標値" in a01["description"]
    assert "先行指標: appointments, meetings" in a["A18"]["verification"]["evidence"]
    assert "4個" in b["B15"]["verification"]["evidence"]
    # Verified items count as done; nobody ticked them, so the stored status is still todo.
    assert a["A01"]["status"] == "todo" and a["A01"]["effective_status"] == "done"
    # A rule whose capability is not built yet: declared, not provable, verified null.
    a08 = a["A08"]["verification"]
    assert a08 == {
        **a08,
        "rule": "dashboard_exists",
        "provable": False,
        "verified": None,
        "contradiction": False,
    }
    assert "まだ提供されていません" in a08["message"]
    # A manual item: no rule.
    assert a["A19"]["verification"]["rule"] is None and a["A19"]["verification"]["verified"] is None


def test_progress_counts_verified_items_and_gives_the_phase(world: World, client_as: Any) -> None:
    clear_other_capabilities(world)
    build_demo_like_plan(world)
    checklists = adopt_both(world)
    response = client_as("viewer").get(url(world, "checklist/checklists/"))
    assert response.status_code == 200
    by_key = {c["template_key"]: c for c in response.json()["results"]}
    a = by_key["kpi_design"]["progress"]
    # A: 12 strategy items (A01-A06, A15-A20), 7 of them verified (A01-A06, A18): 7/12 = 58.33%
    # (rounded half-up); M (5 items) and D (3 items) have none done, so the phase is still strategy.
    assert a["by_axis"]["S"] == {
        "total": 12,
        "done": 7,
        "not_applicable": 0,
        "applicable": 12,
        "percent": "58.33",
    }
    assert a["by_axis"]["M"]["total"] == 5 and a["by_axis"]["D"]["total"] == 3
    assert a["overall"] == {"total": 20, "done": 7, "not_applicable": 0, "applicable": 20, "percent": "35.00"}
    assert a["phase"] == "strategy" and a["phase_label"] == "戦略"
    assert a["verified"] == 7 and a["contradictions"] == 0
    b = by_key["sales_metrics"]["progress"]
    # B: 11 strategy items, 5 verified (B01-B04, B15) -> 45.45%; 15 overall -> 33.33%.
    assert b["by_axis"]["S"]["percent"] == "45.45" and b["overall"]["percent"] == "33.33"
    assert b["by_axis"]["D"] == {"total": 0, "done": 0, "not_applicable": 0, "applicable": 0, "percent": None}

    # Marking an item not applicable takes it out of the denominator: 7 done of 11 applicable on S = 63.64% (rounded half-up).
    client = client_as("manager")
    with workspace_context(world.a.workspace.id):
        item = ChecklistItem.objects.get(checklist=checklists["kpi_design"], key="A19")
    body = {"status": "not_applicable", "not_applicable_reason": "部門が1つだけのため"}
    assert client.patch(url(world, f"checklist/items/{item.id}/"), body, format="json").status_code == 200
    a = client.get(url(world, f"checklist/checklists/{checklists['kpi_design'].id}/")).json()["progress"]
    assert a["by_axis"]["S"]["applicable"] == 11 and a["by_axis"]["S"]["percent"] == "63.64"


def test_kpi_losing_its_owner_unverifies_b15_through_the_api(world: World, client_as: Any) -> None:
    nodes = build_demo_like_plan(world)
    checklists = adopt_both(world)
    viewer, admin = client_as("viewer"), client_as("admin")
    assert items_of(viewer, world, checklists["sales_metrics"])["B15"]["verification"]["verified"] is True

    node = nodes["win_rate"]
    response = admin.patch(url(world, f"kpi/nodes/{node.id}/"), {"owner": None}, format="json")
    assert response.status_code == 200, response.content
    b15 = items_of(viewer, world, checklists["sales_metrics"])["B15"]["verification"]
    assert b15["verified"] is False
    assert b15["evidence"] == "責任者が未設定のKPIがあります: win_rate"
    assert b15["facts"]["without_owner"] == ["win_rate"]
    en = viewer.get(
        url(world, f"checklist/checklists/{checklists['sales_metrics'].id}/"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert {i["key"]: i for i in en.json()["items"]}["B15"]["verification"]["evidence"] == (
        "KPIs without an owner: win_rate"
    )

    # ... and back again when the owner returns.
    owner = str(world.a.memberships["manager"].id)
    assert (
        admin.patch(url(world, f"kpi/nodes/{node.id}/"), {"owner": owner}, format="json").status_code == 200
    )
    assert items_of(viewer, world, checklists["sales_metrics"])["B15"]["verification"]["verified"] is True


def test_other_state_changes_flip_their_items(world: World, client_as: Any) -> None:
    nodes = build_demo_like_plan(world)
    checklists = adopt_both(world)
    admin, viewer = client_as("admin"), client_as("viewer")
    # Every KPI made leading: A18 (leading and lagging) is no longer proven.
    for key in ("win_rate", "avg_deal_size"):
        response = admin.patch(
            url(world, f"kpi/nodes/{nodes[key].id}/"), {"indicator": "leading"}, format="json"
        )
        assert response.status_code == 200
    a = items_of(viewer, world, checklists["kpi_design"])
    assert a["A18"]["verification"]["verified"] is False
    assert "遅行指標" in a["A18"]["verification"]["evidence"]
    # A KPI without a data source fails SMART (M): A04 and B03 unverified, naming the KPI and criterion.
    admin.patch(url(world, f"kpi/nodes/{nodes['meetings'].id}/"), {"data_source": ""}, format="json")
    a = items_of(viewer, world, checklists["kpi_design"])
    assert a["A04"]["verification"]["verified"] is False
    assert "meetings(M)" in a["A04"]["verification"]["evidence"]
    # Two more company-wide KPIs: 6 > 5, a count warning, A05 unverified.
    for key in ("leads", "wins"):
        body = {"plan": str(nodes["kgi"].plan_id), "kind": "kpi", "key": key, "name_ja": key,
                "parent": str(nodes["ksf"].id), "formula": key, "owner": str(world.a.memberships["manager"].id)}  # fmt: skip
        assert admin.post(url(world, "kpi/nodes/"), body, format="json").status_code == 201
    a = items_of(viewer, world, checklists["kpi_design"])
    assert a["A05"]["verification"]["verified"] is False
    assert "全社KPIが6個" in a["A05"]["verification"]["evidence"]


def test_manual_done_contradicted_by_evidence_is_flagged_not_overwritten(
    world: World, client_as: Any
) -> None:
    checklists = adopt_both(world)
    # The world's own plan: one KPI (win_rate) with no definition or data source -> SMART fails.
    with workspace_context(world.a.workspace.id):
        item = ChecklistItem.objects.get(checklist=checklists["sales_metrics"], key="B03")
    response = client_as("manager").patch(
        url(world, f"checklist/items/{item.id}/"), {"status": "done"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "done"
    verification = data["verification"]
    assert verification["verified"] is False and verification["contradiction"] is True
    assert verification["message"].startswith(
        "手動で「完了」にされていますが、製品の状態はこれを裏付けていません"
    )
    assert "win_rate" in verification["message"]
    with workspace_context(world.a.workspace.id):
        item.refresh_from_db()
    assert item.status == "done"  # the person's statement stays
    summary = (
        client_as("viewer").get(url(world, f"checklist/checklists/{checklists['sales_metrics'].id}/")).json()
    )
    assert summary["progress"]["contradictions"] == 1
    # A contradiction is only about "done": in progress is not flagged.
    client_as("manager").patch(
        url(world, f"checklist/items/{item.id}/"), {"status": "in_progress"}, format="json"
    )
    item_data = client_as("viewer").get(url(world, f"checklist/items/{item.id}/")).json()
    assert item_data["verification"]["contradiction"] is False


def test_no_plan_means_not_verified_with_a_reason(world: World) -> None:
    workspace = world.a2
    with workspace_context(workspace.id):
        template = ChecklistTemplate.objects.get(firm=None, key="kpi_design")
        checklist = checklist_adopt(actor=Actor.system("test"), workspace=workspace, template=template)
        items = list(ChecklistItem.objects.filter(checklist=checklist))
        outcomes = selectors.checklist_outcomes(workspace=workspace, items=items)
        a01 = selectors.item_verification(next(i for i in items if i.key == "A01"), outcomes)
        summary = selectors.checklist_summary(items, outcomes)
    assert a01.verified is False and a01.provable is True
    assert a01.evidence is not None and a01.evidence.code == "checklist.checklists.evidence.no_plan"
    with translation.override("ja"):
        assert "KPIプランがまだありません" in a01.evidence.render()
    assert summary.verified == 0 and summary.progress.phase.value == "strategy"


def test_rules_are_evaluated_once_per_request(
    world: World, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo_like_plan(world)
    adopt_both(world)
    calls: list[list[str]] = []
    real = selectors.rules_evaluate

    def counting(keys: Any, **kwargs: Any) -> Any:
        calls.append(list(keys))
        return real(keys, **kwargs)

    monkeypatch.setattr(selectors, "rules_evaluate", counting)
    client = client_as("viewer")
    assert client.get(url(world, "checklist/checklists/")).status_code == 200
    assert client.get(url(world, "checklist/items/?page_size=200")).status_code == 200
    assert len(calls) == 2
    assert "all_kpis_owned" in calls[0] and "kgi_numeric" in calls[0]


def test_rule_evaluation_reads_the_plan_check_once(world: World, django_assert_max_num_queries: Any) -> None:
    """Several rules need the plan check; it is memoised, so reading A and B costs a bounded number of queries."""
    build_demo_like_plan(world)
    with workspace_context(world.a.workspace.id):
        rules = sorted(KPI_RULES)
        with django_assert_max_num_queries(12):
            outcomes = selectors.rules_evaluate(rules, workspace=world.a.workspace)
    assert outcomes["all_kpis_owned"] is not None and outcomes["all_kpis_owned"].verified
