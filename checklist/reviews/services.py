"""Write paths of the review cycle: cadences and their meetings, agendas, notes, action plans, the feed secret.

The schedule itself (which dates a cadence's rule gives, and where a holiday moves them) is pure and lives in
``checklist.reviews.schedule``; the feed token's format in ``checklist.reviews.tokens``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from checklist.checklists.params import Term
from checklist.reviews.models import (
    ActionPlan,
    CalendarFeedToken,
    ReviewCadence,
    ReviewCadenceAttendee,
    ReviewMeeting,
)
from checklist.reviews.schedule import Occurrence, ScheduleRule, schedule_occurrences
from checklist.reviews.selectors import review_agenda_build
from checklist.reviews.tokens import FEED_TOKEN_LENGTH, feed_token_hash
from core.changes import audit_value, fields_apply
from core.errors import ServiceError
from kpi.models import KpiNode
from tenants.clock import workspace_today, workspace_zone
from tenants.context import require_workspace_id
from tenants.models import Membership, Workspace
from tenants.services import Actor, audit_event_record

Kind = ReviewCadence.Kind
HolidayRule = ReviewCadence.HolidayRule
DEFAULT_COUNT = {Kind.WEEKLY: 8, Kind.MONTHLY: 6, Kind.QUARTERLY: 4}
MAX_COUNT = 52


# --- Helpers ---------------------------------------------------------------------------------


def _workspace() -> Workspace:
    return Workspace.objects.get(id=require_workspace_id())


def _error(name: str, *, field: str | None = None, **params: Any) -> ServiceError:
    """A refusal of ``checklist.reviews.messages`` (``checklist.reviews.<name>``)."""
    return ServiceError(f"checklist.reviews.{name}", params=params, field=field)


# --- Cadences --------------------------------------------------------------------------------

CADENCE_FIELDS = (
    "title", "weekday", "day_of_month", "month_of_quarter", "local_time", "duration_minutes", "start_date",
    "end_date", "holiday_rule", "active",
)  # fmt: skip
_RULE_FIELDS = {Kind.WEEKLY: {"weekday"}, Kind.MONTHLY: {"day_of_month"},
                Kind.QUARTERLY: {"day_of_month", "month_of_quarter"}}  # fmt: skip


def _cadence_check(cadence: ReviewCadence) -> None:
    wanted = _RULE_FIELDS[Kind(cadence.kind)]
    for name in ("weekday", "day_of_month", "month_of_quarter"):
        value = getattr(cadence, name)
        label = Term(f"checklist.reviews.field.{name}", name)
        if name in wanted and value is None:
            raise _error("rule_field_required", field=name, label=label)
        if name not in wanted and value is not None:
            raise _error("rule_field_not_for_kind", field=name, label=label)
    if cadence.end_date is not None and cadence.end_date < cadence.start_date:
        raise _error("end_before_start", field="end_date")


def _attendees_set(cadence: ReviewCadence, memberships: Sequence[Membership]) -> list[str]:
    workspace_id = require_workspace_id()
    for membership in memberships:
        if membership.workspace_id != workspace_id:  # serializers look up inside the workspace; services too
            raise _error("attendee_not_member", field="attendees")
    wanted = {m.id for m in memberships}
    ReviewCadenceAttendee.objects.filter(cadence=cadence).exclude(membership_id__in=wanted).delete()
    have = set(ReviewCadenceAttendee.objects.filter(cadence=cadence).values_list("membership_id", flat=True))
    for membership_id in wanted - have:
        ReviewCadenceAttendee.objects.create(cadence=cadence, membership_id=membership_id)
    return sorted(str(i) for i in wanted)


@transaction.atomic
def review_cadence_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    local_time: dt.time,
    start_date: dt.date,
    weekday: int | None = None,
    day_of_month: int | None = None,
    month_of_quarter: int | None = None,
    duration_minutes: int = 60,
    end_date: dt.date | None = None,
    holiday_rule: str = HolidayRule.NEXT_WORKING_DAY,
    active: bool = True,
    attendees: Sequence[Membership] = (),
    generate_count: int | None = None,
    now: dt.datetime | None = None,
) -> ReviewCadence:
    """Create a cadence and schedule its next meetings."""
    cadence = ReviewCadence(
        kind=kind, title=title, local_time=local_time, start_date=start_date, weekday=weekday,
        day_of_month=day_of_month, month_of_quarter=month_of_quarter, duration_minutes=duration_minutes,
        end_date=end_date, holiday_rule=holiday_rule, active=active,
    )  # fmt: skip
    _cadence_check(cadence)
    cadence.save()
    attendee_ids = _attendees_set(cadence, attendees)
    audit_event_record(
        actor=actor, action="checklist.review_cadence.created", target_type="review_cadence",
        target_id=cadence.id,
        changes={**{f: audit_value(getattr(cadence, f)) for f in ("kind", *CADENCE_FIELDS)}, "attendees": attendee_ids},
    )  # fmt: skip
    review_meetings_generate(actor=actor, cadence=cadence, count=generate_count, now=now)
    return cadence


@transaction.atomic
def review_cadence_update(
    *, actor: Actor, cadence: ReviewCadence, now: dt.datetime | None = None, **changes: Any
) -> ReviewCadence:
    """Change a cadence; its future meetings without notes follow the new rule (past ones never move)."""
    attendees = changes.pop("attendees", None)
    unknown = set(changes) - set(CADENCE_FIELDS)
    if unknown:
        raise _error("unknown_field", field=sorted(unknown)[0])
    cadence = ReviewCadence.objects.select_for_update().get(id=cadence.id)
    diff = fields_apply(cadence, changes)
    _cadence_check(cadence)
    if attendees is not None:
        before = sorted(
            str(i)
            for i in ReviewCadenceAttendee.objects.filter(cadence=cadence).values_list(
                "membership_id", flat=True
            )
        )
        after = _attendees_set(cadence, attendees)
        if before != after:
            diff["attendees"] = {"from": before, "to": after}
    if not diff:
        return cadence
    cadence.save()
    audit_event_record(actor=actor, action="checklist.review_cadence.updated", target_type="review_cadence",
                       target_id=cadence.id, changes=diff)  # fmt: skip
    # Keep the horizon already scheduled: as many meetings ahead as there were (the default if none).
    ahead = ReviewMeeting.objects.filter(cadence=cadence, starts_at__gte=now or timezone.now()).count()
    review_meetings_generate(actor=actor, cadence=cadence, count=min(ahead, MAX_COUNT) or None, now=now)
    return cadence


@dataclass(frozen=True)
class GenerateResult:
    created: int
    updated: int
    deleted: int
    kept: int


def _frozen_meeting_ids(meetings: Sequence[ReviewMeeting]) -> set[Any]:
    """Meetings a regeneration must not move or delete: those with notes or with action plans from them."""
    with_plans = set(
        ActionPlan.objects.filter(meeting__in=[m.id for m in meetings]).values_list("meeting_id", flat=True)
    )
    return {m.id for m in meetings if m.has_notes or m.id in with_plans}


@transaction.atomic
def review_meetings_generate(
    *, actor: Actor, cadence: ReviewCadence, count: int | None = None, now: dt.datetime | None = None
) -> GenerateResult:
    """Schedule the cadence's next ``count`` meetings (idempotent by cadence and rule date).

    Future meetings without notes follow the rule (moved, or deleted when the rule no longer gives their
    date); meetings with notes or action plans, and past meetings, are never touched. An inactive cadence
    keeps no future meetings without notes.
    """
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise _error("count_out_of_range", field="count", max=MAX_COUNT)
    cadence = ReviewCadence.objects.select_for_update().get(id=cadence.id)
    workspace = _workspace()
    zone = workspace_zone(workspace)
    now = now or timezone.now()
    today = workspace_today(workspace, now)
    future = list(ReviewMeeting.objects.filter(cadence=cadence, starts_at__gte=now))
    frozen = _frozen_meeting_ids(future)
    by_date = {m.occurrence_date: m for m in ReviewMeeting.objects.filter(cadence=cadence)}
    wanted: list[Occurrence] = []
    if cadence.active:
        rule = ScheduleRule.of(cadence, workspace.fiscal_year_start_month)
        until = max((m.occurrence_date for m in future), default=None)
        wanted = schedule_occurrences(
            rule, from_date=today, count=count or DEFAULT_COUNT[Kind(cadence.kind)], until=until
        )
    created = updated = kept = 0
    duration = dt.timedelta(minutes=cadence.duration_minutes)
    wanted_dates = set()
    for occurrence in wanted:
        starts_at = dt.datetime.combine(occurrence.date, cadence.local_time, tzinfo=zone)
        if starts_at < now:
            continue  # today's meeting whose time has passed
        wanted_dates.add(occurrence.nominal)
        meeting = by_date.get(occurrence.nominal)
        if meeting is None:
            ReviewMeeting.objects.create(cadence=cadence, occurrence_date=occurrence.nominal, starts_at=starts_at,
                                         ends_at=starts_at + duration, title=cadence.title)  # fmt: skip
            created += 1
        elif meeting.id in frozen or meeting.starts_at < now:
            kept += 1
        elif (meeting.starts_at, meeting.ends_at, meeting.title) != (
            starts_at,
            starts_at + duration,
            cadence.title,
        ):
            meeting.starts_at, meeting.ends_at, meeting.title = starts_at, starts_at + duration, cadence.title
            meeting.sequence += 1
            meeting.save(update_fields=["starts_at", "ends_at", "title", "sequence", "updated_at"])
            updated += 1
        else:
            kept += 1
    stale = [m.id for m in future if m.occurrence_date not in wanted_dates and m.id not in frozen]
    deleted = ReviewMeeting.objects.filter(id__in=stale).delete()[1].get(ReviewMeeting._meta.label, 0)
    result = GenerateResult(created=created, updated=updated, deleted=deleted, kept=kept)
    if created or updated or deleted:
        audit_event_record(actor=actor, action="checklist.review_meetings.generated", target_type="review_cadence",
                           target_id=cadence.id, changes=dict(result.__dict__))  # fmt: skip
    return result


# --- Meetings: agenda and notes -----------------------------------------------------------------


@transaction.atomic
def review_meeting_agenda_generate(
    *, actor: Actor, meeting: ReviewMeeting, now: dt.datetime | None = None
) -> ReviewMeeting:
    """Take a snapshot of the agenda (KPIs behind pace, the bottleneck, action plans) onto the meeting."""
    meeting = ReviewMeeting.objects.select_for_update().select_related("cadence").get(id=meeting.id)
    now = now or timezone.now()
    meeting.agenda = review_agenda_build(meeting=meeting, today=workspace_today(_workspace(), now))
    meeting.agenda_generated_at = now
    meeting.save(update_fields=["agenda", "agenda_generated_at", "updated_at"])
    audit_event_record(actor=actor, action="checklist.review_meeting.agenda_generated", target_type="review_meeting",
                       target_id=meeting.id, changes={"items": len(meeting.agenda.get("items", []))})  # fmt: skip
    return meeting


@transaction.atomic
def review_meeting_notes_set(
    *, actor: Actor, meeting: ReviewMeeting, notes: str, decisions: Sequence[str] = ()
) -> ReviewMeeting:
    meeting = ReviewMeeting.objects.select_for_update().get(id=meeting.id)
    decisions = [d.strip() for d in decisions if d.strip()]
    diff = {}
    if meeting.notes != notes:
        diff["notes"] = {"from": meeting.notes, "to": notes}
    if meeting.decisions != decisions:
        diff["decisions"] = {"from": meeting.decisions, "to": decisions}
    if not diff:
        return meeting
    meeting.notes, meeting.decisions = notes, decisions
    meeting.notes_updated_at, meeting.notes_updated_by = timezone.now(), actor.label[:200]
    meeting.save(update_fields=["notes", "decisions", "notes_updated_at", "notes_updated_by", "updated_at"])
    audit_event_record(actor=actor, action="checklist.review_meeting.notes_set", target_type="review_meeting",
                       target_id=meeting.id, changes=diff)  # fmt: skip
    return meeting


# --- Action plans ------------------------------------------------------------------------------

ACTION_PLAN_FIELDS = ("kpi_node", "title", "description", "owner", "due_date", "status", "meeting")


def _action_plan_check(plan: ActionPlan, *, kpi_node_required: bool) -> None:
    """Related rows belong to the workspace. A new plan (or a change of KPI) names a KPI; a plan whose KPI
    was deleted since keeps working without one, so it can still be closed."""
    workspace_id = require_workspace_id()
    for field in ("kpi_node", "owner", "meeting"):
        related = getattr(plan, field)
        if related is not None and related.workspace_id != workspace_id:
            raise _error("not_found", field=field)
    if kpi_node_required and plan.kpi_node_id is None:
        raise _error("kpi_node_required", field="kpi_node")


@transaction.atomic
def action_plan_create(
    *,
    actor: Actor,
    kpi_node: KpiNode,
    title: str,
    due_date: dt.date,
    description: str = "",
    owner: Membership | None = None,
    status: str = ActionPlan.Status.OPEN,
    meeting: ReviewMeeting | None = None,
) -> ActionPlan:
    plan = ActionPlan(kpi_node=kpi_node, title=title, description=description, owner=owner, due_date=due_date,
                      status=status, meeting=meeting)  # fmt: skip
    _action_plan_check(plan, kpi_node_required=True)
    if status not in ActionPlan.OPEN_STATUSES:
        plan.closed_at = timezone.now()
    plan.save()
    audit_event_record(actor=actor, action="checklist.action_plan.created", target_type="action_plan",
                       target_id=plan.id, changes={f: audit_value(getattr(plan, f)) for f in ACTION_PLAN_FIELDS})  # fmt: skip
    return plan


@transaction.atomic
def action_plan_update(*, actor: Actor, action_plan: ActionPlan, **changes: Any) -> ActionPlan:
    unknown = set(changes) - set(ACTION_PLAN_FIELDS)
    if unknown:
        raise _error("unknown_field", field=sorted(unknown)[0])
    plan = ActionPlan.objects.select_for_update().get(id=action_plan.id)
    diff = fields_apply(plan, changes)
    if not diff:
        return plan
    _action_plan_check(plan, kpi_node_required="kpi_node" in diff)
    if "status" in diff:
        plan.closed_at = None if plan.status in ActionPlan.OPEN_STATUSES else timezone.now()
    plan.save()
    audit_event_record(actor=actor, action="checklist.action_plan.updated", target_type="action_plan",
                       target_id=plan.id, changes=diff)  # fmt: skip
    return plan


# --- The calendar feed's secret ------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, actor: Actor, issued_by: Membership | None) -> tuple[CalendarFeedToken, str]:
    """Issue the workspace's feed secret, revoking the previous one (rotation). The token is returned once.

    ``issued_by`` ties the secret to a member (removing the member removes it); None for the firm's owner,
    who is no member, and for the demo."""
    workspace_id = require_workspace_id()
    Workspace.objects.select_for_update().filter(id=workspace_id).first()  # one issue at a time
    revoked = CalendarFeedToken.objects.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = workspace_id.hex + secrets.token_urlsafe(32)
    assert len(token) == FEED_TOKEN_LENGTH
    feed = CalendarFeedToken.objects.create(token_hash=feed_token_hash(token), hint=token[-4:],
                                            created_by=actor.label[:200], issued_by=issued_by)  # fmt: skip
    audit_event_record(actor=actor, action="checklist.calendar_feed.issued", target_type="calendar_feed",
                       target_id=feed.id, changes={"hint": feed.hint, "rotated": bool(revoked)})  # fmt: skip
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor: Actor) -> bool:
    """Revoke the feed secret; calendar apps subscribed to it get 404 from now on."""
    active = CalendarFeedToken.objects.select_for_update().filter(revoked_at__isnull=True).first()
    if active is None:
        return False
    active.revoked_at = timezone.now()
    active.save(update_fields=["revoked_at", "updated_at"])
    audit_event_record(actor=actor, action="checklist.calendar_feed.revoked", target_type="calendar_feed",
                       target_id=active.id, changes={"hint": active.hint})  # fmt: skip
    return True
