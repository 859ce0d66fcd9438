"""The CRM-fed daily actuals: set-based rollups against the pure reference, end to end through a sync, the cells
a page touched and no others, typed history, refused typed values on fed metrics, and the workspace's own rules."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from integrations import actuals, services
from integrations.funnel import PROGRESSION, funnel_dates_fill
from integrations.models import Connection, CrmActivity, CrmContact, CrmDeal, CrmOwner
from integrations.rollups import compute
from integrations.rollups.rules import (
    ActivityFacts,
    ContactFacts,
    DealFacts,
    Source,
    contributions,
    local_date,
)
from integrations.selectors import metric_rules_effective
from kpi import services as kpi_services
from kpi.models import Metric, MetricActual
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
JULY = [dt.date(2026, 7, d) for d in range(1, 32)]


def _crm_cells(days: list[dt.date]) -> dict[tuple[str, dt.date, Any], Decimal]:
    rows = MetricActual.objects.filter(source="crm", date__in=days).select_related("metric")
    return {(a.metric.key, a.date, a.owner_id): a.value for a in rows}


def _u(world: World, path: str, side: str = "a") -> str:
    return f"/api/v1/workspaces/{getattr(world, side).workspace.id}/{path}"


# --- Against the reference --------------------------------------------------------------------------------


def test_the_set_based_rollup_equals_the_reference_on_random_records(world: World) -> None:
    side, rng = world.a, random.Random(20260701)
    with workspace_context(side.workspace.id):
        connection = services.connection_create(actor=Actor.of(side.principal("admin")), provider="csv",
                                                display_name="CSV")  # fmt: skip
        owners = [
            CrmOwner.objects.create(
                connection=connection, external_id="o1", member=side.memberships["sales_rep"]
            ),
            CrmOwner.objects.create(connection=connection, external_id="o2"),  # not matched to anyone
            None,
        ]
        contacts, deals, activities = [], [], []

        def instant() -> dt.datetime:  # anywhere in July, Tokyo or UTC edges alike
            return dt.datetime(2026, 6, 30, 15, tzinfo=dt.UTC) + dt.timedelta(
                minutes=rng.randrange(31 * 24 * 60)
            )

        for i in range(120):
            owner, counts = rng.choice(owners), rng.random() > 0.15
            at, is_lead = instant(), rng.random() > 0.2
            row = CrmContact.objects.create(connection=connection, external_id=f"c{i}", owner=owner, is_lead=is_lead,
                                            became_lead_at=at, became_lead_on=local_date(at, TOKYO))  # fmt: skip
            contacts.append((row, ContactFacts(owner and owner.member_id, at, is_lead, counts)))
        for i in range(150):
            owner, counts = rng.choice(owners), rng.random() > 0.15
            stages = {s: rng.choice(JULY) for s in PROGRESSION[:3] if rng.random() > 0.5}
            closed = rng.random() > 0.5
            won, close = closed and rng.random() > 0.4, rng.choice(JULY) if closed else None
            amount = rng.choice([None, Decimal(rng.randrange(1, 500) * 10_000)])
            reached = dict(stages)
            if won:
                reached["won"] = close
            filled = funnel_dates_fill(reached)
            row = CrmDeal.objects.create(
                connection=connection, external_id=f"d{i}", owner=owner, is_closed=closed, is_won=won,
                close_date=close, amount=amount, appointment_date=filled["appointment"],
                meeting_date=filled["meeting"], proposal_date=filled["proposal"], won_date=filled["won"],
            )  # fmt: skip
            deals.append(
                (row, DealFacts(owner and owner.member_id, stages, closed, won, close, amount, counts))
            )
        for i in range(200):
            owner, counts = rng.choice(owners), rng.random() > 0.15
            kind, done, at = (
                rng.choice(["call", "email", "meeting", "task", None]),
                rng.random() > 0.3,
                instant(),
            )
            row = CrmActivity.objects.create(connection=connection, external_id=f"a{i}", owner=owner,
                                             activity_type=kind or "", completed=done, occurred_at=at,
                                             occurred_on=local_date(at, TOKYO))  # fmt: skip
            activities.append((row, ActivityFacts(owner and owner.member_id, kind, at, done, counts)))
        # Those that do not count are deleted, or merged into the first record of their kind.
        for records in (contacts, deals, activities):
            for n, (row, facts) in enumerate(records):
                if not facts.counts:
                    if n % 2:
                        row.deleted_at = dt.datetime(2026, 7, 20, tzinfo=dt.UTC)
                    else:
                        row.merged_into_id = records[0][0].id if records[0][1].counts else None
                        row.deleted_at = (
                            None if row.merged_into_id else dt.datetime(2026, 7, 20, tzinfo=dt.UTC)
                        )
                    row.save()

        compute.rollup_all_recompute()

        rules = [r for r in metric_rules_effective() if Metric.objects.filter(key=r.metric).exists()]
        assert {r.metric for r in rules} >= {
            "leads",
            "meetings",
            "won_amount",
            "meetings_held",
            "tasks_workspace_a",
        }
        expected = contributions(rules, contacts=[f for _, f in contacts], deals=[f for _, f in deals],
                                 activities=[f for _, f in activities], zone=TOKYO)  # fmt: skip
        expected = {cell: value for cell, value in expected.items() if cell[1] in JULY}
        assert len(expected) > 100
        assert _crm_cells(JULY) == expected


# --- Which cells ------------------------------------------------------------------------------------------


def test_only_the_days_asked_are_recomputed_and_typed_history_stays(world_before_crm: World) -> None:
    side = world_before_crm.a
    with workspace_context(side.workspace.id):
        wins = Metric.objects.get(key="wins")
        kpi_services.actual_record(
            metric=wins, date=dt.date(2026, 7, 1), value=Decimal(5)
        )  # typed before the CRM
        kpi_services.actual_record(metric=wins, date=dt.date(2026, 7, 2), value=Decimal(3))
        connection = side.extra["connection"]
        Connection.objects.filter(id=connection.id).update(status=Connection.Status.CONNECTED)
        won = CrmDeal.objects.create(connection=connection, external_id="w1", is_closed=True, is_won=True,
                                     close_date=dt.date(2026, 7, 1), won_date=dt.date(2026, 7, 1))  # fmt: skip
        CrmDeal.objects.create(connection=connection, external_id="w2", is_closed=True, is_won=True,
                               close_date=dt.date(2026, 7, 3), won_date=dt.date(2026, 7, 3))  # fmt: skip

        compute.rollup_days_recompute(source=Source.DEALS, days=[dt.date(2026, 7, 1), dt.date(2026, 7, 2)])
        cells = {
            (a.date, a.owner_id): (a.value, a.source)
            for a in MetricActual.objects.filter(metric=wins, date__in=JULY)
        }
        assert cells[(dt.date(2026, 7, 1), None)] == (1, "crm")  # the CRM's value takes the typed cell over
        assert cells[(dt.date(2026, 7, 2), None)] == (
            3,
            "manual",
        )  # no CRM value that day: typed history kept
        assert (dt.date(2026, 7, 3), None) not in cells  # not asked for

        won.deleted_at = dt.datetime(2026, 7, 5, tzinfo=dt.UTC)
        won.save()
        compute.rollup_days_recompute(source=Source.DEALS, days=[dt.date(2026, 7, 1)])
        remaining = set(MetricActual.objects.filter(metric=wins, date__in=JULY).values_list("date", "source"))
        assert remaining == {(dt.date(2026, 7, 2), "manual")}
        assert compute.rollup_days_recompute(source=Source.DEALS, days=[]) == 0


def test_an_owner_matched_later_moves_its_records_cells(world: World) -> None:
    side = world.a
    with workspace_context(side.workspace.id):
        owner = side.extra["crm_owner_unmatched"]
        CrmDeal.objects.create(connection=side.extra["connection"], external_id="m1", owner=owner, is_closed=True,
                               is_won=False, close_date=dt.date(2026, 7, 9))  # fmt: skip
        compute.rollup_all_recompute()
        assert _crm_cells([dt.date(2026, 7, 9)]) == {("lost_deals", dt.date(2026, 7, 9), None): 1}
        services.crm_owner_member_set(actor=Actor.of(side.principal("admin")), owner=owner,
                                      member=side.memberships["sales_rep"])  # fmt: skip
        rep = side.memberships["sales_rep"].id
        assert _crm_cells([dt.date(2026, 7, 9)]) == {("lost_deals", dt.date(2026, 7, 9), rep): 1}


# --- Typed values on fed metrics --------------------------------------------------------------------------


def _actual_count(world: World) -> int:
    with workspace_context(world.a.workspace.id):
        return MetricActual.objects.count()


def test_typed_and_partner_actuals_on_a_fed_metric_are_refused(world: World, client_as: Any) -> None:
    before = _actual_count(world)
    for actor in ("admin", "api_key"):
        response = client_as(actor).post(
            _u(world, "kpi/actuals/"),
            {"metric": "meetings", "date": "2026-07-09", "value": "4"},
            format="json",
        )
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] == "kpi.actual.fed_by_crm" and "metric" in error["fields"]
        assert "CRM" in error["message"]
    assert _actual_count(world) == before
    typed = client_as("admin").post(
        _u(world, "kpi/actuals/"),
        {"metric": "contacted_leads", "date": "2026-07-09", "value": "4"},
        format="json",
    )
    assert typed.status_code == 201, typed.content  # no rule feeds it

    client = Client()
    client.force_login(world.a.users["consultant"])
    with workspace_context(world.a.workspace.id):
        meetings = Metric.objects.get(key="meetings")
    page = client.post("/admin/kpi/metricactual/add/",
                       {"metric": meetings.id, "date": "2026-07-09", "value": "4", "owner": ""})  # fmt: skip
    assert page.status_code == 200 and "errorlist" in page.content.decode()

    with workspace_context(world.a.workspace.id):
        Connection.objects.update(status=Connection.Status.DISCONNECTED)
    again = client_as("admin").post(
        _u(world, "kpi/actuals/"), {"metric": "meetings", "date": "2026-07-09", "value": "4"}, format="json"
    )
    assert again.status_code == 201, again.content  # disconnected: people type the values again


def test_a_csv_connection_feeds_only_what_its_files_held(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        Connection.objects.update(status=Connection.Status.DISCONNECTED)
        assert actuals.metrics_fed_by_crm() == set()
        csv = services.connection_create(actor=Actor.of(world.a.principal("admin")), provider="csv",
                                         display_name="CSV")  # fmt: skip
        assert actuals.metrics_fed_by_crm() == set()
        CrmDeal.objects.create(connection=csv, external_id="x1")
        fed = actuals.metrics_fed_by_crm()
        assert {"wins", "won_amount", "appointments", "lost_deals"} <= fed
        assert not fed & {"calls", "leads", "meetings_held"}
        assert actuals.metric_sources_as_of()["wins"] is None  # never synced: no freshness to claim


def test_freshness_is_the_oldest_last_success_of_the_feeding_connections(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        first = world.a.extra["connection"]
        Connection.objects.filter(id=first.id).update(
            last_success_at=dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
        )
        assert actuals.metric_sources_as_of()["calls"] == dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
        second = services.connection_create(actor=Actor.of(world.a.principal("admin")), provider="salesforce",
                                            display_name="Salesforce")  # fmt: skip
        Connection.objects.filter(id=second.id).update(
            last_success_at=dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
        )
        assert actuals.metric_sources_as_of()["calls"] == dt.datetime(2026, 6, 30, tzinfo=dt.UTC)


# --- The workspace's own rules ----------------------------------------------------------------------------


def test_the_rules_api_lists_replaces_and_restores_a_rule(
    world: World, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin, url = client_as("admin"), _u(world, "integrations/metric-rules/")
    rules = {r["metric"]: r for r in admin.get(url).json()}
    assert rules["meetings"]["is_default"] and rules["meetings"]["stage"] == "meeting"
    assert (
        rules["meetings"]["description"]["message"]
        == "「商談」以降のステージに到達した案件数（初めて到達した日で集計）"
    )
    assert rules["tasks_workspace_a"]["is_default"] is False
    with workspace_context(world.a.workspace.id):
        CrmActivity.objects.create(connection=world.a.extra["connection"], external_id="mt1", activity_type="meeting",
                                   completed=True, occurred_on=dt.date(2026, 7, 14),
                                   owner=world.a.extra["crm_owner"])  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        changed = admin.put(url + "meetings/", {"event": "activity", "activity_type": "meeting",
                                                "completed_only": True}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_default"] is False and changed.json()["source"] == "activities"
    manager = world.a.memberships["manager"].id
    with workspace_context(world.a.workspace.id):
        assert _crm_cells([dt.date(2026, 7, 14)]) == {
            ("meetings", dt.date(2026, 7, 14), manager): 1,
            ("meetings_held", dt.date(2026, 7, 14), manager): 1,
        }

    for body, code in (
        ({"event": "reached_stage"}, "integrations.rule.stage_required"),
        ({"event": "closed_won", "measure": "amount"}, "integrations.rule.measure_unit"),
        ({"event": "activity", "activity_type": "fax"}, "integrations.rule.activity_type_required"),
    ):
        refused = admin.put(url + "meetings/", body, format="json")
        assert refused.status_code == 400 and refused.json()["error"]["code"] == code, refused.content
    assert admin.get(url + "meetings/").json()["source"] == "activities"  # unchanged by the refusals
    assert admin.put(url + "no_such_metric/", {"event": "closed_won"}, format="json").status_code == 404
    assert client_as("manager").get(url + "meetings/").status_code == 200
    assert (
        client_as("manager").put(url + "meetings/", {"event": "closed_won"}, format="json").status_code == 403
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert admin.delete(url + "meetings/").status_code == 204
    assert admin.get(url + "meetings/").json()["is_default"] is True
    with workspace_context(world.a.workspace.id):
        assert ("meetings", dt.date(2026, 7, 14), manager) not in _crm_cells([dt.date(2026, 7, 14)])
