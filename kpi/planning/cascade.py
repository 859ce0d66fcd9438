"""Cascading a target (年間目標の月次・週次への按分) so that the parts always sum back exactly.

Rounding
    Values are apportioned with the largest-remainder (Hamilton) method in whole multiples of a
    ``quantum`` (1 for counts and JPY, 0.1 or 0.01 for fractional amounts): every period first gets
    the floor of its exact quota, and the units still missing go one each to the periods with the
    largest fractional remainders; ties go to the earlier period.  The quotas are computed with exact
    fractions, so the result never depends on floating-point or Decimal-context rounding, and the
    parts always add up to the total.  100,000,000 JPY over 12 months gives 8,333,334 to the first
    four months and 8,333,333 to the other eight.

Modes
    ``even`` (equal shares), ``working_days`` (proportional to the working days of each period, see
    :mod:`kpi.planning.calendar`; if *none* of the periods has a working day the calendar days are
    used instead) and ``weights`` (consultant-given seasonality weights: non-negative, not all zero,
    one per period).

Ratios are not additive
    A rate (受注率, 商談化率, ...) of 25% for the year is not twelve monthly rates that sum to 25%:
    :func:`cascade` refuses the non-additive unit kinds and :func:`cascade_ratio` copies the rate to
    every period instead.

Negative totals
    Supported (a cost-reduction or a net-decrease target): the magnitude is apportioned and the sign
    applied to every part, so ``cascade(-t)`` is exactly the negation of ``cascade(t)``.

Months to weeks
    Each month's target is cascaded to the ISO weeks *clipped to that month* (by working days by
    default).  A week that straddles two months therefore gets one part from each month, and every
    month's week parts sum exactly to the month.  :func:`weekly_targets` joins the parts back into
    whole weeks (clipped to the fiscal year, the same spans as ``periods_in(fy, start_month, "week")``)
    for the weekly review; the joined weeks sum exactly to the fiscal-year total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

from core.messages import Message
from kpi.params import Nested
from kpi.planning.calendar import (
    DEFAULT_FISCAL_YEAR_START_MONTH,
    NO_EXTRA_HOLIDAYS,
    Period,
    PeriodKind,
    PlanningError,
    periods_in,
    weeks_between,
    working_days_in,
)

__all__ = [
    "NON_ADDITIVE_UNIT_KINDS",
    "Allocation",
    "CascadeMode",
    "apportion",
    "cascade",
    "cascade_fiscal_year",
    "cascade_month_to_weeks",
    "cascade_ratio",
    "cascade_to_months",
    "cascade_to_quarters",
    "subdivide",
    "weekly_targets",
]

NON_ADDITIVE_UNIT_KINDS: Final[frozenset[str]] = frozenset({"ratio", "percent"})
"""Unit kinds whose values cannot be split by summing; :func:`cascade` refuses them."""

_ONE: Final[Decimal] = Decimal(1)


def _refuse(code: str, **params: Any) -> PlanningError:
    return PlanningError(code, Message(f"kpi.cascade.{code}", params))


class CascadeMode(StrEnum):
    EVEN = "even"
    WORKING_DAYS = "working_days"
    WEIGHTS = "weights"


@dataclass(frozen=True, slots=True)
class Allocation:
    """The part of a target assigned to ``period``.

    ``weight`` is the basis the share was computed from: 1 for ``even``, the period's working days
    (or calendar days on the all-zero fallback) for ``working_days``, the consultant's weight for
    ``weights``.  ``children`` (possibly empty) are the finer allocations, which sum exactly to
    ``value``.
    """

    period: Period
    value: Decimal
    weight: Decimal
    children: tuple[Allocation, ...] = ()


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------


def _require_finite_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _refuse("invalid_number", name=name, value=repr(value))
    number = Decimal(value)
    if not number.is_finite():
        raise PlanningError(
            "invalid_number", Message("kpi.cascade.not_finite", {"name": name, "value": repr(value)})
        )
    return number


def _check_quantum(quantum: Decimal) -> Decimal:
    quantum = _require_finite_decimal(quantum, "quantum")
    if quantum <= 0:
        raise _refuse("invalid_quantum", quantum=quantum)
    return quantum


def _check_additive(unit_kind: str) -> None:
    if unit_kind in NON_ADDITIVE_UNIT_KINDS:
        raise _refuse("ratio_not_additive", unit_kind=unit_kind)


def _coerce_mode(mode: CascadeMode | str) -> CascadeMode:
    try:
        return CascadeMode(mode)
    except ValueError:
        allowed = [m.value for m in CascadeMode]
        raise _refuse("invalid_cascade_mode", value=repr(mode), allowed=allowed) from None


def _check_periods(periods: Sequence[Period]) -> None:
    if len(periods) == 0:
        raise _refuse("no_periods")


def _check_weights(weights: Sequence[Decimal | int], expected_length: int) -> list[Decimal]:
    if len(weights) != expected_length:
        raise _refuse("weights_length_mismatch", given=len(weights), expected=expected_length)
    checked: list[Decimal] = []
    for position, weight in enumerate(weights, start=1):
        number = _require_finite_decimal(weight, f"weights[{position}]")
        if number < 0:
            raise _refuse("negative_weight", position=position, value=number)
        checked.append(number)
    if all(w == 0 for w in checked):
        raise _refuse("weights_all_zero")
    return checked


# --------------------------------------------------------------------------------------------------
# Largest-remainder apportionment
# --------------------------------------------------------------------------------------------------


def apportion(total: Decimal, weights: Sequence[Decimal | int], *, quantum: Decimal = _ONE) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` into multiples of ``quantum`` (Hamilton method).

    The parts sum exactly to ``total``; each part is the floor or the ceiling (in quanta) of its exact
    quota; a zero weight always gets zero; ties in the remainders go to the earlier position.
    ``total`` must itself be a multiple of ``quantum``.  A negative total is apportioned by its
    magnitude and every part negated.
    """
    total = _require_finite_decimal(total, "total")
    quantum = _check_quantum(quantum)
    if len(weights) == 0:
        raise PlanningError("no_periods", Message("kpi.cascade.nothing_to_apportion"))
    checked = _check_weights(weights, len(weights))

    units_exact = Fraction(total) / Fraction(quantum)
    if units_exact.denominator != 1:
        raise _refuse("total_not_multiple_of_quantum", total=total, quantum=quantum)
    units = int(units_exact)
    sign = -1 if units < 0 else 1
    units = abs(units)

    fractions = [Fraction(w) for w in checked]
    weight_sum = sum(fractions, Fraction(0))
    quotas = [units * w / weight_sum for w in fractions]
    parts = [q.numerator // q.denominator for q in quotas]  # floor (quotas are non-negative)
    missing = units - sum(parts)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in by_remainder[:missing]:
        parts[i] += 1
    return [Decimal(sign * part) * quantum for part in parts]


# --------------------------------------------------------------------------------------------------
# Cascades
# --------------------------------------------------------------------------------------------------


def _basis_weights(
    periods: Sequence[Period],
    mode: CascadeMode,
    weights: Sequence[Decimal | int] | None,
    extra_holidays: AbstractSet[date],
    year_end_closure: bool,
) -> list[Decimal]:
    if mode is not CascadeMode.WEIGHTS and weights is not None:
        raise _refuse("unexpected_weights", mode=mode.value)
    if mode is CascadeMode.EVEN:
        return [_ONE] * len(periods)
    if mode is CascadeMode.WORKING_DAYS:
        days = [
            working_days_in(p, extra_holidays=extra_holidays, year_end_closure=year_end_closure)
            for p in periods
        ]
        if sum(days) == 0:  # no working day anywhere: fall back to calendar days
            days = [p.days for p in periods]
        return [Decimal(d) for d in days]
    if weights is None:
        raise _refuse("weights_required")
    return _check_weights(weights, len(periods))


def cascade(
    total: Decimal,
    periods: Sequence[Period],
    mode: CascadeMode | str,
    *,
    weights: Sequence[Decimal | int] | None = None,
    quantum: Decimal = _ONE,
    unit_kind: str = "count",
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> list[Allocation]:
    """Split ``total`` over ``periods``; the allocation values always sum exactly to ``total``.

    ``unit_kind`` in :data:`NON_ADDITIVE_UNIT_KINDS` (``"ratio"``, ``"percent"``) is refused with
    code ``ratio_not_additive``.  ``extra_holidays``/``year_end_closure`` matter for ``working_days``.
    """
    _check_additive(unit_kind)
    mode = _coerce_mode(mode)
    _check_periods(periods)
    basis = _basis_weights(periods, mode, weights, extra_holidays, year_end_closure)
    values = apportion(total, basis, quantum=quantum)
    return [Allocation(period=p, value=v, weight=w) for p, v, w in zip(periods, values, basis, strict=True)]


def cascade_ratio(rate: Decimal, periods: Sequence[Period]) -> list[Allocation]:
    """Give every period the same target rate (rates are not additive, so nothing is split)."""
    rate = _require_finite_decimal(rate, "rate")
    _check_periods(periods)
    return [Allocation(period=p, value=rate, weight=_ONE) for p in periods]


def subdivide(
    parent: Allocation,
    child_periods: Sequence[Period],
    mode: CascadeMode | str,
    *,
    weights: Sequence[Decimal | int] | None = None,
    quantum: Decimal = _ONE,
    unit_kind: str = "count",
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> Allocation:
    """``parent`` with its value cascaded to ``child_periods`` (which must lie inside its period)."""
    for child in child_periods:
        if child.start < parent.period.start or child.end > parent.period.end:
            raise _refuse(
                "child_outside_parent", child=Nested(child.label), parent=Nested(parent.period.label)
            )
    children = cascade(
        parent.value,
        child_periods,
        mode,
        weights=weights,
        quantum=quantum,
        unit_kind=unit_kind,
        extra_holidays=extra_holidays,
        year_end_closure=year_end_closure,
    )
    return replace(parent, children=tuple(children))


def cascade_to_months(
    total: Decimal,
    fy: int,
    mode: CascadeMode | str,
    *,
    start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH,
    weights: Sequence[Decimal | int] | None = None,
    quantum: Decimal = _ONE,
    unit_kind: str = "count",
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> list[Allocation]:
    """Annual target -> the 12 months of fiscal year ``fy`` (``weights``: 12 monthly weights)."""
    return cascade(
        total,
        periods_in(fy, start_month, PeriodKind.MONTH),
        mode,
        weights=weights,
        quantum=quantum,
        unit_kind=unit_kind,
        extra_holidays=extra_holidays,
        year_end_closure=year_end_closure,
    )


def cascade_to_quarters(
    total: Decimal,
    fy: int,
    mode: CascadeMode | str,
    *,
    start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH,
    weights: Sequence[Decimal | int] | None = None,
    quantum: Decimal = _ONE,
    unit_kind: str = "count",
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> list[Allocation]:
    """Annual target -> 4 quarters -> 3 months each (the months are the quarters' ``children``).

    The same mode applies at both levels.  With ``weights`` give the 12 *monthly* weights: a quarter's
    weight is the sum of its months' weights and its months are weighted by their own weights (a
    quarter whose months all weigh 0 gets 0 and so do its months).
    """
    _check_additive(unit_kind)
    mode = _coerce_mode(mode)
    quarters = periods_in(fy, start_month, PeriodKind.QUARTER)
    months = periods_in(fy, start_month, PeriodKind.MONTH)
    month_weights: list[Decimal] | None = None
    quarter_weights: list[Decimal] | None = None
    if mode is CascadeMode.WEIGHTS:
        if weights is None:
            raise PlanningError("weights_required", Message("kpi.cascade.monthly_weights_required"))
        month_weights = _check_weights(weights, len(months))
        quarter_weights = [sum(month_weights[3 * q : 3 * q + 3], Decimal(0)) for q in range(4)]
    elif weights is not None:
        _basis_weights(months, mode, weights, extra_holidays, year_end_closure)  # raises unexpected_weights

    top = cascade(
        total,
        quarters,
        mode,
        weights=quarter_weights,
        quantum=quantum,
        unit_kind=unit_kind,
        extra_holidays=extra_holidays,
        year_end_closure=year_end_closure,
    )
    result: list[Allocation] = []
    for q, quarter in enumerate(top):
        quarter_months = months[3 * q : 3 * q + 3]
        child_weights = None if month_weights is None else month_weights[3 * q : 3 * q + 3]
        if child_weights is not None and all(w == 0 for w in child_weights):
            zero = Decimal(0) * quantum
            children = tuple(Allocation(period=m, value=zero, weight=Decimal(0)) for m in quarter_months)
            result.append(replace(quarter, children=children))
            continue
        result.append(
            subdivide(
                quarter,
                quarter_months,
                mode,
                weights=child_weights,
                quantum=quantum,
                unit_kind=unit_kind,
                extra_holidays=extra_holidays,
                year_end_closure=year_end_closure,
            )
        )
    return result


def cascade_month_to_weeks(
    month: Allocation,
    mode: CascadeMode | str = CascadeMode.WORKING_DAYS,
    *,
    weights: Sequence[Decimal | int] | None = None,
    quantum: Decimal = _ONE,
    unit_kind: str = "count",
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> Allocation:
    """A month allocation with its value cascaded to the ISO weeks clipped to the month.

    Default mode ``working_days``: a 2-day stub week at the end of the month gets a 2-day share, not a
    full week's.  The week parts keep the ISO label of the whole week; join them with
    :func:`weekly_targets`.
    """
    weeks = weeks_between(month.period.start, month.period.end, fiscal_year=month.period.fiscal_year)
    return subdivide(
        month,
        weeks,
        mode,
        weights=weights,
        quantum=quantum,
        unit_kind=unit_kind,
        extra_holidays=extra_holidays,
        year_end_closure=year_end_closure,
    )


def cascade_fiscal_year(
    total: Decimal,
    fy: int,
    mode: CascadeMode | str,
    *,
    start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH,
    weights: Sequence[Decimal | int] | None = None,
    via_quarters: bool = False,
    week_mode: CascadeMode | str = CascadeMode.WORKING_DAYS,
    quantum: Decimal = _ONE,
    unit_kind: str = "count",
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> Allocation:
    """The whole plan as a tree: FY -> (quarters ->) months -> week parts.

    ``mode``/``weights`` (12 monthly weights) shape the months; ``week_mode`` (``even`` or
    ``working_days``) splits each month over its week parts.  Every node's children sum exactly to it.
    """
    fy_period = periods_in(fy, start_month, PeriodKind.FISCAL_YEAR)[0]

    def to_weeks(month: Allocation) -> Allocation:
        return cascade_month_to_weeks(
            month,
            week_mode,
            quantum=quantum,
            unit_kind=unit_kind,
            extra_holidays=extra_holidays,
            year_end_closure=year_end_closure,
        )

    children: tuple[Allocation, ...]
    if via_quarters:
        quarters = cascade_to_quarters(
            total,
            fy,
            mode,
            start_month=start_month,
            weights=weights,
            quantum=quantum,
            unit_kind=unit_kind,
            extra_holidays=extra_holidays,
            year_end_closure=year_end_closure,
        )
        children = tuple(
            replace(quarter, children=tuple(to_weeks(m) for m in quarter.children)) for quarter in quarters
        )
    else:
        months = cascade_to_months(
            total,
            fy,
            mode,
            start_month=start_month,
            weights=weights,
            quantum=quantum,
            unit_kind=unit_kind,
            extra_holidays=extra_holidays,
            year_end_closure=year_end_closure,
        )
        children = tuple(to_weeks(m) for m in months)
    return Allocation(
        period=fy_period, value=_require_finite_decimal(total, "total"), weight=_ONE, children=children
    )


def _leaves(allocation: Allocation) -> Iterable[Allocation]:
    if not allocation.children:
        yield allocation
        return
    for child in allocation.children:
        yield from _leaves(child)


def weekly_targets(plan: Allocation | Iterable[Allocation]) -> list[Allocation]:
    """Join the week parts of a plan into whole weeks (clipped to the plan), in chronological order.

    Consecutive week allocations with the same ISO label and adjacent dates become one allocation whose
    period spans both parts, whose value and weight are the sums, and whose ``children`` are the parts.
    A week that was not split is returned as it was.  The joined periods have the same start, end and
    label as ``periods_in(fy, start_month, "week")`` but ``index=None``.
    """
    roots = [plan] if isinstance(plan, Allocation) else list(plan)
    parts = [leaf for root in roots for leaf in _leaves(root) if leaf.period.kind is PeriodKind.WEEK]
    groups: list[list[Allocation]] = []
    for part in parts:
        if groups:
            previous = groups[-1][-1]
            if (
                previous.period.label == part.period.label
                and previous.period.end + timedelta(days=1) == part.period.start
            ):
                groups[-1].append(part)
                continue
        groups.append([part])

    weeks: list[Allocation] = []
    for group in groups:
        if len(group) == 1:
            weeks.append(group[0])
            continue
        first, last = group[0].period, group[-1].period
        weeks.append(
            Allocation(
                period=replace(first, end=last.end, index=None),
                value=sum((p.value for p in group[1:]), group[0].value),
                weight=sum((p.weight for p in group[1:]), group[0].weight),
                children=tuple(group),
            )
        )
    return weeks
