"""The window algorithm of the research note (§1.2), as pure functions.

Each run reads the closed window ``[cursor - lookback, now - safety_lag]`` (``>=`` and ``<=``), split into
sub-windows of at most ``max_span``; the engine checkpoints ``cursor = sub_window.end`` once a sub-window is
durable. Neighbouring sub-windows share their edge instant, so a record stamped exactly there is read twice:
harmless, because the upsert is idempotent, while a half-open split could lose it to a late commit.
"""

from __future__ import annotations

import datetime as dt

from integrations.providers.base import Window


def floor_ms(value: dt.datetime) -> dt.datetime:
    """UTC, truncated to the millisecond: both CRMs stamp at ms precision at best."""
    if value.utcoffset() is None:
        raise ValueError("naive datetime: CRM timestamps are compared in UTC")
    value = value.astimezone(dt.UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def plan_windows(
    *,
    cursor: dt.datetime,
    now: dt.datetime,
    lookback: dt.timedelta,
    safety_lag: dt.timedelta,
    max_span: dt.timedelta,
) -> list[Window]:
    """The sub-windows to read this run, oldest first; empty when the window is not open yet.

    ``cursor`` is the stored high-water mark (or the tenant's start date before the first run); ``now`` the
    sync's own start time, so the cursor never passes it (records edited during a long sync are re-read)."""
    start = floor_ms(cursor - lookback)
    end = floor_ms(now - safety_lag)
    if end < start:
        return []
    return split_window(Window(start, end), max_span)


def full_load_window(*, now: dt.datetime, safety_lag: dt.timedelta) -> Window:
    """The first load reads everything up to ``now - safety_lag``, which becomes the cursor afterwards
    (research note §2.3: the sync start, not the largest stamp seen)."""
    return Window(None, floor_ms(now - safety_lag))


def split_window(window: Window, max_span: dt.timedelta) -> list[Window]:
    """Consecutive closed windows of at most ``max_span`` covering ``window``, sharing their edges."""
    if max_span <= dt.timedelta(0):
        raise ValueError("max_span must be positive")
    if window.start is None:
        return [window]
    windows: list[Window] = []
    start = window.start
    while True:
        end = min(start + max_span, window.end)
        windows.append(Window(start, end))
        if end >= window.end:
            return windows
        start = end


def halve_window(window: Window) -> tuple[Window, Window]:
    """Two closed halves sharing the midpoint (Salesforce ``QUERY_TIMEOUT``: halve and read both)."""
    if window.start is None:
        raise ValueError("a full-load window has no midpoint")
    middle = floor_ms(window.start + (window.end - window.start) / 2)
    return Window(window.start, middle), Window(middle, window.end)
