"""What the KPI calculators and the plan's read operations answer: every refusal of a formula says where,
and every number is shown for its unit (never a float, never 28 digits, rounded half-up, never cut)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from kpi.demo import demo_plan_seed
from kpi.formulas import MAX_LENGTH
from kpi.models import KpiPlan, Metric
from kpi.services import actual_record
from kpi.units import value_format
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

FY = 2027
# A number as the API shows it: a string, at most two decimals, no trailing zeros after the point.
SHOWN = re.compile(r"^-?\d+(\.\d?[1-9])?$")


def u(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/kpi/{suffix}"


def _validate(client: Any, world: World, formula: str, **extra: Any) -> Any:
    response = client.post(u(world, "tools/validate-formula/"), {"formula": formula}, format="json", **extra)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("formula", "code", "column"),
    [
        ("meetings /", "syntax", 11),  # incomplete: just past the end, where the divisor is missing
        ("wins\x00", "bad_character", 5),  # a NUL byte reaches the check instead of a 400 without a position
        ("\x00", "bad_character", 1),
        ("w" * (MAX_LENGTH + 44), "too_long", MAX_LENGTH + 1),  # the first character past the limit
        ("w" * 5000, "too_long", MAX_LENGTH + 1),  # no other length limit answers without a position
        ("", "empty", 1),
        ("wins ** 2", "unsupported", 6),
    ],
    ids=["incomplete", "nul", "only-nul", "too-long", "very-long", "empty", "operator"],
)
def test_every_refused_formula_carries_a_position(
    world: World, client_as: Any, formula: str, code: str, column: int
) -> None:
    client = client_as("viewer")
    data = _validate(client, world, formula)
    assert data["valid"] is False
    assert (data["error"]["code"], data["error"]["column"]) == (code, column)
    assert data["error"]["message"].startswith(f"{column}文字目: ")
    en = _validate(client, world, formula, HTTP_ACCEPT_LANGUAGE="en")
    assert en["error"]["message"].startswith(f"column {column}: ")


def test_a_nul_byte_elsewhere_in_the_formula_check_is_still_refused(world: World, client_as: Any) -> None:
    body = '{"formula": "wins", "plan": "\\u0000"}'
    response = client_as("viewer").generic(
        "POST", u(world, "tools/validate-formula/"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "forbidden_character"


def test_solve_shows_the_exact_value_for_its_unit(world: World, client_as: Any) -> None:
    client = client_as("api_key")
    rate = client.post(u(world, "tools/solve/"), {"revenue": "1000", "top_volume": "100", "rates": [None, "30"],
                                                  "avg_deal_size": "10"}, format="json").json()  # fmt: skip
    assert (rate["unknown"], rate["value_exact"], rate["value_rounded"]) == ("rate", "333.33", "333.34")
    volume = client.post(u(world, "tools/solve/"), {"revenue": "1000", "top_volume": None, "rates": ["30"],
                                                    "avg_deal_size": "10"}, format="json").json()  # fmt: skip
    assert (volume["value_exact"], volume["value_rounded"], volume["wins_exact"]) == ("333.33", "334", "100")
    deal = client.post(u(world, "tools/solve/"), {"revenue": "100000000", "top_volume": "1200",
                                                  "rates": ["30", "20"], "avg_deal_size": None}, format="json").json()  # fmt: skip
    assert (deal["value_exact"], deal["value_rounded"], deal["wins_exact"]) == ("1388889", "1388889", "72")


def test_reverse_calculation_levels_are_shown_for_their_units(world: World, client_as: Any) -> None:
    body = {"kgi_target": "100000000", "avg_deal_size": "4800000", "stages": [
        {"from_key": "meetings", "rate_key": "win_rate", "rate": "25", "to_key": "wins"}]}  # fmt: skip
    data = client_as("viewer").post(u(world, "tools/reverse-calculate/"), body, format="json").json()
    wins, meetings = data["levels"]
    assert (wins["exact"], wins["required"], wins["rate"]) == ("20.83", 21, None)  # 20.8333... JPY / deal
    assert (meetings["exact"], meetings["required"], meetings["rate"]) == ("83.33", 84, "25")


@pytest.fixture
def demo_plan(world: World) -> KpiPlan:
    with workspace_context(world.a.workspace.id):
        return demo_plan_seed(
            workspace=world.a.workspace, actor=Actor.of(world.a.principal("admin")), fiscal_year=FY
        )


def _record(world: World, day: dt.date, **values: int) -> None:
    with workspace_context(world.a.workspace.id):
        for key, value in values.items():
            actual_record(metric=Metric.objects.get(key=key), date=day, value=Decimal(value))


def test_sensitivity_shows_each_driver_for_its_unit(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    # 12 appointments, 5 meetings, 1 win: rates of 41.666...% and 20%; 4,666,666.66... JPY a deal.
    _record(world, dt.date(2027, 4, 8), appointments=12, meetings=5, wins=1, won_amount=4_666_667)
    _record(world, dt.date(2027, 4, 9), wins=2, won_amount=9_333_333)
    url = u(world, f"plans/{demo_plan.id}/sensitivity/?as_of=2027-06-30&improvement_pct=12.50")
    data = client_as("viewer").get(url).json()
    assert data["available"] is True and data["improvement_pct"] == "12.5"
    rows = {row["key"]: row for row in data["drivers"]}
    assert rows["meeting_rate"]["actual"] == "41.67"  # 5 / 12, rounded half-up
    assert rows["win_rate"]["actual"] == "60"
    assert rows["avg_deal_size"]["actual"] == "4666667"  # whole yen
    assert rows["appointments"]["plan"] == "160" and SHOWN.match(rows["appointments"]["plan_to_date"])
    for row in data["drivers"]:
        for field in ("plan", "plan_to_date", "actual", "attainment_pct", "effect_of_improvement"):
            assert row[field] is None or SHOWN.match(row[field]), (row["key"], field, row[field])


def test_the_tree_shows_targets_for_their_units(world: World, client_as: Any, demo_plan: KpiPlan) -> None:
    tree = client_as("viewer").get(u(world, f"plans/{demo_plan.id}/tree/")).json()
    (kgi,) = tree
    assert kgi["key"] == "revenue" and kgi["target_value"] == "100000000"

    def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [node, *(n for child in node["children"] for n in walk(child))]

    targets = {n["key"]: n["target_value"] for n in walk(kgi)}
    assert targets["win_rate"] == "25" and targets["appointments"] == "160"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("72.727272"), "percent", "72.73"),  # rounded, not cut
        (Decimal("72.725"), "percent", "72.73"),  # half-up
        (Decimal("0.6584362139917695473251028806400000"), "count", "0.66"),
        (Decimal("20.833333333333332"), "count", "20.83"),
        (Decimal("4666666.666666666666666666667"), "jpy", "4666667"),
        (Decimal("160.0000"), "count", "160"),
        (Decimal("12.50"), "percent", "12.5"),
        (Decimal("-1234.5"), "jpy", "-1235"),
        (Decimal("1E+3"), "jpy", "1000"),
    ],
)
def test_one_format_per_unit(value: Decimal, unit: str, shown: str) -> None:
    assert value_format(value, unit) == shown
