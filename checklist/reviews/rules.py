"""Rule evaluators over the review cycle: cadences, meetings in the calendar, action plans for KPIs behind."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from checklist.reviews.models import ActionPlan, CalendarFeedToken, ReviewCadence, ReviewMeeting
from tenants.clock import workspace_zone

_KIND_JA = {"weekly": "週次", "monthly": "月次", "quarterly": "四半期"}


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
        return RuleOutcome(False, "有効なレビューの周期が設定されていません。", "No active review cadence is set.",
                           {"cadences": 0})  # fmt: skip
    kinds = list(dict.fromkeys(c.kind for c in cadences))
    return RuleOutcome(
        True,
        "有効なレビューの周期: " + "、".join(f"{_KIND_JA[k]}" for k in kinds) + f"({len(cadences)}件)。",
        f"Active review cadences: {', '.join(kinds)} ({len(cadences)}).",
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
        return RuleOutcome(False, "今後のレビュー会議が登録されていません。", "No upcoming review meeting is scheduled.",
                           facts)  # fmt: skip
    if feed is None:
        return RuleOutcome(
            False,
            f"次回の会議({_local(meeting, context)})はありますが、カレンダー購読URLが発行されていません。",
            f"The next meeting ({_local(meeting, context)}) is scheduled, but no calendar subscription URL is "
            "issued.",
            facts,
        )
    return RuleOutcome(
        True,
        f"次回の会議は{_local(meeting, context)}「{meeting.title}」。カレンダー購読URL(iCalendar)を発行済み。",
        f'Next meeting {_local(meeting, context)} "{meeting.title}"; the iCalendar subscription URL is issued.',
        facts,
    )


@rule_evaluator("quarterly_revision_cadence")
def quarterly_revision_cadence(context: RuleContext) -> RuleOutcome:
    meeting = _next_meeting(context, kind=ReviewCadence.Kind.QUARTERLY)
    if meeting is None:
        has_cadence = any(c.kind == ReviewCadence.Kind.QUARTERLY for c in _live_cadences(context))
        ja = "四半期のKPI見直しの周期はありますが、次回の日程がありません。" if has_cadence else (
            "四半期のKPI見直しの周期が設定されていません。")  # fmt: skip
        en = "A quarterly KPI revision cadence exists but has no next date." if has_cadence else (
            "No quarterly KPI revision cadence is set.")  # fmt: skip
        return RuleOutcome(False, ja, en, {"quarterly_cadence": has_cadence})
    return RuleOutcome(
        True,
        f"四半期のKPI見直し「{meeting.cadence.title}」の次回は{_local(meeting, context)}。",
        f'Quarterly KPI revision "{meeting.cadence.title}": next on {_local(meeting, context)}.',
        {"next_meeting": meeting.starts_at.isoformat()},
    )


@rule_evaluator("action_plans_for_behind_kpis")
def action_plans_for_behind_kpis(context: RuleContext) -> RuleOutcome:
    """Every KPI whose status is "behind" has an open or in-progress action plan (matched by KPI key, so an
    action plan survives a re-plan that copies the tree)."""
    from kpi import selectors

    plan = context.plan
    if plan is None:
        return RuleOutcome(False, "KPI計画がありません。", "There is no KPI plan.", {"behind": []})
    statuses = context.memo("kpi_statuses", lambda: selectors.kpi_statuses(plan=plan, as_of=context.as_of))
    tracked = [s for s in statuses if s.status in {"on_track", "at_risk", "behind"}]
    if not tracked:
        # With no actuals against targets nothing can be behind yet, which proves nothing about follow-up.
        return RuleOutcome(
            False,
            "目標と実績を比較できるKPIがまだないため、未達KPIへの対応を確認できません。",
            "No KPI has both a target and actuals yet, so follow-up on KPIs behind cannot be checked.",
            {"behind": []},
        )
    behind = [s.node for s in statuses if s.status == "behind"]
    if not behind:
        return RuleOutcome(
            True,
            f"目標ペースを下回っているKPIはありません（{len(tracked)}件を確認）。",
            f"No KPI is behind ({len(tracked)} checked).",
            {"behind": []},
        )
    covered = set(
        ActionPlan.objects.filter(
            status__in=ActionPlan.OPEN_STATUSES, kpi_node__key__in=[n.key for n in behind]
        ).values_list("kpi_node__key", flat=True)
    )
    missing = [n for n in behind if n.key not in covered]
    facts = {"behind": [n.key for n in behind], "without_plan": [n.key for n in missing]}
    if missing:
        return RuleOutcome(
            False,
            "未達ペースのKPIのうちアクションプランがないもの: "
            + "、".join(n.name_ja for n in missing)
            + "。",
            "KPIs behind without an action plan: " + ", ".join(n.name_en or n.name_ja for n in missing) + ".",
            facts,
        )
    return RuleOutcome(
        True,
        f"未達ペースのKPI {len(behind)}件すべてに進行中のアクションプランがあります。",
        f"All {len(behind)} KPIs behind have an open action plan.",
        facts,
    )
