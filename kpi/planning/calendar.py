"""Fiscal periods and Japanese working days.

Pure Python (no Django): the planning code above the ORM uses these functions to cut a fiscal year into
halves, quarters, months and weeks, and to count the working days (営業日) a target is spread over.

Fiscal-year convention
    A fiscal year is named by the calendar year in which it *starts*: with the Japanese default start
    month of April, FY2026 runs from 2026-04-01 to 2027-03-31 (2026年度).  With start month 1 the fiscal
    year equals the calendar year; with start month 10, FY2026 runs from 2026-10-01 to 2027-09-30.

Period kinds
    ``fiscal_year``, ``half`` (上期/下期), ``quarter``, ``month`` (calendar months inside the FY) and
    ``week``.  Weeks are ISO weeks (Monday to Sunday) labelled with their ISO year and number
    ("2026-W15"); a week that straddles the fiscal-year boundary is clipped to the fiscal year, so the
    first and last week of a FY may be shorter than seven days and the same ISO label can appear, clipped
    differently, in two consecutive fiscal years.

Working days
    A working day is a Monday to Friday that is not a Japanese national holiday (祝日, including
    振替休日 substitute holidays and 国民の休日), not a company-specific extra holiday, and, unless turned
    off, not inside the year-end closure (年末年始休暇, 29 December to 3 January).  The closure is on by
    default because most Japanese companies close over those days although they are not national
    holidays; a workspace whose business runs through the New Year can pass ``year_end_closure=False``.
    National holidays come from the maintained ``holidays`` library and are cached per year.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import holidays

from core.messages import Message

__all__ = [
    "DEFAULT_FISCAL_YEAR_START_MONTH",
    "HOLIDAY_YEARS_SUPPORTED",
    "NO_EXTRA_HOLIDAYS",
    "YEAR_END_CLOSURE_DAYS",
    "Period",
    "PeriodKind",
    "PlanningError",
    "fiscal_year_of",
    "fiscal_year_range",
    "is_national_holiday",
    "is_working_day",
    "is_year_end_closure",
    "japanese_holidays",
    "period_containing",
    "periods_in",
    "weeks_between",
    "working_days_between",
    "working_days_in",
]

# April: the usual Japanese fiscal-year start (4月始まり).
DEFAULT_FISCAL_YEAR_START_MONTH: Final[int] = 4

# (month, day) pairs of the customary year-end/New-Year closure (年末年始休暇), 29 Dec to 3 Jan.
YEAR_END_CLOSURE_DAYS: Final[tuple[tuple[int, int], ...]] = (
    (12, 29),
    (12, 30),
    (12, 31),
    (1, 1),
    (1, 2),
    (1, 3),
)

NO_EXTRA_HOLIDAYS: Final[frozenset[date]] = frozenset()

HOLIDAY_YEARS_SUPPORTED: Final[range] = range(1949, 2100)
"""Years for which the Japanese national-holiday calendar is known (the post-1948 holiday law up to
2099, as covered by the ``holidays`` library).  Outside this range working days cannot be counted
reliably, so the functions refuse rather than silently treat every weekday as a working day."""

_YEAR_END_CLOSURE_SET: Final[frozenset[tuple[int, int]]] = frozenset(YEAR_END_CLOSURE_DAYS)
_MIN_FISCAL_YEAR: Final[int] = 1
_MAX_FISCAL_YEAR: Final[int] = 9998  # FY9998 with a late start month still ends inside date.max


class PlanningError(ValueError):
    """A planning input the functions refuse: a stable ``code`` and the :class:`Message` that explains it.

    ``message`` is a code of the KPI catalogue (``kpi.calendar.*``, ``kpi.cascade.*``, ``kpi.pacing.*``,
    ``kpi.reverse.*``, ``kpi.sensitivity.*``) with its parameters; the edge renders it in the reader's
    language. ``str(error)`` is ``"<code>: <message code> <params>"``.
    """

    def __init__(self, code: str, message: Message) -> None:
        super().__init__(f"{code}: {message.code} {dict(message.params)}")
        self.code = code
        self.message = message


def _refuse(code: str, **params: Any) -> PlanningError:
    return PlanningError(code, Message(f"kpi.calendar.{code}", params))


class PeriodKind(StrEnum):
    FISCAL_YEAR = "fiscal_year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days, both ends inclusive.

    ``fiscal_year`` is the FY the period belongs to and ``index`` its 1-based position among the
    periods of the same kind in that FY (as returned by :func:`periods_in`); both are ``None`` for
    periods built by hand or by :func:`weeks_between`. :attr:`label` names it for people.
    """

    kind: PeriodKind
    start: date
    end: date
    fiscal_year: int | None = None
    index: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _coerce_kind(self.kind))
        if self.end < self.start:
            raise _refuse("invalid_period", start=self.start, end=self.end)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end

    @property
    def days(self) -> int:
        """Number of calendar days, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> Message:
        """``FY2026``, ``FY2026 上期`` / ``FY2026 H1``, ``FY2026 Q1``, ``2026年4月`` / ``Apr 2026``; a week
        its ISO year and number (``2026-W15``, the label of the whole week even when clipped)."""
        year = self.fiscal_year if self.fiscal_year is not None else self.start.year
        if self.kind is PeriodKind.FISCAL_YEAR:
            return Message("kpi.period.fiscal_year", {"year": year})
        if self.kind is PeriodKind.MONTH:
            return Message(f"kpi.period.month.{self.start.month}", {"year": self.start.year})
        if self.kind is PeriodKind.WEEK:
            return Message("kpi.period.week", {"week": _week_label(self.start)})
        if self.index is None:
            return Message("kpi.period.span", {"start": self.start, "end": self.end})
        if self.kind is PeriodKind.HALF:
            return Message(f"kpi.period.half.{self.index}", {"year": year})
        return Message("kpi.period.quarter", {"year": year, "quarter": self.index})


# --------------------------------------------------------------------------------------------------
# Fiscal years and periods
# --------------------------------------------------------------------------------------------------


def _check_start_month(start_month: int) -> None:
    if isinstance(start_month, bool) or not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise _refuse("invalid_start_month", value=repr(start_month))


def _check_fiscal_year(fy: int) -> None:
    if isinstance(fy, bool) or not isinstance(fy, int) or not _MIN_FISCAL_YEAR <= fy <= _MAX_FISCAL_YEAR:
        raise _refuse("invalid_fiscal_year", low=_MIN_FISCAL_YEAR, high=_MAX_FISCAL_YEAR, value=repr(fy))


def _coerce_kind(kind: PeriodKind | str) -> PeriodKind:
    try:
        return PeriodKind(kind)
    except ValueError:
        allowed = [k.value for k in PeriodKind]
        raise _refuse("invalid_period_kind", value=repr(kind), allowed=allowed) from None


def _add_months(first_of_month: date, months: int) -> date:
    year, month0 = divmod(first_of_month.year * 12 + first_of_month.month - 1 + months, 12)
    return date(year, month0 + 1, 1)


def fiscal_year_of(d: date, start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH) -> int:
    """The fiscal year containing ``d``, named by the calendar year the FY starts in.

    With start month 4, 2027-03-15 belongs to FY2026 and 2027-04-01 to FY2027.
    """
    _check_start_month(start_month)
    return d.year if d.month >= start_month else d.year - 1


def fiscal_year_range(fy: int, start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH) -> tuple[date, date]:
    """First and last day (inclusive) of fiscal year ``fy``."""
    _check_start_month(start_month)
    _check_fiscal_year(fy)
    start = date(fy, start_month, 1)
    return start, _add_months(start, 12) - timedelta(days=1)


def _week_label(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def weeks_between(start: date, end: date, *, fiscal_year: int | None = None) -> list[Period]:
    """ISO weeks (Monday to Sunday) overlapping ``start..end``, each clipped to that range.

    The label is the ISO week of the (unclipped) week, so a week cut at a month or FY boundary keeps
    the label of the whole week.  ``index`` is left ``None``.
    """
    if end < start:
        return []
    weeks: list[Period] = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        sunday = monday + timedelta(days=6)
        weeks.append(
            Period(
                kind=PeriodKind.WEEK, start=max(monday, start), end=min(sunday, end), fiscal_year=fiscal_year
            )
        )
        monday += timedelta(days=7)
    return weeks


def _month_period(first: date, fy: int, index: int) -> Period:
    last = _add_months(first, 1) - timedelta(days=1)
    return Period(kind=PeriodKind.MONTH, start=first, end=last, fiscal_year=fy, index=index)


def periods_in(
    fy: int, start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH, kind: PeriodKind | str = PeriodKind.MONTH
) -> list[Period]:
    """All periods of ``kind`` in fiscal year ``fy``, in chronological order, covering the FY exactly.

    Labels: ``FY2026`` (fiscal_year), ``FY2026 上期``/``FY2026 H1`` (half), ``FY2026 Q1`` (quarter),
    ``2026年4月``/``Apr 2026`` (month), ``2026-W15`` (week, ISO year and number).
    """
    kind = _coerce_kind(kind)
    fy_start, fy_end = fiscal_year_range(fy, start_month)
    if kind is PeriodKind.FISCAL_YEAR:
        return [Period(kind, fy_start, fy_end, fiscal_year=fy, index=1)]
    if kind is PeriodKind.WEEK:
        return [
            replace(week, index=i)
            for i, week in enumerate(weeks_between(fy_start, fy_end, fiscal_year=fy), start=1)
        ]
    if kind is PeriodKind.MONTH:
        return [_month_period(_add_months(fy_start, i), fy, i + 1) for i in range(12)]

    months_per_block = 6 if kind is PeriodKind.HALF else 3
    blocks: list[Period] = []
    for i in range(12 // months_per_block):
        first = _add_months(fy_start, i * months_per_block)
        last = _add_months(first, months_per_block) - timedelta(days=1)
        blocks.append(Period(kind, first, last, fiscal_year=fy, index=i + 1))
    return blocks


def period_containing(
    d: date, kind: PeriodKind | str, start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH
) -> Period:
    """The period of ``kind`` (in the fiscal year of ``d``) that contains ``d``."""
    fy = fiscal_year_of(d, start_month)
    for period in periods_in(fy, start_month, kind):
        if d in period:
            return period
    raise AssertionError(f"no {kind} period of FY{fy} contains {d}")  # pragma: no cover - unreachable


# --------------------------------------------------------------------------------------------------
# Holidays and working days
# --------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _holidays_for_year(year: int, language: str) -> Mapping[date, str]:
    if year not in HOLIDAY_YEARS_SUPPORTED:
        first, last = HOLIDAY_YEARS_SUPPORTED[0], HOLIDAY_YEARS_SUPPORTED[-1]
        raise _refuse("holiday_calendar_unavailable", year=year, first=first, last=last)
    return MappingProxyType(dict(holidays.country_holidays("JP", years=year, language=language)))


def japanese_holidays(year: int, *, language: str = "ja") -> Mapping[date, str]:
    """Japanese national holidays of ``year`` (incl. substitute holidays), date -> name.

    ``language`` is ``"ja"`` or ``"en_US"``.  The mapping is read-only and cached per year.
    """
    return _holidays_for_year(year, language)


def is_national_holiday(d: date) -> bool:
    return d in _holidays_for_year(d.year, "ja")


def is_year_end_closure(d: date) -> bool:
    """True on 29 Dec to 3 Jan, the customary year-end closure (年末年始休暇)."""
    return (d.month, d.day) in _YEAR_END_CLOSURE_SET


def is_working_day(
    d: date,
    *,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> bool:
    """Monday to Friday, not a national holiday, not a company holiday, not in the year-end closure.

    ``extra_holidays`` are the company's own days off (創立記念日, 夏季休暇, a GW bridge day, ...).
    ``year_end_closure`` (default on) treats 29 Dec to 3 Jan as closed, as most Japanese companies do.
    """
    if d.weekday() >= 5:
        return False
    if year_end_closure and is_year_end_closure(d):
        return False
    if d in extra_holidays:
        return False
    return not is_national_holiday(d)


def working_days_between(
    start: date,
    end: date,
    *,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> int:
    """Working days from ``start`` to ``end``, both inclusive; 0 when ``end`` is before ``start``."""
    count = 0
    d = start
    one_day = timedelta(days=1)
    while d <= end:
        if is_working_day(d, extra_holidays=extra_holidays, year_end_closure=year_end_closure):
            count += 1
        d += one_day
    return count


def working_days_in(
    period: Period,
    *,
    extra_holidays: AbstractSet[date] = NO_EXTRA_HOLIDAYS,
    year_end_closure: bool = True,
) -> int:
    """Working days in ``period`` (both ends inclusive)."""
    return working_days_between(
        period.start, period.end, extra_holidays=extra_holidays, year_end_closure=year_end_closure
    )
