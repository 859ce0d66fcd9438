"""The review cycle's system text in Japanese and English, pinned (tests/checklist/golden/reviews_messages.json).

Pinned before the capability moved to the message layer, so the move is proven to keep every sentence: the
evidence of the review rules, the agenda's items (through the API and as stored), the calendar document and
the refusals. Every date is fixed, so the file does not depend on the day it runs. ``GOLDEN_UPDATE=1``
rewrites the file.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.utils import translation

from checklist.checklists.messages import CLAUSES, LIST
from checklist.checklists.params import Amount, Month, Named, Term, joined, message_load, message_store
from checklist.checklists.verification import RuleOutcome, rules_evaluate
from checklist.models import ActionPlan, CalendarFeedToken, ReviewCadence, ReviewMeeting
from checklist.reviews import selectors, services
from core.errors import ServiceError
from core.messages import Message
from kpi import services as kpi_services
from kpi.demo import demo_plan_seed
from kpi.models import Metric
from tenants.clock import workspace_today
from tenants.context import workspace_context
from tenants.models import Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor
from tests.checklist.pinned import assert_pinned
from tests.conftest import World
from tests.factories.tenants import MembershipFactory, UserFactory, WorkspaceFactory

GOLDEN = "reviews_messages.json"
TOKYO = ZoneInfo("Asia/Tokyo")
REVIEW_RULES = ("review_cadence_scheduled", "review_meetings_in_calendar", "quarterly_revision_cadence",
                "action_plans_for_behind_kpis")  # fmt: skip
MAY_12 = dt.date(2026, 5, 12)


def tokyo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TOKYO)


def evidence(outcome: RuleOutcome) -> list[str]:
    """The evidence in Japanese, then English."""
    return [render(outcome.evidence, "ja"), render(outcome.evidence, "en")]


def render(message: Message, language: str) -> str:
    with translation.override(language):
        return message.render()


def item_texts(agenda: dict[str, Any]) -> list[list[str]]:
    """A stored agenda's items: kind, then the text in Japanese and English."""
    texts = []
    for item in agenda["items"]:
        texts.append([item["kind"]])
        for language in ("ja", "en"):
            with translation.override(language):
                texts[-1].append(selectors.agenda_item_text(item))
    return texts


def _clear_reviews(workspace: Workspace) -> None:
    with workspace_context(workspace.id):
        for model in (ActionPlan, ReviewMeeting, ReviewCadence, CalendarFeedToken):
            model.objects.all().delete()


def _evaluate(workspace: Workspace, as_of: dt.date, keys: tuple[str, ...] = REVIEW_RULES) -> dict[str, Any]:
    with workspace_context(workspace.id):
        outcomes = rules_evaluate(list(keys), workspace=workspace, as_of=as_of)
    return {key: evidence(o) for key, o in outcomes.items() if o is not None}


def test_review_rule_evidence(world: World) -> None:
    side = world.a
    workspace, actor = side.workspace, Actor.of(side.principal("manager"))
    _clear_reviews(workspace)
    found: dict[str, Any] = {"nothing": _evaluate(workspace, MAY_12), "no plan": _evaluate(world.a2, MAY_12)}
    with workspace_context(workspace.id):
        services.review_cadence_create(
            actor=actor, kind="weekly", title="週次レビュー", weekday=1, local_time=dt.time(10),
            start_date=dt.date(2026, 5, 1), generate_count=4, now=tokyo(2026, 5, 1, 9),
        )  # fmt: skip
        kpi_services.actual_record(metric=Metric.objects.get(key="meetings"), date=dt.date(2026, 5, 7),
                                   value=Decimal(10))  # fmt: skip
    found["a weekly cadence, no feed, win rate on track"] = _evaluate(workspace, MAY_12)
    with workspace_context(workspace.id):
        services.calendar_feed_issue(actor=actor, issued_by=None)
        quarterly = services.review_cadence_create(
            actor=actor, kind="quarterly", title="四半期 KPI見直し", month_of_quarter=3, day_of_month=20,
            local_time=dt.time(15), start_date=dt.date(2026, 4, 1), generate_count=1, now=tokyo(2026, 4, 1, 9),
        )  # fmt: skip
        services.review_cadence_create(
            actor=actor, kind="monthly", title="月次レビュー", day_of_month=12, local_time=dt.time(14),
            start_date=dt.date(2026, 5, 1), generate_count=2, now=tokyo(2026, 5, 1, 9),
        )  # fmt: skip
        kpi_services.actual_record(metric=Metric.objects.get(key="meetings"), date=dt.date(2026, 5, 8),
                                   value=Decimal(30))  # fmt: skip
    found["three cadences, a feed, win rate behind"] = _evaluate(workspace, MAY_12)
    assert quarterly.id
    found["the quarterly revision has no next date"] = _evaluate(
        workspace, dt.date(2026, 7, 1), ("quarterly_revision_cadence",)
    )
    with workspace_context(workspace.id):
        plan = services.action_plan_create(actor=actor, kpi_node=side.kpi, title="架電の見直し",
                                           due_date=dt.date(2026, 6, 1))  # fmt: skip
    found["an action plan for the KPI behind"] = _evaluate(
        workspace, MAY_12, ("action_plans_for_behind_kpis",)
    )
    with workspace_context(workspace.id):
        services.action_plan_update(actor=actor, action_plan=plan, status=ActionPlan.Status.DONE)
    found["its action plan done"] = _evaluate(workspace, MAY_12, ("action_plans_for_behind_kpis",))
    found["no actuals in November"] = _evaluate(
        workspace, dt.date(2026, 11, 20), ("action_plans_for_behind_kpis",)
    )
    assert_pinned(GOLDEN, "rule_evidence", found)


def _demo_workspace() -> Workspace:
    workspace = WorkspaceFactory(name="デモ")
    for role in (WorkspaceRole.ADMIN, WorkspaceRole.MANAGER, WorkspaceRole.SALES_REP, WorkspaceRole.VIEWER):
        MembershipFactory(workspace=workspace, user=UserFactory(full_name=f"デモ {role.label}"), role=role)
    with workspace_context(workspace.id):
        demo_plan_seed(workspace=workspace, actor=Actor.system("test"))
    return workspace


def test_agenda_items(world: World, client_as: Any) -> None:
    found: dict[str, Any] = {}
    actor = Actor.system("test")
    # The demo plan in May: the meeting rate is behind, and a bottleneck is named.
    demo = _demo_workspace()
    with workspace_context(demo.id):
        for key, value in (("appointments", 12), ("meetings", 3), ("wins", 1), ("won_amount", 5_000_000)):
            kpi_services.actual_record(metric=Metric.objects.get(key=key), date=dt.date(2026, 5, 8),
                                       value=Decimal(value))  # fmt: skip
        weekly = services.review_cadence_create(
            actor=actor, kind="weekly", title="週次", weekday=1, local_time=dt.time(10),
            start_date=dt.date(2026, 5, 1), generate_count=2, now=tokyo(2026, 5, 1, 9),
        )  # fmt: skip
        monthly = services.review_cadence_create(
            actor=actor, kind="monthly", title="月次", day_of_month=12, local_time=dt.time(14),
            start_date=dt.date(2026, 5, 1), generate_count=1, now=tokyo(2026, 5, 1, 9),
        )  # fmt: skip
        quarterly = services.review_cadence_create(
            actor=actor, kind="quarterly", title="四半期", month_of_quarter=3, day_of_month=20,
            local_time=dt.time(15), start_date=dt.date(2026, 4, 1), generate_count=1, now=tokyo(2026, 4, 1, 9),
        )  # fmt: skip
        meetings = {}
        for name, cadence in (("weekly", weekly), ("monthly", monthly), ("quarterly", quarterly)):
            meeting = ReviewMeeting.objects.filter(cadence=cadence).order_by("starts_at").last()
            meetings[name] = services.review_meeting_agenda_generate(actor=actor, meeting=meeting)
            found[f"demo {name}"] = item_texts(meetings[name].agenda)
        ics = {}
        for language in ("ja", "en"):
            document = selectors.review_calendar_ics(
                workspace=demo, meetings=ReviewMeeting.objects.order_by("starts_at"), language=language
            )
            cal = icalendar.Calendar.from_ical(document)
            ics[language] = {
                "name": str(cal["X-WR-CALNAME"]),
                "descriptions": [str(event["DESCRIPTION"]) for event in cal.walk("VEVENT")],
            }
        found["demo calendar"] = ics

    # No plan; then a plan with no KPI behind and no monthly targets.
    a2 = world.a2
    with workspace_context(a2.id):
        cadence = services.review_cadence_create(
            actor=actor, kind="monthly", title="月次", day_of_month=12, local_time=dt.time(14),
            start_date=dt.date(2026, 5, 1), generate_count=1, now=tokyo(2026, 5, 1, 9),
        )  # fmt: skip
        meeting = ReviewMeeting.objects.get(cadence=cadence)
        found["no plan"] = item_texts(
            services.review_meeting_agenda_generate(actor=actor, meeting=meeting).agenda
        )
        plan = kpi_services.plan_create(actor=actor, fiscal_year=2026, name="A2 計画")
        kpi_services.plan_activate(actor=actor, plan=plan, confirm=True)
        found["nothing behind, no monthly targets"] = item_texts(
            services.review_meeting_agenda_generate(actor=actor, meeting=meeting).agenda
        )

    # World A through the API: the win rate behind, action plans with and without an owner.
    side = world.a
    _clear_reviews(side.workspace)
    manager = Actor.of(side.principal("manager"))
    with workspace_context(side.workspace.id):
        kpi_services.actual_record(metric=Metric.objects.get(key="meetings"), date=dt.date(2026, 5, 7),
                                   value=Decimal(40))  # fmt: skip
        # The monthly meeting of 10 June reviews May, the month just ended.
        cadence = services.review_cadence_create(
            actor=manager, kind="monthly", title="月次レビュー", day_of_month=10, local_time=dt.time(14),
            start_date=dt.date(2026, 6, 1), generate_count=2, now=tokyo(2026, 6, 1, 9),
        )  # fmt: skip
        may = ReviewMeeting.objects.filter(cadence=cadence).order_by("starts_at").first()
        services.action_plan_create(actor=manager, kpi_node=side.kpi, title="過去の対策", due_date=dt.date(2026, 6, 1),
                                    owner=side.memberships["manager"])  # fmt: skip
        services.action_plan_create(actor=manager, kpi_node=side.kpi, title="来月までの対策",
                                    due_date=dt.date(2026, 7, 1))  # fmt: skip
    client = client_as("manager")
    url = f"/api/v1/workspaces/{side.workspace.id}/checklist/reviews/meetings/{may.id}/agenda/"
    assert client.post(url).status_code == 200
    for language in ("ja", "en"):
        items = client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["items"]
        found[f"world A monthly through the API, {language}"] = [
            [item["kind"], item["text"], item["text_ja"], item["text_en"]] for item in items
        ]
    assert_pinned(GOLDEN, "agenda", found)


def _refusal(call: Any) -> dict[str, Any]:
    texts, field = [], None
    for language in ("ja", "en"):
        with translation.override(language):
            try:
                call()
            except ServiceError as exc:
                texts.append(str(exc))
                field = exc.field
            else:  # pragma: no cover - the pinned calls all refuse
                raise AssertionError("no refusal")
    return {"field": field, "message": texts}


def test_service_refusals(world: World) -> None:
    side = world.a
    actor = Actor.of(side.principal("manager"))
    cadence, plan = side.extra["review_cadence"], side.extra["action_plan"]
    weekly = {"kind": "weekly", "title": "週次", "local_time": dt.time(10), "start_date": dt.date(2026, 5, 1)}

    def create(**fields: Any) -> Any:
        return lambda: services.review_cadence_create(actor=actor, **{**weekly, **fields})

    with workspace_context(side.workspace.id):
        calls = {
            "weekly without a weekday": create(),
            "monthly without a day": create(kind="monthly"),
            "quarterly without its month": create(kind="quarterly", day_of_month=20),
            "weekly with a day of month": create(weekday=1, day_of_month=3),
            "weekly with a month of the quarter": create(weekday=1, month_of_quarter=3),
            "end before start": create(weekday=1, end_date=dt.date(2026, 4, 1)),
            "an attendee of another workspace": create(weekday=1, attendees=[world.b.memberships["manager"]]),
            "a cadence field that cannot change": lambda: services.review_cadence_update(
                actor=actor, cadence=cadence, kind="monthly"
            ),
            "count out of range": lambda: services.review_meetings_generate(
                actor=actor, cadence=cadence, count=53
            ),
            "a KPI of another workspace": lambda: services.action_plan_create(
                actor=actor, kpi_node=world.b.kpi, title="x", due_date=dt.date(2026, 6, 1)
            ),
            "no KPI": lambda: services.action_plan_create(
                actor=actor, kpi_node=None, title="x", due_date=dt.date(2026, 6, 1)
            ),
            "an action plan field that cannot change": lambda: services.action_plan_update(
                actor=actor, action_plan=plan, closed_at=None
            ),
        }
        found = {name: _refusal(call) for name, call in calls.items()}
    assert_pinned(GOLDEN, "refusals", found)


def test_api_refusals(world: World, client_as: Any) -> None:
    base = f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews"
    body = {
        "kind": "weekly",
        "title": "週次",
        "weekday": 1,
        "local_time": "10:00",
        "start_date": "9999-12-20",
    }
    found: dict[str, Any] = {}
    for language in ("ja", "en"):
        response = client_as("manager").post(f"{base}/cadences/", body, format="json",
                                             HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert response.status_code == 400
        found[f"a date outside 2000-2100, {language}"] = response.json()["error"]["fields"]
        response = client_as("api_key").post(f"{base}/calendar-feed/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 403
        found[f"an API key issuing the feed, {language}"] = response.json()["error"]["message"]
    assert_pinned(GOLDEN, "api_refusals", found)


def _both(message: Message) -> list[str]:
    texts = []
    for language in ("ja", "en"):
        with translation.override(language):
            texts.append(message.render())
    return texts


def test_representative_messages_read_as_before() -> None:
    """A few sentences written out, in the words the code used before the message layer."""
    kinds = joined([Term("checklist.reviews.kind.weekly", "weekly"), Term("checklist.reviews.kind.monthly", "monthly")],
                   LIST)  # fmt: skip
    assert _both(Message("checklist.reviews.evidence.cadences", {"kinds": kinds, "count": 2})) == [
        "有効なレビューの周期: 週次、月次(2件)。",
        "Active review cadences: weekly, monthly (2).",
    ]
    label = Term("checklist.reviews.field.month_of_quarter", "month_of_quarter")
    assert _both(Message("checklist.reviews.rule_field_required", {"label": label})) == [
        "この周期には四半期の何か月目の指定が必要です。",
        "This kind of cadence needs a month of the quarter.",
    ]
    targets = joined(
        [Message("checklist.reviews.agenda.target", {"kpi": Named("受注率", "Win rate"), "target": Amount(Decimal(25), "percent")}),
         Message("checklist.reviews.agenda.target", {"kpi": Named("商談数"), "target": Amount(Decimal(80), "count")})],
        CLAUSES,
    )  # fmt: skip
    next_month = Message(
        "checklist.reviews.agenda.next_month", {"month": Month(dt.date(2026, 6, 1)), "targets": targets}
    )
    assert _both(next_month) == [
        "翌月(2026年6月)の計画とアクション: 受注率 25%、商談数 80件",
        "Plan and actions for next month (June 2026): Win rate 25%; 商談数 80",
    ]
    overdue = Message("checklist.reviews.agenda.action_overdue_owned",
                      {"title": "架電の見直し", "owner": "山田 花子", "due": dt.date(2026, 5, 1)})  # fmt: skip
    assert _both(overdue) == [
        "期限切れのアクション: 架電の見直し(担当: 山田 花子、期限: 2026-05-01)",
        "Overdue action: 架電の見直し (owner: 山田 花子, due 2026-05-01)",
    ]
    # A stored message reads back as the same sentence in both languages.
    stored = json.loads(json.dumps(message_store(next_month)))
    assert stored["code"] == "checklist.reviews.agenda.next_month"
    assert _both(message_load(stored)) == _both(next_month)


def test_an_agenda_stored_before_the_message_layer_still_reads(world: World, client_as: Any) -> None:
    """Snapshots taken before the move kept each item's text in both languages: they are read as they are."""
    meeting = world.a.extra["review_meeting"]
    legacy = {
        "as_of": "2026-05-12",
        "items": [{"kind": "note", "text_ja": "旧い議題", "text_en": "An old item"}],
    }
    with workspace_context(world.a.workspace.id):
        ReviewMeeting.objects.filter(id=meeting.id).update(agenda=legacy)
    url = f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews/meetings/{meeting.id}/agenda/"
    client = client_as("viewer")
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="ja").json()["items"][0]["text"] == "旧い議題"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["items"][0]
    assert english["text"] == "An old item" and english["text_ja"] == "旧い議題"
    with workspace_context(world.a.workspace.id):
        document = selectors.review_calendar_ics(
            workspace=world.a.workspace, meetings=ReviewMeeting.objects.filter(id=meeting.id), language="en"
        )
    event = next(iter(icalendar.Calendar.from_ical(document).walk("VEVENT")))
    assert str(event["DESCRIPTION"]) == "1. An old item"


def test_agenda_items_answer_their_code_and_params(world: World, client_as: Any) -> None:
    side = world.a
    meeting = side.extra["review_meeting"]
    with workspace_context(side.workspace.id):
        services.action_plan_create(actor=Actor.of(side.principal("manager")), kpi_node=side.kpi, title="明日まで",
                                    due_date=workspace_today(side.workspace) + dt.timedelta(days=1),
                                    owner=side.memberships["manager"])  # fmt: skip
    url = f"/api/v1/workspaces/{side.workspace.id}/checklist/reviews/meetings/{meeting.id}/agenda/"
    items = client_as("manager").post(url, HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    due = next(item for item in items if item["kind"] == "action_plan_due")
    assert due["message"]["code"] == "checklist.reviews.agenda.action_due_owned"
    assert due["message"]["params"]["title"] == "明日まで"
    assert due["text"] == due["text_en"] and due["text_en"].startswith("Due by next meeting: ")
    assert due["text_ja"].startswith("次回までが期限のアクション: ")


def test_a_refusal_answers_its_code_and_params(client_as: Any, world: World) -> None:
    body = {"kind": "monthly", "title": "月次", "local_time": "10:00", "start_date": "2026-05-01"}
    response = client_as("manager").post(
        f"/api/v1/workspaces/{world.a.workspace.id}/checklist/reviews/cadences/", body, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "checklist.reviews.rule_field_required",
        "params": {"label": "day_of_month"},
        "message": "This kind of cadence needs a day of month.",
        "fields": {"day_of_month": ["This kind of cadence needs a day of month."]},
    }
