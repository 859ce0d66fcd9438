"""Sensitivity of a multiplicative KGI and the bottleneck, on a hand-computed example."""

# Japanese sentences use full-width parentheses.

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.planning.reverse import ReverseCalculationError
from kpi.planning.sensitivity import Driver, sensitivity_analyse
from tests.kpi.rendering import en, ja

D = Decimal


def example_drivers() -> list[Driver]:
    # plan:   1,000 leads x 40% x 50% x 25% x 2,000,000 JPY = 50 wins = 100,000,000 JPY
    # actual:   900 leads x 40% x 35% x 24% x 2,100,000 JPY = 30.24 wins = 63,504,000 JPY
    return [
        Driver.from_catalog("leads", plan=D(1000), actual=D(900)),
        Driver.from_catalog("appointment_rate", plan=D(40), actual=D(40)),
        Driver.from_catalog("meeting_rate", plan=D(50), actual=D(35)),
        Driver.from_catalog("win_rate", plan=D(25), actual=D(24)),
        Driver.from_catalog("avg_deal_size", plan=D(2000000), actual=D(2100000)),
    ]


def test_hand_computed_example() -> None:
    result = sensitivity_analyse(drivers=example_drivers())
    assert result.plan_kgi == D("100000000")
    assert result.projected_kgi == D("63504000")
    assert result.projected_kgi_jpy == D("63504000")
    assert result.gap_to_plan_jpy == D("36496000")

    # Ranked by the uplift of bringing each driver alone to plan = projected x (plan / actual - 1).
    assert [row.key for row in result.rows] == [
        "meeting_rate",  # 63,504,000 x 15/35 = 27,216,000
        "leads",  # 63,504,000 x 1/9 = 7,056,000
        "win_rate",  # 63,504,000 x 1/24 = 2,646,000
        "appointment_rate",  # on plan: 0 (attainment 100%)
        "avg_deal_size",  # ahead of plan: 0 (attainment 105%)
    ]
    assert [row.rank for row in result.rows] == [1, 2, 3, 4, 5]
    assert [row.uplift_if_plan_jpy for row in result.rows] == [
        D(27216000),
        D(7056000),
        D(2646000),
        D(0),
        D(0),
    ]
    assert [row.attainment_pct for row in result.rows] == [D(70), D(90), D(96), D(100), D(105)]
    assert [row.behind_plan for row in result.rows] == [True, True, True, False, False]

    # Purely multiplicative: +10% on any driver is +10% of the projected KGI.
    assert {row.effect_of_improvement_jpy for row in result.rows} == {D(6350400)}

    assert result.bottleneck is not None and result.bottleneck.key == "meeting_rate"
    assert ja(result.summary) == (
        "最大のボトルネックは商談化率です。計画50%に対し実績35%（達成率70%）。"
        "計画値まで改善すると売上見込みが約2,722万円増えます。"
    )
    assert en(result.summary) == (
        "The biggest bottleneck is Meeting rate: plan 50%, actual 35% (70% of plan). "
        "Bringing it up to plan would raise projected revenue by about JPY 27,216,000."
    )
    assert result.notes == ()
    assert "積" in ja(result.method) and "Higher-is-better" in en(result.method)


def test_improvement_percentage_is_configurable() -> None:
    result = sensitivity_analyse(drivers=example_drivers(), improvement_pct=D(20))
    assert {row.effect_of_improvement for row in result.rows} == {D(12700800)}


def test_brief_example_sentence_shape() -> None:
    # Meeting rate 50% planned, 35% actual; everything else on plan: 1,000 x 35% x 25% x 800,000 JPY.
    drivers = [
        Driver.from_catalog("appointments", plan=D(1000), actual=D(1000)),
        Driver.from_catalog("meeting_rate", plan=D(50), actual=D(35)),
        Driver.from_catalog("win_rate", plan=D(25), actual=D(25)),
        Driver.from_catalog("avg_deal_size", plan=D(800000), actual=D(800000)),
    ]
    result = sensitivity_analyse(drivers=drivers)
    assert result.projected_kgi == D(70000000)
    assert result.row("meeting_rate").uplift_if_plan_jpy == D(30000000)
    assert ja(result.summary).endswith("計画値まで改善すると売上見込みが約3,000万円増えます。")


def test_missing_actual_is_assumed_at_plan_and_ranked_last() -> None:
    drivers = example_drivers()
    drivers[0] = Driver.from_catalog("leads", plan=D(1000), actual=None)
    result = sensitivity_analyse(drivers=drivers)
    leads = result.row("leads")
    assert leads.attainment_pct is None and leads.uplift_if_plan is None
    assert leads.projected == D(1000)
    assert leads.note is not None and leads.note.code == "kpi.sensitivity.actual_missing"
    assert result.rows[-1].key == "leads"
    assert result.projected_kgi == D("70560000")  # 1,000 x 40% x 35% x 24% x 2,100,000
    assert [note.code for note in result.notes] == ["kpi.sensitivity.actual_missing"]


def test_no_actuals_at_all() -> None:
    drivers = [Driver("leads", "volume", D(100)), Driver("win_rate", "rate", D(20))]
    result = sensitivity_analyse(drivers=drivers)
    assert result.bottleneck is None
    assert result.projected_kgi == result.plan_kgi == D(20)
    assert "実績がまだ入力されていない" in ja(result.summary)
    assert "No actuals" in en(result.summary)


def test_zero_plan_does_not_raise() -> None:
    drivers = [
        Driver("leads", "volume", plan=D(0), actual=D(10), name_ja="リード数", name_en="Leads"),
        Driver("win_rate", "rate", plan=D(20), actual=D(10)),
    ]
    result = sensitivity_analyse(drivers=drivers)
    leads = result.row("leads")
    assert leads.attainment_pct is None
    assert leads.note is not None and leads.note.code == "kpi.sensitivity.plan_zero"
    assert leads.uplift_if_plan == 0
    assert result.plan_kgi == 0
    assert result.bottleneck is not None and result.bottleneck.key == "win_rate"


def test_a_zero_actual_is_the_bottleneck() -> None:
    drivers = [
        Driver("leads", "volume", plan=D(100), actual=D(100)),
        Driver("win_rate", "rate", plan=D(20), actual=D(0)),
        Driver("avg_deal_size", "amount", plan=D(1000000), actual=D(1000000)),
    ]
    result = sensitivity_analyse(drivers=drivers)
    assert result.projected_kgi == 0
    assert result.bottleneck is not None and result.bottleneck.key == "win_rate"
    assert result.bottleneck.uplift_if_plan_jpy == D(20000000)
    assert result.row("leads").uplift_if_plan == 0
    assert all(row.effect_of_improvement == 0 for row in result.rows)
    assert "約2,000万円" in ja(result.summary)


def test_two_zero_actuals_still_name_a_bottleneck() -> None:
    drivers = [
        Driver("leads", "volume", plan=D(100), actual=D(0), name_ja="リード数", name_en="Leads"),
        Driver("win_rate", "rate", plan=D(20), actual=D(0), name_ja="受注率", name_en="Win rate"),
        Driver("avg_deal_size", "amount", plan=D(1000000), actual=D(500000), name_ja="平均受注単価"),
    ]
    result = sensitivity_analyse(drivers=drivers)
    assert all(row.uplift_if_plan == 0 for row in result.rows)
    assert result.bottleneck is not None and result.bottleneck.key == "leads"  # 0%, first in input order
    assert "増えません" in ja(result.summary)
    assert "would not raise" in en(result.summary)


def test_everything_on_or_above_plan() -> None:
    drivers = [
        Driver("leads", "volume", plan=D(100), actual=D(120)),
        Driver("win_rate", "rate", plan=D(20), actual=D(20)),
        Driver("avg_deal_size", "amount", plan=D(1000000), actual=D(1000000)),
    ]
    result = sensitivity_analyse(drivers=drivers)
    assert result.bottleneck is None
    assert result.projected_kgi_jpy == D(24000000)
    assert result.gap_to_plan_jpy == D(-4000000)
    assert "すべての指標が計画どおりか計画を上回っています" in ja(result.summary)
    assert "約2,400万円" in ja(result.summary) and "24,000,000" in en(result.summary)


def test_elapsed_fraction_pro_rates_volume_plans_only() -> None:
    # After 3 of 12 months: 270 leads against a 1,200 annual plan is 90% of the 300 planned to date.
    drivers = [
        Driver.from_catalog("leads", plan=D(1200), actual=D(270)),
        Driver.from_catalog("win_rate", plan=D(20), actual=D(19)),
        Driver.from_catalog("avg_deal_size", plan=D(1000000), actual=D(1000000)),
    ]
    result = sensitivity_analyse(drivers=drivers, elapsed_fraction=D("0.25"))
    leads = result.row("leads")
    assert leads.plan_to_date == D(300) and leads.attainment_pct == D(90)
    assert leads.projected == D(1080)
    assert result.row("win_rate").plan_to_date == D(20)
    assert result.projected_kgi == D(1080) * D("0.19") * D(1000000)
    assert result.bottleneck is not None and result.bottleneck.key == "leads"
    assert "計画（経過期間分）300件に対し実績270件（達成率90%）" in ja(result.summary)
    assert "plan to date 300, actual 270" in en(result.summary)


def test_amount_driver_wording() -> None:
    drivers = [
        Driver.from_catalog("wins", plan=D(20), actual=D(20)),
        Driver.from_catalog("avg_deal_size", plan=D(5000000), actual=D(4000000)),
    ]
    result = sensitivity_analyse(drivers=drivers)
    assert "計画5,000,000円に対し実績4,000,000円（達成率80%）" in ja(result.summary)
    assert "plan JPY 5,000,000, actual JPY 4,000,000 (80% of plan)" in en(result.summary)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"drivers": []}, "no_drivers"),
        ({"drivers": [Driver("a", "volume", D(1)), Driver("a", "rate", D(1))]}, "duplicate_driver"),
        ({"drivers": [Driver("a", "cost", D(1))]}, "unknown_driver_kind"),  # type: ignore[arg-type]
        ({"drivers": [Driver("a", "volume", 1.5)]}, "not_decimal"),  # type: ignore[arg-type]
        ({"drivers": [Driver("a", "volume", D(-1), actual=D(1))]}, "negative_value"),
        ({"drivers": [Driver("a", "volume", D(1))], "elapsed_fraction": D(0)}, "invalid_elapsed_fraction"),
        (
            {"drivers": [Driver("a", "volume", D(1))], "elapsed_fraction": D("1.5")},
            "invalid_elapsed_fraction",
        ),
    ],
)
def test_malformed_input_is_refused(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ReverseCalculationError) as caught:
        sensitivity_analyse(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_from_catalog() -> None:
    assert Driver.from_catalog("leads", plan=1).kind == "volume"
    assert Driver.from_catalog("win_rate", plan=1).kind == "rate"
    assert Driver.from_catalog("avg_deal_size", plan=1).kind == "amount"
    assert Driver.from_catalog("win_rate", plan=1).name_ja == "受注率"
    with pytest.raises(ReverseCalculationError) as caught:
        Driver.from_catalog("no_such_kpi", plan=1)
    assert caught.value.code == "not_a_driver"


pairs = st.tuples(st.integers(min_value=1, max_value=1000), st.integers(min_value=1, max_value=1000))


@settings(max_examples=50, deadline=None)
@given(values=st.lists(pairs, min_size=1, max_size=5))
def test_property_bottleneck_is_the_lowest_attainment(values: list[tuple[int, int]]) -> None:
    drivers = [Driver(f"d{i}", "volume", D(plan), D(actual)) for i, (plan, actual) in enumerate(values)]
    result = sensitivity_analyse(drivers=drivers)
    behind = [row for row in result.rows if row.behind_plan]
    if not behind:
        assert result.bottleneck is None
        return
    lowest = min(row.attainment_pct for row in behind if row.attainment_pct is not None)
    assert result.bottleneck is not None
    assert result.bottleneck.attainment_pct == lowest
    uplifts = [row.uplift_if_plan for row in result.rows]
    assert uplifts == sorted(uplifts, reverse=True)  # type: ignore[type-var]


def test_a_negative_actual_counts_as_zero_and_is_noted() -> None:
    """A stored total below 0 (a correction entered as a negative day) is data, not malformed input."""
    result = sensitivity_analyse(
        drivers=[
            Driver("meetings", "volume", D(80), actual=D(-3)),
            Driver("win_rate", "rate", D(25), actual=D(25)),
        ]
    )
    meetings = result.row("meetings")
    assert meetings.actual == 0 and meetings.attainment_pct == 0 and result.bottleneck is meetings
    assert meetings.note is not None and meetings.note.code == "kpi.sensitivity.actual_negative"
    assert [n.code for n in result.notes] == ["kpi.sensitivity.actual_negative"]
