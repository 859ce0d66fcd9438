"""The KPI read endpoints cost a constant number of queries: not one more per period, per node or per actual."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from core.api.pagination import CreatedCursorPagination
from kpi.demo import demo_plan_seed
from kpi.models import MetricActual
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World
from tests.kpi.test_api_engine import FY, _record, u

# Transaction control and the tenant setting, which differ between databases and test runs.
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SELECT set_config")


def _queries(call: Callable[[], Any]) -> tuple[int, Any]:
    """The queries a request reads and writes data with, and its response."""
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.startswith(_BOOKKEEPING):
            statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = call()
    assert response.status_code == 200, response.content
    return len(statements), response


@pytest.fixture
def demo_plan(world: World) -> Any:
    """Seed 004's plan: a KGI, its funnel drivers and their targets."""
    with workspace_context(world.a.workspace.id):
        return demo_plan_seed(
            workspace=world.a.workspace, actor=Actor.of(world.a.principal("admin")), fiscal_year=FY
        )


@pytest.fixture
def partner(world: World, key_client: Any) -> Any:
    """A partner key that has already been used once (the first use of a key records it: one more write)."""
    client = key_client("kpi:read")
    assert client.get(u(world, "metrics/")).status_code == 200
    return client


@pytest.fixture
def busy_year(world: World, demo_plan: Any) -> Any:
    """Actuals on many days of the demo plan's year, by two owners."""
    owners = [world.a.memberships["sales_rep"], None]
    for offset in range(0, 120, 3):
        _record(world, dt.date(FY, 4, 1) + dt.timedelta(days=offset), owner=owners[offset % 2],
                appointments=5, meetings=3, wins=1, won_amount=5_000_000)  # fmt: skip
    return demo_plan


def test_series_costs_the_same_whatever_the_number_of_periods(
    world: World, partner: Any, busy_year: Any
) -> None:
    client = partner
    series = f"plans/{busy_year.id}/series/"
    counts = {}
    for query in ("period_kind=fiscal_year", "period_kind=quarter", "period_kind=month", "period_kind=week",
                  f"period_kind=day&start={FY}-04-01&end={FY}-04-03",
                  f"period_kind=day&start={FY}-04-01&end={FY}-07-02"):  # fmt: skip
        counts[query], response = _queries(lambda q=query: client.get(u(world, f"{series}?{q}")))
        assert response.json()["periods"]
    assert len(set(counts.values())) == 1, counts
    # The key with its workspace, the plan, its shape (nodes, metrics) and the daily sums.
    assert next(iter(counts.values())) == 5, counts


@pytest.mark.parametrize("endpoint", ["values/", "status/", "sensitivity/", "tree/", "check/"])
def test_plan_reads_cost_a_constant_number_of_queries(
    world: World,
    partner: Any,
    demo_plan: Any,
    endpoint: str,
) -> None:
    client = partner
    url = u(world, f"plans/{demo_plan.id}/{endpoint}")
    before, _ = _queries(lambda: client.get(url))
    for offset in range(0, 60, 2):
        _record(world, dt.date(FY, 4, 1) + dt.timedelta(days=offset), owner=world.a.memberships["sales_rep"],
                appointments=4, meetings=2, wins=1, won_amount=4_000_000)  # fmt: skip
    after, _ = _queries(lambda: client.get(url))
    assert after == before, f"{endpoint}: {before} queries without actuals, {after} with sixty days of them"
    # status/ also asks how fresh the CRM-fed figures are: one query for the connections when none is connected.
    assert after <= 7, f"{endpoint}: {after} queries"


def test_the_node_list_costs_the_same_for_one_page_of_any_size(world: World, partner: Any,
                                                              demo_plan: Any) -> None:  # fmt: skip
    client = partner
    small, _ = _queries(lambda: client.get(u(world, "nodes/?page_size=2")))
    large, _ = _queries(lambda: client.get(u(world, "nodes/?page_size=100")))
    assert small == large == 2  # the key with its workspace, the page (a cursor: no count)


@pytest.mark.postgres
def test_the_actuals_list_pages_through_an_index_not_a_sort(world: World) -> None:
    """Newest first over a whole workspace's actuals: PostgreSQL walks kpi_actual_ws_created_idx."""
    with workspace_context(world.a.workspace.id), connection.cursor() as cursor:
        page = MetricActual.objects.filter(workspace_id=world.a.workspace.id).order_by(
            *CreatedCursorPagination.ordering
        )[:50]
        sql, params = page.query.sql_with_params()
        # The test world is small enough to scan and sort: tell the planner both are dear, so the plan shows
        # whether an index can serve the order at all (without one it must sort anyway).
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "kpi_actual_ws_created_idx" in plan and "Sort" not in plan, plan
