"""The review schedule, pure: which dates a cadence's rule gives, and where a holiday moves them.

Tested without the database (tests/checklist/test_reviews_schedule.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from checklist.reviews.models import ReviewCadence
from kpi.planning.calendar import Period, is_working_day, period_containing

Kind = ReviewCadence.Kind
HolidayRule = ReviewCadence.HolidayRule

# How far a holiday can push a date (the year-end closure plus a weekend is the longest run): nominal dates
# this far before the window are looked at, since their moved date may fall inside it.
_HOLIDAY_LOOKBACK = dt.timedelta(days=14)
_MAX_SHIFT_DAYS = 31


@dataclass(frozen=True)
class ScheduleRule:
    kind: str
    start_date: dt.date
    weekday: int | None = None
    day_of_month: int | None = None
    month_of_quarter: int | None = None
    end_date: dt.date | None = None
    holiday_rule: str = HolidayRule.NEXT_WORKING_DAY
    fiscal_year_start_month: int = 4

    @classmethod
    def of(cls, cadence: ReviewCadence, fiscal_year_start_month: int) -> ScheduleRule:
        return cls(
            kind=cadence.kind,
            start_date=cadence.start_date,
            weekday=cadence.weekday,
            day_of_month=cadence.day_of_month,
            month_of_quarter=cadence.month_of_quarter,
            end_date=cadence.end_date,
            holiday_rule=cadence.holiday_rule,
            fiscal_year_start_month=fiscal_year_start_month,
        )


@dataclass(frozen=True)
class Occurrence:
    nominal: dt.date  # the date the rule gives: the meeting's identity
    date: dt.date  # the date it is held (moved off a holiday)


def _day_in_month(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _nominal_dates(rule: ScheduleRule, begin: dt.date) -> Iterator[dt.date]:
    """The rule's dates on or after ``begin`` (and the start date), in order, until the end date."""
    begin = max(begin, rule.start_date)
    if rule.kind == Kind.WEEKLY:
        assert rule.weekday is not None
        current = begin + dt.timedelta(days=(rule.weekday - begin.weekday()) % 7)
        step = dt.timedelta(days=7)
        while rule.end_date is None or current <= rule.end_date:
            yield current
            current += step
        return
    assert rule.day_of_month is not None
    year, month = begin.year, begin.month
    while True:
        wanted = True
        if rule.kind == Kind.QUARTERLY:
            assert rule.month_of_quarter is not None
            wanted = (month - rule.fiscal_year_start_month) % 3 == rule.month_of_quarter - 1
        if wanted:
            day = _day_in_month(year, month, rule.day_of_month)
            if rule.end_date is not None and day > rule.end_date:
                return
            if day >= begin:
                yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if year > dt.MAXYEAR - 1:
            return


def holiday_shift(day: dt.date, holiday_rule: str) -> dt.date:
    """The working day a meeting on ``day`` is held: Japanese holidays, weekends and 29 Dec - 3 Jan are off."""
    if holiday_rule == HolidayRule.KEEP:
        return day
    step = dt.timedelta(days=-1 if holiday_rule == HolidayRule.PREVIOUS_WORKING_DAY else 1)
    moved = day
    for _ in range(_MAX_SHIFT_DAYS):
        if is_working_day(moved):
            return moved
        moved += step
    return day  # no working day within a month: keep the rule's date rather than invent one


def schedule_occurrences(
    rule: ScheduleRule, *, from_date: dt.date, count: int, until: dt.date | None = None
) -> list[Occurrence]:
    """The next ``count`` meetings held on or after ``from_date`` (and any further ones up to ``until``).

    When a moved meeting lands on a day that already has a meeting of the cadence (a weekly Monday
    29 December moved past the closure to the Monday of 5 January), the two are one meeting, kept under the
    earlier rule date.
    """
    found: list[Occurrence] = []
    held: set[dt.date] = set()
    for nominal in _nominal_dates(rule, from_date - _HOLIDAY_LOOKBACK):
        if len(found) >= count and (until is None or nominal > until):
            break
        day = holiday_shift(nominal, rule.holiday_rule)
        if day < from_date or day in held:
            continue
        held.add(day)
        found.append(Occurrence(nominal=nominal, date=day))
    return found


# --- The period a meeting reviews ------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewedPeriod:
    """A period an agenda judges, read up to ``as_of`` (its end, once the period is over)."""

    period: Period
    as_of: dt.date


def reviewed_periods(
    kind: str, *, meeting_day: dt.date, today: dt.date, fiscal_year_start_month: int = 4
) -> list[ReviewedPeriod]:
    """The periods a meeting of ``kind`` held on ``meeting_day`` reviews (domain.md's review cycle).

    Weekly: the week and the month containing the meeting day, to date (to today while the meeting is ahead).
    Monthly: the latest complete calendar month before the meeting day (on 2 May, April).
    Quarterly: the latest complete fiscal quarter before the meeting day (fiscal years start in
    ``fiscal_year_start_month``; on 2 April with an April start, January to March).
    A period not over yet (an agenda taken early) is read to today, and from its first day at the earliest.
    """
    start_month = fiscal_year_start_month
    if kind == Kind.WEEKLY:
        day = min(meeting_day, today)
        return [ReviewedPeriod(period_containing(day, unit, start_month), day) for unit in ("week", "month")]
    unit = "month" if kind == Kind.MONTHLY else "quarter"
    current = period_containing(meeting_day, unit, start_month)
    period = period_containing(current.start - dt.timedelta(days=1), unit, start_month)
    return [ReviewedPeriod(period, max(period.start, min(period.end, today)))]
