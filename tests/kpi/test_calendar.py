"""Fiscal periods and Japanese working days (kpi.planning.calendar).

Every expected count below was worked out by hand from a printed calendar and the 2026/2027 holiday
list, then checked against the code, not the other way round.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from kpi.planning.calendar import (
    YEAR_END_CLOSURE_DAYS,
    Period,
    PeriodKind,
    PlanningError,
    fiscal_year_of,
    fiscal_year_range,
    is_national_holiday,
    is_working_day,
    is_year_end_closure,
    japanese_holidays,
    period_containing,
    periods_in,
    weeks_between,
    working_days_between,
    working_days_in,
)
from tests.kpi.rendering import en, ja

# --------------------------------------------------------------------------------------------------
# Fiscal years
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "start_month", "fy"),
    [
        (date(2026, 4, 1), 4, 2026),
        (date(2027, 3, 31), 4, 2026),  # March belongs to the FY that started the previous April
        (date(2027, 3, 15), 4, 2026),
        (date(2026, 3, 31), 4, 2025),
        (date(2026, 1, 1), 1, 2026),
        (date(2026, 12, 31), 1, 2026),
        (date(2026, 9, 30), 10, 2025),
        (date(2026, 10, 1), 10, 2026),
        (date(2027, 9, 30), 10, 2026),
    ],
)
def test_fiscal_year_of(d: date, start_month: int, fy: int) -> None:
    assert fiscal_year_of(d, start_month) == fy


def test_fiscal_year_default_start_is_april() -> None:
    assert fiscal_year_of(date(2027, 3, 31)) == 2026
    assert fiscal_year_range(2026) == (date(2026, 4, 1), date(2027, 3, 31))


@pytest.mark.parametrize(
    ("fy", "start_month", "expected"),
    [
        (2026, 4, (date(2026, 4, 1), date(2027, 3, 31))),
        (2026, 1, (date(2026, 1, 1), date(2026, 12, 31))),
        (2026, 10, (date(2026, 10, 1), date(2027, 9, 30))),
        (2027, 3, (date(2027, 3, 1), date(2028, 2, 29))),  # leap February
    ],
)
def test_fiscal_year_range(fy: int, start_month: int, expected: tuple[date, date]) -> None:
    assert fiscal_year_range(fy, start_month) == expected


@pytest.mark.parametrize("bad", [0, 13, -4])
def test_invalid_start_month_is_refused(bad: int) -> None:
    with pytest.raises(PlanningError) as excinfo:
        fiscal_year_of(date(2026, 4, 1), bad)
    assert excinfo.value.code == "invalid_start_month"
    assert "期首月" in ja(excinfo.value.message)
    assert "start month" in en(excinfo.value.message)


def test_invalid_period_kind_is_refused() -> None:
    with pytest.raises(PlanningError) as excinfo:
        periods_in(2026, 4, "fortnight")
    assert excinfo.value.code == "invalid_period_kind"


# --------------------------------------------------------------------------------------------------
# Periods and labels
# --------------------------------------------------------------------------------------------------


def _spans(periods: list[Period]) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in periods]


def _labels(periods: list[Period]) -> list[tuple[str, str]]:
    return [(ja(p.label), en(p.label)) for p in periods]


def test_april_start_labels_and_spans() -> None:
    fy = periods_in(2026, 4, "fiscal_year")
    assert _labels(fy) == [("FY2026", "FY2026")]
    assert _spans(fy) == [(date(2026, 4, 1), date(2027, 3, 31))]

    halves = periods_in(2026, 4, PeriodKind.HALF)
    assert _labels(halves) == [("FY2026 上期", "FY2026 H1"), ("FY2026 下期", "FY2026 H2")]
    assert _spans(halves) == [
        (date(2026, 4, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2027, 3, 31)),
    ]

    quarters = periods_in(2026, 4, "quarter")
    assert [en(p.label) for p in quarters] == ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4"]
    assert ja(quarters[0].label) == "FY2026 Q1"
    assert _spans(quarters) == [
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
    ]

    months = periods_in(2026, 4, "month")
    assert len(months) == 12
    assert (ja(months[0].label), en(months[0].label)) == ("2026年4月", "Apr 2026")
    assert (ja(months[11].label), en(months[11].label)) == ("2027年3月", "Mar 2027")
    assert (months[10].start, months[10].end) == (date(2027, 2, 1), date(2027, 2, 28))
    assert [m.index for m in months] == list(range(1, 13))
    assert {m.fiscal_year for m in months} == {2026}


def test_calendar_year_start_labels() -> None:
    quarters = periods_in(2026, 1, "quarter")
    assert _spans(quarters)[0] == (date(2026, 1, 1), date(2026, 3, 31))
    assert en(quarters[0].label) == "FY2026 Q1"
    halves = periods_in(2026, 1, "half")
    assert _labels(halves)[1] == ("FY2026 下期", "FY2026 H2")
    assert _spans(halves)[1] == (date(2026, 7, 1), date(2026, 12, 31))
    months = periods_in(2026, 1, "month")
    assert en(months[0].label) == "Jan 2026"
    assert ja(months[-1].label) == "2026年12月"


def test_october_start_labels() -> None:
    quarters = periods_in(2026, 10, "quarter")
    assert en(quarters[0].label) == "FY2026 Q1"
    assert _spans(quarters)[0] == (date(2026, 10, 1), date(2026, 12, 31))
    assert _spans(quarters)[3] == (date(2027, 7, 1), date(2027, 9, 30))
    halves = periods_in(2026, 10, "half")
    assert _labels(halves) == [("FY2026 上期", "FY2026 H1"), ("FY2026 下期", "FY2026 H2")]
    assert _spans(halves)[1] == (date(2027, 4, 1), date(2027, 9, 30))
    assert [en(m.label) for m in periods_in(2026, 10, "month")][:4] == [
        "Oct 2026",
        "Nov 2026",
        "Dec 2026",
        "Jan 2027",
    ]


@pytest.mark.parametrize("start_month", [1, 4, 10])
@pytest.mark.parametrize("kind", list(PeriodKind))
def test_periods_tile_the_fiscal_year(start_month: int, kind: PeriodKind) -> None:
    periods = periods_in(2026, start_month, kind)
    fy_start, fy_end = fiscal_year_range(2026, start_month)
    assert periods[0].start == fy_start
    assert periods[-1].end == fy_end
    for before, after in itertools.pairwise(periods):
        assert before.end + timedelta(days=1) == after.start
    assert sum(p.days for p in periods) == (fy_end - fy_start).days + 1
    assert [p.index for p in periods] == list(range(1, len(periods) + 1))


def test_weeks_of_fy2026_are_iso_weeks_clipped_to_the_fiscal_year() -> None:
    weeks = periods_in(2026, 4, "week")
    # 2026-04-01 is a Wednesday in ISO week 14 (Mon 30 Mar); 2026 has 53 ISO weeks (1 Jan is a
    # Thursday), so FY2026 holds 2026-W14..W53 (40) + 2027-W01..W13 (13) = 53 weeks.
    assert len(weeks) == 53
    assert (weeks[0].start, weeks[0].end, en(weeks[0].label)) == (
        date(2026, 4, 1),
        date(2026, 4, 5),
        "2026-W14",
    )
    assert (weeks[1].start, weeks[1].end, ja(weeks[1].label)) == (
        date(2026, 4, 6),
        date(2026, 4, 12),
        "2026-W15",
    )
    assert en(weeks[38].label) == "2026-W52"
    assert (weeks[39].start, weeks[39].end, en(weeks[39].label)) == (
        date(2026, 12, 28),
        date(2027, 1, 3),
        "2026-W53",
    )
    assert (weeks[-1].start, weeks[-1].end, en(weeks[-1].label)) == (
        date(2027, 3, 29),
        date(2027, 3, 31),
        "2027-W13",
    )
    assert all(w.start.weekday() == 0 for w in weeks[1:])
    assert all(w.end.weekday() == 6 for w in weeks[:-1])


def test_previous_fiscal_year_ends_with_the_other_part_of_the_straddling_week() -> None:
    last = periods_in(2025, 4, "week")[-1]
    assert (last.start, last.end, en(last.label)) == (date(2026, 3, 30), date(2026, 3, 31), "2026-W14")


@pytest.mark.parametrize(
    ("d", "kind", "start_month", "label_en", "span"),
    [
        (date(2027, 3, 15), "fiscal_year", 4, "FY2026", (date(2026, 4, 1), date(2027, 3, 31))),
        (date(2027, 3, 15), "half", 4, "FY2026 H2", (date(2026, 10, 1), date(2027, 3, 31))),
        (date(2027, 3, 15), "quarter", 4, "FY2026 Q4", (date(2027, 1, 1), date(2027, 3, 31))),
        (date(2027, 3, 15), "month", 4, "Mar 2027", (date(2027, 3, 1), date(2027, 3, 31))),
        (date(2026, 5, 7), "week", 4, "2026-W19", (date(2026, 5, 4), date(2026, 5, 10))),
        (date(2026, 4, 2), "week", 4, "2026-W14", (date(2026, 4, 1), date(2026, 4, 5))),
        (date(2026, 3, 31), "week", 4, "2026-W14", (date(2026, 3, 30), date(2026, 3, 31))),
        (date(2026, 8, 15), "quarter", 10, "FY2025 Q4", (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 8, 15), "quarter", 1, "FY2026 Q3", (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 1, 1), "week", 1, "2026-W01", (date(2026, 1, 1), date(2026, 1, 4))),
    ],
)
def test_period_containing(
    d: date, kind: str, start_month: int, label_en: str, span: tuple[date, date]
) -> None:
    period = period_containing(d, kind, start_month)
    assert en(period.label) == label_en
    assert (period.start, period.end) == span
    assert d in period


def test_week_containing_uses_the_period_list_index() -> None:
    week = period_containing(date(2026, 4, 8), "week")
    assert week.index == 2
    assert week.fiscal_year == 2026


def test_weeks_between_clips_to_a_month() -> None:
    weeks = weeks_between(date(2026, 5, 1), date(2026, 5, 31))
    assert [(w.start.day, w.end.day) for w in weeks] == [(1, 3), (4, 10), (11, 17), (18, 24), (25, 31)]
    assert en(weeks[0].label) == "2026-W18"
    assert weeks_between(date(2026, 5, 2), date(2026, 5, 1)) == []


def test_period_validation_and_kind_coercion() -> None:
    with pytest.raises(PlanningError) as excinfo:
        Period("month", date(2026, 5, 2), date(2026, 5, 1))
    assert excinfo.value.code == "invalid_period"
    period = Period("month", date(2026, 5, 1), date(2026, 5, 31))
    assert (ja(period.label), en(period.label)) == ("2026年5月", "May 2026")
    assert period.kind is PeriodKind.MONTH
    assert period.days == 31
    assert period.fiscal_year is None


# --------------------------------------------------------------------------------------------------
# Holidays and working days
# --------------------------------------------------------------------------------------------------


def test_golden_week_2026_holidays_from_the_library() -> None:
    hols = japanese_holidays(2026)
    assert hols[date(2026, 4, 29)] == "昭和の日"  # Wednesday
    assert hols[date(2026, 5, 3)] == "憲法記念日"  # Sunday
    assert hols[date(2026, 5, 4)] == "みどりの日"  # Monday
    assert hols[date(2026, 5, 5)] == "こどもの日"  # Tuesday
    assert date(2026, 5, 6) in hols  # 振替休日 for Constitution Day falling on Sunday
    assert japanese_holidays(2026, language="en_US")[date(2026, 5, 6)] == "Substitute Holiday"
    assert date(2026, 5, 7) not in hols
    assert date(2026, 5, 2) not in hols  # Saturday, not a holiday


def test_golden_week_2026_working_days() -> None:
    # Sat 2, Sun 3 weekend; Mon 4, Tue 5, Wed 6 holidays; Thu 7 back at work.
    assert [is_working_day(date(2026, 5, day)) for day in range(1, 9)] == [
        True,  # Fri 1
        False,  # Sat 2
        False,  # Sun 3 Constitution Day
        False,  # Mon 4 Greenery Day
        False,  # Tue 5 Children's Day
        False,  # Wed 6 substitute holiday
        True,  # Thu 7
        True,  # Fri 8
    ]
    assert not is_working_day(date(2026, 4, 29))
    # April 2026: 22 weekdays (1-3, 6-10, 13-17, 20-24, 27-30) - Showa Day Wed 29 = 21.
    assert working_days_between(date(2026, 4, 1), date(2026, 4, 30)) == 21
    # May 2026: 21 weekdays (1, 4-8, 11-15, 18-22, 25-29) - Mon 4, Tue 5, Wed 6 = 18.
    assert working_days_in(period_containing(date(2026, 5, 15), "month")) == 18
    # ISO week 18 (Mon 27 Apr - Sun 3 May): 27, 28, 30 Apr, 1 May = 4; week 19: 7, 8 May = 2.
    assert working_days_between(date(2026, 4, 27), date(2026, 5, 3)) == 4
    assert working_days_between(date(2026, 5, 4), date(2026, 5, 10)) == 2


def test_fy2026_monthly_working_days() -> None:
    # Counted by hand: weekdays minus national holidays, Dec 29-31 closed.
    expected = {
        "Apr 2026": 21,  # 22 - Showa Day
        "May 2026": 18,  # 21 - GW (4, 5, 6)
        "Jun 2026": 22,  # no holiday
        "Jul 2026": 22,  # 23 - Marine Day (20)
        "Aug 2026": 20,  # 21 - Mountain Day (11)
        "Sep 2026": 19,  # 22 - Respect for the Aged (21), national holiday (22), equinox (23)
        "Oct 2026": 21,  # 22 - Sports Day (12)
        "Nov 2026": 19,  # 21 - Culture Day (3), Labour Thanksgiving (23)
        "Dec 2026": 20,  # 23 - closure (29, 30, 31)
        "Jan 2027": 19,  # 21 - New Year's Day (1), Coming of Age (11)
        "Feb 2027": 18,  # 20 - Foundation Day (11), Emperor's Birthday (23)
        "Mar 2027": 22,  # 23 - substitute holiday (22) for the equinox on Sunday 21
    }
    got = {en(m.label): working_days_in(m) for m in periods_in(2026, 4, "month")}
    assert got == expected
    assert sum(expected.values()) == 241
    assert working_days_in(periods_in(2026, 4, "fiscal_year")[0]) == 241


def test_silver_week_2026_national_holiday_between_two_holidays() -> None:
    # 22 Sep 2026 is sandwiched between Respect for the Aged Day and the equinox: 国民の休日.
    assert is_national_holiday(date(2026, 9, 22))
    assert working_days_between(date(2026, 9, 21), date(2026, 9, 25)) == 2


def test_year_end_closure_counts() -> None:
    # Fri 25, Mon 28 Dec; Tue 29 - Thu 31 closure (not national holidays); Fri 1 Jan New Year's Day;
    # Sat 2, Sun 3; Mon 4, Tue 5 Jan back.
    start, end = date(2026, 12, 25), date(2027, 1, 5)
    assert working_days_between(start, end) == 4
    assert working_days_between(start, end, year_end_closure=True) == 4
    assert working_days_between(start, end, year_end_closure=False) == 7
    assert not is_working_day(date(2026, 12, 30))
    assert is_working_day(date(2026, 12, 30), year_end_closure=False)
    assert not is_working_day(date(2027, 1, 1), year_end_closure=False)  # national holiday anyway
    assert not is_national_holiday(date(2026, 12, 29))


def test_year_end_closure_constant() -> None:
    assert YEAR_END_CLOSURE_DAYS == ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
    assert is_year_end_closure(date(2026, 12, 29))
    assert is_year_end_closure(date(2027, 1, 3))
    assert not is_year_end_closure(date(2026, 12, 28))
    assert not is_year_end_closure(date(2027, 1, 4))


def test_first_week_of_2026_has_no_working_day_with_the_closure() -> None:
    # ISO 2026-W01: Mon 29 Dec 2025 - Sun 4 Jan 2026; 29-31 Dec and 1-2 Jan closed, 3-4 Jan weekend.
    week = period_containing(date(2026, 1, 1), "week")
    assert (week.start, week.end, en(week.label)) == (date(2025, 12, 29), date(2026, 1, 4), "2026-W01")
    assert working_days_in(week) == 0
    assert working_days_in(week, year_end_closure=False) == 4  # 29, 30, 31 Dec and Fri 2 Jan


@pytest.mark.parametrize(
    ("year", "coming_of_age"),
    [(2026, date(2026, 1, 12)), (2027, date(2027, 1, 11)), (2028, date(2028, 1, 10))],
)
def test_coming_of_age_day_is_the_second_monday_of_january(year: int, coming_of_age: date) -> None:
    first_monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
    assert coming_of_age == first_monday + timedelta(days=7)
    assert coming_of_age.weekday() == 0
    assert japanese_holidays(year)[coming_of_age] == "成人の日"
    assert not is_working_day(coming_of_age)
    assert not is_working_day(coming_of_age, year_end_closure=False)
    assert is_working_day(coming_of_age + timedelta(days=1))


def test_extra_company_holidays() -> None:
    founding_day = date(2026, 6, 15)  # a Monday
    assert is_working_day(founding_day)
    assert not is_working_day(founding_day, extra_holidays=frozenset({founding_day}))
    june = periods_in(2026, 4, "month")[2]
    assert working_days_in(june) == 22
    assert working_days_in(june, extra_holidays={founding_day, date(2026, 6, 13)}) == 21  # 13th: Sat


def test_working_days_between_edges() -> None:
    assert working_days_between(date(2026, 5, 7), date(2026, 5, 7)) == 1
    assert working_days_between(date(2026, 5, 9), date(2026, 5, 9)) == 0
    assert working_days_between(date(2026, 5, 8), date(2026, 5, 7)) == 0


def test_holiday_lookup_is_cached_per_year() -> None:
    assert japanese_holidays(2026) is japanese_holidays(2026)
    with pytest.raises(TypeError):
        japanese_holidays(2026)[date(2026, 6, 1)] = "x"  # type: ignore[index]


def test_years_without_a_holiday_calendar_are_refused() -> None:
    with pytest.raises(PlanningError) as excinfo:
        is_working_day(date(2100, 6, 1))
    assert excinfo.value.code == "holiday_calendar_unavailable"
    assert working_days_between(date(2099, 6, 1), date(2099, 6, 7)) == 5  # no June holiday
