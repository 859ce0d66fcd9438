"""Expected value to date, pace status and run-rate projection (kpi.planning.pacing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kpi.planning.calendar import Period, PlanningError, period_containing
from kpi.planning.pacing import (
    Basis,
    PaceStatus,
    evaluate_pace,
    expected_to_date,
    pace_status,
    period_progress,
    projected_end_of_period,
)
from tests.kpi.rendering import ja

D = Decimal
MAY_2026 = period_containing(date(2026, 5, 15), "month")  # 18 working days (GW: 4, 5, 6 May)


# --------------------------------------------------------------------------------------------------
# Expected to date
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 4, 30), D(0)),  # before the period
        (date(2026, 5, 1), D(10)),  # Fri 1 May: 1 of 18 working days
        (date(2026, 5, 3), D(10)),  # weekend: still 1
        (date(2026, 5, 6), D(10)),  # Golden Week holidays 4-6 May: still 1
        (date(2026, 5, 7), D(20)),  # Thu 7 May, first day back: 2 of 18 -> 180 * 2 / 18
        (date(2026, 5, 8), D(30)),
        (date(2026, 5, 15), D(80)),  # 1, 7, 8, 11-15 = 8 days
        (date(2026, 5, 29), D(180)),  # last working day: 18 of 18
        (date(2026, 5, 31), D(180)),
        (date(2026, 6, 10), D(180)),  # after the period: the full target
    ],
)
def test_monthly_target_across_golden_week(as_of: date, expected: Decimal) -> None:
    assert expected_to_date(D(180), MAY_2026, as_of) == expected


def test_calendar_day_basis() -> None:
    # 7 of 31 calendar days: 180 * 7 / 31 = 40.645...
    value = expected_to_date(D(180), MAY_2026, date(2026, 5, 7), basis="calendar_days")
    assert value.quantize(D("0.01")) == D("40.65")
    assert value == D(1260) / D(31)


def test_progress_reports_the_basis_used() -> None:
    progress = period_progress(MAY_2026, date(2026, 5, 7))
    assert (progress.elapsed, progress.total, progress.basis) == (2, 18, Basis.WORKING_DAYS)
    assert progress.fraction == D(2) / D(18)


def test_week_without_working_days_falls_back_to_calendar_days() -> None:
    # ISO 2026-W01: Mon 29 Dec 2025 - Sun 4 Jan 2026, closed or weekend every day.
    week = period_containing(date(2026, 1, 1), "week")
    progress = period_progress(week, date(2025, 12, 31))
    assert (progress.elapsed, progress.total, progress.basis) == (3, 7, Basis.CALENDAR_DAYS)
    assert expected_to_date(D(70), week, date(2025, 12, 31)) == D(30)
    # With the closure turned off the week has 4 working days (29, 30, 31 Dec, Fri 2 Jan).
    assert expected_to_date(D(70), week, date(2025, 12, 31), year_end_closure=False) == D("52.5")


def test_golden_week_closed_by_the_company_falls_back_to_calendar_days() -> None:
    week = period_containing(date(2026, 5, 7), "week")  # Mon 4 - Sun 10 May: only 7 and 8 work
    assert expected_to_date(D(70), week, date(2026, 5, 7)) == D(35)  # 1 of 2 working days
    closed = frozenset({date(2026, 5, 7), date(2026, 5, 8)})
    assert expected_to_date(D(70), week, date(2026, 5, 6), extra_holidays=closed) == D(30)  # 3 of 7


def test_ratio_kpis_are_not_pro_rated() -> None:
    assert expected_to_date(D("25.0"), MAY_2026, date(2026, 5, 7), aggregation="ratio") == D("25.0")
    assert expected_to_date(D("25.0"), MAY_2026, date(2026, 4, 1), aggregation="ratio") == D("25.0")


def test_invalid_basis_and_aggregation() -> None:
    with pytest.raises(PlanningError) as excinfo:
        expected_to_date(D(1), MAY_2026, date(2026, 5, 7), basis="hours")
    assert excinfo.value.code == "invalid_basis"
    with pytest.raises(PlanningError) as excinfo:
        expected_to_date(D(1), MAY_2026, date(2026, 5, 7), aggregation="avg")
    assert excinfo.value.code == "invalid_aggregation"


# --------------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (D(120), PaceStatus.ON_TRACK),
        (D(100), PaceStatus.ON_TRACK),
        (D(90), PaceStatus.ON_TRACK),  # exactly 0.9: the better status
        (D("89.99"), PaceStatus.AT_RISK),
        (D(70), PaceStatus.AT_RISK),  # exactly 0.7: the better status
        (D("69.99"), PaceStatus.BEHIND),
        (D(0), PaceStatus.BEHIND),
        (D(-5), PaceStatus.BEHIND),
    ],
)
def test_higher_is_better_threshold_edges(actual: Decimal, status: PaceStatus) -> None:
    result = pace_status(actual, D(100))
    assert result.status is status
    assert result.attainment == actual / D(100)
    assert result.gap == actual - D(100)


@pytest.mark.parametrize(
    ("actual", "expected", "status", "attainment"),
    [
        (D(80), D(100), PaceStatus.ON_TRACK, D("1.25")),  # under budget
        (D(100), D(90), PaceStatus.ON_TRACK, D("0.9")),  # 90 / 100: edge
        (D(100), D("89.9"), PaceStatus.AT_RISK, D("0.899")),
        (D(100), D(70), PaceStatus.AT_RISK, D("0.7")),  # edge
        (D(100), D("69.9"), PaceStatus.BEHIND, D("0.699")),
        (D(150), D(100), PaceStatus.BEHIND, D(100) / D(150)),  # 50% over budget
    ],
)
def test_lower_is_better_is_behind_when_actual_is_above_expected(
    actual: Decimal, expected: Decimal, status: PaceStatus, attainment: Decimal
) -> None:
    result = pace_status(actual, expected, direction="lower_is_better")
    assert result.status is status
    assert result.attainment == attainment
    assert result.gap == actual - expected


def test_same_numbers_opposite_directions() -> None:
    assert pace_status(D(150), D(100)).status is PaceStatus.ON_TRACK
    assert pace_status(D(150), D(100), direction="lower_is_better").status is PaceStatus.BEHIND
    assert pace_status(D(50), D(100)).status is PaceStatus.BEHIND
    assert pace_status(D(50), D(100), direction="lower_is_better").status is PaceStatus.ON_TRACK


@pytest.mark.parametrize(
    ("actual", "expected", "direction", "status"),
    [
        (D(0), D(0), "higher_is_better", PaceStatus.ON_TRACK),  # nothing expected yet, nothing done
        (D(3), D(0), "higher_is_better", PaceStatus.ON_TRACK),  # ahead before the period
        (D(-1), D(0), "higher_is_better", PaceStatus.BEHIND),
        (D(0), D(0), "lower_is_better", PaceStatus.ON_TRACK),
        (D(0), D(50), "lower_is_better", PaceStatus.ON_TRACK),  # nothing spent yet
        (D(-10), D(-5), "higher_is_better", PaceStatus.BEHIND),  # negative plan: compare directly
        (D(-10), D(-5), "lower_is_better", PaceStatus.ON_TRACK),
    ],
)
def test_undefined_ratio_compares_directly_without_dividing(
    actual: Decimal, expected: Decimal, direction: str, status: PaceStatus
) -> None:
    result = pace_status(actual, expected, direction=direction)
    assert result.status is status
    assert result.attainment is None
    assert result.gap == actual - expected


def test_spending_on_a_zero_budget_is_behind() -> None:
    # lower_is_better divides by the actual: 0 / 5 = 0 attainment.
    result = pace_status(D(5), D(0), direction="lower_is_better")
    assert (result.status, result.attainment, result.gap) == (PaceStatus.BEHIND, D(0), D(5))


def test_no_data() -> None:
    result = pace_status(None, D(100))
    assert result.status is PaceStatus.NO_DATA
    assert (result.actual, result.expected, result.attainment, result.gap) == (None, D(100), None, None)
    assert pace_status(D(5), None).status is PaceStatus.NO_DATA
    assert pace_status(None, None, direction="lower_is_better").status is PaceStatus.NO_DATA


def test_custom_thresholds() -> None:
    strict = {"at_risk_threshold": D(1), "behind_threshold": D("0.5")}
    assert pace_status(D(100), D(100), **strict).status is PaceStatus.ON_TRACK
    assert pace_status(D(99), D(100), **strict).status is PaceStatus.AT_RISK
    assert pace_status(D(50), D(100), **strict).status is PaceStatus.AT_RISK
    assert pace_status(D(49), D(100), **strict).status is PaceStatus.BEHIND


@pytest.mark.parametrize(
    ("at_risk", "behind"),
    [
        (D("0.9"), D("0.9")),  # behind must be strictly below at_risk
        (D("0.7"), D("0.9")),
        (D("0.9"), D(0)),
        (D("1.1"), D("0.7")),
        (D("0.9"), D("-0.1")),
    ],
)
def test_invalid_thresholds(at_risk: Decimal, behind: Decimal) -> None:
    with pytest.raises(PlanningError) as excinfo:
        pace_status(D(1), D(1), at_risk_threshold=at_risk, behind_threshold=behind)
    assert excinfo.value.code == "invalid_thresholds"
    assert ja(excinfo.value.message)


def test_invalid_direction() -> None:
    with pytest.raises(PlanningError) as excinfo:
        pace_status(D(1), D(1), direction="sideways")
    assert excinfo.value.code == "invalid_direction"


# --------------------------------------------------------------------------------------------------
# Combined evaluation and projection
# --------------------------------------------------------------------------------------------------


def test_appointments_on_7_may_after_golden_week() -> None:
    # 180 appointments for May; on Thu 7 May two of 18 working days have passed: 20 expected.
    on_track = evaluate_pace(D(180), D(18), MAY_2026, date(2026, 5, 7))
    assert (on_track.status, on_track.expected, on_track.attainment) == (PaceStatus.ON_TRACK, D(20), D("0.9"))
    at_risk = evaluate_pace(D(180), D(17), MAY_2026, date(2026, 5, 7))
    assert (at_risk.status, at_risk.gap) == (PaceStatus.AT_RISK, D(-3))
    # Pro-rated by calendar days the same 18 looks far behind (18 / 40.65 = 0.44): the reason the
    # working-day basis is the default.
    naive = evaluate_pace(D(180), D(18), MAY_2026, date(2026, 5, 7), basis="calendar_days")
    assert naive.status is PaceStatus.BEHIND


def test_cost_kpi_pacing() -> None:
    # 1,800,000 JPY monthly ad budget, lower is better: 200,000 expected by 7 May.
    kwargs = {"direction": "lower_is_better"}
    assert evaluate_pace(D(1_800_000), D(150_000), MAY_2026, date(2026, 5, 7), **kwargs).status == "on_track"
    result = evaluate_pace(D(1_800_000), D(250_000), MAY_2026, date(2026, 5, 7), **kwargs)
    assert (result.status, result.attainment) == (PaceStatus.AT_RISK, D("0.8"))
    assert evaluate_pace(D(1_800_000), D(300_000), MAY_2026, date(2026, 5, 7), **kwargs).status == "behind"


def test_ratio_kpi_compares_the_rate_directly() -> None:
    # Win rate target 25%; current 22% -> 0.88 attainment whatever the day of the month.
    early = evaluate_pace(D(25), D(22), MAY_2026, date(2026, 5, 1), aggregation="ratio")
    late = evaluate_pace(D(25), D(22), MAY_2026, date(2026, 5, 29), aggregation="ratio")
    assert early == late
    assert (early.status, early.expected, early.attainment) == (PaceStatus.AT_RISK, D(25), D("0.88"))


def test_evaluate_with_no_actual() -> None:
    assert evaluate_pace(D(180), None, MAY_2026, date(2026, 5, 7)).status is PaceStatus.NO_DATA


@pytest.mark.parametrize(
    ("actual", "as_of", "projection"),
    [
        (D(25), date(2026, 5, 7), D(225)),  # 25 in 2 of 18 working days
        (D(12), date(2026, 5, 6), D(216)),  # 12 on Fri 1 May, nothing since (holidays)
        (D(90), date(2026, 5, 15), D("202.5")),  # 90 in 8 of 18
        (D(170), date(2026, 5, 31), D(170)),  # period over: the actual is final
        (D(170), date(2026, 6, 3), D(170)),
    ],
)
def test_projection_by_working_days(actual: Decimal, as_of: date, projection: Decimal) -> None:
    assert projected_end_of_period(actual, MAY_2026, as_of) == projection


def test_projection_with_nothing_elapsed_is_none() -> None:
    assert projected_end_of_period(D(0), MAY_2026, date(2026, 4, 30)) is None
    # August 2026 starts on a Saturday: on Sun 2 Aug no working day has passed yet.
    august = period_containing(date(2026, 8, 15), "month")
    assert projected_end_of_period(D(3), august, date(2026, 8, 2)) is None
    assert projected_end_of_period(D(3), august, date(2026, 8, 3)) == D(60)  # 1 of 20 working days


def test_projection_of_a_rate_is_the_current_rate() -> None:
    assert projected_end_of_period(D("22.5"), MAY_2026, date(2026, 5, 7), aggregation="ratio") == D("22.5")


def test_projection_on_calendar_days() -> None:
    period = Period("week", date(2026, 5, 4), date(2026, 5, 10))
    assert projected_end_of_period(D(6), period, date(2026, 5, 6), basis="calendar_days") == D(14)
