from __future__ import annotations

from typing import Any

import pytest

from tenants.context import workspace_context
from tenants.models import AuditEvent, Workspace
from tests.conftest import World


def url(world: World, suffix: str = "") -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/{suffix}"


def test_detail_shows_settings_with_japanese_defaults(world: World, client_as: Any) -> None:
    body = client_as("viewer").get(url(world)).json()
    assert body["fiscal_year_start_month"] == 4
    assert body["time_zone"] == "Asia/Tokyo"
    assert body["currency"] == "JPY"
    assert body["firm_name"] == "Firm A"


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("admin", 200),
        ("consultant", 200),
        ("firm_owner", 200),
        ("manager", 403),
        ("sales_rep", 403),
        ("viewer", 403),
        ("api_key", 403),
        ("anonymous", 401),
    ],
)
def test_settings_change_by_role(world: World, client_as: Any, actor: str, status: int) -> None:
    response = client_as(actor).patch(url(world), {"fiscal_year_start_month": 1}, format="json")
    assert response.status_code == status
    world.a.workspace.refresh_from_db()
    assert world.a.workspace.fiscal_year_start_month == (1 if status == 200 else 4)


def test_settings_change_is_audited_with_before_and_after(world: World, client_as: Any) -> None:
    client_as("admin").patch(url(world), {"fiscal_year_start_month": 10, "name": "新社名"}, format="json")
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.get(action="workspace.settings_changed")
    assert event.actor_user == world.a.users["admin"]
    assert event.changes == {
        "fiscal_year_start_month": {"from": 4, "to": 10},
        "name": {"from": "Workspace A", "to": "新社名"},
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fiscal_year_start_month": 13}, "fiscal_year_start_month"),
        ({"fiscal_year_start_month": "april"}, "fiscal_year_start_month"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"currency": "BTC"}, "currency"),
        ({"slug": "renamed"}, "slug"),
        ({"firm": "x"}, "firm"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    world: World, client_as: Any, payload: dict[str, Any], field: str
) -> None:
    before = Workspace.objects.values().get(id=world.a.workspace.id)
    response = client_as("admin").patch(url(world), payload, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert field in body["fields"]
    assert body["code"]
    assert Workspace.objects.values().get(id=world.a.workspace.id) == before


def test_unknown_workspace_and_malformed_id_are_404(world: World, client_as: Any) -> None:
    client = client_as("admin")
    assert client.get("/api/v1/workspaces/00000000-0000-0000-0000-000000000000/").status_code == 404
    response = client.get("/api/v1/workspaces/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
