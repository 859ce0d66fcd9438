"""The KPI engine's read side through the API: targets per period, pacing, sensitivity, series, the book."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from core.errors import ServiceError
from kpi import services as kpi_services
from kpi.demo import demo_plan_seed
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

FY = 2027  # the world's own plan is FY2026; the demo plan goes beside it


def u(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/kpi/{suffix}"


@pytest.fixture
def demo_plan(world: World) -> KpiPlan:
    """Seed 004's plan (KGI 100,000,000 JPY; 160 appointments, 50%, 25%, 5,000,000 JPY) for FY2027."""
    with workspace_context(world.a.workspace.id):
        return demo_plan_seed(
            workspace=world.a.workspace, actor=Actor.of(world.a.principal("admin")), fiscal_year=FY
        )


def _record(world: World, day: dt.date, owner: Any = None, **values: int) -> None:
    with workspace_context(world.a.workspace.id):
        for key, value in values.items():
            kpi_services.actual_record(metric=Metric.objects.get(key=key), date=day, value=Decimal(value),
                                       owner=owner)  # fmt: skip


def _node(plan: KpiPlan, key: str) -> KpiNode:
    with workspace_context(plan.workspace_id):
        return KpiNode.objects.get(plan=plan, key=key)


# --- Targets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["half", "quarter", "month", "week"])
def test_count_targets_sum_back_to_the_year_at_every_level(world: World, client_as: Any, demo_plan: KpiPlan,
                                                           kind: str) -> None:  # fmt: skip
    node = _node(demo_plan, "appointments")
    rows = (
        client_as("viewer")
        .get(u(world, f"targets/?node={node.id}&period_kind={kind}&page_size=200"))
        .json()["results"]
    )
    expected = {"half": 2, "quarter": 4, "month": 12}.get(kind)
    if expected:
        assert len(rows) == expected
    else:  # ISO weeks touching FY2027 (2027-04-01 .. 2028-03-31), the first and last clipped
        assert rows[0]["period_start"] == "2027-04-01" and rows[-1]["period_end"] == "2028-03-31"
    assert sum(int(r["value"]) for r in rows) == 160
    assert all(r["value"] == str(int(r["value"])) for r in rows)  # whole counts, shown without decimals


def test_rate_and_per_deal_targets_are_not_split(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    client = client_as("viewer")
    for key, value in (("meeting_rate", "50"), ("avg_deal_size", "5000000")):
        rows = client.get(u(world, f"targets/?node={_node(demo_plan, key).id}&page_size=200")).json()[
            "results"
        ]
        assert {r["value"] for r in rows} == {value}
        assert {r["period_kind"] for r in rows} == {"fiscal_year", "half", "quarter", "month", "week"}


def test_jpy_values_have_no_decimals(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    kgi = client_as("viewer").get(u(world, f"nodes/{_node(demo_plan, 'revenue').id}/")).json()
    assert kgi["target_value"] == "100000000"


def test_changing_the_fiscal_year_start_month_keeps_targets(world: World, client_as: Any,
                                                            demo_plan: KpiPlan) -> None:  # fmt: skip
    def snapshot() -> list[tuple[Any, ...]]:
        with workspace_context(world.a.workspace.id):
            return sorted(KpiTarget.objects.filter(node__plan=demo_plan).values_list(
                "node__key", "period_kind", "period_start", "period_end", "value"))  # fmt: skip

    before = snapshot()
    response = client_as("admin").patch(f"/api/v1/workspaces/{world.a.workspace.id}/",
                                        {"fiscal_year_start_month": 1}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert snapshot() == before and len(before) > 0


# --- Pacing ----------------------------------------------------------------------------------


def _status(world: World, client: Any, plan: KpiPlan, query: str) -> dict[str, dict[str, Any]]:
    response = client.get(u(world, f"plans/{plan.id}/status/?{query}"))
    assert response.status_code == 200, response.content
    return {n["key"]: n for n in response.json()["nodes"]}


def test_pacing_across_golden_week(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    """May 2027: 1-2 weekend, 3-5 national holidays, so the first working day is Thursday the 6th.

    May has 31 days - 10 weekend days - 3 holidays = 18 working days.
    """
    client = client_as("viewer")
    may_target = Decimal(client.get(u(world, f"targets/?node={_node(demo_plan, 'appointments').id}"
                                             "&period_kind=month")).json()["results"][1]["value"])  # fmt: skip
    _record(world, dt.date(2027, 5, 6), appointments=1)
    on_5th = _status(world, client, demo_plan, "as_of=2027-05-05")["appointments"]
    assert on_5th["expected"] == "0" and on_5th["status"] == "no_data"  # nothing reported yet
    on_6th = _status(world, client, demo_plan, "as_of=2027-05-06")["appointments"]
    assert Decimal(on_6th["expected"]) == (may_target / 18).quantize(Decimal("0.01"))
    assert on_6th["target"] == str(may_target)


def test_pacing_across_the_year_end_closure(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    """December 2027 closes 29-31 (year end) on top of weekends; January 2028 opens on the 4th."""
    client = client_as("viewer")
    _record(world, dt.date(2027, 12, 1), appointments=1)
    _record(world, dt.date(2028, 1, 4), appointments=1)
    dec = _status(world, client, demo_plan, "as_of=2027-12-31")["appointments"]
    assert dec["expected"] == dec["target"]  # the last working day passed: the whole month is due
    jan_3 = _status(world, client, demo_plan, "as_of=2028-01-03")["appointments"]
    assert jan_3["expected"] == "0"  # 1-3 January are closed, so nothing is due yet


def test_status_reads_thresholds_the_workspace_sets(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    """Win rate target 25%; 4 wins of 20 meetings is 20%: attainment 0.8."""
    _record(world, dt.date(2027, 4, 15), meetings=20, wins=4, appointments=40)
    viewer, admin = client_as("viewer"), client_as("admin")
    assert _status(world, viewer, demo_plan, "as_of=2027-04-30")["win_rate"]["status"] == "at_risk"
    settings_url = f"/api/v1/workspaces/{world.a.workspace.id}/"
    assert admin.patch(settings_url, {"pace_at_risk_threshold": "0.80"}, format="json").status_code == 200
    win_rate = _status(world, viewer, demo_plan, "as_of=2027-04-30")["win_rate"]
    assert win_rate["status"] == "on_track" and win_rate["attainment_pct"] == "80"
    refused = admin.patch(settings_url, {"pace_behind_threshold": "0.95"}, format="json")
    assert (
        refused.status_code == 400
        and refused.json()["error"]["code"] == "tenants.workspace.invalid_thresholds"
    )
    world.a.workspace.refresh_from_db()
    assert world.a.workspace.pace_behind_threshold == Decimal("0.70")


def test_a_cost_kpi_is_behind_when_above_target(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    consultant = client_as("consultant")
    assert consultant.post(u(world, "metrics/"), {"key": "ad_spend", "name_ja": "広告費", "unit": "jpy"},
                           format="json").status_code == 201  # fmt: skip
    ksf = _node(demo_plan, "new_business")
    created = consultant.post(u(world, "nodes/"), {
        "plan": str(demo_plan.id), "parent": str(ksf.id), "kind": "kpi", "key": "ad_spend_total", "name_ja": "広告費",
        "formula": "ad_spend", "unit": "jpy", "direction": "lower_is_better", "target_value": "1200000"},
        format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert (
        consultant.post(u(world, f"nodes/{created.json()['id']}/cascade/"), {}, format="json").status_code
        == 200
    )
    _record(world, dt.date(2027, 4, 1), ad_spend=100_000)  # April's whole budget on its first day
    cost = _status(world, consultant, demo_plan, "as_of=2027-04-01")["ad_spend_total"]
    assert cost["status"] == "behind" and cost["target"] == "100000"


def test_status_per_owner_and_bad_queries(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    rep = world.a.memberships["sales_rep"]
    _record(world, dt.date(2027, 4, 8), owner=rep, meetings=10, wins=5)
    _record(world, dt.date(2027, 4, 8), meetings=10, wins=0)
    client = client_as("viewer")
    mine = _status(world, client, demo_plan, f"as_of=2027-04-30&owner={rep.id}")["win_rate"]
    assert mine["actual"] == "50"
    for query, field in (("period_kind=decade", "period_kind"), ("as_of=yesterday", "as_of"),
                         (f"owner={world.b.memberships['admin'].id}", "owner")):  # fmt: skip
        response = client.get(u(world, f"plans/{demo_plan.id}/status/?{query}"))
        assert response.status_code == 400 and field in response.json()["error"]["fields"], query


# --- Sensitivity -----------------------------------------------------------------------------


def test_sensitivity_names_the_bottleneck(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    """At the year's end: 160 appointments (plan), 60 meetings (37.5% against 50%), 15 wins (25%, plan),
    75,000,000 JPY (5,000,000 per deal, plan). Projected KGI 160 x 0.375 x 0.25 x 5,000,000 = 75,000,000;
    the meeting rate alone at plan gives 100,000,000, an uplift of 25,000,000."""
    _record(world, dt.date(2027, 6, 1), appointments=160, meetings=60, wins=15, won_amount=75_000_000)
    response = client_as("viewer").get(u(world, f"plans/{demo_plan.id}/sensitivity/?as_of=2028-03-31"))
    data = response.json()
    assert data["available"] is True and data["bottleneck"] == "meeting_rate"
    assert data["projected_kgi"] == "75000000" and data["gap_to_plan"] == "25000000"
    top = data["drivers"][0]
    assert top["uplift_if_plan"] == "25000000" and top["attainment_pct"] == "75"
    assert "商談化率" in data["summary"]
    assert {d["effect_of_improvement"] for d in data["drivers"]} == {"7500000"}  # +10% of 75,000,000 each


def test_sensitivity_without_a_driver_chain_says_why(world: World, client_as: Any) -> None:
    data = client_as("viewer").get(u(world, f"plans/{world.a.plan.id}/sensitivity/")).json()
    assert data["available"] is False and "連鎖" in data["reason"]


# --- Series ----------------------------------------------------------------------------------


def test_quarter_rates_are_ratios_of_summed_parts(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    """April 1/10 (10%), May 6/20 (30%): the quarter is 7/30 = 23.33%, not the mean 20%."""
    _record(world, dt.date(2027, 4, 10), wins=1, meetings=10)
    _record(world, dt.date(2027, 5, 10), wins=6, meetings=20)
    client = client_as("api_key")
    quarters = client.get(u(world, f"plans/{demo_plan.id}/series/?period_kind=quarter")).json()["periods"]
    assert [q["label"] for q in quarters] == [f"FY{FY} Q{i}" for i in (1, 2, 3, 4)]
    assert quarters[0]["values"]["win_rate"] == "23.33"
    assert quarters[1]["values"]["win_rate"] is None  # no meetings: undefined, never 0
    months = client.get(u(world, f"plans/{demo_plan.id}/series/?period_kind=month&end=2027-05-31")).json()
    assert [m["values"]["win_rate"] for m in months["periods"]] == ["10", "30"]
    days = client.get(
        u(world, f"plans/{demo_plan.id}/series/?period_kind=day&start=2027-04-09&end=2027-04-11")
    )
    assert [d["values"]["wins"] for d in days.json()["periods"]] == ["0", "1", "0"]


def test_a_daily_series_is_bounded(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    response = client_as("viewer").get(u(world, f"plans/{demo_plan.id}/series/?period_kind=day"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "kpi.series.range_too_long"


# --- Definition book -------------------------------------------------------------------------


def test_definition_book_markdown_in_japanese_and_english(world: World, client_as: Any,
                                                          demo_plan: KpiPlan) -> None:  # fmt: skip
    client = client_as("viewer")
    ja = client.get(u(world, f"plans/{demo_plan.id}/definition-book/markdown/"))
    assert ja.status_code == 200 and ja["Content-Type"].startswith("text/markdown")
    text = ja.content.decode()
    assert text.startswith("# KPI定義書") and "| 受注率 |" in text and "wins / meetings * 100" in text
    assert "| 100000000 |" in text  # the KGI's annual target in whole yen
    en = client.get(u(world, f"plans/{demo_plan.id}/definition-book/markdown/?lang=en")).content.decode()
    assert en.startswith("# KPI definition book") and "| Win rate |" in en and "higher is better" in en


@pytest.mark.parametrize("document", ["markdown", "csv"])
def test_definition_book_errors_are_json(
    world: World, client_as: Any, demo_plan: KpiPlan, document: str
) -> None:
    response = client_as("viewer").get(u(world, f"plans/{demo_plan.id}/definition-book/{document}/?lang=fr"))
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["fields"]["lang"]


def test_definition_book_csv_opens_in_a_spreadsheet(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    with workspace_context(world.a.workspace.id):
        kpi_services.node_update(actor=Actor.of(world.a.principal("admin")), node=_node(demo_plan, "meetings"),
                                 definition="=HYPERLINK(\"http://evil\")")  # fmt: skip
    response = client_as("viewer").get(u(world, f"plans/{demo_plan.id}/definition-book/csv/?lang=en"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Level", "Key", "Name"] and header[-4:] == ["Q1", "Q2", "Q3", "Q4"]
    assert [r[1] for r in body] == ["revenue", "new_business", "appointments", "meetings", "meeting_rate",
                                    "win_rate", "avg_deal_size"]  # fmt: skip
    meetings = body[3]
    assert meetings[header.index("Definition")].startswith("'=")  # not run as a formula
    assert sum(int(v) for v in meetings[-4:]) == 80


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_cannot_make_a_cycle(world: World) -> None:
    """Two requests read the tree, then move X under Y and Y under X at once. The plan lock serialises
    them and the second re-reads the parents, so one move wins and the other is refused."""
    a = world.a
    actor = Actor.of(a.principal("admin"))
    with workspace_context(a.workspace.id):
        x = kpi_services.node_create(actor=actor, plan=a.plan, kind="kpi", key="x", name_ja="X", parent=a.ksf)
        y = kpi_services.node_create(actor=actor, plan=a.plan, kind="kpi", key="y", name_ja="Y", parent=a.ksf)
        x, y = KpiNode.objects.get(id=x.id), KpiNode.objects.get(id=y.id)  # as two requests read them
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(node: KpiNode, parent: KpiNode) -> None:
        try:
            barrier.wait(timeout=10)
            with workspace_context(a.workspace.id):
                kpi_services.node_update(actor=actor, node=node, parent=parent)
            outcomes.append("moved")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=pair) for pair in ((x, y), (y, x))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["kpi.tree.cycle", "moved"]
    with workspace_context(a.workspace.id):
        parents = dict(KpiNode.objects.filter(id__in=[x.id, y.id]).values_list("key", "parent_id"))
    assert not (parents["x"] == y.id and parents["y"] == x.id)
