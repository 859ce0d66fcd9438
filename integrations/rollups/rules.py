"""Which canonical records count toward which base metric, on which day (issue 10's default table).

Dates are the workspace's: a HubSpot timestamp of 2026-05-07T16:30Z is 8 May in Tokyo. The funnel is
cumulative: a deal that reached a later stage has reached every earlier one, no later than the day it first
reached the later one. Deleted records and the losers of a merge count for nothing.

Pure: no database. :func:`contributions` is the reference the set-based rollup (SQL over the canonical tables)
is tested against.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from core.messages import Message
from integrations.funnel import PROGRESSION as FUNNEL
from integrations.funnel import funnel_dates_fill

ACTIVITY_TYPES: tuple[str, ...] = ("call", "email", "meeting", "task")


class Source(StrEnum):
    CONTACTS = "contacts"
    DEALS = "deals"
    ACTIVITIES = "activities"


class Event(StrEnum):
    BECAME_LEAD = "became_lead"  # contacts: the day the person became a lead (each person once)
    REACHED_STAGE = "reached_stage"  # deals: the day the deal first reached ``stage`` or any later stage
    CLOSED_WON = "closed_won"  # deals: the close date of a won deal
    CLOSED_LOST = "closed_lost"  # deals: the close date of a lost deal
    ACTIVITY = "activity"  # activities of ``activity_type``: the day it happened


class Measure(StrEnum):
    COUNT = "count"
    AMOUNT = "amount"  # a deal's amount in JPY (deals without an amount add nothing)


def event_source(event: Event) -> Source:
    """The one kind of canonical record an event is read from."""
    return {Event.BECAME_LEAD: Source.CONTACTS, Event.ACTIVITY: Source.ACTIVITIES}.get(event, Source.DEALS)


@dataclass(frozen=True)
class MetricRule:
    """How one base metric is counted from one kind of canonical record."""

    metric: str
    source: Source
    event: Event
    measure: Measure = Measure.COUNT
    stage: str | None = None
    activity_type: str | None = None
    completed_only: bool = False

    def __post_init__(self) -> None:
        expected_source = event_source(self.event)
        if self.source is not expected_source:
            raise ValueError(f"{self.metric}: {self.event} reads {expected_source}, not {self.source}")
        if (self.event is Event.REACHED_STAGE) != (self.stage in FUNNEL):
            raise ValueError(f"{self.metric}: a stage rule names one of {FUNNEL}")
        if (self.event is Event.ACTIVITY) != (self.activity_type in ACTIVITY_TYPES):
            raise ValueError(f"{self.metric}: an activity rule names one of {ACTIVITY_TYPES}")
        if self.measure is Measure.AMOUNT and self.source is not Source.DEALS:
            raise ValueError(f"{self.metric}: only deals have an amount")

    def describe(self) -> Message:
        """The rule in words, for the KPI definition book and the mapping page."""
        if self.event is Event.REACHED_STAGE:
            return Message(
                "integrations.rule.reached_stage", {"stage": Message(f"integrations.stage.{self.stage}")}
            )
        if self.event is Event.ACTIVITY:
            code = (
                "integrations.rule.activity_completed"
                if self.completed_only
                else "integrations.rule.activity"
            )
            return Message(code, {"type": Message(f"integrations.activity.{self.activity_type}")})
        if self.measure is Measure.AMOUNT:
            return Message(f"integrations.rule.{self.event}.amount")
        return Message(f"integrations.rule.{self.event}")


DEFAULT_RULES: tuple[MetricRule, ...] = (
    MetricRule("leads", Source.CONTACTS, Event.BECAME_LEAD),
    MetricRule("appointments", Source.DEALS, Event.REACHED_STAGE, stage="appointment"),
    MetricRule("meetings", Source.DEALS, Event.REACHED_STAGE, stage="meeting"),
    MetricRule("proposals", Source.DEALS, Event.REACHED_STAGE, stage="proposal"),
    MetricRule("wins", Source.DEALS, Event.CLOSED_WON),
    MetricRule("won_amount", Source.DEALS, Event.CLOSED_WON, Measure.AMOUNT),
    MetricRule("lost_deals", Source.DEALS, Event.CLOSED_LOST),
    MetricRule("calls", Source.ACTIVITIES, Event.ACTIVITY, activity_type="call"),
    MetricRule("emails", Source.ACTIVITIES, Event.ACTIVITY, activity_type="email"),
    MetricRule(
        "meetings_held", Source.ACTIVITIES, Event.ACTIVITY, activity_type="meeting", completed_only=True
    ),
)


def local_date(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The workspace's calendar day of an instant (a naive one is taken as UTC, as CRMs send them)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(zone).date()


@dataclass(frozen=True)
class ContactFacts:
    owner: Any
    became_lead_at: dt.datetime | None
    is_lead: bool = True
    counts: bool = True  # False when deleted or merged into another record


@dataclass(frozen=True)
class DealFacts:
    owner: Any
    stage_dates: Mapping[str, dt.date | None] = field(default_factory=dict)  # local days per funnel stage
    is_closed: bool = False
    is_won: bool = False
    close_date: dt.date | None = None
    amount: Decimal | None = None
    counts: bool = True


@dataclass(frozen=True)
class ActivityFacts:
    owner: Any
    activity_type: str | None  # mapped: call, email, meeting, task, or None when ignored
    occurred_at: dt.datetime
    completed: bool = True
    counts: bool = True


Cell = tuple[str, dt.date, Any]  # (metric, day, owner)


def contributions(
    rules: Iterable[MetricRule],
    *,
    contacts: Iterable[ContactFacts] = (),
    deals: Iterable[DealFacts] = (),
    activities: Iterable[ActivityFacts] = (),
    zone: ZoneInfo,
) -> dict[Cell, Decimal]:
    """Every (metric, day, owner) cell's value from the records: the reference computation."""
    rules = tuple(rules)
    totals: Counter[Cell] = Counter()
    for rule in rules:
        for day, owner, value in _rule_values(rule, contacts, deals, activities, zone):
            totals[(rule.metric, day, owner)] += value
    return {cell: Decimal(value) for cell, value in totals.items()}


def _rule_values(
    rule: MetricRule,
    contacts: Iterable[ContactFacts],
    deals: Iterable[DealFacts],
    activities: Iterable[ActivityFacts],
    zone: ZoneInfo,
) -> Iterator[tuple[dt.date, Any, Decimal]]:
    one = Decimal(1)
    if rule.source is Source.CONTACTS:
        for contact in contacts:
            if contact.counts and contact.is_lead and contact.became_lead_at is not None:
                yield local_date(contact.became_lead_at, zone), contact.owner, one
    elif rule.source is Source.ACTIVITIES:
        for activity in activities:
            if (
                activity.counts
                and activity.activity_type == rule.activity_type
                and (activity.completed or not rule.completed_only)
            ):
                yield local_date(activity.occurred_at, zone), activity.owner, one
    else:
        for deal in deals:
            if not deal.counts:
                continue
            if rule.event is Event.REACHED_STAGE:
                dates = dict(deal.stage_dates)
                if deal.is_won and deal.close_date is not None:
                    dates["won"] = min(d for d in (dates.get("won"), deal.close_date) if d is not None)
                day = funnel_dates_fill(dates)[rule.stage or ""]
            elif rule.event is Event.CLOSED_WON:
                day = deal.close_date if deal.is_closed and deal.is_won else None
            else:
                day = deal.close_date if deal.is_closed and not deal.is_won else None
            if day is None:
                continue
            if rule.measure is Measure.AMOUNT:
                if deal.amount is not None:
                    yield day, deal.owner, deal.amount
            else:
                yield day, deal.owner, one
