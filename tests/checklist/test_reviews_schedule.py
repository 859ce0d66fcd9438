"""The schedule of a cadence (pure): dates checked by hand against the 2026/2027 Japanese calendar.

Holidays used: 2026-04-29 昭和の日 (Wed); 2026-05-03 (Sun) 憲法記念日, 05-04 みどりの日, 05-05 こどもの日,
05-06 振替休日; 2026-09-21 敬老の日, 09-22 国民の休日, 09-23 秋分の日; 2027-03-21 (Sun) 春分の日 and 03-22
振替休日; the year-end closure 29 Dec - 3 Jan; 2026-01-12 成人の日.
"""

from __future__ import annotations

import datetime as dt

from checklist.reviews.schedule import (
    Occurrence,
    ScheduleRule,
    holiday_shift,
    reviewed_periods,
    schedule_occurrences,
)

D = dt.date


def dates(rule: ScheduleRule, start: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    return [(o.nominal, o.date) for o in schedule_occurrences(rule, from_date=start, count=count)]


def test_weekly_monday_through_golden_week_moves_to_thursday() -> None:
    rule = ScheduleRule(kind="weekly", weekday=0, start_date=D(2026, 4, 1))
    assert dates(rule, D(2026, 4, 20), 4) == [
        (D(2026, 4, 20), D(2026, 4, 20)),
        (D(2026, 4, 27), D(2026, 4, 27)),
        (D(2026, 5, 4), D(2026, 5, 7)),  # Mon 4 to Wed 6 are holidays: held on Thursday 7 May
        (D(2026, 5, 11), D(2026, 5, 11)),
    ]


def test_weekly_wednesday_in_golden_week() -> None:
    rule = ScheduleRule(kind="weekly", weekday=2, start_date=D(2026, 4, 1))
    assert dates(rule, D(2026, 4, 28), 3) == [
        (D(2026, 4, 29), D(2026, 4, 30)),  # 昭和の日 -> Thursday
        (D(2026, 5, 6), D(2026, 5, 7)),  # 振替休日 -> Thursday
        (D(2026, 5, 13), D(2026, 5, 13)),
    ]


def test_previous_working_day_and_keep() -> None:
    assert holiday_shift(D(2026, 5, 4), "previous_working_day") == D(2026, 5, 1)  # Friday before GW
    assert holiday_shift(D(2026, 5, 4), "keep") == D(2026, 5, 4)
    assert holiday_shift(D(2026, 5, 8), "next_working_day") == D(2026, 5, 8)  # a working Friday stays


def test_year_end_closure_merges_with_the_next_meeting() -> None:
    # Monday 29 Dec 2025 is in the closure; the next working day is Monday 5 Jan 2026, which is that week's
    # own meeting: one meeting, kept under the earlier date. 12 Jan 2026 is 成人の日 -> Tuesday 13.
    rule = ScheduleRule(kind="weekly", weekday=0, start_date=D(2025, 12, 1))
    assert dates(rule, D(2025, 12, 22), 4) == [
        (D(2025, 12, 22), D(2025, 12, 22)),
        (D(2025, 12, 29), D(2026, 1, 5)),
        (D(2026, 1, 12), D(2026, 1, 13)),
        (D(2026, 1, 19), D(2026, 1, 19)),
    ]


def test_monthly_day_and_month_end() -> None:
    fifth = ScheduleRule(kind="monthly", day_of_month=5, start_date=D(2026, 4, 1))
    assert dates(fifth, D(2026, 4, 1), 3) == [
        (D(2026, 4, 5), D(2026, 4, 6)),  # Sunday -> Monday
        (D(2026, 5, 5), D(2026, 5, 7)),  # こどもの日, 振替休日 -> Thursday
        (D(2026, 6, 5), D(2026, 6, 5)),
    ]
    last = ScheduleRule(
        kind="monthly", day_of_month=31, start_date=D(2027, 1, 1), holiday_rule="previous_working_day"
    )
    assert dates(last, D(2027, 1, 1), 3) == [
        (D(2027, 1, 31), D(2027, 1, 29)),  # Sunday -> Friday before
        (D(2027, 2, 28), D(2027, 2, 26)),  # February's last day, a Sunday -> Friday
        (D(2027, 3, 31), D(2027, 3, 31)),
    ]


def test_monthly_in_silver_week() -> None:
    rule = ScheduleRule(kind="monthly", day_of_month=21, start_date=D(2026, 9, 1))
    assert dates(rule, D(2026, 9, 1), 1) == [(D(2026, 9, 21), D(2026, 9, 24))]


def test_quarterly_follows_the_fiscal_quarters() -> None:
    # April fiscal year, third month of each quarter, the 20th: June, September, December, March.
    rule = ScheduleRule(kind="quarterly", month_of_quarter=3, day_of_month=20, start_date=D(2026, 4, 1))
    assert dates(rule, D(2026, 4, 1), 4) == [
        (D(2026, 6, 20), D(2026, 6, 22)),  # Saturday -> Monday
        (D(2026, 9, 20), D(2026, 9, 24)),  # Sunday, then 21-23 holidays -> Thursday
        (D(2026, 12, 20), D(2026, 12, 21)),  # Sunday -> Monday
        (D(2027, 3, 20), D(2027, 3, 23)),  # Saturday, Sunday 春分の日, Monday 振替休日 -> Tuesday
    ]
    january_fy = ScheduleRule(kind="quarterly", month_of_quarter=1, day_of_month=10, start_date=D(2026, 1, 1),
                              fiscal_year_start_month=1)  # fmt: skip
    assert [d for _, d in dates(january_fy, D(2026, 1, 1), 4)] == [
        D(2026, 1, 13),  # Sat 10, Sun 11, 成人の日 12 -> Tuesday 13
        D(2026, 4, 10),  # Friday
        D(2026, 7, 10),  # Friday
        D(2026, 10, 13),  # Sat 10, Sun 11, スポーツの日 12 -> Tuesday 13
    ]


def test_start_end_and_window() -> None:
    rule = ScheduleRule(kind="weekly", weekday=4, start_date=D(2026, 6, 5), end_date=D(2026, 6, 19))
    assert [d for _, d in dates(rule, D(2026, 5, 1), 10)] == [D(2026, 6, 5), D(2026, 6, 12), D(2026, 6, 19)]
    # A meeting moved into the window is found although its rule date is before it.
    gw = ScheduleRule(kind="weekly", weekday=0, start_date=D(2026, 4, 1))
    assert schedule_occurrences(gw, from_date=D(2026, 5, 5), count=1) == [
        Occurrence(D(2026, 5, 4), D(2026, 5, 7))
    ]


def test_until_extends_past_count() -> None:
    rule = ScheduleRule(kind="weekly", weekday=0, start_date=D(2026, 6, 1))
    found = schedule_occurrences(rule, from_date=D(2026, 6, 1), count=1, until=D(2026, 6, 22))
    assert [o.date for o in found] == [D(2026, 6, 1), D(2026, 6, 8), D(2026, 6, 15), D(2026, 6, 22)]


def spans(kind: str, meeting: dt.date, today: dt.date, start_month: int = 4) -> list[tuple[str, D, D, D]]:
    periods = reviewed_periods(kind, meeting_day=meeting, today=today, fiscal_year_start_month=start_month)
    return [(str(r.period.kind), r.period.start, r.period.end, r.as_of) for r in periods]


def test_a_monthly_meeting_reviews_the_month_just_ended() -> None:
    late = D(2026, 12, 1)
    assert spans("monthly", D(2026, 5, 2), late) == [("month", D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 30))]
    # Held on the month's last day, the month is not over yet: still the one before.
    assert spans("monthly", D(2026, 5, 31), late) == [
        ("month", D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 30))
    ]
    # Across the calendar year; and an agenda taken before the month is over reads it to today.
    assert spans("monthly", D(2027, 1, 5), late) == [("month", D(2026, 12, 1), D(2026, 12, 31), late)]


def test_a_quarterly_meeting_reviews_the_fiscal_quarter_just_ended() -> None:
    late = D(2027, 1, 1)
    assert spans("quarterly", D(2026, 7, 2), late) == [
        ("quarter", D(2026, 4, 1), D(2026, 6, 30), D(2026, 6, 30))
    ]
    assert spans("quarterly", D(2026, 4, 2), late) == [
        ("quarter", D(2026, 1, 1), D(2026, 3, 31), D(2026, 3, 31))
    ]
    # A fiscal year starting in May: quarters May-Jul, Aug-Oct, Nov-Jan, Feb-Apr.
    assert spans("quarterly", D(2026, 4, 2), late, start_month=5) == [
        ("quarter", D(2025, 11, 1), D(2026, 1, 31), D(2026, 1, 31))
    ]


def test_a_weekly_meeting_reviews_the_week_and_month_to_date() -> None:
    assert spans("weekly", D(2026, 5, 13), D(2026, 6, 1)) == [
        ("week", D(2026, 5, 11), D(2026, 5, 17), D(2026, 5, 13)),
        ("month", D(2026, 5, 1), D(2026, 5, 31), D(2026, 5, 13)),
    ]
    # Generated ahead of the meeting: read to today.
    assert spans("weekly", D(2026, 5, 13), D(2026, 5, 12))[0] == (
        "week",
        D(2026, 5, 11),
        D(2026, 5, 17),
        D(2026, 5, 12),
    )
