"""Actuals: counts and amounts refuse negatives unless the metric allows them, an actual can be deleted
(audited), and negative totals already stored never break the agenda or the sensitivity analysis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from checklist.models import ReviewMeeting
from checklist.reviews import services as review_services
from core.errors import ServiceError
from kpi import services
from kpi.demo import demo_plan_seed
from kpi.models import Metric, MetricActual
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tenants.services import Actor
from tests.conftest import World


def u(world: World, suffix: str, side: str = "a") -> str:
    return f"/api/v1/workspaces/{getattr(world, side).workspace.id}/kpi/{suffix}"


def _actual_count(world: World, side: str = "a", **filters: Any) -> int:
    with workspace_context(getattr(world, side).workspace.id):
        return MetricActual.objects.filter(**filters).count()


# --- Negative values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["sales_rep", "api_key"])
@pytest.mark.parametrize(("metric", "value"), [("wins", "-1"), ("won_amount", "-5000000")])
def test_negative_counts_and_amounts_are_refused(
    world: World, client_as: Any, actor: str, metric: str, value: str
) -> None:
    before = _actual_count(world)
    response = client_as(actor).post(
        u(world, "actuals/"), {"metric": metric, "date": "2026-05-09", "value": value}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "kpi.actual.negative" and "value" in error["fields"]
    assert error["params"]["metric"] == metric and Decimal(error["params"]["value"]) == Decimal(value)
    assert "負" in error["message"]
    assert _actual_count(world) == before


def test_a_metric_that_allows_negatives_takes_them(world: World, client_as: Any) -> None:
    created = client_as("admin").post(
        u(world, "metrics/"),
        {"key": "net_change", "name_ja": "純増減", "unit": "count", "allows_negative": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["allows_negative"] is True
    response = client_as("sales_rep").post(
        u(world, "actuals/"), {"metric": "net_change", "date": "2026-05-09", "value": "-3"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "-3"


def test_the_service_refuses_negatives_whoever_calls_it(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        meetings = Metric.objects.get(key="meetings")
        assert meetings.allows_negative is False
        with pytest.raises(ServiceError) as caught:
            services.actual_record(metric=meetings, date=dt.date(2026, 5, 9), value=Decimal("-0.5"))
        assert caught.value.code == "kpi.actual.negative" and caught.value.field == "value"
        assert services.actual_record(metric=meetings, date=dt.date(2026, 5, 9), value=Decimal(0))[1]


def test_the_admin_refuses_a_negative_actual(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    with workspace_context(world.a.workspace.id):
        meetings = Metric.objects.get(key="meetings")
    response = client.post("/admin/kpi/metricactual/add/",
                           {"metric": meetings.id, "date": "2026-05-09", "value": "-4", "owner": ""})  # fmt: skip
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert _actual_count(world, date=dt.date(2026, 5, 9)) == 0


# --- Deleting an actual --------------------------------------------------------------------------------


def _seeded_actual(world: World, side: str = "a") -> MetricActual:
    with workspace_context(getattr(world, side).workspace.id):
        return MetricActual.objects.get(metric__key="wins", date=dt.date(2026, 5, 7))


@pytest.mark.parametrize("actor", ["sales_rep", "api_key"])
def test_an_actual_is_deleted_through_the_api_and_audited(world: World, client_as: Any, actor: str) -> None:
    actual = _seeded_actual(world)
    response = client_as(actor).delete(u(world, f"actuals/{actual.id}/"))
    assert response.status_code == 204, response.content
    assert _actual_count(world, id=actual.id) == 0
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.get(action="kpi_actual.deleted", target_id=str(actual.id))
    assert event.changes == {"metric": "wins", "date": "2026-05-07", "owner": None, "value": "3",
                             "source": "manual"}  # fmt: skip
    assert (event.actor_api_key_prefix != "") == (actor == "api_key")


def test_readers_cannot_delete_an_actual(world: World, client_as: Any) -> None:
    actual = _seeded_actual(world)
    assert client_as("viewer").delete(u(world, f"actuals/{actual.id}/")).status_code == 403
    assert _actual_count(world, id=actual.id) == 1


def test_another_workspaces_actual_is_not_found(world: World, client_as: Any) -> None:
    foreign = _seeded_actual(world, "b")
    assert client_as("sales_rep").delete(u(world, f"actuals/{foreign.id}/")).status_code == 404
    assert _actual_count(world, "b", id=foreign.id) == 1


# --- Negative totals already stored --------------------------------------------------------------------


FY = 2027


@pytest.fixture
def negative_driver(world: World) -> Any:
    """Seed 004's plan with a negative year-to-date total of wins (stored before negatives were refused)."""
    actor = Actor.of(world.a.principal("admin"))
    with workspace_context(world.a.workspace.id):
        plan = demo_plan_seed(workspace=world.a.workspace, actor=actor, fiscal_year=FY)
        metrics = {m.key: m for m in Metric.objects.all()}
        for key, value in (("appointments", 20), ("meetings", 6), ("wins", -2), ("won_amount", 5_000_000)):
            # Straight to the table: rows written before the service refused negatives.
            MetricActual.objects.create(metric=metrics[key], date=dt.date(FY, 5, 10), value=Decimal(value))
    return plan


def test_sensitivity_with_a_negative_total_answers(
    world: World, client_as: Any, negative_driver: Any
) -> None:
    response = client_as("viewer").get(u(world, f"plans/{negative_driver.id}/sensitivity/?as_of={FY}-05-31"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["available"] is True
    win_rate = next(d for d in data["drivers"] if d["key"] == "win_rate")
    assert Decimal(win_rate["actual"]) == 0 and win_rate["note"]
    assert any("負" in note for note in data["notes"])


def test_agenda_with_a_negative_total_answers(world: World, negative_driver: Any) -> None:
    actor = Actor.of(world.a.principal("manager"))
    with workspace_context(world.a.workspace.id):
        cadence = review_services.review_cadence_create(
            actor=actor, kind="weekly", title="週次", weekday=2, local_time=dt.time(14),
            start_date=dt.date(FY, 5, 10), generate_count=1, now=dt.datetime(FY, 5, 10, 9, tzinfo=dt.UTC),
        )  # fmt: skip
        meeting = ReviewMeeting.objects.get(cadence=cadence)
        meeting = review_services.review_meeting_agenda_generate(
            actor=actor, meeting=meeting, now=dt.datetime(FY, 5, 12, 9, tzinfo=dt.UTC)
        )
    kinds = [item["kind"] for item in meeting.agenda["items"]]
    assert "bottleneck" in kinds, kinds
