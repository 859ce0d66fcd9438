"""Demo data of the review cycle: the three cadences with their meetings, notes, and two action plans."""

from __future__ import annotations

import datetime as dt

from checklist.reviews import services
from checklist.reviews.models import ActionPlan, ReviewCadence, ReviewMeeting
from kpi.models import KpiNode
from tenants.clock import workspace_today
from tenants.models import Membership, Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor

WEEKLY_TITLE, MONTHLY_TITLE, QUARTERLY_TITLE = (
    "週次 進捗・ボトルネック確認",
    "月次 振り返りと翌月計画",
    "四半期 KPI見直し",
)

# The demo's words, shown as the examples of the review cycle's API (OpenAPI).
API_EXAMPLES = {
    "cadence_weekly": {"kind": "weekly", "title": WEEKLY_TITLE, "weekday": 0, "local_time": "10:00",
                       "duration_minutes": 60, "start_date": "2026-04-06"},
    "cadence_quarterly": {"kind": "quarterly", "title": QUARTERLY_TITLE, "month_of_quarter": 3, "day_of_month": 20,
                          "local_time": "15:00", "duration_minutes": 120, "start_date": "2026-04-01"},
    "notes": {"notes": "商談化率が想定を下回る。インサイドセールスの架電数を増やす。", "decisions": ["架電リストを週次で見直す"]},
    "action_plan": {"kpi_node": "<kpi node id>", "title": "架電スクリプトの改善", "owner": "<membership id>",
                    "due_date": "2026-05-29", "meeting": "<meeting id>"},
}  # fmt: skip


def demo_reviews_seed(*, workspace: Workspace, actor: Actor) -> None:
    """Weekly, monthly and quarterly cadences (domain.md's review cycle), the first meeting's notes and action
    plans for two KPIs. Idempotent: a workspace that has cadences is left alone. Runs inside the workspace's
    context."""
    if ReviewCadence.objects.exists():
        return
    memberships = list(Membership.objects.filter(workspace=workspace))
    attendees = [m for m in memberships if m.role != WorkspaceRole.VIEWER]
    members = {m.role: m for m in memberships}
    today = workspace_today(workspace)
    start = today - dt.timedelta(days=today.weekday())  # this week's Monday
    services.review_cadence_create(
        actor=actor, kind="weekly", title=WEEKLY_TITLE, weekday=0, local_time=dt.time(10, 0),
        duration_minutes=60, start_date=start, attendees=attendees,
    )  # fmt: skip
    services.review_cadence_create(
        actor=actor, kind="monthly", title=MONTHLY_TITLE, day_of_month=5, local_time=dt.time(14, 0),
        duration_minutes=90, start_date=start, attendees=attendees,
    )  # fmt: skip
    services.review_cadence_create(
        actor=actor, kind="quarterly", title=QUARTERLY_TITLE, month_of_quarter=3, day_of_month=20,
        local_time=dt.time(15, 0), duration_minutes=120, start_date=start, attendees=attendees,
    )  # fmt: skip
    services.calendar_feed_issue(
        actor=actor, issued_by=None
    )  # the URL is shown on the next issue; the demo needs it live
    meeting = ReviewMeeting.objects.filter(cadence__kind="weekly").order_by("starts_at").first()
    if meeting is not None:
        services.review_meeting_agenda_generate(actor=actor, meeting=meeting)
        services.review_meeting_notes_set(
            actor=actor, meeting=meeting,
            notes="商談化率が想定を下回っている。アポイント後の事前ヒアリングが不足している可能性。",
            decisions=["インサイドセールスが商談前にヒアリングシートを送る", "翌週に商談化率を再確認する"],
        )  # fmt: skip
    kpis = {n.key: n for n in KpiNode.objects.filter(kind=KpiNode.Kind.KPI)}
    owner = members.get(WorkspaceRole.MANAGER)
    for key, title, days in (
        ("meeting_rate", "商談前ヒアリングシートの導入", 14),
        ("appointments", "架電リストの見直しと追加", -3),  # already overdue: the overdue list shows it
    ):
        node = kpis.get(key) or next(iter(kpis.values()), None)
        if node is None or ActionPlan.objects.filter(title=title).exists():
            continue
        services.action_plan_create(actor=actor, kpi_node=node, title=title, owner=owner,
                                    due_date=today + dt.timedelta(days=days), meeting=meeting)  # fmt: skip
