"""Rule evaluators over the review cycle: cadences, meetings in the calendar, action plans for KPIs behind.

Evidence is a Message of ``checklist.reviews.messages`` (``checklist.reviews.evidence.*``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from checklist.checklists.messages import LIST
from checklist.checklists.params import Named, Term, joined
from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from checklist.reviews.models import ActionPlan, CalendarFeedToken, ReviewCadence, ReviewMeeting
from core.messages import Message
from tenants.clock import workspace_zone


def _evidence(name: str, **params: Any) -> Message:
    return Message(f"checklist.reviews.evidence.{name}", params)


def _live_cadences(context: RuleContext) -> list[ReviewCadence]:
    """Active cadences that have not ended by the evaluation date."""
    return context.memo(
        "review_cadences",
        lambda: list(
            ReviewCadence.objects.filter(active=True)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=context.as_of))
            .order_by("kind", "created_at")
        ),
    )


def _next_meeting(context: RuleContext, kind: str | None = None) -> ReviewMeeting | None:
    """The next meeting of a live cadence from the start of the evaluation day (workspace time zone)."""
    zone = workspace_zone(context.workspace)
    since = dt.datetime.combine(context.as_of, dt.time.min, tzinfo=zone)
    meetings = ReviewMeeting.objects.filter(cadence__in=_live_cadences(context), starts_at__gte=since)
    if kind is not None:
        meetings = meetings.filter(cadence__kind=kind)
    return meetings.order_by("starts_at").first()


def _local(meeting: ReviewMeeting, context: RuleContext) -> str:
    return f"{meeting.starts_at.astimezone(workspace_zone(context.workspace)):%Y-%m-%d %H:%M}"


@rule_evaluator("review_cadence_scheduled")
def review_cadence_scheduled(context: RuleContext) -> RuleOutcome:
    cadences = _live_cadences(context)
    if not cadences:
        return RuleOutcome(False, _evidence("no_cadence"), {"cadences": 0})
    kinds = list(dict.fromkeys(c.kind for c in cadences))
    labels = joined([Term(f"checklist.reviews.kind.{kind}", kind) for kind in kinds], LIST)
    return RuleOutcome(
        True,
        _evidence("cadences", kinds=labels, count=len(cadences)),
        {"cadences": len(cadences), "kinds": kinds},
    )


@rule_evaluator("review_meetings_in_calendar")
def review_meetings_in_calendar(context: RuleContext) -> RuleOutcome:
    """A future meeting is scheduled and a calendar subscription URL is live.

    "Exported to a calendar" is read as: the workspace issued its iCalendar subscription URL (a calendar app
    subscribes to it and follows every change). A one-off download of the .ics proves nothing lasting, and
    whether someone actually subscribed cannot be known, so the live secret is the product's evidence.
    """
    meeting = _next_meeting(context)
    feed = CalendarFeedToken.objects.filter(revoked_at__isnull=True).first()
    facts = {
        "next_meeting": meeting.starts_at.isoformat() if meeting else None,
        "feed_issued": feed is not None,
    }
    if meeting is None:
        return RuleOutcome(False, _evidence("no_upcoming_meeting"), facts)
    if feed is None:
        return RuleOutcome(
            False, _evidence("meeting_without_feed", starts_at=_local(meeting, context)), facts
        )
    return RuleOutcome(
        True, _evidence("meeting_and_feed", starts_at=_local(meeting, context), title=meeting.title), facts
    )


@rule_evaluator("quarterly_revision_cadence")
def quarterly_revision_cadence(context: RuleContext) -> RuleOutcome:
    meeting = _next_meeting(context, kind=ReviewCadence.Kind.QUARTERLY)
    if meeting is None:
        has_cadence = any(c.kind == ReviewCadence.Kind.QUARTERLY for c in _live_cadences(context))
        evidence = _evidence("quarterly_without_date" if has_cadence else "no_quarterly_cadence")
        return RuleOutcome(False, evidence, {"quarterly_cadence": has_cadence})
    return RuleOutcome(
        True,
        _evidence("quarterly_next", title=meeting.cadence.title, starts_at=_local(meeting, context)),
        {"next_meeting": meeting.starts_at.isoformat()},
    )


@rule_evaluator("action_plans_for_behind_kpis")
def action_plans_for_behind_kpis(context: RuleContext) -> RuleOutcome:
    """Every KPI whose status is "behind" has an open or in-progress action plan (matched by KPI key, so an
    action plan survives a re-plan that copies the tree)."""
    from kpi import selectors

    plan = context.plan
    if plan is None:
        return RuleOutcome(False, _evidence("no_plan"), {"behind": []})
    statuses = context.memo("kpi_statuses", lambda: selectors.kpi_statuses(plan=plan, as_of=context.as_of))
    tracked = [s for s in statuses if s.status in {"on_track", "at_risk", "behind"}]
    if not tracked:
        # With no actuals against targets nothing can be behind yet, which proves nothing about follow-up.
        return RuleOutcome(False, _evidence("nothing_tracked"), {"behind": []})
    behind = [s.node for s in statuses if s.status == "behind"]
    if not behind:
        return RuleOutcome(True, _evidence("nothing_behind", count=len(tracked)), {"behind": []})
    covered = set(
        ActionPlan.objects.filter(
            status__in=ActionPlan.OPEN_STATUSES, kpi_node__key__in=[n.key for n in behind]
        ).values_list("kpi_node__key", flat=True)
    )
    missing = [n for n in behind if n.key not in covered]
    facts = {"behind": [n.key for n in behind], "without_plan": [n.key for n in missing]}
    if missing:
        names = joined([Named.of(n) for n in missing], LIST)
        return RuleOutcome(False, _evidence("behind_without_plan", kpis=names), facts)
    return RuleOutcome(True, _evidence("behind_all_planned", count=len(behind)), facts)
