"""Answers the fuzzer rarely meets, checked against the live schema one by one: the nulls of a missing
owner or a deleted KPI, and each shape of the answers that have two (sensitivity, the formula check).

Each was a nonconforming answer the contract test found or could have found (``null`` where the schema
promised a string, ``PlanOutput`` documented for a tree).
"""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client as WsgiClient

from checklist.models import ActionPlan
from kpi.demo import demo_plan_seed
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World
from tests.contract.test_api_contract import APP, _live_schema


def _get_valid(
    world: World, template: str, method: str = "get", body: Any = None, query: str = "", **ids: Any
) -> Any:
    """Call the operation as workspace A's partner key and validate the answer against its schema."""
    schema = _live_schema(world)
    path = template.format(workspace_id=world.a.workspace.id, **ids)
    client = WsgiClient(APP)
    headers = {"Authorization": f"Api-Key {world.a.api_key_secret}"}
    response = client.open(path + query, method=method.upper(), headers=headers, json=body)
    operation = schema[template.removeprefix(schema.base_path.rstrip("/"))][method]
    operation.validate_response(response)  # raises on any mismatch
    return response.get_json()


BASE = "/api/v1/workspaces/{workspace_id}"


def test_an_action_plan_whose_kpi_and_owner_are_gone(world: World) -> None:
    plan = world.a.extra["action_plan"]
    with workspace_context(world.a.workspace.id):
        ActionPlan.objects.filter(id=plan.id).update(kpi_node=None, owner=None)
    data = _get_valid(world, BASE + "/checklist/action-plans/{id}/", id=plan.id)
    assert (data["kpi_key"], data["kpi_name"], data["owner_email"]) == (None, None, None)


def test_a_node_without_owner(world: World) -> None:
    data = _get_valid(world, BASE + "/kpi/nodes/{id}/", id=world.a.ksf.id)
    assert data["owner_email"] is None


def test_both_answers_of_sensitivity(world: World) -> None:
    url = BASE + "/kpi/plans/{id}/sensitivity/"
    data = _get_valid(world, url, query="?as_of=2026-06-01", id=world.a.plan.id)
    assert data["available"] is False  # the world's plan has no driver chain
    assert set(data) == {"available", "as_of", "reason"}
    with workspace_context(world.a.workspace.id):
        demo = demo_plan_seed(workspace=world.a.workspace, actor=Actor.of(world.a.principal("admin")),
                              fiscal_year=2027)  # fmt: skip
    data = _get_valid(world, url, query="?as_of=2027-06-30&improvement_pct=12.5", id=demo.id)
    assert data["available"] is True and data["bottleneck"] and len(data["drivers"]) == 4


@pytest.mark.parametrize("formula", ["wins / meetings * 100", "meetings /", "wins\x00", "x" * 300])
def test_both_answers_of_the_formula_check(world: World, formula: str) -> None:
    data = _get_valid(world, BASE + "/kpi/tools/validate-formula/", "post", {"formula": formula})
    assert data["valid"] is (formula == "wins / meetings * 100")


def test_the_tree_and_the_check(world: World) -> None:
    tree = _get_valid(world, BASE + "/kpi/plans/{id}/tree/", id=world.a.plan.id)
    assert tree[0]["children"][0]["children"][0]["key"] == "win_rate"
    check = _get_valid(world, BASE + "/kpi/plans/{id}/check/", id=world.a.plan.id)
    assert {"ok", "findings", "kpis"} == set(check)
