"""The review rules flip with the state they read (outcomes are computed on read, never stored)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation

from checklist.checklists.verification import RuleOutcome, rules_evaluate
from checklist.models import ActionPlan
from checklist.reviews import services
from kpi import services as kpi_services
from kpi.models import Metric
from tenants.clock import workspace_today
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

MAY_12 = dt.date(2026, 5, 12)


def outcome(world: World, key: str, as_of: dt.date | None = None) -> RuleOutcome:
    with workspace_context(world.a.workspace.id):
        result = rules_evaluate([key], workspace=world.a.workspace, as_of=as_of)[key]
    assert result is not None
    return result


def evidence(result: RuleOutcome, language: str) -> str:
    with translation.override(language):
        return result.evidence.render()


def actor(world: World) -> Actor:
    return Actor.of(world.a.principal("admin"))


def test_review_cadence_scheduled_flips(world: World) -> None:
    assert outcome(world, "review_cadence_scheduled").verified  # the world's weekly cadence
    cadence = world.a.extra["review_cadence"]
    with workspace_context(world.a.workspace.id):
        services.review_cadence_update(actor=actor(world), cadence=cadence, active=False)
    off = outcome(world, "review_cadence_scheduled")
    assert not off.verified and "有効なレビューの周期" in evidence(off, "ja") and evidence(off, "en")
    with workspace_context(world.a.workspace.id):
        services.review_cadence_update(actor=actor(world), cadence=cadence, active=True)
    on = outcome(world, "review_cadence_scheduled")
    assert on.verified and on.facts["kinds"] == ["weekly"]
    # A cadence that ended before the day asked about does not count.
    later = workspace_today(world.a.workspace) + dt.timedelta(days=400)
    with workspace_context(world.a.workspace.id):
        services.review_cadence_update(
            actor=actor(world), cadence=cadence, end_date=later - dt.timedelta(days=1)
        )
    assert not outcome(world, "review_cadence_scheduled", as_of=later).verified
    assert outcome(world, "review_cadence_scheduled").verified


def test_review_meetings_in_calendar_needs_a_meeting_and_a_feed(world: World, client_as: Any) -> None:
    assert outcome(world, "review_meetings_in_calendar").verified
    with workspace_context(world.a.workspace.id):
        services.calendar_feed_revoke(actor=actor(world))
    revoked = outcome(world, "review_meetings_in_calendar")
    assert (
        not revoked.verified
        and "購読URL" in evidence(revoked, "ja")
        and revoked.facts["feed_issued"] is False
    )
    with workspace_context(world.a.workspace.id):
        services.calendar_feed_issue(actor=actor(world), issued_by=None)
    assert outcome(world, "review_meetings_in_calendar").verified
    with workspace_context(world.a.workspace.id):
        services.review_cadence_update(
            actor=actor(world), cadence=world.a.extra["review_cadence"], active=False
        )
    off = outcome(world, "review_meetings_in_calendar")
    assert not off.verified and evidence(off, "en") == "No upcoming review meeting is scheduled."


def test_quarterly_revision_cadence_flips(world: World) -> None:
    missing = outcome(world, "quarterly_revision_cadence")
    assert not missing.verified and evidence(missing, "en") == "No quarterly KPI revision cadence is set."
    today = workspace_today(world.a.workspace)
    with workspace_context(world.a.workspace.id):
        cadence = services.review_cadence_create(actor=actor(world), kind="quarterly", title="四半期 KPI見直し",
                                                 month_of_quarter=3, day_of_month=20, local_time=dt.time(15),
                                                 start_date=today)  # fmt: skip
    on = outcome(world, "quarterly_revision_cadence")
    assert on.verified and "四半期 KPI見直し" in evidence(on, "ja") and on.facts["next_meeting"]
    with workspace_context(world.a.workspace.id):
        services.review_cadence_update(actor=actor(world), cadence=cadence, active=False)
    assert not outcome(world, "quarterly_revision_cadence").verified


def test_action_plans_for_behind_kpis(world: World) -> None:
    # No actuals this month: nothing can be behind, which proves nothing, so the rule does not hold.
    november = outcome(world, "action_plans_for_behind_kpis", as_of=dt.date(2026, 11, 20))
    assert not november.verified and evidence(november, "en").startswith(
        "No KPI has both a target and actuals"
    )
    # 3 wins of 40 meetings in May: 7.5% against 25% -> behind. The world's open plan on win_rate covers it.
    with workspace_context(world.a.workspace.id):
        kpi_services.actual_record(metric=Metric.objects.get(key="meetings"), date=dt.date(2026, 5, 7),
                                   value=Decimal(40))  # fmt: skip
    covered = outcome(world, "action_plans_for_behind_kpis", as_of=MAY_12)
    assert covered.verified and covered.facts == {"behind": ["win_rate"], "without_plan": []}
    plan = world.a.extra["action_plan"]
    with workspace_context(world.a.workspace.id):
        services.action_plan_update(actor=actor(world), action_plan=plan, status=ActionPlan.Status.DONE)
    uncovered = outcome(world, "action_plans_for_behind_kpis", as_of=MAY_12)
    assert not uncovered.verified and "受注率" in evidence(uncovered, "ja")
    assert uncovered.facts["without_plan"] == ["win_rate"]
    with workspace_context(world.a.workspace.id):
        services.action_plan_create(actor=actor(world), kpi_node=world.a.kpi, title="新しい対策",
                                    due_date=dt.date(2026, 6, 1), status=ActionPlan.Status.IN_PROGRESS)  # fmt: skip
    assert outcome(world, "action_plans_for_behind_kpis", as_of=MAY_12).verified
