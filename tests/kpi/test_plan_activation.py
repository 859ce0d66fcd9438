"""Activating a plan version: a failing check needs an explicit confirmation; an archived version can be
activated again (the running one is archived in its place); every activation is audited."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import ServiceError
from kpi import services
from kpi.demo import demo_plan_seed
from kpi.models import KpiPlan
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tenants.services import Actor
from tests.conftest import World


def u(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/kpi/plans/{suffix}"


def statuses(world: World) -> dict[int, str]:
    with workspace_context(world.a.workspace.id):
        return dict(KpiPlan.objects.filter(fiscal_year=2026).values_list("version", "status"))


def activations(world: World, plan_id: Any) -> list[dict[str, Any]]:
    with workspace_context(world.a.workspace.id):
        events = AuditEvent.objects.filter(action="kpi_plan.activated", target_id=str(plan_id))
        return [e.changes for e in events.order_by("created_at")]


@pytest.fixture
def two_versions(world: World, client_as: Any) -> tuple[str, str]:
    """Version 1 running (activated with confirmation: the world's plan has no leading KPI), version 2 a draft."""
    client = client_as("consultant")
    v1 = str(world.a.plan.id)
    assert client.post(u(world, f"{v1}/activate/"), {"confirm": True}, format="json").status_code == 200
    v2 = client.post(u(world, f"{v1}/replan/"), {"name": "見直し"}, format="json").json()["id"]
    return v1, v2


def test_a_failing_plan_is_not_activated_without_confirmation(
    world: World, client_as: Any, two_versions: tuple[str, str]
) -> None:
    _v1, v2 = two_versions
    response = client_as("consultant").post(u(world, f"{v2}/activate/"))
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "kpi.plan.check_failed"
    assert "no_leading_kpi" in error["params"]["codes"] and "no_leading_kpi" in error["message"]
    # Nothing changed: the running plan still runs.
    assert statuses(world) == {1: "active", 2: "draft"}
    assert activations(world, v2) == []


def test_a_failing_plan_is_activated_with_confirmation_and_audited(
    world: World, client_as: Any, two_versions: tuple[str, str]
) -> None:
    v1, v2 = two_versions
    response = client_as("consultant").post(u(world, f"{v2}/activate/"), {"confirm": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert statuses(world) == {1: "archived", 2: "active"}
    (event,) = activations(world, v2)
    assert event["from_status"] == "draft" and event["archived"] == [v1]
    assert event["confirmed"] is True and "no_leading_kpi" in event["check_failed"]


def test_an_archived_version_can_be_activated_again(
    world: World, client_as: Any, two_versions: tuple[str, str]
) -> None:
    v1, v2 = two_versions
    client = client_as("consultant")
    assert client.post(u(world, f"{v2}/activate/"), {"confirm": True}, format="json").status_code == 200
    assert statuses(world) == {1: "archived", 2: "active"}
    back = client.post(u(world, f"{v1}/activate/"), {"confirm": True}, format="json")
    assert back.status_code == 200, back.content
    assert statuses(world) == {1: "active", 2: "archived"}
    assert activations(world, v1)[-1]["from_status"] == "archived"
    assert activations(world, v1)[-1]["archived"] == [v2]
    # Active again, so it is editable again.
    edit = client.patch(f"/api/v1/workspaces/{world.a.workspace.id}/kpi/nodes/{world.a.kpi.id}/",
                        {"name_ja": "受注率（改）"}, format="json")  # fmt: skip
    assert edit.status_code == 200, edit.content


def test_a_plan_that_passes_its_check_needs_no_confirmation(world: World) -> None:
    actor = Actor.of(world.a.principal("admin"))
    with workspace_context(world.a.workspace.id):
        plan = demo_plan_seed(workspace=world.a.workspace, actor=actor, fiscal_year=2027)  # activates it
        assert plan.status == "active"
        plan = services.plan_replan(actor=actor, plan=plan)
        assert services.plan_activate(actor=actor, plan=plan).status == "active"


def test_the_service_refuses_a_failing_plan_without_confirm(world: World) -> None:
    actor = Actor.of(world.a.principal("admin"))
    with workspace_context(world.a.workspace.id):
        with pytest.raises(ServiceError) as caught:
            services.plan_activate(actor=actor, plan=world.a.plan)
        assert caught.value.code == "kpi.plan.check_failed" and caught.value.status_code == 409
        assert KpiPlan.objects.get(id=world.a.plan.id).status == "draft"


def test_confirm_must_be_a_boolean(world: World, client_as: Any) -> None:
    response = client_as("consultant").post(
        u(world, f"{world.a.plan.id}/activate/"), {"confirm": "perhaps"}, format="json"
    )
    assert response.status_code == 400 and "confirm" in response.json()["error"]["fields"]
    assert statuses(world) == {1: "draft"}
