from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.context import workspace_context
from tenants.models import AuditEvent, WorkspaceApiKey
from tests.conftest import World


def url(world: World, suffix: str = "") -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/api-keys/{suffix}"


def test_issue_shows_secret_once_and_stores_only_a_hash(world: World, client_as: Any) -> None:
    client = client_as("admin")
    response = client.post(
        url(world), {"name": "BI", "scopes": ["kpi:read", "checklist:read"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["key"]
    prefix, _, rest = secret.partition(".")
    assert body["prefix"] == prefix and len(rest) >= 32
    assert body["scopes"] == ["checklist:read", "kpi:read"]
    key = WorkspaceApiKey.objects.get(prefix=prefix)
    assert rest not in key.hashed_key and secret not in key.id
    listed = client.get(url(world)).json()["results"]
    assert prefix in {k["prefix"] for k in listed}
    assert all("key" not in k for k in listed)
    assert secret not in client.get(url(world, f"{prefix}/")).content.decode()
    with workspace_context(world.a.workspace.id):
        assert AuditEvent.objects.filter(action="api_key.issued", target_id=prefix).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["admin:all"]}, "scopes"),
        ({"name": "x", "scopes": "kpi:read"}, "scopes"),
        ({"scopes": ["kpi:read"]}, "name"),
        ({"name": "x", "scopes": ["kpi:read"], "expiry_date": "2001-01-01T00:00:00Z"}, "expiry_date"),
        ({"name": "x", "scopes": ["kpi:read"], "workspace": "x"}, "workspace"),
    ],
)
def test_bad_issue_requests(world: World, client_as: Any, payload: dict[str, Any], field: str) -> None:
    count = WorkspaceApiKey.objects.count()
    response = client_as("admin").post(url(world), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert WorkspaceApiKey.objects.count() == count


@pytest.mark.parametrize("actor", ["manager", "sales_rep", "viewer", "api_key"])
def test_only_admins_and_consultants_manage_keys(world: World, client_as: Any, actor: str) -> None:
    client = client_as(actor)
    assert client.get(url(world)).status_code == 403
    assert client.post(url(world), {"name": "x", "scopes": ["kpi:read"]}, format="json").status_code == 403


def test_key_authenticates_and_records_last_use(world: World, key_client: Any) -> None:
    client = key_client("kpi:read")
    response = client.get(f"/api/v1/workspaces/{world.a.workspace.id}/")
    assert response.status_code == 200
    key = WorkspaceApiKey.objects.filter(name="scoped").get()
    assert key.last_used_at is not None


def test_revoked_key_is_refused_at_once(world: World, client_as: Any) -> None:
    key = world.a.api_key
    keyed = client_as("api_key")
    assert keyed.get(f"/api/v1/workspaces/{world.a.workspace.id}/").status_code == 200
    response = client_as("admin").post(url(world, f"{key.prefix}/revoke/"))
    assert response.status_code == 200 and response.json()["revoked"] is True
    refused = keyed.get(f"/api/v1/workspaces/{world.a.workspace.id}/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"


def test_expired_key_is_refused(world: World, client_as: Any) -> None:
    WorkspaceApiKey.objects.filter(pk=world.a.api_key.pk).update(
        expiry_date=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client_as("api_key").get(f"/api/v1/workspaces/{world.a.workspace.id}/").status_code == 401


def test_wrong_or_tampered_key_is_refused(world: World) -> None:
    client = APIClient()
    prefix = world.a.api_key.prefix
    for header in [f"Api-Key {prefix}.wrongsecretwrongsecretwrongsecret", "Api-Key nonsense", "Api-Key "]:
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(f"/api/v1/workspaces/{world.a.workspace.id}/").status_code == 401, header


def test_wrong_scope_is_forbidden(world: World, key_client: Any) -> None:
    client = key_client("checklist:read")
    assert client.get(f"/api/v1/workspaces/{world.a.workspace.id}/").status_code == 200
    assert client.get(f"/api/v1/workspaces/{world.a.workspace.id}/memberships/").status_code == 403
    assert client.get(f"/api/v1/workspaces/{world.a.workspace.id}/audit-events/").status_code == 403
    assert (
        client.patch(f"/api/v1/workspaces/{world.a.workspace.id}/", {"name": "x"}, format="json").status_code
        == 403
    )
