"""Reverse calculation (逆算) and solving for the missing value: worked examples and rounding edges."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.planning.calendar import PlanningError
from kpi.planning.reverse import (
    ReverseCalculationError,
    Stage,
    ceil_count,
    reverse_calculate,
    round_jpy,
    solve_missing,
)
from kpi.units import ApproxYen
from tests.kpi.rendering import en, ja

D = Decimal
SEED_004_STAGES = (
    Stage(from_key="meetings", rate_key="win_rate", rate=D("25"), to_key="wins"),
    Stage(from_key="appointments", rate_key="meeting_rate", rate=D("50"), to_key="meetings"),
)


# --- reverse_calculate -----------------------------------------------------------------------------------


def test_seed_004_worked_example() -> None:
    result = reverse_calculate(kgi_target=D("100000000"), avg_deal_size=D("5000000"), stages=SEED_004_STAGES)
    assert result.as_dict() == {"wins": 20, "meetings": 80, "appointments": 160}
    assert [level.exact for level in result.levels] == [D(20), D(80), D(160)]
    assert result.defined and result.undefined_reason is None
    assert result.level("meetings").rate_key == "win_rate"
    assert result.level("meetings").rate == D(25)
    assert result.level("wins").rate is None
    assert result.level("appointments").name_ja == "アポ獲得数"
    assert result.level("meetings").name_en == "Meetings"


def test_exact_division_is_not_rounded_up() -> None:
    result = reverse_calculate(kgi_target=D("100000000"), avg_deal_size=D("5000000"), stages=())
    assert result.required("wins") == 20
    one_yen_more = reverse_calculate(kgi_target=D("100000001"), avg_deal_size=D("5000000"), stages=())
    assert one_yen_more.required("wins") == 21


def test_each_stage_rounds_up_from_the_previous_rounded_count() -> None:
    # 101,000,000 / 5,000,000 = 20.2 -> 21 wins; 21 / 25% = 84 meetings (the unrounded chain gives 80.8).
    result = reverse_calculate(kgi_target=D("101000000"), avg_deal_size=D("5000000"), stages=SEED_004_STAGES)
    assert result.as_dict() == {"wins": 21, "meetings": 84, "appointments": 168}
    assert result.level("wins").exact == D("20.2")
    assert result.level("meetings").exact == D("80.8")
    assert result.level("appointments").exact == D("161.6")


def test_rounding_rule_is_stated_in_both_languages() -> None:
    result = reverse_calculate(kgi_target=D(1), avg_deal_size=D(1), stages=())
    assert "切り上げ" in ja(result.rounding_rule)
    assert "前段の切り上げ後の値から計算" in ja(result.rounding_rule)
    assert "rounded up" in en(result.rounding_rule)


def test_monthly_split_rounds_up() -> None:
    result = reverse_calculate(
        kgi_target=D("100000000"), avg_deal_size=D("5000000"), stages=SEED_004_STAGES, periods=12
    )
    assert [level.per_period for level in result.levels] == [2, 7, 14]  # 20/12, 80/12, 160/12
    assert result.kgi_per_period_jpy == D("8333333")
    assert result.kgi_per_period_exact is not None
    assert round_jpy(result.kgi_per_period_exact * 12) == D("100000000")
    exact_split = reverse_calculate(kgi_target=D(120), avg_deal_size=D(1), stages=(), periods=12)
    assert exact_split.level("wins").per_period == 10


def test_no_period_split_unless_asked() -> None:
    result = reverse_calculate(kgi_target=D(100), avg_deal_size=D(10), stages=())
    assert result.level("wins").per_period is None
    assert result.kgi_per_period_exact is None


def test_int_inputs_are_accepted() -> None:
    stages = [Stage(from_key="meetings", rate_key="win_rate", rate=25, to_key="wins")]
    result = reverse_calculate(kgi_target=100_000_000, avg_deal_size=5_000_000, stages=stages)
    assert result.as_dict() == {"wins": 20, "meetings": 80}


def test_longer_chain_up_to_leads() -> None:
    stages = (
        *SEED_004_STAGES,
        Stage(from_key="contacted_leads", rate_key="appointment_rate", rate=D("40"), to_key="appointments"),
    )
    result = reverse_calculate(kgi_target=D("100000000"), avg_deal_size=D("5000000"), stages=stages)
    assert result.required("contacted_leads") == 400


def test_zero_rate_is_undefined_not_an_exception_and_not_zero() -> None:
    stages = (
        Stage(from_key="meetings", rate_key="win_rate", rate=D(0), to_key="wins"),
        SEED_004_STAGES[1],
    )
    result = reverse_calculate(kgi_target=D("100000000"), avg_deal_size=D("5000000"), stages=stages)
    assert not result.defined
    assert result.undefined_reason is not None
    assert result.undefined_reason.code == "kpi.reverse.division_by_zero"
    assert "受注率" in ja(result.undefined_reason)
    assert result.required("wins") == 20
    assert result.level("meetings").required is None and result.level("meetings").exact is None
    assert result.level("appointments").required is None


def test_zero_average_deal_is_undefined() -> None:
    result = reverse_calculate(kgi_target=D("100000000"), avg_deal_size=D(0), stages=SEED_004_STAGES)
    assert not result.defined
    assert (
        result.undefined_reason is not None and result.undefined_reason.code == "kpi.reverse.division_by_zero"
    )
    assert result.as_dict() == {"wins": None, "meetings": None, "appointments": None}


def test_zero_kgi_with_zero_rate_is_indeterminate() -> None:
    stages = (Stage(from_key="meetings", rate_key="win_rate", rate=D(0), to_key="wins"),)
    result = reverse_calculate(kgi_target=D(0), avg_deal_size=D(5), stages=stages)
    assert result.undefined_reason is not None and result.undefined_reason.code == "kpi.reverse.indeterminate"


def test_zero_kgi_needs_nothing() -> None:
    result = reverse_calculate(kgi_target=D(0), avg_deal_size=D(5), stages=SEED_004_STAGES)
    assert result.as_dict() == {"wins": 0, "meetings": 0, "appointments": 0}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kgi_target": D(-1), "avg_deal_size": D(1), "stages": ()}, "negative_value"),
        ({"kgi_target": 1.5, "avg_deal_size": D(1), "stages": ()}, "not_decimal"),
        ({"kgi_target": D("NaN"), "avg_deal_size": D(1), "stages": ()}, "not_finite"),
        ({"kgi_target": D(1), "avg_deal_size": D(1), "stages": (), "periods": 0}, "invalid_periods"),
        (
            {
                "kgi_target": D(1),
                "avg_deal_size": D(1),
                "stages": (Stage(from_key="appointments", rate_key="x", rate=D(50), to_key="meetings"),),
            },
            "stage_chain_broken",
        ),
        (
            {
                "kgi_target": D(1),
                "avg_deal_size": D(1),
                "stages": (Stage(from_key="wins", rate_key="x", rate=D(50), to_key="wins"),),
            },
            "stage_chain_cycle",
        ),
        (
            {
                "kgi_target": D(1),
                "avg_deal_size": D(1),
                "stages": (Stage(from_key="meetings", rate_key="win_rate", rate=D(-5), to_key="wins"),),
            },
            "negative_value",
        ),
    ],
)
def test_refused_inputs(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ReverseCalculationError) as caught:
        reverse_calculate(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert ja(caught.value.message) and en(caught.value.message)
    assert isinstance(caught.value, PlanningError)


# --- solve_missing ---------------------------------------------------------------------------------------

SEED_000_LEADS = D(100) * 12  # 100 leads a month


def test_seed_000_worked_example_average_deal() -> None:
    result = solve_missing(
        revenue=D("100000000"), top_volume=SEED_000_LEADS, rates=[D("30"), D("20")], avg_deal_size=None
    )
    assert result.solved and result.unknown == "avg_deal_size"
    assert result.counts_exact == (D(1200), D(360), D(72))
    assert result.wins_exact == D(72)
    assert result.value_exact is not None
    assert result.value_exact.quantize(D("0.01")) == D("1388888.89")
    assert abs(result.value_exact * 72 - D("100000000")) < D("1e-20")
    assert result.value_rounded == D("1388889")
    assert "四捨五入" in ja(result.rounding_rule)
    assert "half-up" in en(result.rounding_rule)


CLEAN = {
    "revenue": D("100000000"),
    "top_volume": D(1600),
    "rates": (D(25), D(50)),
    "avg_deal_size": D(500000),
}


def _without(values: dict[str, object], slot: str) -> dict[str, object]:
    kwargs = dict(values)
    if slot.startswith("rates"):
        index = int(slot[-1])
        rates = list(kwargs["rates"])  # type: ignore[call-overload]
        rates[index] = None
        kwargs["rates"] = rates
    else:
        kwargs[slot] = None
    return kwargs


@pytest.mark.parametrize(
    ("slot", "expected"),
    [
        ("revenue", D("100000000")),
        ("top_volume", D(1600)),
        ("rates0", D(25)),
        ("rates1", D(50)),
        ("avg_deal_size", D(500000)),
    ],
)
def test_round_trip_each_unknown_exact(slot: str, expected: Decimal) -> None:
    result = solve_missing(**_without(CLEAN, slot))  # type: ignore[arg-type]
    assert result.solved
    assert result.value_exact == expected
    assert result.value_rounded == expected
    assert result.counts_exact == (D(1600), D(400), D(200))
    if slot.startswith("rates"):
        assert result.unknown == "rate" and result.rate_index == int(slot[-1])
    else:
        assert result.unknown == slot and result.rate_index is None
    assert result.revenue == D("100000000") and result.rates == (D(25), D(50))


def test_round_trip_seed_000_each_unknown() -> None:
    revenue, leads, rates = D("100000000"), D(1200), (D(30), D(20))
    deal = solve_missing(revenue=revenue, top_volume=leads, rates=rates, avg_deal_size=None).value_exact
    assert deal is not None

    back = solve_missing(revenue=None, top_volume=leads, rates=rates, avg_deal_size=deal)
    assert back.value_rounded == revenue
    back = solve_missing(revenue=revenue, top_volume=None, rates=rates, avg_deal_size=deal)
    assert back.value_rounded == D(1200)  # no spurious 1201 from division residue
    back = solve_missing(revenue=revenue, top_volume=leads, rates=(None, rates[1]), avg_deal_size=deal)
    assert back.value_rounded == D("30.00")
    back = solve_missing(revenue=revenue, top_volume=leads, rates=(rates[0], None), avg_deal_size=deal)
    assert back.value_rounded == D("20.00")

    # With the yen-rounded average deal the revenue is 8 yen above the KGI: 72 x 1,388,889.
    rounded_deal = solve_missing(
        revenue=revenue, top_volume=leads, rates=rates, avg_deal_size=None
    ).value_rounded
    back = solve_missing(revenue=None, top_volume=leads, rates=rates, avg_deal_size=rounded_deal)
    assert back.value_exact == D("100000008")


def test_volume_is_rounded_up_and_rate_to_the_next_hundredth() -> None:
    volume = solve_missing(
        revenue=D("100000000"), top_volume=None, rates=[D(30), D(20)], avg_deal_size=D(1000000)
    )
    assert volume.value_exact is not None and volume.value_exact.quantize(D("0.01")) == D("1666.67")
    assert volume.value_rounded == D(1667)
    assert "切り上げ" in ja(volume.rounding_rule)

    rate = solve_missing(revenue=D(100), top_volume=D(300), rates=[None], avg_deal_size=D(1))
    assert rate.value_exact is not None and rate.value_exact.quantize(D("0.0001")) == D("33.3333")
    assert rate.value_rounded == D("33.34")


def test_no_rates_at_all() -> None:
    result = solve_missing(revenue=None, top_volume=D(20), rates=[], avg_deal_size=D(5000000))
    assert result.value_exact == D("100000000")
    assert result.counts_exact == (D(20),)


def test_no_unknown_is_an_error() -> None:
    with pytest.raises(ReverseCalculationError) as caught:
        solve_missing(revenue=D(1), top_volume=D(1), rates=[D(100)], avg_deal_size=D(1))
    assert caught.value.code == "no_unknown"
    assert "空欄" in ja(caught.value.message)


def test_two_unknowns_is_an_error() -> None:
    with pytest.raises(ReverseCalculationError) as caught:
        solve_missing(revenue=None, top_volume=D(1), rates=[None], avg_deal_size=D(1))
    assert caught.value.code == "too_many_unknowns"
    assert "revenue" in en(caught.value.message) and "rates[0]" in en(caught.value.message)


def test_zero_rate_when_solving_for_volume_is_undefined() -> None:
    result = solve_missing(revenue=D("100000000"), top_volume=None, rates=[D(0), D(20)], avg_deal_size=D(5))
    assert result.status == "undefined" and not result.solved
    assert result.value_exact is None and result.value_rounded is None
    assert result.top_volume is None and result.counts_exact is None
    assert result.undefined_reason is not None
    assert result.undefined_reason.code == "kpi.reverse.solve_division_by_zero"
    assert "rates[0]" in en(result.undefined_reason)
    assert "100,000,000" in ja(result.undefined_reason)


def test_zero_revenue_and_zero_factor_is_indeterminate() -> None:
    result = solve_missing(revenue=D(0), top_volume=D(100), rates=[D(0)], avg_deal_size=None)
    assert result.status == "undefined"
    assert (
        result.undefined_reason is not None
        and result.undefined_reason.code == "kpi.reverse.solve_indeterminate"
    )


def test_zero_factor_when_solving_for_revenue_is_simply_zero() -> None:
    result = solve_missing(revenue=None, top_volume=D(100), rates=[D(0)], avg_deal_size=D(5))
    assert result.solved and result.value_exact == 0


def test_float_is_refused() -> None:
    with pytest.raises(ReverseCalculationError) as caught:
        solve_missing(revenue=None, top_volume=1200.0, rates=[D(30)], avg_deal_size=D(5))  # type: ignore[arg-type]
    assert caught.value.code == "not_decimal"


def test_helpers() -> None:
    assert ceil_count(D(20)) == 20
    assert ceil_count(D("20.000000000000000000001")) == 20  # division residue, not a real excess
    assert ceil_count(D("20.01")) == 21
    assert round_jpy(D("0.5")) == D(1)
    assert round_jpy(D("1388888.4999")) == D(1388888)
    assert ja(ApproxYen(D(27216000))) == "約2,722万円"
    assert ja(ApproxYen(D(123456789))) == "約1億2,346万円"
    assert ja(ApproxYen(D(200000000))) == "約2億円"
    assert ja(ApproxYen(D(9800))) == "9,800円"


amounts = st.integers(min_value=1, max_value=10_000_000).map(D)
volumes = st.integers(min_value=1, max_value=100_000).map(D)
percents = st.integers(min_value=1, max_value=10_000).map(lambda n: D(n) / 100)  # 0.01% .. 100%


@settings(max_examples=60, deadline=None)
@given(volume=volumes, rate_a=percents, rate_b=percents, deal=amounts)
def test_property_every_unknown_round_trips(
    volume: Decimal, rate_a: Decimal, rate_b: Decimal, deal: Decimal
) -> None:
    revenue = solve_missing(
        revenue=None, top_volume=volume, rates=[rate_a, rate_b], avg_deal_size=deal
    ).value_exact
    assert revenue is not None
    cases = {
        "top_volume": (
            solve_missing(revenue=revenue, top_volume=None, rates=[rate_a, rate_b], avg_deal_size=deal),
            volume,
        ),
        "rate_a": (
            solve_missing(revenue=revenue, top_volume=volume, rates=[None, rate_b], avg_deal_size=deal),
            rate_a,
        ),
        "rate_b": (
            solve_missing(revenue=revenue, top_volume=volume, rates=[rate_a, None], avg_deal_size=deal),
            rate_b,
        ),
        "deal": (
            solve_missing(revenue=revenue, top_volume=volume, rates=[rate_a, rate_b], avg_deal_size=None),
            deal,
        ),
    }
    for name, (result, expected) in cases.items():
        assert result.value_exact is not None, name
        assert abs(result.value_exact - expected) <= expected * D("1e-25"), name
        assert result.value_rounded == expected, name


def test_a_rate_above_100_percent_is_infeasible_and_named() -> None:
    """72 wins are needed from 120 meetings x ... : the second rate would have to be 250%."""
    result = solve_missing(
        revenue=D(100_000_000), top_volume=D(1200), rates=[D(10), None], avg_deal_size=D(333_334)
    )
    assert result.status == "infeasible" and not result.solved
    assert result.unknown == "rate" and result.rate_index == 1 and result.unknown_slot == "rates[1]"
    assert result.value_rounded is not None and result.value_rounded > 100
    reason = result.infeasible_reason
    assert (
        reason is not None and reason.code == "kpi.reverse.solve_rate_infeasible" and result.reason is reason
    )
    text = ja(reason)
    assert "rates[1]" in text and "100%" in text and "250%" in text and "実現不可能" in text
    assert "infeasible" in en(reason)


def test_a_rate_of_exactly_100_percent_is_solved() -> None:
    result = solve_missing(revenue=D(1000), top_volume=D(10), rates=[None], avg_deal_size=D(100))
    assert result.status == "solved" and result.value_rounded == 100 and result.infeasible_reason is None


def test_every_solution_names_what_it_solved() -> None:
    slots = {
        "revenue": dict(revenue=None, top_volume=D(1200), rates=[D(30), D(20)], avg_deal_size=D(5)),
        "top_volume": dict(revenue=D(720), top_volume=None, rates=[D(30), D(20)], avg_deal_size=D(5)),
        "rates[0]": dict(revenue=D(360), top_volume=D(1200), rates=[None, D(20)], avg_deal_size=D(5)),
        "avg_deal_size": dict(revenue=D(720), top_volume=D(1200), rates=[D(30), D(20)], avg_deal_size=None),
    }
    for slot, kwargs in slots.items():
        result = solve_missing(**kwargs)  # type: ignore[arg-type]
        assert result.solved and result.unknown_slot == slot, slot
        assert result.unknown_name.value == slot
