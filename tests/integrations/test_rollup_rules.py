"""The default metric rules, by hand: time-zone attribution, the cumulative funnel, deletes and merges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from integrations.rollups.rules import (
    DEFAULT_RULES,
    ActivityFacts,
    ContactFacts,
    DealFacts,
    Event,
    Measure,
    MetricRule,
    Source,
    contributions,
    local_date,
)

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC
D = dt.date


def test_a_utc_timestamp_counts_on_the_tokyo_day() -> None:
    assert local_date(dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC), TOKYO) == D(2026, 5, 8)
    assert local_date(dt.datetime(2026, 5, 7, 14, 59, tzinfo=UTC), TOKYO) == D(2026, 5, 7)
    assert local_date(dt.datetime(2026, 5, 7, 16, 30), TOKYO) == D(2026, 5, 8)  # naive is UTC, as CRMs send


def test_default_rules_on_a_hand_computed_month() -> None:
    rep, manager = "rep", "manager"
    deals = [
        # Won on 5/15 with no stage dates at all: it reached every stage on its close date.
        DealFacts(rep, {}, is_closed=True, is_won=True, close_date=D(2026, 5, 15), amount=Decimal(3_000_000)),
        # At proposal since 5/12, appointment known 5/2.
        DealFacts(rep, {"appointment": D(2026, 5, 2), "proposal": D(2026, 5, 12)}),
        # Lost on 5/20 after a meeting on 5/9; its amount never counts.
        DealFacts(manager, {"meeting": D(2026, 5, 9)}, is_closed=True, close_date=D(2026, 5, 20),
                  amount=Decimal(9_999)),
        # Won, amount unknown ("N/A" in the CRM): a win that adds no amount.
        DealFacts(manager, {"appointment": D(2026, 5, 1)}, is_closed=True, is_won=True, close_date=D(2026, 5, 28)),
        # Deleted, and merged away: count for nothing.
        DealFacts(rep, {"appointment": D(2026, 5, 3)}, counts=False),
    ]  # fmt: skip
    contacts = [
        ContactFacts(rep, dt.datetime(2026, 5, 7, 16, 30, tzinfo=UTC)),  # 5/8 in Tokyo
        ContactFacts(rep, dt.datetime(2026, 5, 7, 1, 0, tzinfo=UTC)),
        ContactFacts(
            rep, dt.datetime(2026, 5, 7, 2, 0, tzinfo=UTC), counts=False
        ),  # merged into the one above
        ContactFacts(rep, None),  # never became a lead
        ContactFacts(rep, dt.datetime(2026, 5, 7, tzinfo=UTC), is_lead=False),  # a customer, not a lead
    ]
    activities = [
        ActivityFacts(rep, "call", dt.datetime(2026, 5, 7, 0, 0, tzinfo=UTC)),
        ActivityFacts(rep, "call", dt.datetime(2026, 5, 7, 15, 0, tzinfo=UTC)),  # 5/8 in Tokyo
        ActivityFacts(
            rep, "meeting", dt.datetime(2026, 5, 7, 5, 0, tzinfo=UTC), completed=False
        ),  # cancelled
        ActivityFacts(rep, "meeting", dt.datetime(2026, 5, 8, 5, 0, tzinfo=UTC)),
        ActivityFacts(rep, "email", dt.datetime(2026, 5, 8, 5, 0, tzinfo=UTC), counts=False),
        ActivityFacts(rep, None, dt.datetime(2026, 5, 8, 5, 0, tzinfo=UTC)),  # a type mapped to "ignore"
    ]
    cells = contributions(DEFAULT_RULES, contacts=contacts, deals=deals, activities=activities, zone=TOKYO)
    one = Decimal(1)
    assert cells == {
        ("leads", D(2026, 5, 8), rep): one,
        ("leads", D(2026, 5, 7), rep): one,
        ("appointments", D(2026, 5, 15), rep): one,
        ("meetings", D(2026, 5, 15), rep): one,
        ("proposals", D(2026, 5, 15), rep): one,
        ("wins", D(2026, 5, 15), rep): one,
        ("won_amount", D(2026, 5, 15), rep): Decimal(3_000_000),
        ("appointments", D(2026, 5, 2), rep): one,
        ("meetings", D(2026, 5, 12), rep): one,
        ("proposals", D(2026, 5, 12), rep): one,
        ("appointments", D(2026, 5, 9), manager): one,
        ("meetings", D(2026, 5, 9), manager): one,
        ("lost_deals", D(2026, 5, 20), manager): one,
        ("appointments", D(2026, 5, 1), manager): one,
        ("meetings", D(2026, 5, 28), manager): one,
        ("proposals", D(2026, 5, 28), manager): one,
        ("wins", D(2026, 5, 28), manager): one,
        ("calls", D(2026, 5, 7), rep): one,
        ("calls", D(2026, 5, 8), rep): one,
        ("meetings_held", D(2026, 5, 8), rep): one,
    }


def test_a_workspace_rule_can_count_an_activity_type_instead_of_a_stage() -> None:
    rule = MetricRule("appointments", Source.ACTIVITIES, Event.ACTIVITY, activity_type="meeting")
    activity = ActivityFacts("rep", "meeting", dt.datetime(2026, 5, 7, 5, 0, tzinfo=UTC), completed=False)
    assert contributions([rule], activities=[activity], zone=TOKYO) == {
        ("appointments", D(2026, 5, 7), "rep"): 1
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda: MetricRule("x", Source.DEALS, Event.ACTIVITY, activity_type="call"),
        lambda: MetricRule("x", Source.DEALS, Event.REACHED_STAGE, stage="lost"),
        lambda: MetricRule("x", Source.ACTIVITIES, Event.ACTIVITY, activity_type="fax"),
        lambda: MetricRule("x", Source.CONTACTS, Event.BECAME_LEAD, Measure.AMOUNT),
    ],
)
def test_a_rule_outside_the_vocabulary_is_refused(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
