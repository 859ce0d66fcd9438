"""Only a lost race on a named unique constraint answers 409; any other IntegrityError is our bug (500)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction

from core.api.conflicts import integrity_constraint
from core.api.errors import api_exception_handler
from kpi.models import KpiNode, Metric, MetricActual
from tenants.context import workspace_context
from tests.conftest import World


def _integrity_error(create: callable) -> IntegrityError:  # type: ignore[valid-type]
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        create()
    return caught.value


def test_every_listed_constraint_exists() -> None:
    names = {
        c.name
        for model in apps.get_models()
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint)
    }
    assert names >= settings.API_CONFLICT_CONSTRAINTS, sorted(settings.API_CONFLICT_CONSTRAINTS - names)


def test_a_taken_node_key_is_a_conflict(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        error = _integrity_error(
            lambda: KpiNode.objects.create(
                plan=world.a.plan, kind="kpi", key=world.a.kpi.key, name_ja="重複", parent=world.a.ksf
            )
        )
    assert integrity_constraint(error) == "kpi_kpinode_workspace_plan_key_uniq"
    response = api_exception_handler(error, {})
    assert response is not None and response.status_code == 409
    assert response.data["error"]["code"] == "conflict"


def test_any_other_integrity_error_is_a_logged_500(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """A duplicate actual is not a race the API can lose (actuals are upserted): reaching it is a bug."""
    with workspace_context(world.a.workspace.id):
        metric = Metric.objects.get(key="wins")
        day = dt.date(2026, 5, 7)
        error = _integrity_error(
            lambda: MetricActual.objects.create(metric=metric, date=day, value=Decimal(1))
        )
    assert integrity_constraint(error) == "kpi_metricactual_workspace_metric_date_uniq"
    with caplog.at_level(logging.ERROR, logger="core.api.errors"):
        response = api_exception_handler(error, {})
    assert response is not None and response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert any("integrity error" in record.getMessage() for record in caplog.records)
