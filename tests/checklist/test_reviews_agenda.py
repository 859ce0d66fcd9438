"""The agenda from the KPI engine on the demo plan (seed 004), and the demo's review data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from checklist.models import ActionPlan, CalendarFeedToken, ReviewCadence, ReviewMeeting
from checklist.reviews import services
from checklist.reviews.demo import demo_reviews_seed
from checklist.reviews.selectors import agenda_item_text
from kpi import services as kpi_services
from kpi.demo import demo_plan_seed
from kpi.models import Metric
from tenants.context import workspace_context
from tenants.models import Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor
from tests.factories.tenants import MembershipFactory, UserFactory, WorkspaceFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def text(item: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return agenda_item_text(item)


@pytest.fixture
def demo_workspace(db: Any) -> Workspace:
    workspace = WorkspaceFactory(name="デモ")
    for role in (WorkspaceRole.ADMIN, WorkspaceRole.MANAGER, WorkspaceRole.SALES_REP, WorkspaceRole.VIEWER):
        MembershipFactory(workspace=workspace, user=UserFactory(), role=role)
    with workspace_context(workspace.id):
        demo_plan_seed(workspace=workspace, actor=Actor.system("test"))
    return workspace


def test_agenda_names_the_behind_kpi_and_the_bottleneck(demo_workspace: Workspace) -> None:
    """May 2026 to the 12th: 12 appointments, 3 meetings (25% against the 50% meeting rate: behind), 1 win of
    3 meetings (33% against 25%: on track), 5,000,000 JPY won (the average deal at plan)."""
    actor = Actor.system("test")
    with workspace_context(demo_workspace.id):
        for key, value in (("appointments", 12), ("meetings", 3), ("wins", 1), ("won_amount", 5_000_000)):
            kpi_services.actual_record(metric=Metric.objects.get(key=key), date=dt.date(2026, 5, 8),
                                       value=Decimal(value))  # fmt: skip
        cadence = services.review_cadence_create(
            actor=actor, kind="weekly", title="週次", weekday=1, local_time=dt.time(10),
            start_date=dt.date(2026, 5, 1), generate_count=2, now=dt.datetime(2026, 5, 1, 9, tzinfo=TOKYO),
        )  # fmt: skip
        # Tuesday 5 May is こどもの日 and 6 May 振替休日: that meeting is on the 7th; the next is the 12th.
        meeting = ReviewMeeting.objects.filter(cadence=cadence).order_by("starts_at").last()
        assert meeting is not None and meeting.starts_at == dt.datetime(2026, 5, 12, 10, tzinfo=TOKYO)
        meeting = services.review_meeting_agenda_generate(actor=actor, meeting=meeting)
    items = meeting.agenda["items"]
    behind = [i for i in items if i["kind"] == "kpi_behind"]
    assert [i["kpi_key"] for i in behind] == ["meeting_rate"]
    assert Decimal(behind[0]["actual"]) == 25 and Decimal(behind[0]["expected"]) == 50
    bottleneck = [i for i in items if i["kind"] == "bottleneck"]
    assert len(bottleneck) == 1 and text(bottleneck[0], "ja").startswith("ボトルネック: ")
    assert text(bottleneck[0], "en").startswith("Bottleneck: ") and bottleneck[0]["driver_key"]
    # Stored as a code and its parameters, so it renders in the reader's language.
    assert bottleneck[0]["message"]["code"] == "checklist.reviews.agenda.bottleneck"
    assert not any(i["kind"] in {"next_month_plan", "kpi_revision"} for i in items)  # weekly: neither


def test_quarterly_agenda_asks_for_the_kpi_revision(demo_workspace: Workspace) -> None:
    actor = Actor.system("test")
    with workspace_context(demo_workspace.id):
        cadence = services.review_cadence_create(
            actor=actor, kind="quarterly", title="四半期", month_of_quarter=3, day_of_month=20, local_time=dt.time(15),
            start_date=dt.date(2026, 4, 1), generate_count=1, now=dt.datetime(2026, 4, 1, 9, tzinfo=TOKYO),
        )  # fmt: skip
        meeting = ReviewMeeting.objects.get(cadence=cadence)
        meeting = services.review_meeting_agenda_generate(actor=actor, meeting=meeting)
    revision = [i for i in meeting.agenda["items"] if i["kind"] == "kpi_revision"]
    assert len(revision) == 1 and revision[0]["kpi_count"] == 5 and "KPIの見直し" in text(revision[0], "ja")


def test_demo_reviews_seed(demo_workspace: Workspace) -> None:
    actor = Actor.system("demo")
    with workspace_context(demo_workspace.id):
        demo_reviews_seed(workspace=demo_workspace, actor=actor)
        demo_reviews_seed(workspace=demo_workspace, actor=actor)  # idempotent
        assert sorted(ReviewCadence.objects.values_list("kind", flat=True)) == [
            "monthly",
            "quarterly",
            "weekly",
        ]
        assert ReviewMeeting.objects.filter(cadence__kind="quarterly").exists()
        noted = ReviewMeeting.objects.exclude(notes="")
        assert noted.count() == 1 and noted.get().agenda.get("items")
        assert ActionPlan.objects.count() == 2
        assert CalendarFeedToken.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("page", ["reviewcadence", "reviewmeeting", "actionplan"])
def test_admin_pages_show_only_the_consultants_workspaces(world: Any, page: str) -> None:
    from django.test import Client

    from tests.conftest import CANARY_B

    client = Client()
    client.force_login(world.a.users["consultant"])
    response = client.get(f"/admin/checklist/{page}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert str(world.a.extra["review_cadence"].title) in body or world.a.extra["action_plan"].title in body
    assert CANARY_B not in body


def _meeting_on(kind: str, day: dt.date, **rule: Any) -> ReviewMeeting:
    actor = Actor.system("test")
    cadence = services.review_cadence_create(
        actor=actor, kind=kind, title=kind, local_time=dt.time(10), start_date=day, generate_count=1,
        now=dt.datetime.combine(day, dt.time(9), TOKYO), **rule,
    )  # fmt: skip
    meeting = ReviewMeeting.objects.get(cadence=cadence)
    assert meeting.starts_at.astimezone(TOKYO).date() == day
    # Generated a month later, so every period it reviews is over.
    return services.review_meeting_agenda_generate(
        actor=actor, meeting=meeting, now=dt.datetime.combine(day + dt.timedelta(days=30), dt.time(9), TOKYO)
    )


def _behind(meeting: ReviewMeeting) -> list[tuple[str, str]]:
    return [(i["kpi_key"], i["period_kind"]) for i in meeting.agenda["items"] if i["kind"] == "kpi_behind"]


def test_each_meeting_kind_judges_the_period_it_reviews(demo_workspace: Workspace) -> None:
    """Q1 of FY2026 (April to June) with 10 appointments and 2 meetings in May: appointments, meetings and the
    meeting rate are behind for the quarter. On 2 July the monthly meeting reviews June (no
    actuals, nothing behind) and the quarterly one the quarter (three behind); on Thursday 2 July the weekly
    one reviews that week and July to date. It used to judge the current month (1-2 July) for all three."""
    with workspace_context(demo_workspace.id):
        for key, value in (("appointments", 10), ("meetings", 2), ("wins", 1), ("won_amount", 5_000_000)):
            kpi_services.actual_record(metric=Metric.objects.get(key=key), date=dt.date(2026, 5, 15),
                                       value=Decimal(value))  # fmt: skip
        quarterly = _meeting_on("quarterly", dt.date(2026, 7, 2), month_of_quarter=1, day_of_month=2)
        monthly = _meeting_on("monthly", dt.date(2026, 7, 2), day_of_month=2)
        in_may = _meeting_on("monthly", dt.date(2026, 6, 2), day_of_month=2)
        weekly = _meeting_on("weekly", dt.date(2026, 7, 2), weekday=3)
    behind = {("appointments", "quarter"), ("meetings", "quarter"), ("meeting_rate", "quarter")}
    assert set(_behind(quarterly)) == behind
    assert quarterly.agenda["periods"] == [
        {"kind": "quarter", "start": "2026-04-01", "end": "2026-06-30", "as_of": "2026-06-30"}
    ]
    assert (quarterly.agenda["period_start"], quarterly.agenda["period_end"]) == ("2026-04-01", "2026-06-30")
    assert "FY2026 Q1" in text(next(i for i in quarterly.agenda["items"] if i["kind"] == "kpi_behind"), "en")
    assert monthly.agenda["periods"] == [
        {"kind": "month", "start": "2026-06-01", "end": "2026-06-30", "as_of": "2026-06-30"}
    ]
    assert _behind(monthly) == [] and "2026年6月" in text(monthly.agenda["items"][0], "ja")
    # May alone: 10 appointments against about 13 is at risk, not behind.
    assert {key for key, _kind in _behind(in_may)} == {"meetings", "meeting_rate"}
    assert [i["kpi_key"] for i in in_may.agenda["items"] if i["kind"] == "kpi_at_risk"] == ["appointments"]
    assert weekly.agenda["periods"] == [
        {"kind": "week", "start": "2026-06-29", "end": "2026-07-05", "as_of": "2026-07-02"},
        {"kind": "month", "start": "2026-07-01", "end": "2026-07-31", "as_of": "2026-07-02"},
    ]


def test_a_period_without_a_plan_of_its_year_is_said_so(demo_workspace: Workspace) -> None:
    """The demo plan is FY2026: the quarterly meeting of 2 April 2026 reviews FY2025 Q4, which no plan covers."""
    with workspace_context(demo_workspace.id):
        meeting = _meeting_on("quarterly", dt.date(2026, 4, 2), month_of_quarter=1, day_of_month=2)
    notes = [i for i in meeting.agenda["items"] if i["kind"] == "note"]
    assert notes[0]["message"]["code"] == "checklist.reviews.agenda.no_plan_for_period"
    assert meeting.agenda["periods"][0]["start"] == "2026-01-01"
    assert not any(
        i["kind"].startswith("kpi_") and i["kind"] != "kpi_revision" for i in meeting.agenda["items"]
    )
