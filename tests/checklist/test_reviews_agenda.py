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
