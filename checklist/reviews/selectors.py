"""Read paths of the review cycle: the agenda a meeting is given, action plan lists, the iCalendar feed."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone, translation

from checklist.checklists import kpi_texts
from checklist.checklists.messages import CLAUSES, LIST
from checklist.checklists.params import Amount, Month, Named, joined, message_load, message_store
from checklist.reviews.models import ActionPlan, CalendarFeedToken, ReviewCadence, ReviewMeeting
from checklist.reviews.schedule import ReviewedPeriod, reviewed_periods
from checklist.reviews.tokens import FEED_TOKEN_LENGTH, FEED_WORKSPACE_CHARS, feed_token_hash
from core.messages import Message, active_language, message_render
from kpi.models import KpiNode, KpiTarget
from kpi.planning.calendar import fiscal_year_range
from kpi.selectors import kpi_statuses, plan_sensitivity
from kpi.units import value_format
from tenants.clock import workspace_zone
from tenants.context import workspace_context
from tenants.models import Workspace

Kind = ReviewCadence.Kind
AGENDA_STATUSES = ("behind", "at_risk")
_PERIOD_FOR_KIND = {Kind.WEEKLY: dt.timedelta(days=7), Kind.MONTHLY: dt.timedelta(days=31),
                    Kind.QUARTERLY: dt.timedelta(days=92)}  # fmt: skip

# --- Action plans ----------------------------------------------------------------------------------


def action_plan_list(
    *, today: dt.date, overdue: bool = False, status: str | None = None, queryset: QuerySet | None = None
) -> QuerySet:
    """Action plans of the workspace in context; ``overdue``: due before ``today`` and still open."""
    plans = (queryset if queryset is not None else ActionPlan.objects.all()).select_related(
        "kpi_node", "owner__user"
    )
    if overdue:
        plans = plans.filter(due_date__lt=today, status__in=ActionPlan.OPEN_STATUSES)
    if status:
        plans = plans.filter(status=status)
    return plans.order_by("due_date", "created_at")


def action_plan_is_overdue(plan: ActionPlan, today: dt.date) -> bool:
    return plan.due_date < today and plan.status in ActionPlan.OPEN_STATUSES


# --- Meetings -----------------------------------------------------------------------------------


def review_meeting_next(*, cadence: ReviewCadence, after: dt.datetime) -> ReviewMeeting | None:
    return ReviewMeeting.objects.filter(cadence=cadence, starts_at__gt=after).order_by("starts_at").first()


# --- The agenda ---------------------------------------------------------------------------------
#
# The agenda is stored on the meeting as a JSON snapshot. Each item keeps its machine fields (kind, keys,
# figures) and its sentence as ``message``: a code of ``checklist.reviews.messages`` with its parameters in
# their stored form (``checklist.checklists.params.message_store``), so the snapshot renders in the reader's
# language (:func:`agenda_item_text`) long after it was taken.


def _agenda(name: str, **params: Any) -> Message:
    return Message(f"checklist.reviews.agenda.{name}", params)


def _action_item(kind: str, plan: ActionPlan) -> dict[str, Any]:
    # A name, never an e-mail address: agendas travel to calendar apps through the subscription feed.
    owner = plan.owner.user.full_name if plan.owner else ""
    name = {"action_plan_overdue": "action_overdue", "action_plan_due": "action_due"}[kind]
    params: dict[str, Any] = {"title": plan.title, "due": plan.due_date}
    if owner:
        name, params = f"{name}_owned", {**params, "owner": owner}
    return {
        "kind": kind,
        "action_plan_id": str(plan.id),
        "kpi_key": plan.kpi_node.key if plan.kpi_node else None,
        "title": plan.title,
        "status": plan.status,
        "due_date": plan.due_date.isoformat(),
        "owner": owner,
        "message": message_store(_agenda(name, **params)),
    }


def _kpi_items(plan: Any, reviewed: ReviewedPeriod) -> list[dict[str, Any]]:
    """The KPIs behind or at risk in the reviewed period, read up to its ``as_of``."""
    items = []
    kind = str(reviewed.period.kind)
    for status in kpi_statuses(plan=plan, as_of=reviewed.as_of, period_kind=kind):
        if status.status not in AGENDA_STATUSES:
            continue
        node = status.node
        sentence = _agenda(
            "kpi_in_period", period=reviewed.period.label, status=kpi_texts.status_message(status)
        )
        items.append({
            "kind": f"kpi_{status.status}",
            "node_id": str(node.id),
            "kpi_key": node.key,
            "name_ja": node.name_ja,
            "name_en": node.name_en or node.name_ja,
            "status": status.status,
            "actual": value_format(status.actual, node.unit),
            "expected": value_format(status.expected, node.unit),
            "target": value_format(status.target, node.unit),
            "unit": node.unit,
            "period_kind": kind,
            "period_start": status.period_start.isoformat(),
            "period_end": status.period_end.isoformat(),
            "message": message_store(sentence),
        })  # fmt: skip
    # Behind first, then at risk, each in the tree's order.
    items.sort(key=lambda item: 0 if item["status"] == "behind" else 1)
    return items


def _bottleneck_item(plan: Any, as_of: dt.date) -> dict[str, Any] | None:
    result = plan_sensitivity(plan=plan, as_of=as_of)
    if result is None or not kpi_texts.bottleneck_known(result):
        return None
    driver = result.bottleneck
    return {
        "kind": "bottleneck",
        "driver_key": driver.key if driver else None,
        "message": message_store(_agenda("bottleneck", summary=kpi_texts.bottleneck_message(result))),
    }


def _plan_covers(plan: Any, period: Any, start_month: int) -> bool:
    fy_start, fy_end = fiscal_year_range(plan.fiscal_year, start_month)
    return fy_start <= period.start and period.end <= fy_end


def _next_month_items(plan: Any, after: dt.date) -> list[dict[str, Any]]:
    first = (after.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    targets = list(
        KpiTarget.objects.filter(node__plan=plan, period_kind=KpiTarget.PeriodKind.MONTH, period_start=first,
                                 node__kind=KpiNode.Kind.KPI)
        .select_related("node").order_by("node__position", "node__created_at")
    )  # fmt: skip
    if targets:
        lines = [
            _agenda("target", kpi=Named.of(t.node), target=Amount(t.value, t.node.unit)) for t in targets
        ]
        message = _agenda("next_month", month=Month(first), targets=joined(lines, CLAUSES))
    else:
        message = _agenda("next_month_without_targets", month=Month(first))
    return [{
        "kind": "next_month_plan",
        "month": first.isoformat(),
        "targets": [{"kpi_key": t.node.key, "target": value_format(t.value, t.node.unit), "unit": t.node.unit} for t in targets],
        "message": message_store(message),
    }]  # fmt: skip


def _revision_item(plan: Any) -> dict[str, Any]:
    kpis = KpiNode.objects.filter(plan=plan, kind=KpiNode.Kind.KPI).count()
    return {
        "kind": "kpi_revision",
        "kpi_count": kpis,
        "message": message_store(_agenda("revision", count=kpis)),
    }


def _note(name: str, **params: Any) -> dict[str, Any]:
    return {"kind": "note", "message": message_store(_agenda(name, **params))}


def review_agenda_build(*, meeting: ReviewMeeting, today: dt.date) -> dict[str, Any]:
    """The agenda of a meeting, as plain data (stored as the meeting's snapshot).

    KPI progress is judged over the periods the meeting's kind reviews (``schedule.reviewed_periods``:
    weekly the week and month to date, monthly the month just ended, quarterly the fiscal quarter just
    ended), each against the plan of its fiscal year; the agenda names them (``periods``, ``period_start``,
    ``period_end``). Action plans are read as of the meeting's date, or today when the meeting is still
    ahead: open ones "due before the next meeting" are those due from that date up to the cadence's next
    meeting.
    """
    from kpi.selectors import plan_current

    workspace = Workspace.objects.get(id=meeting.workspace_id)
    zone = workspace_zone(workspace)
    meeting_day = meeting.starts_at.astimezone(zone).date()
    as_of = min(meeting_day, today)
    cadence = meeting.cadence
    following = review_meeting_next(cadence=cadence, after=meeting.starts_at)
    horizon = (
        following.starts_at.astimezone(zone).date()
        if following
        else meeting_day + _PERIOD_FOR_KIND[Kind(cadence.kind)]
    )
    plan = plan_current(workspace=workspace, as_of=as_of)
    start_month = workspace.fiscal_year_start_month
    periods = reviewed_periods(
        cadence.kind, meeting_day=meeting_day, today=today, fiscal_year_start_month=start_month
    )
    items: list[dict[str, Any]] = []
    if plan is None:
        items.append(_note("no_plan"))
    else:
        kpi_items: list[dict[str, Any]] = []
        judged, judged_labels = None, []
        for reviewed in periods:
            judged = plan if _plan_covers(plan, reviewed.period, start_month) else (
                plan_current(workspace=workspace, as_of=reviewed.as_of)
            )  # fmt: skip
            if judged is None or not _plan_covers(judged, reviewed.period, start_month):
                items.append(_note("no_plan_for_period", period=reviewed.period.label))
                judged = None
                continue
            judged_labels.append(reviewed.period.label)
            kpi_items.extend(_kpi_items(judged, reviewed))
        if judged_labels and not kpi_items:
            items.append(_note("nothing_behind_in", periods=joined(judged_labels, LIST)))
        items.extend(kpi_items)
        bottleneck = _bottleneck_item(judged, periods[-1].as_of) if judged is not None else None
        if bottleneck:
            items.append(bottleneck)
    open_plans = action_plan_list(today=as_of).filter(status__in=ActionPlan.OPEN_STATUSES)
    for plan_row in open_plans.filter(due_date__lt=as_of):
        items.append(_action_item("action_plan_overdue", plan_row))
    for plan_row in open_plans.filter(due_date__gte=as_of, due_date__lte=horizon):
        items.append(_action_item("action_plan_due", plan_row))
    if plan is not None and cadence.kind == Kind.MONTHLY:
        items.extend(_next_month_items(plan, meeting_day))
    if plan is not None and cadence.kind == Kind.QUARTERLY:
        items.append(_revision_item(plan))
    return {
        "as_of": as_of.isoformat(),
        "period_start": min(r.period.start for r in periods).isoformat(),
        "period_end": max(r.period.end for r in periods).isoformat(),
        "periods": [
            {
                "kind": str(r.period.kind),
                "start": r.period.start.isoformat(),
                "end": r.period.end.isoformat(),
                "as_of": r.as_of.isoformat(),
            }
            for r in periods
        ],
        "next_meeting_date": horizon.isoformat(),
        "plan_id": str(plan.id) if plan else None,
        "plan_name": plan.name if plan else None,
        "items": items,
    }


# Agendas stored before the message layer kept each item's sentence in both languages.
_LEGACY_TEXT = {"ja": "text_ja", "en": "text_en"}


def agenda_item_message(item: dict[str, Any]) -> Message | None:
    """The item's sentence as a Message (None for an agenda stored before the message layer)."""
    stored = item.get("message")
    return message_load(stored) if isinstance(stored, dict) else None


def agenda_item_text(item: dict[str, Any]) -> str:
    """The item's sentence in the active language."""
    message = agenda_item_message(item)
    if message is not None:
        return message.render()
    return str(item.get(_LEGACY_TEXT[active_language()]) or item.get(_LEGACY_TEXT["ja"]) or "")


def agenda_text(agenda: dict[str, Any], language: str) -> str:
    """The agenda as numbered lines (the calendar event's description), in ``language``."""
    items = agenda.get("items") or []
    with translation.override(language):
        return "\n".join(f"{n}. {agenda_item_text(item)}" for n, item in enumerate(items, start=1))


# --- iCalendar ----------------------------------------------------------------------------------

FEED_PAST_DAYS = 180


def calendar_meetings(*, now: dt.datetime | None = None) -> QuerySet:
    """The meetings a calendar shows: the last half-year's and every future one."""
    since = (now or timezone.now()) - dt.timedelta(days=FEED_PAST_DAYS)
    return ReviewMeeting.objects.filter(starts_at__gte=since).select_related("cadence").order_by("starts_at")


def review_calendar_ics(*, workspace: Workspace, meetings: Iterable[ReviewMeeting], language: str) -> bytes:
    """An iCalendar document: one VEVENT per meeting (UID stable per meeting), times in the workspace zone;
    its texts in ``language``."""
    with translation.override(language):
        return _calendar(workspace, meetings)


def _calendar(workspace: Workspace, meetings: Iterable[ReviewMeeting]) -> bytes:
    import icalendar

    zone = workspace_zone(workspace)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Ikkan//Review cycle//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", message_render("checklist.reviews.calendar.name", {"workspace": workspace.name}))
    cal.add("x-wr-timezone", str(zone))
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"review-meeting-{meeting.id}@ikkan")
        event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
        event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
        event.add("created", meeting.created_at.astimezone(dt.UTC))
        event.add("sequence", meeting.sequence)
        event.add("dtstart", meeting.starts_at.astimezone(zone))
        event.add("dtend", meeting.ends_at.astimezone(zone))
        event.add("summary", meeting.title)
        description = agenda_text(meeting.agenda, active_language()) if meeting.agenda else ""
        event.add("description", description or message_render("checklist.reviews.calendar.no_agenda"))
        event.add("categories", [meeting.cadence.kind])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


# --- The subscription feed ---------------------------------------------------------------------


def calendar_feed_active() -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(revoked_at__isnull=True).first()


def calendar_feed_workspace(token: str) -> Workspace | None:
    """The workspace whose live feed secret is ``token``, or None. Enters that workspace's context to read.

    The token's first 32 characters name the workspace; the whole token's SHA-256 is compared in constant
    time with the one live hash of that workspace. Every failure answers None alike.
    """
    if len(token) != FEED_TOKEN_LENGTH:
        return None
    try:
        workspace_id = UUID(hex=token[:FEED_WORKSPACE_CHARS])
    except ValueError:
        return None
    if workspace_id.hex != token[:FEED_WORKSPACE_CHARS]:  # one spelling per workspace (lower-case hex)
        return None
    digest = feed_token_hash(token)
    with workspace_context(workspace_id):
        hashes = list(
            CalendarFeedToken.objects.filter(revoked_at__isnull=True).values_list("token_hash", flat=True)
        )
    matched = False
    for stored in hashes:
        matched |= hmac.compare_digest(stored, digest)
    if not matched:
        return None
    return Workspace.objects.filter(id=workspace_id).first()


__all__ = [
    "action_plan_is_overdue",
    "action_plan_list",
    "agenda_item_message",
    "agenda_item_text",
    "agenda_text",
    "calendar_feed_active",
    "calendar_feed_workspace",
    "calendar_meetings",
    "review_agenda_build",
    "review_calendar_ics",
    "review_meeting_next",
]
