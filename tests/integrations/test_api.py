"""The integrations API: permissions per role and key scope, validation codes, and no credential in any
answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from django.db import connection as db

from integrations import services
from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.models import Connection, CrmOwner, StageMapping, SyncRun
from integrations.providers.outbound import outbound_transport
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tenants.services import Actor
from tests.conftest import World


def u(world: World, suffix: str, side: str = "a") -> str:
    return f"/api/v1/workspaces/{getattr(world, side).workspace.id}/integrations/{suffix}"


def _conn(world: World, suffix: str = "") -> str:
    return u(world, f"connections/{world.a.extra['connection'].id}/{suffix}")


READERS = ("admin", "consultant", "manager", "firm_owner")
WRITERS = ("admin", "consultant", "firm_owner")


@pytest.mark.parametrize("role", ["admin", "consultant", "manager", "sales_rep", "viewer", "firm_owner"])
def test_who_reads_connections(world: World, client_as: Any, role: str) -> None:
    client = client_as(role)
    expected = 200 if role in READERS else 403
    for url in (u(world, "connections/"), _conn(world), _conn(world, "mappings/"), u(world, "sync-runs/"),
                u(world, f"sync-runs/{world.a.extra['sync_run'].id}/"), u(world, "owners/")):  # fmt: skip
        assert client.get(url).status_code == expected, (role, url)


@pytest.mark.parametrize("role", ["admin", "consultant", "manager", "sales_rep", "viewer", "firm_owner"])
def test_who_manages_connections(world: World, client_as: Any, role: str) -> None:
    client = client_as(role)
    created = client.post(u(world, "connections/"), {"provider": "csv", "display_name": f"CSV {role}"},
                          format="json")  # fmt: skip
    patched = client.patch(_conn(world), {"display_name": "Renamed"}, format="json")
    mapped = client.patch(_conn(world, "mappings/"), {"confirm_all": True}, format="json")
    matched = client.patch(
        u(world, f"owners/{world.a.extra['crm_owner'].id}/"), {"member": None}, format="json"
    )
    statuses = (created.status_code, patched.status_code, mapped.status_code, matched.status_code)
    if role in WRITERS:
        assert statuses == (201, 200, 200, 200), role
        disconnected = client.post(_conn(world, "disconnect/"))
        assert disconnected.status_code == 200 and disconnected.json()["status"] == "disconnected"
    else:
        assert statuses == (403, 403, 403, 403), role
        assert client.post(_conn(world, "disconnect/")).status_code == 403
        with workspace_context(world.a.workspace.id):
            assert Connection.objects.get(id=world.a.extra["connection"].id).status == "connected"


def test_partner_keys_need_the_integrations_scopes(world: World, key_client: Any) -> None:
    body = {"provider": "csv", "display_name": "Key CSV"}
    other = key_client("kpi:read", "checklist:write")
    assert other.get(u(world, "connections/")).status_code == 403
    reader = key_client("integrations:read")
    assert reader.get(u(world, "connections/")).status_code == 200
    assert reader.post(u(world, "connections/"), body, format="json").status_code == 403
    writer = key_client("integrations:write")
    response = writer.post(u(world, "connections/"), body, format="json")
    assert response.status_code == 201
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.get(action="connection.created", target_id=response.json()["id"])
    assert event.actor_label.startswith("api-key:")


def test_create_answers_the_connection_with_its_status_in_japanese(world: World, client_as: Any) -> None:
    response = client_as("admin").post(u(world, "connections/"), {"provider": "hubspot", "display_name": "HubSpot 2"},
                                       format="json", HTTP_ACCEPT_LANGUAGE="ja")  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "needs_attention" and body["has_credentials"] is False
    detail = body["status_detail"]
    assert detail["code"] == "integrations.status.credentials_missing"
    assert "連携" in detail["message"] or "接続" in detail["message"], detail
    mappings = client_as("admin").get(u(world, f"connections/{body['id']}/mappings/")).json()
    assert len(mappings["stages"]) == 7 and mappings["confirmed"] is False
    assert mappings["lead_definition"]["source"] == "lifecycle"


def test_no_credential_in_any_answer(world: World, client_as: Any) -> None:
    client = client_as("admin")
    token = world.a.extra["credential_token"]
    portal = FakeHubSpot(
        clock=FakeClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)), portal_id=4242
    )  # the world's
    new_token = portal.issue_private_app_token()  # a new token is checked against its portal first
    with workspace_context(world.a.workspace.id):
        ciphertext = Connection.objects.get(id=world.a.extra["connection"].id).credentials_ciphertext
    with outbound_transport(httpx.WSGITransport(app=portal)):
        answers = [
            client.get(u(world, "connections/")), client.get(_conn(world)),
            client.patch(_conn(world), {"credentials": {"private_app_token": new_token}}, format="json"),
            client.post(u(world, "connections/"), {"provider": "salesforce", "display_name": "SF",
                                                   "credentials": {"refresh_token": new_token}}, format="json"),
            client.get(u(world, "connections/")), client.post(_conn(world, "disconnect/")),
        ]  # fmt: skip
    for response in answers:
        body = response.content.decode()
        assert response.status_code in {200, 201}, body
        assert token not in body and new_token not in body and ciphertext not in body
        assert "credentials" not in json.loads(body) and "ciphertext" not in body


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"provider": "pipedrive", "display_name": "x"}, 400, "invalid_choice", "provider"),
        ({"provider": "csv"}, 400, "required", "display_name"),
        ({"provider": "csv", "display_name": "x", "sync_interval_minutes": 1}, 400, "min_value",
         "sync_interval_minutes"),
        ({"provider": "csv", "display_name": "x", "base_url": "not a url"}, 400, "invalid", "base_url"),
        ({"provider": "csv", "display_name": "x", "credentials": {"password": "x"}}, 400,
         "integrations.connection.unknown_credential", "credentials"),
        ({"provider": "hubspot", "display_name": "x", "external_account_id": "4242"}, 409,
         "integrations.connection.account_taken", "external_account_id"),
        ({"provider": "csv", "display_name": "x", "workspace": "other"}, 400, "unknown_field", "workspace"),
    ],
)  # fmt: skip
def test_create_validation(world: World, client_as: Any, body: dict[str, Any], status: int, code: str,
                           field: str) -> None:  # fmt: skip
    response = client_as("admin").post(u(world, "connections/"), body, format="json")
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"], error


def test_http_base_url_is_refused_in_production_settings(world: World, client_as: Any, settings: Any) -> None:
    settings.INTEGRATIONS_ALLOW_HTTP_BASE_URL = False
    response = client_as("admin").patch(_conn(world), {"base_url": "http://internal.example"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "integrations.connection.base_url_insecure"


def test_a_disconnected_connection_cannot_be_changed(world: World, client_as: Any) -> None:
    client = client_as("admin")
    assert client.post(_conn(world, "disconnect/")).status_code == 200
    response = client.patch(_conn(world), {"display_name": "x"}, format="json")
    assert (
        response.status_code == 400
        and response.json()["error"]["code"] == "integrations.connection.disconnected"
    )
    assert (
        client.get(u(world, "connections/?status=disconnected")).json()["results"][0]["status"]
        == "disconnected"
    )
    assert client.get(u(world, "connections/?status=bogus")).status_code == 400


def test_mappings_patch(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    response = client.patch(_conn(world, "mappings/"), {
        "stages": [{"pipeline": "default", "stage": "qualifiedtobuy", "funnel_stage": "appointment"}],
        "activity_types": [{"raw_type": "notes", "activity_type": "task"}],
        "lead_definition": {"sql_stages": ["opportunity"]}, "confirm_all": True}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmed"] is True
    assert {m["stage"]: m["funnel_stage"] for m in body["stages"]}["qualifiedtobuy"] == "appointment"
    assert body["lead_definition"]["sql_stages"] == ["opportunity"]
    bad = client.patch(
        _conn(world, "mappings/"), {"stages": [{"stage": "x", "funnel_stage": "demo"}]}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_choice"
    bad = client.patch(_conn(world, "mappings/"), {"lead_definition": {"source": "lifecycle", "lead_stages": []}},
                       format="json")  # fmt: skip
    assert bad.json()["error"]["code"] == "integrations.lead.stages_required"
    with workspace_context(world.a.workspace.id):
        assert StageMapping.objects.get(
            connection=world.a.extra["connection"], stage="qualifiedtobuy"
        ).confirmed_at


def test_sync_runs_list_and_filter(world: World, client_as: Any) -> None:
    client = client_as("manager")
    runs = client.get(u(world, f"sync-runs/?connection={world.a.extra['connection'].id}")).json()["results"]
    assert [r["id"] for r in runs] == [str(world.a.extra["sync_run"].id)]
    assert runs[0]["duration_seconds"] == 120 and runs[0]["fetched_count"] == 4 and runs[0]["error"] is None
    assert client.get(u(world, "sync-runs/?connection=nope")).status_code == 400
    assert client_as("admin").post(u(world, "sync-runs/"), {}, format="json").status_code == 405  # read only


def test_owners_with_their_match_and_a_manual_match(world: World, client_as: Any) -> None:
    client = client_as("admin")
    owners = {o["external_id"]: o for o in client.get(u(world, "owners/")).json()["results"]}
    assert owners["101"]["matched"] is True and owners["101"]["member"] == str(
        world.a.memberships["manager"].id
    )
    assert owners["102"]["matched"] is False and owners["102"]["match_source"] == ""
    unmatched = client.get(u(world, "owners/?matched=0")).json()["results"]
    assert [o["external_id"] for o in unmatched] == ["102"]
    url = u(world, f"owners/{world.a.extra['crm_owner_unmatched'].id}/")
    foreign = client.patch(url, {"member": str(world.b.memberships["viewer"].id)}, format="json")
    assert foreign.status_code == 400 and "member" in foreign.json()["error"]["fields"]
    response = client.patch(url, {"member": str(world.a.memberships["sales_rep"].id)}, format="json")
    assert response.status_code == 200 and response.json()["match_source"] == "manual"
    with workspace_context(world.a.workspace.id):
        assert CrmOwner.objects.get(id=world.a.extra["crm_owner_unmatched"].id).member_id == (
            world.a.memberships["sales_rep"].id
        )


def _count(call: Any) -> int:
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.startswith(
            ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SELECT set_config")
        ):
            statements.append(sql)
        return execute(sql, params, many, context)

    with db.execute_wrapper(record):
        assert call().status_code == 200
    return len(statements)


def test_lists_cost_the_same_for_one_row_or_many(world: World, client_as: Any) -> None:
    """No query per connection, run or owner (the creator, the matched member and their user come along)."""
    client = client_as("admin")
    urls = (u(world, "connections/"), u(world, "sync-runs/"), u(world, "owners/"))
    before = [_count(lambda url=url: client.get(url)) for url in urls]
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        for i in range(3):
            services.connection_create(actor=Actor.of(world.a.principal("consultant")), provider="csv",
                                       display_name=f"CSV {i}")  # fmt: skip
            SyncRun.objects.create(connection=connection, trigger="manual", status="failed",
                                   started_at=world.a.extra["sync_run"].started_at, error_code="x")  # fmt: skip
            CrmOwner.objects.create(connection=connection, external_id=f"o{i}", email=f"o{i}@example.jp",
                                    member=world.a.memberships["viewer"])  # fmt: skip
    assert [_count(lambda url=url: client.get(url)) for url in urls] == before


def test_owners_are_matched_on_request(world: World, client_as: Any) -> None:
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        CrmOwner.objects.create(
            connection=connection, external_id="new", email=world.a.users["viewer"].email.upper()
        )
    assert client_as("manager").post(_conn(world, "match-owners/")).status_code == 403
    response = client_as("admin").post(_conn(world, "match-owners/"))
    assert response.status_code == 200 and response.json() == {"matched": 2, "unmatched": 1, "changed": 1}
    with workspace_context(world.a.workspace.id):
        assert CrmOwner.objects.get(external_id="new").member_id == world.a.memberships["viewer"].id
        assert AuditEvent.objects.get(action="crm_owner.matched_by_email").changes == {"changed": 1}
