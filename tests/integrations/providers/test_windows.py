"""The window algorithm of research note §1.2, as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.providers.base import Window
from integrations.providers.windows import (
    floor_ms,
    full_load_window,
    halve_window,
    plan_windows,
    split_window,
)

UTC = dt.UTC
MIN = dt.timedelta(minutes=1)


def t(hour: int, minute: int = 0, second: int = 0, micro: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, second, micro, tzinfo=UTC)


def test_the_window_is_closed_from_cursor_minus_lookback_to_now_minus_lag() -> None:
    windows = plan_windows(
        cursor=t(9), now=t(10), lookback=10 * MIN, safety_lag=2 * MIN, max_span=dt.timedelta(days=1)
    )
    assert windows == [Window(t(8, 50), t(9, 58))]


def test_long_windows_split_into_spans_that_share_their_edges() -> None:
    windows = plan_windows(cursor=t(0, 10), now=t(0, 2, day=3), lookback=10 * MIN, safety_lag=2 * MIN,
                           max_span=dt.timedelta(days=1))  # fmt: skip
    assert windows == [
        Window(t(0, 0, day=1), t(0, 0, day=2)),
        Window(t(0, 0, day=2), t(0, 0, day=3)),
    ]
    assert split_window(Window(t(8), t(9, 30)), 60 * MIN) == [Window(t(8), t(9)), Window(t(9), t(9, 30))]


def test_no_window_while_the_lag_has_not_passed() -> None:
    assert (
        plan_windows(cursor=t(10), now=t(10), lookback=dt.timedelta(0), safety_lag=2 * MIN, max_span=MIN)
        == []
    )


def test_the_cursor_never_passes_the_syncs_start() -> None:
    (window,) = plan_windows(
        cursor=t(9), now=t(9, 30), lookback=10 * MIN, safety_lag=2 * MIN, max_span=60 * MIN
    )
    assert window.end < t(9, 30)


def test_bounds_are_truncated_to_milliseconds_in_utc() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    (window,) = plan_windows(cursor=dt.datetime(2026, 6, 1, 18, 0, 0, 123_456, tzinfo=tokyo),
                             now=t(10, 0, 0, 999_999), lookback=dt.timedelta(0), safety_lag=dt.timedelta(0),
                             max_span=dt.timedelta(days=1))  # fmt: skip
    assert window == Window(t(9, 0, 0, 123_000), t(10, 0, 0, 999_000))
    assert window.start.tzinfo is UTC


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        floor_ms(dt.datetime(2026, 6, 1))
    with pytest.raises(ValueError):
        Window(None, dt.datetime(2026, 6, 1))
    with pytest.raises(ValueError):
        Window(t(10), t(9))


def test_the_first_load_reads_to_now_minus_the_lag() -> None:
    window = full_load_window(now=t(10), safety_lag=2 * MIN)
    assert window.is_full_load and window.end == t(9, 58)
    assert split_window(window, MIN) == [window]


def test_halving_shares_the_midpoint() -> None:
    assert halve_window(Window(t(8), t(10))) == (Window(t(8), t(9)), Window(t(9), t(10)))
    with pytest.raises(ValueError):
        split_window(Window(t(8), t(9)), dt.timedelta(0))
