"""The KPI engine through its API: the worked examples of domain.md, the tree's rules, targets and actuals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kpi.models import KpiNode, KpiPlan, KpiTarget, MetricActual
from tenants.context import workspace_context
from tests.conftest import World


def u(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/kpi/{suffix}"


def test_seed_004_reverse_calculation(world: World, client_as: Any) -> None:
    body = {
        "kgi_target": "100000000", "avg_deal_size": "5000000",
        "stages": [
            {"from_key": "meetings", "rate_key": "win_rate", "rate": "25", "to_key": "wins"},
            {"from_key": "appointments", "rate_key": "meeting_rate", "rate": "50", "to_key": "meetings"},
        ],
    }  # fmt: skip
    response = client_as("viewer").post(u(world, "tools/reverse-calculate/"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["required"] == {"wins": 20, "meetings": 80, "appointments": 160}
    assert "切り上げ" in data["rounding_rule"]


def test_seed_000_solves_the_average_deal(world: World, client_as: Any) -> None:
    body = {"revenue": "100000000", "top_volume": "1200", "rates": ["30", "20"], "avg_deal_size": None}
    data = client_as("api_key").post(u(world, "tools/solve/"), body, format="json").json()
    assert data["status"] == "solved" and data["unknown"] == "avg_deal_size"
    assert Decimal(data["wins_exact"]) == 72
    assert Decimal(data["value_rounded"]) == 1_388_889


def test_solve_names_the_rate_and_refuses_a_rate_above_100_percent(world: World, client_as: Any) -> None:
    body = {"revenue": "100000000", "top_volume": "1200", "rates": ["10", None], "avg_deal_size": "333334"}
    data = client_as("api_key").post(u(world, "tools/solve/"), body, format="json").json()
    assert data["status"] == "infeasible" and data["unknown"] == "rate"
    assert (
        data["unknown_slot"] == "rates[1]" and data["rate_index"] == 1 and "rates[1]" in data["unknown_name"]
    )
    assert Decimal(data["value_rounded"]) == 250
    assert data["reason"]["code"] == "kpi.reverse.solve_rate_infeasible"
    assert data["reason"]["params"]["rate"] == "rates[1]" and "250%" in data["infeasible_reason"]
    assert data["undefined_reason"] is None
    feasible = {**body, "rates": [None, "20"], "avg_deal_size": "5000000"}
    solved = client_as("api_key").post(u(world, "tools/solve/"), feasible, format="json").json()
    assert solved["status"] == "solved" and solved["unknown_slot"] == "rates[0]" and solved["reason"] is None


def test_solve_with_two_unknowns_is_a_clear_400(world: World, client_as: Any) -> None:
    body = {"revenue": None, "top_volume": "1200", "rates": ["30", None], "avg_deal_size": "5000000"}
    response = client_as("viewer").post(u(world, "tools/solve/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "kpi.reverse.too_many_unknowns"


def test_validate_formula_reports_position_in_japanese_and_english(world: World, client_as: Any) -> None:
    client = client_as("viewer")
    ok = client.post(
        u(world, "tools/validate-formula/"), {"formula": "wins / meetings * 100"}, format="json"
    ).json()
    assert ok == {"valid": True, "references": ["meetings", "wins"]}
    bad = client.post(u(world, "tools/validate-formula/"), {"formula": "wins ** 2"}, format="json").json()
    assert bad["valid"] is False and bad["error"]["column"] == 6 and "文字目" in bad["error"]["message"]
    en = client.post(u(world, "tools/validate-formula/"), {"formula": "wins / nothing"}, format="json",
                     HTTP_ACCEPT_LANGUAGE="en").json()  # fmt: skip
    assert en["error"]["code"] == "unknown_name" and "nothing" in en["error"]["message"]


def _node(world: World, **fields: Any) -> dict[str, Any]:
    return {"plan": str(world.a.plan.id), "kind": "kpi", "name_ja": "テスト", **fields}


def test_add_kpi_under_ksf_with_owner_and_formula(world: World, client_as: Any) -> None:
    body = _node(world, key="meeting_rate", parent=str(world.a.ksf.id), formula="meetings / appointments * 100",
                 unit="percent", owner=str(world.a.memberships["sales_rep"].id))  # fmt: skip
    response = client_as("admin").post(u(world, "nodes/"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["owner_email"] == world.a.users["sales_rep"].email


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "kgi", "key": "profit"}, "kpi.tree.second_kgi"),
        ({"key": "orphan"}, "kpi.tree.parent_required"),
        ({"kind": "ksf", "key": "k2", "parent": "KPI"}, "kpi.tree.parent_kind"),
        ({"key": "k3", "parent": "KSF", "formula": "wins ** 2"}, "kpi.formula.unsupported.operator"),
        ({"key": "k4", "parent": "KSF", "formula": "wins / ghosts"}, "kpi.formula.unknown_name"),
        ({"key": "win_rate", "parent": "KSF"}, "kpi.node.key_taken"),
    ],
)
def test_tree_rules_refuse_inconsistent_edits(
    world: World, client_as: Any, fields: dict[str, Any], code: str
) -> None:
    ids = {"KPI": str(world.a.kpi.id), "KSF": str(world.a.ksf.id)}
    if "parent" in fields:
        fields["parent"] = ids[fields["parent"]]
    with workspace_context(world.a.workspace.id):
        before = KpiNode.objects.count()
    response = client_as("admin").post(u(world, "nodes/"), _node(world, **fields), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    with workspace_context(world.a.workspace.id):
        assert KpiNode.objects.count() == before


def test_formula_cycle_is_refused_with_the_cycle_named(world: World, client_as: Any) -> None:
    client = client_as("admin")
    a = client.post(
        u(world, "nodes/"), _node(world, key="aa", parent=str(world.a.ksf.id), formula="wins"), format="json"
    )
    assert a.status_code == 201
    b = client.post(
        u(world, "nodes/"),
        _node(world, key="bb", parent=str(world.a.ksf.id), formula="aa + 1"),
        format="json",
    )
    assert b.status_code == 201
    response = client.patch(u(world, f"nodes/{a.json()['id']}/"), {"formula": "bb * 2"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "kpi.formula.cycle" and "aa" in error["message"] and "bb" in error["message"]


def test_moving_a_node_under_its_descendant_is_refused(world: World, client_as: Any) -> None:
    client = client_as("admin")
    child = client.post(
        u(world, "nodes/"), _node(world, key="child", parent=str(world.a.kpi.id)), format="json"
    )
    response = client.patch(
        u(world, f"nodes/{world.a.kpi.id}/"), {"parent": child.json()["id"]}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "kpi.tree.cycle"


def test_foreign_ids_in_the_body_are_not_found(world: World, client_as: Any) -> None:
    """Body-FK injection: B's plan, parent or owner through A's URL is refused and nothing is written."""
    client = client_as("consultant")
    cases = [
        {"plan": str(world.b.plan.id), "parent": str(world.a.ksf.id)},
        {"parent": str(world.b.ksf.id)},
        {"parent": str(world.a.ksf.id), "owner": str(world.b.memberships["manager"].id)},
    ]
    for i, override in enumerate(cases):
        response = client.post(u(world, "nodes/"), {**_node(world, key=f"x{i}"), **override}, format="json")
        assert response.status_code == 400, override
        assert set(response.json()["error"]["fields"]) & {"plan", "parent", "owner"}
    with workspace_context(world.b.workspace.id):
        assert not KpiNode.objects.filter(key__startswith="x").exists()


def test_viewer_and_rep_cannot_design(world: World, client_as: Any) -> None:
    for actor in ("viewer", "sales_rep", "manager"):
        response = client_as(actor).post(u(world, "nodes/"), _node(world, key="nope", parent=str(world.a.ksf.id)),
                                         format="json")  # fmt: skip
        assert response.status_code == 403, actor


def test_cascade_sums_exactly_and_ratios_copy(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    response = client.post(u(world, f"nodes/{world.a.kgi.id}/cascade/"), {"mode": "even"}, format="json")
    assert response.status_code == 200
    months = [Decimal(t["value"]) for t in response.json() if t["period_kind"] == "month"]
    assert len(months) == 12 and sum(months) == 100_000_000
    assert months[:4] == [Decimal(8_333_334)] * 4 and months[4:] == [Decimal(8_333_333)] * 8
    with workspace_context(world.a.workspace.id):
        rates = KpiTarget.objects.filter(node=world.a.kpi, period_kind="month").values_list(
            "value", flat=True
        )
        assert set(rates) == {Decimal(25)}
    bad = client.post(
        u(world, f"nodes/{world.a.kgi.id}/cascade/"), {"mode": "weights", "weights": ["1"] * 3}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "kpi.cascade.weights_length_mismatch"


def test_actuals_are_idempotent_and_values_are_ratios_of_sums(world: World, client_as: Any) -> None:
    client = client_as("sales_rep")
    for day, wins, meetings in [("2026-05-07", "1", "10"), ("2026-05-08", "3", "2")]:
        for metric, value in [("wins", wins), ("meetings", meetings)]:
            r = client.post(
                u(world, "actuals/"), {"metric": metric, "date": day, "value": value}, format="json"
            )
            assert r.status_code in (200, 201), r.content
    again = client.post(
        u(world, "actuals/"), {"metric": "wins", "date": "2026-05-08", "value": "3"}, format="json"
    )
    assert again.status_code == 200
    with workspace_context(world.a.workspace.id):
        assert MetricActual.objects.filter(metric__key="wins", date="2026-05-08").count() == 1
    values = client.get(u(world, f"plans/{world.a.plan.id}/values/?start=2026-05-01&end=2026-05-31")).json()[
        "values"
    ]
    # (1 + 3) / (10 + 2) * 100 = 33.33..., not the average of 10% and 150%.
    assert Decimal(values["win_rate"]).quantize(Decimal("0.01")) == Decimal("33.33")


def test_unknown_metric_in_actuals_is_a_field_error(world: World, client_as: Any) -> None:
    response = client_as("api_key").post(u(world, "actuals/"), {"metric": "ghosts", "date": "2026-05-07", "value": "1"},
                                         format="json")  # fmt: skip
    assert response.status_code == 400 and "metric" in response.json()["error"]["fields"]


def test_replan_keeps_the_old_version_readable(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    confirm = {"confirm": True}  # the world's plan fails its check (no leading KPI)
    assert (
        client.post(u(world, f"plans/{world.a.plan.id}/activate/"), confirm, format="json").status_code == 200
    )
    new = client.post(u(world, f"plans/{world.a.plan.id}/replan/"), {"name": "見直し"}, format="json").json()
    assert new["version"] == 2 and new["replaces"] == str(world.a.plan.id)
    assert client.post(u(world, f"plans/{new['id']}/activate/"), confirm, format="json").status_code == 200
    old_tree = client.get(u(world, f"plans/{world.a.plan.id}/tree/")).json()
    new_tree = client.get(u(world, f"plans/{new['id']}/tree/")).json()
    assert old_tree[0]["key"] == new_tree[0]["key"] == "revenue"
    with workspace_context(world.a.workspace.id):
        assert KpiPlan.objects.get(id=world.a.plan.id).status == "archived"
    frozen = client.patch(u(world, f"nodes/{world.a.kpi.id}/"), {"name_ja": "変更"}, format="json")
    assert frozen.status_code == 400 and frozen.json()["error"]["code"] == "kpi.plan.archived"


def test_plan_check_reports_smart_and_counts(world: World, client_as: Any) -> None:
    data = client_as("viewer").get(u(world, f"plans/{world.a.plan.id}/check/")).json()
    codes = {f["code"] for f in data["findings"]}
    assert data["ok"] is False
    assert "no_leading_kpi" in codes  # the only KPI is lagging
    assert {k["key"] for k in data["kpis"]} == {"win_rate"}
    win_rate = data["kpis"][0]
    assert {c["criterion"] for c in win_rate["checks"]} == {"S", "M", "A", "R", "T"}
    relevant = next(c for c in win_rate["checks"] if c["criterion"] == "R")
    assert relevant["passed"] is True  # under a KSF under the KGI


@pytest.mark.parametrize(
    ("query", "field"),
    [("start=2026-13-01", "start"), ("end=yesterday", "end"), ("start=2026-06-01&end=2026-05-01", "end")],
)
def test_values_period_errors_name_the_field(world: World, client_as: Any, query: str, field: str) -> None:
    response = client_as("viewer").get(u(world, f"plans/{world.a.plan.id}/values/?{query}"))
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
