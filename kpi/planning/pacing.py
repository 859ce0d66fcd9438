"""Pacing: how much of a period's target should be done by today, and whether the KPI is on track.

Expected to date
    For an additive KPI (``aggregation="sum"``: counts, amounts) the target is pro-rated linearly by
    the working days elapsed in the period, ``as_of`` included, over the working days of the whole
    period (``basis="working_days"``, the default) or by calendar days (``basis="calendar_days"``).
    Before the period starts nothing is expected (0); from its last day on, the full target.  A period
    without a single working day (a week wholly inside the year-end closure, or a Golden-Week week the
    company closes entirely) falls back to calendar days, so the expectation still rises through it.

    For a rate KPI (``aggregation="ratio"``: 受注率, 商談化率) nothing is pro-rated: the expected value
    is the target rate at any date and the current rate is compared with it directly.

Status
    ``attainment`` is ``actual / expected`` for ``higher_is_better`` KPIs and ``expected / actual`` for
    ``lower_is_better`` ones (costs, churn), so 1 or more always means "at or better than pace".
    ``on_track`` when attainment >= ``at_risk_threshold`` (default 0.9), ``at_risk`` when it is >=
    ``behind_threshold`` (default 0.7), otherwise ``behind``; the edges belong to the better status.
    The comparisons are made by cross-multiplication, so no division rounding can move a value across
    a threshold.  When the ratio is undefined because its denominator is zero or negative (expected <= 0
    for ``higher_is_better``, e.g. before the period starts; actual <= 0 for ``lower_is_better``, e.g.
    nothing spent yet) ``attainment`` is ``None`` and the status is ``on_track`` if the actual is at or
    on the good side of the expected value, else ``behind`` (never a division by zero).  A missing
    actual or expected value gives ``no_data``.  ``gap`` is always ``actual - expected`` (raw, not
    direction-adjusted).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeVar

from core.messages import Message
from kpi.planning.calendar import (
    NO_EXTRA_HOLIDAYS,
    Period,
    PlanningError,
    working_days_between,
)

__all__ = [
    "DEFAULT_AT_RISK_THRESHOLD",
    "DEFAULT_BEHIND_THRESHOLD",
    "Aggregation",
    "Basis",
    "Direction",
    "PaceResult",
    "PaceStatus",
    "PeriodProgress",
    "evaluate_pace",
    "expected_to_date",
    "pace_status",
    "period_progress",
    "projected_end_of_period",
]

_E = TypeVar("_E", bound=StrEnum)

DEFAULT_AT_RISK_THRESHOLD: Final[Decimal] = Decimal("0.9")
DEFAULT_BEHIND_THRESHOLD: Final[Decimal] = Decimal("0.7")


class Basis(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Aggregation(StrEnum):
    SUM = "sum"
    RATIO = "ratio"


class PaceStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class PeriodProgress:
    """``elapsed`` of ``total`` days of a period have passed, counted on ``basis``.

    ``basis`` is the basis actually used: ``calendar_days`` when working days were asked for but the
    period has none.  ``total`` is always at least 1.
    """

    elapsed: int
    total: int
    basis: Basis

    @property
    def fraction(self) -> Decimal:
        return Decimal(self.elapsed) / Decimal(self.total)


@dataclass(frozen=True, slots=True)
class PaceResult:
    status: PaceStatus
    actual: Decimal | None
    expected: Decimal | None
    attainment: Decimal | None
    gap: Decimal | None
    direction: Direction


def _coerce(enum: type[_E], value: _E | str, name: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        allowed = [member.value for member in enum]
        params = {"name": name, "value": repr(value), "allowed": allowed}
        raise PlanningError(f"invalid_{name}", Message("kpi.pacing.invalid_choice", params)) from None


def _finite(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise PlanningError(
            "invalid_number", Message("kpi.pacing.not_a_number", {"name": name, "value": repr(value)})
        )
    number = Decimal(value)
    if not number.is_finite():
        raise PlanningError(
            "invalid_number", Message("kpi.pacing.not_finite", {"name": name, "value": repr(value)})
        )
    return number


def period_progress(
    period: Period,
    as_of: date,
    *,
    basis: Basis | str = Basis.WORKING_DAYS,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> PeriodProgress:
    """Days of ``period`` elapsed by ``as_of`` (inclusive) and days in the whole period."""
    basis = _coerce(Basis, basis, "basis")
    last = min(as_of, period.end)
    if basis is Basis.WORKING_DAYS:
        total = working_days_between(
            period.start, period.end, extra_holidays=extra_holidays, year_end_closure=year_end_closure
        )
        if total > 0:
            elapsed = working_days_between(
                period.start, last, extra_holidays=extra_holidays, year_end_closure=year_end_closure
            )
            return PeriodProgress(elapsed=elapsed, total=total, basis=Basis.WORKING_DAYS)
    elapsed = max(0, (last - period.start).days + 1)
    return PeriodProgress(elapsed=elapsed, total=period.days, basis=Basis.CALENDAR_DAYS)


def expected_to_date(
    target: Decimal,
    period: Period,
    as_of: date,
    *,
    basis: Basis | str = Basis.WORKING_DAYS,
    aggregation: Aggregation | str = Aggregation.SUM,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> Decimal:
    """The part of ``target`` due by the end of ``as_of`` (unrounded; quantise for display).

    ``aggregation="ratio"`` returns ``target`` itself: a rate is not pro-rated.
    """
    target = _finite(target, "target")
    if _coerce(Aggregation, aggregation, "aggregation") is Aggregation.RATIO:
        return target
    progress = period_progress(
        period, as_of, basis=basis, extra_holidays=extra_holidays, year_end_closure=year_end_closure
    )
    if progress.elapsed == 0:
        return Decimal(0)
    if progress.elapsed == progress.total:
        return target
    return target * Decimal(progress.elapsed) / Decimal(progress.total)


def _check_thresholds(at_risk: Decimal, behind: Decimal) -> None:
    if not (Decimal(0) < behind < at_risk <= Decimal(1)):
        params = {"behind": behind, "at_risk": at_risk}
        raise PlanningError("invalid_thresholds", Message("kpi.pacing.invalid_thresholds", params))


def pace_status(
    actual: Decimal | None,
    expected: Decimal | None,
    *,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    at_risk_threshold: Decimal = DEFAULT_AT_RISK_THRESHOLD,
    behind_threshold: Decimal = DEFAULT_BEHIND_THRESHOLD,
) -> PaceResult:
    """Classify ``actual`` against ``expected`` (see the module docstring for the rules)."""
    direction = _coerce(Direction, direction, "direction")
    at_risk_threshold = _finite(at_risk_threshold, "at_risk_threshold")
    behind_threshold = _finite(behind_threshold, "behind_threshold")
    _check_thresholds(at_risk_threshold, behind_threshold)
    if actual is None or expected is None:
        return PaceResult(
            status=PaceStatus.NO_DATA,
            actual=None if actual is None else _finite(actual, "actual"),
            expected=None if expected is None else _finite(expected, "expected"),
            attainment=None,
            gap=None,
            direction=direction,
        )
    actual = _finite(actual, "actual")
    expected = _finite(expected, "expected")
    gap = actual - expected

    # ``good`` / ``par``: the attainment ratio is good / par; cross-multiplied against the thresholds.
    higher = direction is Direction.HIGHER_IS_BETTER
    good, par = (actual, expected) if higher else (expected, actual)
    attainment: Decimal | None
    if par > 0:
        attainment = good / par
        if good >= at_risk_threshold * par:
            status = PaceStatus.ON_TRACK
        elif good >= behind_threshold * par:
            status = PaceStatus.AT_RISK
        else:
            status = PaceStatus.BEHIND
    else:
        attainment = None
        favourable = actual >= expected if higher else actual <= expected
        status = PaceStatus.ON_TRACK if favourable else PaceStatus.BEHIND
    return PaceResult(
        status=status, actual=actual, expected=expected, attainment=attainment, gap=gap, direction=direction
    )


def projected_end_of_period(
    actual: Decimal,
    period: Period,
    as_of: date,
    *,
    basis: Basis | str = Basis.WORKING_DAYS,
    aggregation: Aggregation | str = Aggregation.SUM,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> Decimal | None:
    """Run-rate projection of the period's final value: ``actual / elapsed * total`` days.

    Once the period is over the projection is the actual.  ``None`` while no day of the basis has
    elapsed (before the period, or e.g. on the first weekend of a month): there is no rate to project.
    A rate KPI (``aggregation="ratio"``) projects its current rate.
    """
    actual = _finite(actual, "actual")
    if _coerce(Aggregation, aggregation, "aggregation") is Aggregation.RATIO:
        return actual
    progress = period_progress(
        period, as_of, basis=basis, extra_holidays=extra_holidays, year_end_closure=year_end_closure
    )
    if progress.elapsed == progress.total:
        return actual
    if progress.elapsed == 0:
        return None
    return actual * Decimal(progress.total) / Decimal(progress.elapsed)


def evaluate_pace(
    target: Decimal,
    actual: Decimal | None,
    period: Period,
    as_of: date,
    *,
    aggregation: Aggregation | str = Aggregation.SUM,
    direction: Direction | str = Direction.HIGHER_IS_BETTER,
    basis: Basis | str = Basis.WORKING_DAYS,
    at_risk_threshold: Decimal = DEFAULT_AT_RISK_THRESHOLD,
    behind_threshold: Decimal = DEFAULT_BEHIND_THRESHOLD,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> PaceResult:
    """:func:`expected_to_date` then :func:`pace_status`: cumulative actual vs pro-rated target for
    ``sum`` KPIs, current rate vs target rate for ``ratio`` KPIs."""
    expected = expected_to_date(
        target,
        period,
        as_of,
        basis=basis,
        aggregation=aggregation,
        extra_holidays=extra_holidays,
        year_end_closure=year_end_closure,
    )
    return pace_status(
        actual,
        expected,
        direction=direction,
        at_risk_threshold=at_risk_threshold,
        behind_threshold=behind_threshold,
    )
