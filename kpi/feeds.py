"""What another app says about the base metrics it writes automatically (a CRM sync), without the KPI engine
importing it: which metrics it feeds in the workspace in context (typed and partner-API actuals on them are
refused by :func:`kpi.services.actual_record`), the rule that counts each one, in words (the definition book), and
how fresh each one is (a KPI's status says "as of" its sources' last successful sync).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Protocol

from core.messages import Message


class Feed(Protocol):
    def metrics_fed(self) -> Collection[str]:
        """The metric keys of the workspace in context that the feed writes now."""
        ...

    def metric_rules(self) -> Mapping[str, Message]:
        """The rule by which the feed counts each metric it can write, in words."""
        ...

    def metrics_as_of(self) -> Mapping[str, dt.datetime | None]:
        """Per metric it feeds now: how fresh its values are (None while its source never finished a sync)."""
        ...


_feeds: list[Feed] = []


def feed_register(feed: Feed) -> None:
    if feed not in _feeds:
        _feeds.append(feed)


def metrics_fed() -> set[str]:
    return {key for feed in _feeds for key in feed.metrics_fed()}


def metric_rules() -> dict[str, Message]:
    return {key: rule for feed in _feeds for key, rule in feed.metric_rules().items()}


def metrics_as_of() -> dict[str, dt.datetime | None]:
    return {key: when for feed in _feeds for key, when in feed.metrics_as_of().items()}
