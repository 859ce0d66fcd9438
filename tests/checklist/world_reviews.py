"""The reviews part of the two-workspace world: a cadence, its meetings, an action plan and a feed secret."""

from __future__ import annotations

import datetime as dt
from typing import Any

from checklist.models import ReviewMeeting
from checklist.reviews import services
from tenants.clock import workspace_today
from tenants.context import workspace_context
from tenants.services import Actor


def seed(side: Any) -> None:
    """Add this capability's objects to one side of the world; store them in `side.extra`."""
    actor = Actor.of(side.principal("manager"))
    name = side.workspace.name  # B's carries the canary
    with workspace_context(side.workspace.id):
        today = workspace_today(side.workspace)
        cadence = services.review_cadence_create(
            actor=actor, kind="weekly", title=f"週次レビュー {name}", weekday=today.weekday(),
            local_time=dt.time(23, 59), start_date=today, attendees=[side.memberships["manager"]],
            generate_count=4,
        )  # fmt: skip
        meeting = ReviewMeeting.objects.filter(cadence=cadence).order_by("starts_at").first()
        assert meeting is not None
        meeting = services.review_meeting_notes_set(actor=actor, meeting=meeting, notes=f"議事録 {name}")
        action_plan = services.action_plan_create(
            actor=actor, kpi_node=side.kpi, title=f"対策 {name}", due_date=today + dt.timedelta(days=14),
            owner=side.memberships["manager"], meeting=meeting,
        )  # fmt: skip
        feed, token = services.calendar_feed_issue(actor=actor, issued_by=side.memberships["manager"])
    side.extra["review_cadence"] = cadence
    side.extra["review_meeting"] = meeting
    side.extra["action_plan"] = action_plan
    side.extra["calendar_feed"] = feed
    side.extra["calendar_feed_secret"] = token  # a str: kept for the feed's own isolation test
