"""Cascading targets with largest-remainder rounding (kpi.planning.cascade)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.planning.calendar import Period, PeriodKind, PlanningError, periods_in, working_days_in
from kpi.planning.cascade import (
    NON_ADDITIVE_UNIT_KINDS,
    Allocation,
    CascadeMode,
    apportion,
    cascade,
    cascade_fiscal_year,
    cascade_month_to_weeks,
    cascade_ratio,
    cascade_to_months,
    cascade_to_quarters,
    subdivide,
    weekly_targets,
)
from tests.kpi.rendering import en, ja

D = Decimal
MONTHS_FY2026 = periods_in(2026, 4, "month")


def _values(allocations: list[Allocation]) -> list[Decimal]:
    return [a.value for a in allocations]


def _total(allocations: list[Allocation] | tuple[Allocation, ...]) -> Decimal:
    return sum((a.value for a in allocations), D(0))


def _days(n: int, start: date = date(2026, 4, 1)) -> list[Period]:
    """n consecutive one-day periods (only the ordering matters for the generic properties)."""
    periods = []
    for i in range(n):
        d = start + timedelta(days=i)
        periods.append(Period(PeriodKind.WEEK, d, d))
    return periods


# --------------------------------------------------------------------------------------------------
# Worked examples
# --------------------------------------------------------------------------------------------------


def test_hundred_million_yen_even_over_twelve_months() -> None:
    # 100,000,000 / 12 = 8,333,333.33..: floors sum to 99,999,996, 4 yen left; every remainder is the
    # same 1/3, so the tie-break gives them to the four earliest months, April to July.
    allocations = cascade_to_months(D(100_000_000), 2026, "even")
    assert _values(allocations) == [D(8_333_334)] * 4 + [D(8_333_333)] * 8
    assert [en(a.period.label) for a in allocations[:4]] == ["Apr 2026", "May 2026", "Jun 2026", "Jul 2026"]
    assert _total(allocations) == D(100_000_000)
    assert all(a.weight == 1 for a in allocations)


def test_160_appointments_by_working_days() -> None:
    # Working days Apr..Mar = 21 18 22 22 20 19 21 19 20 19 18 22 (241).  Quota = 160 * wd / 241:
    # floors 13 11 14 14 13 12 13 12 13 12 11 14 = 152, 8 left; remainders (x/241)
    # 227 229 146 146 67 148 227 148 67 148 229 146 -> +1 to May, Feb (229), Apr, Oct (227),
    # Sep, Nov, Jan (148) and the earliest of the 146s: June (not July or March).
    allocations = cascade_to_months(D(160), 2026, CascadeMode.WORKING_DAYS)
    assert _values(allocations) == [D(v) for v in (14, 12, 15, 14, 13, 13, 14, 13, 13, 13, 12, 14)]
    assert [a.weight for a in allocations] == [D(v) for v in (21, 18, 22, 22, 20, 19, 21, 19, 20, 19, 18, 22)]
    assert _total(allocations) == D(160)


def test_working_days_without_year_end_closure_changes_december() -> None:
    allocations = cascade_to_months(D(160), 2026, "working_days", year_end_closure=False)
    assert en(allocations[8].period.label) == "Dec 2026"
    assert allocations[8].weight == D(23)
    assert _total(allocations) == D(160)


def test_weights_mode_seasonality() -> None:
    # A March-heavy plan: weight 2 for March, 1 elsewhere (13 in all).  1,300 -> 100 x 11 + 200.
    weights = [D(1)] * 11 + [D(2)]
    allocations = cascade_to_months(D(1300), 2026, "weights", weights=weights)
    assert _values(allocations) == [D(100)] * 11 + [D(200)]
    assert [a.weight for a in allocations] == weights


def test_zero_weight_periods_get_zero() -> None:
    # August closed for a KPI (weight 0): 11 units over 11 months, August 0.
    weights = [1] * 12
    weights[4] = 0
    allocations = cascade_to_months(D(11), 2026, "weights", weights=weights)
    assert allocations[4].value == 0
    assert _values(allocations).count(D(1)) == 11


def test_quantum_for_fractional_amounts() -> None:
    allocations = cascade(D("10.00"), _days(3), "even", quantum=D("0.01"))
    assert _values(allocations) == [D("3.34"), D("3.33"), D("3.33")]
    assert [str(v) for v in _values(allocations)] == ["3.34", "3.33", "3.33"]


def test_thousand_yen_quantum() -> None:
    allocations = cascade(D(10_000_000), _days(3), "even", quantum=D(1000))
    assert _values(allocations) == [D(3_334_000), D(3_333_000), D(3_333_000)]


def test_negative_total_is_the_mirror_of_the_positive_one() -> None:
    # A cost-reduction target: -100,000,000 JPY, the extra yen of reduction in the first four months.
    allocations = cascade_to_months(D(-100_000_000), 2026, "even")
    assert _values(allocations) == [D(-8_333_334)] * 4 + [D(-8_333_333)] * 8
    assert _total(allocations) == D(-100_000_000)


def test_zero_total() -> None:
    assert _values(cascade(D(0), _days(3), "even")) == [D(0)] * 3


def test_single_period_gets_everything() -> None:
    assert _values(cascade(D(7), _days(1), "working_days")) == [D(7)]


# --------------------------------------------------------------------------------------------------
# Ratios and errors
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit_kind", sorted(NON_ADDITIVE_UNIT_KINDS))
def test_ratio_cannot_be_cascaded(unit_kind: str) -> None:
    with pytest.raises(PlanningError) as excinfo:
        cascade(D("25"), MONTHS_FY2026, "even", unit_kind=unit_kind)
    assert excinfo.value.code == "ratio_not_additive"
    assert "cascade_ratio" in en(excinfo.value.message)
    assert "率" in ja(excinfo.value.message)
    with pytest.raises(PlanningError):
        cascade_to_quarters(D("25"), 2026, "even", unit_kind="ratio")


def test_cascade_ratio_copies_the_rate() -> None:
    allocations = cascade_ratio(D("0.25"), MONTHS_FY2026)
    assert _values(allocations) == [D("0.25")] * 12
    assert [a.period for a in allocations] == MONTHS_FY2026


@pytest.mark.parametrize(
    ("weights", "code"),
    [
        ([D(1)] * 11, "weights_length_mismatch"),
        ([D(1)] * 13, "weights_length_mismatch"),
        ([D(1)] * 11 + [D(-1)], "negative_weight"),
        ([D(0)] * 12, "weights_all_zero"),
        ([D(1)] * 11 + [D("NaN")], "invalid_number"),
        ([D(1)] * 11 + [0.5], "invalid_number"),
    ],
)
def test_bad_weights_are_refused_with_a_code_and_both_messages(weights: list[Decimal], code: str) -> None:
    with pytest.raises(PlanningError) as excinfo:
        cascade(D(120), MONTHS_FY2026, "weights", weights=weights)
    error = excinfo.value
    assert error.code == code
    assert ja(error.message)
    assert en(error.message)
    assert str(error).startswith(f"{code}: ")


def test_weights_length_message_names_both_counts() -> None:
    with pytest.raises(PlanningError) as excinfo:
        cascade(D(120), MONTHS_FY2026, "weights", weights=[1] * 11)
    assert "11" in en(excinfo.value.message)
    assert "12" in en(excinfo.value.message)
    assert "11" in ja(excinfo.value.message)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"mode": "weights"}, "weights_required"),
        ({"mode": "even", "weights": [1] * 12}, "unexpected_weights"),
        ({"mode": "biggest_first"}, "invalid_cascade_mode"),
        ({"mode": "even", "quantum": D(0)}, "invalid_quantum"),
        ({"mode": "even", "quantum": D("0.7")}, "total_not_multiple_of_quantum"),
    ],
)
def test_other_refusals(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(PlanningError) as excinfo:
        cascade(D(120), MONTHS_FY2026, **kwargs)  # type: ignore[arg-type]
    assert excinfo.value.code == code


def test_total_must_be_a_multiple_of_the_quantum() -> None:
    with pytest.raises(PlanningError) as excinfo:
        cascade(D("100.5"), MONTHS_FY2026, "even")
    assert excinfo.value.code == "total_not_multiple_of_quantum"


def test_no_periods() -> None:
    with pytest.raises(PlanningError) as excinfo:
        cascade(D(1), [], "even")
    assert excinfo.value.code == "no_periods"


def test_subdivide_refuses_children_outside_the_parent() -> None:
    april = Allocation(MONTHS_FY2026[0], D(10), D(1))
    with pytest.raises(PlanningError) as excinfo:
        subdivide(april, MONTHS_FY2026[:2], "even")
    assert excinfo.value.code == "child_outside_parent"


# --------------------------------------------------------------------------------------------------
# Hierarchies
# --------------------------------------------------------------------------------------------------


def test_annual_to_quarters_to_months() -> None:
    # Quarters by working days: Q1 61, Q2 61, Q3 60, Q4 59 (241).  160 * q / 241 = 40 r120, 40 r120,
    # 39 r201, 39 r41 (remainders in 241ths): floors sum to 158, the 2 left go to Q3 (201) and then to
    # the earlier of the tied Q1/Q2, i.e. Q1: 41 40 40 39.
    quarters = cascade_to_quarters(D(160), 2026, "working_days")
    assert [q.weight for q in quarters] == [D(61), D(61), D(60), D(59)]
    assert _values(quarters) == [D(41), D(40), D(40), D(39)]
    assert _total(quarters) == D(160)
    for quarter in quarters:
        assert len(quarter.children) == 3
        assert _total(quarter.children) == quarter.value
        assert all(m.period.kind is PeriodKind.MONTH for m in quarter.children)
    # Q1 = 41 over Apr 21, May 18, Jun 22 (61): 14.11, 12.10, 14.79 -> 14 12 14 (40), +1 June.
    assert _values(list(quarters[0].children)) == [D(14), D(12), D(15)]


def test_quarters_with_monthly_weights() -> None:
    weights = [D(0)] * 3 + [D(1)] * 9  # nothing planned in Q1
    quarters = cascade_to_quarters(D(90), 2026, "weights", weights=weights)
    assert _values(quarters) == [D(0), D(30), D(30), D(30)]
    assert _values(list(quarters[0].children)) == [D(0)] * 3
    assert _values(list(quarters[1].children)) == [D(10)] * 3


def test_month_to_weeks_across_golden_week() -> None:
    # May 2026 target 180 over its week parts: 1-3 May (1 working day: Fri 1), 4-10 (2: Thu 7, Fri 8),
    # 11-17 (5), 18-24 (5), 25-31 (5) = 18 days -> exactly 10, 20, 50, 50, 50.
    may = Allocation(MONTHS_FY2026[1], D(180), D(18))
    with_weeks = cascade_month_to_weeks(may)
    assert [en(w.period.label) for w in with_weeks.children] == [
        "2026-W18",
        "2026-W19",
        "2026-W20",
        "2026-W21",
        "2026-W22",
    ]
    first = with_weeks.children[0].period
    assert (first.start, first.end) == (date(2026, 5, 1), date(2026, 5, 3))
    assert [w.weight for w in with_weeks.children] == [D(1), D(2), D(5), D(5), D(5)]
    assert _values(list(with_weeks.children)) == [D(10), D(20), D(50), D(50), D(50)]


def test_fiscal_year_plan_sums_exactly_at_every_level_and_weeks_join_up() -> None:
    plan = cascade_fiscal_year(D(160), 2026, "working_days")
    assert plan.value == D(160)
    assert en(plan.period.label) == "FY2026"
    assert _total(plan.children) == plan.value
    for month in plan.children:
        assert _total(month.children) == month.value

    weeks = weekly_targets(plan)
    fy_weeks = periods_in(2026, 4, "week")
    assert [(w.period.start, w.period.end, en(w.period.label)) for w in weeks] == [
        (p.start, p.end, en(p.label)) for p in fy_weeks
    ]
    assert _total(weeks) == D(160)

    # W18 (27 Apr - 3 May) straddles April and May: 3 working days in April (27, 28, 30) and 1 in
    # May (Fri 1).  April 14 over 21 days: its W18 part gets 14 * 3 / 21 = 2 exactly; May 12 over 18
    # days: its W18 part gets 12 / 18 = 0.67 -> 1 (largest remainder).  The joined week is 3.
    w18 = next(w for w in weeks if en(w.period.label) == "2026-W18")
    assert (w18.period.start, w18.period.end) == (date(2026, 4, 27), date(2026, 5, 3))
    assert [part.value for part in w18.children] == [D(2), D(1)]
    assert w18.value == D(3)
    assert w18.weight == D(4)


def test_fiscal_year_plan_via_quarters() -> None:
    plan = cascade_fiscal_year(D(100_000_000), 2026, "even", via_quarters=True, week_mode="even")
    assert [q.period.kind for q in plan.children] == [PeriodKind.QUARTER] * 4
    assert _values(list(plan.children)) == [D(25_000_000)] * 4
    for quarter in plan.children:
        assert _total(quarter.children) == quarter.value
        for month in quarter.children:
            assert _total(month.children) == month.value
    assert _total(weekly_targets(plan)) == D(100_000_000)


def test_a_week_without_working_days_gets_nothing() -> None:
    # January 2027: 1-3 Jan is closure + weekend (0 working days).
    january = next(m for m in MONTHS_FY2026 if en(m.label) == "Jan 2027")
    assert working_days_in(january) == 19
    weeks = cascade_month_to_weeks(Allocation(january, D(19), D(19))).children
    assert (weeks[0].period.start, weeks[0].period.end, weeks[0].value) == (
        date(2027, 1, 1),
        date(2027, 1, 3),
        0,
    )
    assert _total(weeks) == D(19)


def test_all_zero_working_days_falls_back_to_calendar_days() -> None:
    closure = [Period("week", date(2026, 12, 29), date(2026, 12, 31))]
    closure.append(Period("week", date(2027, 1, 1), date(2027, 1, 3)))
    allocations = cascade(D(6), closure, "working_days")
    assert [a.weight for a in allocations] == [D(3), D(3)]
    assert _values(allocations) == [D(3), D(3)]


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

QUANTA = [D(1), D("0.1"), D("0.01"), D(1000)]


@st.composite
def cascade_inputs(draw: st.DrawFn) -> tuple[Decimal, Decimal, list[Decimal]]:
    quantum = draw(st.sampled_from(QUANTA))
    units = draw(st.integers(min_value=-(10**12), max_value=10**12))
    n = draw(st.integers(min_value=1, max_value=60))
    weights = draw(
        st.lists(
            st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
            min_size=n,
            max_size=n,
        ).filter(lambda ws: any(w > 0 for w in ws))
    )
    return units * quantum, quantum, weights


@settings(max_examples=300, deadline=None, database=None)
@given(cascade_inputs())
def test_weighted_cascade_always_sums_exactly(args: tuple[Decimal, Decimal, list[Decimal]]) -> None:
    total, quantum, weights = args
    periods = _days(len(weights))
    allocations = cascade(total, periods, "weights", weights=weights, quantum=quantum)
    values = _values(allocations)
    assert sum(values, D(0)) == total
    assert [a.period for a in allocations] == periods
    weight_sum = sum((Fraction(w) for w in weights), Fraction(0))
    for value, weight in zip(values, weights, strict=True):
        assert Fraction(value) % Fraction(quantum) == 0  # whole quanta
        quota = Fraction(total) * Fraction(weight) / weight_sum
        assert abs(Fraction(value) - quota) < Fraction(quantum)  # floor or ceiling of the quota
        if weight == 0:
            assert value == 0
        if total >= 0:
            assert value >= 0
        else:
            assert value <= 0


@settings(max_examples=200, deadline=None, database=None)
@given(
    units=st.integers(min_value=-(10**9), max_value=10**9),
    n=st.integers(min_value=1, max_value=60),
)
def test_even_cascade_sums_exactly_and_extra_units_go_to_the_earliest(units: int, n: int) -> None:
    values = _values(cascade(D(units), _days(n), "even"))
    assert sum(values, D(0)) == D(units)
    magnitudes = [abs(v) for v in values]
    assert magnitudes == sorted(magnitudes, reverse=True)  # earlier periods never get less
    assert max(magnitudes) - min(magnitudes) <= 1


@settings(max_examples=60, deadline=None, database=None)
@given(
    units=st.integers(min_value=0, max_value=10**10),
    month_index=st.integers(min_value=0, max_value=11),
    mode=st.sampled_from(["even", "working_days"]),
)
def test_months_to_weeks_sum_exactly_within_each_month(units: int, month_index: int, mode: str) -> None:
    month = cascade_to_months(D(units), 2026, mode)[month_index]
    with_weeks = cascade_month_to_weeks(month)
    assert _total(with_weeks.children) == month.value


@settings(max_examples=100, deadline=None, database=None)
@given(
    units=st.integers(min_value=-(10**6), max_value=10**6),
    weights=st.lists(st.integers(min_value=0, max_value=50), min_size=5, max_size=5).filter(any),
)
def test_apportion_is_sign_symmetric(units: int, weights: list[int]) -> None:
    assert apportion(D(-units), weights) == [-v for v in apportion(D(units), weights)]
