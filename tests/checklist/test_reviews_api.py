"""The review cycle through its API: cadences and meetings, notes, action plans, the calendar, roles, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from checklist.models import ActionPlan, ReviewCadence, ReviewMeeting
from checklist.reviews import services
from kpi import services as kpi_services
from kpi.models import Metric
from tenants.clock import workspace_today
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tenants.services import Actor
from tests.conftest import World

TOKYO = ZoneInfo("Asia/Tokyo")
WRITERS = ("admin", "manager", "consultant", "firm_owner", "api_key")
READERS_ONLY = ("sales_rep", "viewer")


def u(world: World, suffix: str, side: str = "a") -> str:
    return f"/api/v1/workspaces/{getattr(world, side).workspace.id}/checklist/{suffix}"


def tokyo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TOKYO)


def weekly_body(**fields: Any) -> dict[str, Any]:
    # Tuesdays at 10:00 from 22 April 2031: 29 April (昭和の日) and 6 May (振替休日) move to Wednesdays.
    return {"kind": "weekly", "title": "週次レビュー", "weekday": 1, "local_time": "10:00", "duration_minutes": 60,
            "start_date": "2031-04-22", "generate_count": 4, **fields}  # fmt: skip


def meetings_of(world: World, cadence_id: str, side: str = "a") -> list[ReviewMeeting]:
    with workspace_context(getattr(world, side).workspace.id):
        return list(ReviewMeeting.objects.filter(cadence_id=cadence_id).order_by("starts_at"))


def counts(world: World) -> tuple[int, int, int, int]:
    with workspace_context(world.a.workspace.id):
        return (ReviewCadence.objects.count(), ReviewMeeting.objects.count(), ActionPlan.objects.count(),
                AuditEvent.objects.count())  # fmt: skip


# --- Cadences and meetings ---------------------------------------------------------------------------


def test_weekly_cadence_schedules_meetings_off_golden_week(world: World, client_as: Any) -> None:
    client = client_as("manager")
    body = weekly_body(
        attendees=[str(world.a.memberships["manager"].id), str(world.a.memberships["viewer"].id)]
    )
    response = client.post(u(world, "reviews/cadences/"), body, format="json")
    assert response.status_code == 201, response.content
    cadence = response.json()
    assert {a["email"] for a in cadence["attendees"]} == {
        world.a.users["manager"].email,
        world.a.users["viewer"].email,
    }
    listed = client.get(u(world, "reviews/meetings/"), {"cadence": cadence["id"]}).json()["results"]
    starts = [dt.datetime.fromisoformat(m["starts_at"]) for m in listed]
    assert starts == [
        tokyo(2031, 4, 22, 10),
        tokyo(2031, 4, 30, 10),
        tokyo(2031, 5, 7, 10),
        tokyo(2031, 5, 13, 10),
    ]
    assert [m["moved_from_holiday"] for m in listed] == [False, True, True, False]
    assert [m["occurrence_date"] for m in listed] == ["2031-04-22", "2031-04-29", "2031-05-06", "2031-05-13"]
    assert dt.datetime.fromisoformat(listed[0]["ends_at"]) == tokyo(2031, 4, 22, 11)
    assert dt.datetime.fromisoformat(cadence["next_meeting_at"]) == tokyo(2031, 4, 22, 10)


def test_generating_again_is_idempotent_and_extends(world: World, client_as: Any) -> None:
    client = client_as("admin")
    cadence_id = client.post(u(world, "reviews/cadences/"), weekly_body(), format="json").json()["id"]
    again = client.post(u(world, f"reviews/cadences/{cadence_id}/generate/"), {"count": 4}, format="json")
    assert again.json() == {"created": 0, "updated": 0, "deleted": 0, "kept": 4}
    more = client.post(
        u(world, f"reviews/cadences/{cadence_id}/generate/"), {"count": 6}, format="json"
    ).json()
    assert more == {"created": 2, "updated": 0, "deleted": 0, "kept": 4}
    assert [m.occurrence_date for m in meetings_of(world, cadence_id)][-2:] == [dt.date(2031, 5, 20),
                                                                               dt.date(2031, 5, 27)]  # fmt: skip


def test_changing_a_cadence_moves_only_meetings_without_notes(world: World, client_as: Any) -> None:
    client = client_as("manager")
    cadence_id = client.post(u(world, "reviews/cadences/"), weekly_body(), format="json").json()["id"]
    first, second, *_ = meetings_of(world, cadence_id)
    noted = client.put(u(world, f"reviews/meetings/{second.id}/notes/"), {"notes": "準備メモ"}, format="json")
    assert noted.status_code == 200
    response = client.patch(
        u(world, f"reviews/cadences/{cadence_id}/"), {"local_time": "15:30"}, format="json"
    )
    assert response.status_code == 200, response.content
    after = {m.id: m for m in meetings_of(world, cadence_id)}
    assert len(after) == 4
    assert after[first.id].starts_at == tokyo(2031, 4, 22, 15, 30) and after[first.id].sequence == 1
    assert (
        after[second.id].starts_at == tokyo(2031, 4, 30, 10) and after[second.id].sequence == 0
    )  # has notes
    # Thursdays now: Tuesday meetings without notes go, Thursdays come; the noted meeting stays.
    client.patch(u(world, f"reviews/cadences/{cadence_id}/"), {"weekday": 3}, format="json")
    dates = [(m.occurrence_date, m.starts_at) for m in meetings_of(world, cadence_id)]
    assert (dt.date(2031, 4, 29), tokyo(2031, 4, 30, 10)) in dates
    assert dt.date(2031, 4, 22) not in [d for d, _ in dates]
    assert [d for d, _ in dates if d.weekday() == 3][:2] == [dt.date(2031, 4, 24), dt.date(2031, 5, 1)]
    # Switched off: every future meeting without notes is removed, the noted one kept.
    client.patch(u(world, f"reviews/cadences/{cadence_id}/"), {"active": False}, format="json")
    assert [m.id for m in meetings_of(world, cadence_id)] == [second.id]
    with workspace_context(world.a.workspace.id):
        actions = set(AuditEvent.objects.filter(target_id=cadence_id).values_list("action", flat=True))
    assert {"checklist.review_cadence.created", "checklist.review_cadence.updated",
            "checklist.review_meetings.generated"} <= actions  # fmt: skip


def test_past_meetings_are_never_rescheduled(world: World) -> None:
    actor = Actor.of(world.a.principal("manager"))
    with workspace_context(world.a.workspace.id):
        cadence = services.review_cadence_create(
            actor=actor, kind="monthly", title="月次", day_of_month=5, local_time=dt.time(14), start_date=dt.date(2026, 4, 1),
            generate_count=3, now=tokyo(2026, 4, 1, 9),
        )  # fmt: skip
        assert [m.starts_at for m in ReviewMeeting.objects.filter(cadence=cadence)] == [
            tokyo(2026, 4, 6, 14), tokyo(2026, 5, 7, 14), tokyo(2026, 6, 5, 14)]  # fmt: skip
        services.review_cadence_update(
            actor=actor, cadence=cadence, local_time=dt.time(9), now=tokyo(2026, 5, 1, 9)
        )
        assert [m.starts_at for m in ReviewMeeting.objects.filter(cadence=cadence)] == [
            tokyo(2026, 4, 6, 14), tokyo(2026, 5, 7, 9), tokyo(2026, 6, 5, 9)]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (weekly_body(weekday=None), "weekday", "rule_field_required"),
        (weekly_body(day_of_month=5), "day_of_month", "rule_field_not_for_kind"),
        (weekly_body(kind="monthly", weekday=None), "day_of_month", "rule_field_required"),
        (
            weekly_body(kind="quarterly", weekday=None, day_of_month=20),
            "month_of_quarter",
            "rule_field_required",
        ),
        (weekly_body(end_date="2031-01-01"), "end_date", "end_before_start"),
        (weekly_body(weekday=7), "weekday", "max_value"),
        (weekly_body(kind="daily"), "kind", "invalid_choice"),
        (weekly_body(local_time="25:00"), "local_time", "invalid"),
        (weekly_body(generate_count=0), "generate_count", "min_value"),
        (weekly_body(workspace="x"), "workspace", "unknown_field"),
        (weekly_body(attendees=["not-an-id"]), "attendees", "invalid"),
    ],
)
def test_bad_cadence_is_a_400_and_changes_nothing(world: World, client_as: Any, body: dict, field: str,
                                                  code: str) -> None:  # fmt: skip
    before = counts(world)
    response = client_as("admin").post(u(world, "reviews/cadences/"), body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert code in str(error), error
    assert counts(world) == before


def test_attendee_of_another_workspace_is_refused(world: World, client_as: Any) -> None:
    before = counts(world)
    body = weekly_body(attendees=[str(world.b.memberships["manager"].id)])
    response = client_as("admin").post(u(world, "reviews/cadences/"), body, format="json")
    assert response.status_code == 400 and "attendees" in response.json()["error"]["fields"]
    assert counts(world) == before


def test_bad_updates_are_400(world: World, client_as: Any) -> None:
    client = client_as("admin")
    cadence_id = world.a.extra["review_cadence"].id
    before = counts(world)
    for body in ({"kind": "monthly"}, {"day_of_month": 3}, {"weekday": None}, {"duration_minutes": 1}):
        response = client.patch(u(world, f"reviews/cadences/{cadence_id}/"), body, format="json")
        assert response.status_code == 400, (body, response.content)
    bad_count = client.post(
        u(world, f"reviews/cadences/{cadence_id}/generate/"), {"count": 99}, format="json"
    )
    assert bad_count.status_code == 400
    assert client.get(u(world, "reviews/meetings/"), {"cadence": "nope"}).status_code == 400
    assert counts(world) == before


# --- Notes ------------------------------------------------------------------------------------------


def test_notes_and_decisions_are_recorded_and_audited(world: World, client_as: Any) -> None:
    meeting = world.a.extra["review_meeting"]
    body = {"notes": "商談化率が想定を下回る。", "decisions": ["架電リストを見直す", "  ", "翌週に再確認"]}
    response = client_as("manager").put(
        u(world, f"reviews/meetings/{meeting.id}/notes/"), body, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["notes"] == "商談化率が想定を下回る。"
    assert data["decisions"] == ["架電リストを見直す", "翌週に再確認"]
    assert data["notes_updated_by"]
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.filter(
            action="checklist.review_meeting.notes_set", target_id=str(meeting.id)
        ).last()
    assert event is not None and event.changes["decisions"]["to"] == ["架電リストを見直す", "翌週に再確認"]
    viewer = client_as("viewer").put(u(world, f"reviews/meetings/{meeting.id}/notes/"), body, format="json")
    assert viewer.status_code == 403
    bad = client_as("manager").put(u(world, f"reviews/meetings/{meeting.id}/notes/"), {"decisions": ["x"]},
                                   format="json")  # fmt: skip
    assert bad.status_code == 400 and "notes" in bad.json()["error"]["fields"]


# --- Action plans -----------------------------------------------------------------------------------


def _plan_body(world: World, **fields: Any) -> dict[str, Any]:
    return {"kpi_node": str(world.a.kpi.id), "title": "架電スクリプトの改善", "due_date": "2031-05-30",
            "owner": str(world.a.memberships["sales_rep"].id), **fields}  # fmt: skip


def test_action_plan_create_update_and_close(world: World, client_as: Any) -> None:
    client = client_as("manager")
    body = _plan_body(world, meeting=str(world.a.extra["review_meeting"].id))
    response = client.post(u(world, "action-plans/"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kpi_key"] == "win_rate" and data["owner_email"] == world.a.users["sales_rep"].email
    assert data["status"] == "open" and data["overdue"] is False and data["closed_at"] is None
    done = client.patch(u(world, f"action-plans/{data['id']}/"), {"status": "done"}, format="json").json()
    assert done["status"] == "done" and done["closed_at"] is not None
    reopened = client.patch(
        u(world, f"action-plans/{data['id']}/"), {"status": "in_progress"}, format="json"
    ).json()
    assert reopened["closed_at"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kpi_node": None}, "kpi_node"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"status": "finished"}, "status"),
        ({"title": ""}, "title"),
        ({"workspace": "x"}, "workspace"),
    ],
)
def test_bad_action_plan_is_a_400(world: World, client_as: Any, fields: dict, field: str) -> None:
    before = counts(world)
    response = client_as("admin").post(u(world, "action-plans/"), _plan_body(world, **fields), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert counts(world) == before


def test_action_plan_cannot_point_into_another_workspace(world: World, client_as: Any) -> None:
    before = counts(world)
    for fields in ({"kpi_node": str(world.b.kpi.id)}, {"owner": str(world.b.memberships["manager"].id)},
                   {"meeting": str(world.b.extra["review_meeting"].id)}):  # fmt: skip
        response = client_as("consultant").post(
            u(world, "action-plans/"), _plan_body(world, **fields), format="json"
        )
        assert response.status_code == 400, fields
        assert str(world.b.workspace.id) not in response.content.decode()
    plan_id = world.a.extra["action_plan"].id
    patch = client_as("admin").patch(u(world, f"action-plans/{plan_id}/"), {"kpi_node": str(world.b.kpi.id)},
                                     format="json")  # fmt: skip
    assert patch.status_code == 400
    assert counts(world) == before


def test_overdue_list(world: World, client_as: Any) -> None:
    today = workspace_today(world.a.workspace)
    actor = Actor.of(world.a.principal("manager"))
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    with workspace_context(world.a.workspace.id):
        made = {
            (title, due, status): services.action_plan_create(actor=actor, kpi_node=world.a.kpi, title=title,
                                                              due_date=due, status=status).id
            for title, due, status in [
                ("late open", yesterday, "open"), ("late started", yesterday - dt.timedelta(days=30), "in_progress"),
                ("late done", yesterday, "done"), ("late cancelled", yesterday, "cancelled"),
                ("due today", today, "open"), ("due tomorrow", tomorrow, "open"),
            ]
        }  # fmt: skip
    response = client_as("viewer").get(u(world, "action-plans/"), {"overdue": "1"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["title"] for r in rows] == ["late started", "late open"]  # oldest due first
    assert all(r["overdue"] for r in rows)
    everything = client_as("viewer").get(u(world, "action-plans/")).json()["results"]
    assert {r["title"] for r in everything} >= {t for t, _, _ in made}
    done = client_as("viewer").get(u(world, "action-plans/"), {"status": "done"}).json()["results"]
    assert [r["title"] for r in done] == ["late done"]
    assert client_as("viewer").get(u(world, "action-plans/"), {"overdue": "maybe"}).status_code == 400
    assert client_as("viewer").get(u(world, "action-plans/"), {"owner": "nope"}).status_code == 400


# --- Roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", WRITERS + READERS_ONLY)
def test_role_matrix(world: World, client_as: Any, actor: str) -> None:
    client = client_as(actor)
    writes = actor in WRITERS
    meeting = world.a.extra["review_meeting"]
    for path in ("reviews/cadences/", "reviews/meetings/", "action-plans/", f"reviews/meetings/{meeting.id}/agenda/",
                 "reviews/calendar-feed/"):  # fmt: skip
        assert client.get(u(world, path)).status_code == 200, path
    assert client.get(u(world, "reviews/calendar.ics")).status_code == 200
    expected = (201, 200) if writes else (403, 403)
    created = client.post(u(world, "reviews/cadences/"), weekly_body(), format="json")
    assert created.status_code == expected[0]
    planned = client.post(u(world, "action-plans/"), _plan_body(world), format="json")
    assert planned.status_code == expected[0]
    notes = client.put(u(world, f"reviews/meetings/{meeting.id}/notes/"), {"notes": actor}, format="json")
    assert notes.status_code == expected[1]
    agenda = client.post(u(world, f"reviews/meetings/{meeting.id}/agenda/"))
    assert agenda.status_code == expected[1]
    cadence_id = world.a.extra["review_cadence"].id
    patched = client.patch(u(world, f"reviews/cadences/{cadence_id}/"), {"title": "改名"}, format="json")
    assert patched.status_code == expected[1]
    feed = client.post(u(world, "reviews/calendar-feed/"))
    assert feed.status_code == (403 if actor == "api_key" else expected[0])  # a person issues the feed


def test_api_key_scopes(world: World, key_client: Any) -> None:
    reader = key_client("checklist:read")
    assert reader.get(u(world, "action-plans/")).status_code == 200
    assert reader.post(u(world, "action-plans/"), _plan_body(world), format="json").status_code == 403
    assert reader.post(u(world, "reviews/calendar-feed/")).status_code == 403
    kpi_only = key_client("kpi:read")
    assert kpi_only.get(u(world, "reviews/meetings/")).status_code == 403
    writer = key_client("checklist:write")
    assert writer.post(u(world, "action-plans/"), _plan_body(world), format="json").status_code == 201


def test_anonymous_is_refused(world: World, client_as: Any) -> None:
    client = client_as("anonymous")
    assert client.get(u(world, "reviews/meetings/")).status_code in {401, 403}
    assert client.get(u(world, "reviews/calendar.ics")).status_code in {401, 403}


# --- The calendar document ----------------------------------------------------------------------------


def test_calendar_ics_parses_with_icalendar(world: World, client_as: Any) -> None:
    client = client_as("admin")
    cadence_id = client.post(
        u(world, "reviews/cadences/"), weekly_body(title="週次 進捗確認"), format="json"
    ).json()["id"]
    meetings = meetings_of(world, cadence_id)
    client.post(u(world, f"reviews/meetings/{meetings[0].id}/agenda/"))
    response = client_as("viewer").get(u(world, "reviews/calendar.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["X-WR-CALNAME"]).endswith("定例レビュー")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    with workspace_context(world.a.workspace.id):
        expected_count = ReviewMeeting.objects.count()  # all of A's meetings are recent or ahead
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == expected_count
    ours = [events[f"review-meeting-{m.id}@ikkan"] for m in meetings]
    assert [e.decoded("DTSTART") for e in ours] == [m.starts_at for m in meetings]
    assert ours[1].decoded("DTSTART") == tokyo(2031, 4, 30, 10)
    assert ours[1]["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert ours[1].decoded("DTEND") == tokyo(2031, 4, 30, 11)
    assert str(ours[0]["SUMMARY"]) == "週次 進捗確認"
    assert "1. " in str(ours[0]["DESCRIPTION"]) and "未作成" in str(ours[1]["DESCRIPTION"])
    assert "LAST-MODIFIED" in ours[0] and "DTSTAMP" in ours[0]
    # UIDs are stable from one fetch to the next; B's meetings never appear.
    again = icalendar.Calendar.from_ical(client_as("viewer").get(u(world, "reviews/calendar.ics")).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    assert str(world.b.extra["review_meeting"].id) not in response.content.decode()
    # A calendar client that only accepts text/calendar is served too.
    accepted = client_as("viewer").get(u(world, "reviews/calendar.ics"), HTTP_ACCEPT="text/calendar")
    assert accepted.status_code == 200


# --- The agenda -------------------------------------------------------------------------------------


def test_agenda_lists_kpis_behind_and_action_plans(world: World, client_as: Any) -> None:
    """World A's win rate: 3 wins of 40 meetings in May 2026 is 7.5% against a 25% target: behind. The
    monthly meeting of 10 June reviews May, the month just ended."""
    actor = Actor.of(world.a.principal("manager"))
    with workspace_context(world.a.workspace.id):
        kpi_services.actual_record(metric=Metric.objects.get(key="meetings"), date=dt.date(2026, 5, 7),
                                   value=Decimal(40))  # fmt: skip
        cadence = services.review_cadence_create(
            actor=actor, kind="monthly", title="月次レビュー", day_of_month=10, local_time=dt.time(14),
            start_date=dt.date(2026, 6, 1), generate_count=2, now=tokyo(2026, 6, 1, 9),
        )  # fmt: skip
        june, july = ReviewMeeting.objects.filter(cadence=cadence).order_by("starts_at")
        assert june.starts_at == tokyo(2026, 6, 10, 14) and july.starts_at == tokyo(2026, 7, 10, 14)
        overdue = services.action_plan_create(actor=actor, kpi_node=world.a.kpi, title="過去の対策",
                                              due_date=dt.date(2026, 6, 1))  # fmt: skip
        services.action_plan_create(actor=actor, kpi_node=world.a.kpi, title="来月までの対策",
                                    due_date=dt.date(2026, 7, 1))  # fmt: skip
        services.action_plan_create(
            actor=actor, kpi_node=world.a.kpi, title="ずっと先", due_date=dt.date(2026, 10, 1)
        )
    client = client_as("manager")
    empty = client.get(u(world, f"reviews/meetings/{june.id}/agenda/")).json()
    assert empty["items"] == [] and empty["generated_at"] is None and empty["period_start"] is None
    response = client.post(u(world, f"reviews/meetings/{june.id}/agenda/"))
    assert response.status_code == 200, response.content
    agenda = response.json()
    assert agenda["as_of"] == "2026-06-10" and agenda["next_meeting_date"] == "2026-07-10"
    assert (agenda["period_start"], agenda["period_end"]) == ("2026-05-01", "2026-05-31")
    assert agenda["periods"] == [
        {"kind": "month", "start": "2026-05-01", "end": "2026-05-31", "as_of": "2026-05-31"}
    ]
    kinds = [item["kind"] for item in agenda["items"]]
    behind = [item for item in agenda["items"] if item["kind"] == "kpi_behind"]
    assert [item["kpi_key"] for item in behind] == ["win_rate"]
    assert Decimal(behind[0]["actual"]) == Decimal("7.5") and Decimal(behind[0]["expected"]) == 25
    assert behind[0]["period_kind"] == "month" and behind[0]["period_start"] == "2026-05-01"
    assert behind[0]["text"] == behind[0]["text_ja"] and "受注率" in behind[0]["text"]
    assert "2026年5月" in behind[0]["text"]
    titles = {item["kind"]: item["title"] for item in agenda["items"] if "title" in item}
    assert titles == {"action_plan_overdue": "過去の対策", "action_plan_due": "来月までの対策"}
    assert overdue.id  # the overdue one is on the agenda, the October one is not
    assert kinds[-1] == "next_month_plan"
    next_month = agenda["items"][-1]
    assert next_month["month"] == "2026-07-01" and [t["kpi_key"] for t in next_month["targets"]] == [
        "win_rate"
    ]
    # The snapshot is stored: reading it again gives the same items, even after the state changes.
    with workspace_context(world.a.workspace.id):
        ActionPlan.objects.filter(title="過去の対策").update(status="done")
    stored = client.get(u(world, f"reviews/meetings/{june.id}/agenda/")).json()
    assert stored["items"] == agenda["items"] and stored["periods"] == agenda["periods"]
    english = client.get(u(world, f"reviews/meetings/{june.id}/agenda/"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["items"][0]["text"] == english["items"][0]["text_en"]


# --- Review fixes: bounds, deleted KPIs, error bodies ---------------------------------------------


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_cadence_dates_outside_the_planning_range_are_400(world: World, client_as: Any, field: str) -> None:
    client = client_as("manager")
    before = ReviewCadence.all_workspaces.count()
    response = client.post(u(world, "reviews/cadences/"), weekly_body(**{field: "9999-12-20"}), format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    cadence = world.a.extra["review_cadence"]
    patched = client.patch(u(world, f"reviews/cadences/{cadence.id}/"), {field: "9999-12-20"}, format="json")
    assert patched.status_code == 400
    assert ReviewCadence.all_workspaces.count() == before


def test_an_action_plan_whose_kpi_was_deleted_can_still_be_closed(world: World, client_as: Any) -> None:
    plan = world.a.extra["action_plan"]
    with workspace_context(world.a.workspace.id):
        kpi_services.node_delete(actor=Actor.of(world.a.principal("admin")), node=world.a.kpi)
    response = client_as("manager").patch(
        u(world, f"action-plans/{plan.id}/"), {"status": "done"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"


def test_calendar_errors_are_json_even_when_asking_for_text_calendar(world: World, client_as: Any) -> None:
    response = client_as("anonymous").get(u(world, "reviews/calendar.ics"), HTTP_ACCEPT="text/calendar")
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json" and response.json()["error"]["code"]
