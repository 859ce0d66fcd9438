"""Sync now, the run's progress, and re-mapping synced records when a mapping changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations import ingest
from integrations.canonical import CanonicalDeal
from integrations.models import Connection, CrmDeal, SyncRun
from integrations.providers.base import ObjectType, Page
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tests.conftest import World
from tests.integrations.test_api import WRITERS, _conn, u

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "consultant", "manager", "sales_rep", "viewer", "firm_owner"])
def test_who_may_sync_now(
    world: World, client_as: Any, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_as(role).post(_conn(world, "sync/"))
    if role in WRITERS:
        assert response.status_code == 202, response.content
        assert response.json()["id"] == str(world.a.extra["connection"].id)
        assert len(callbacks) == 1  # one sync queued, once the request commits
        with workspace_context(world.a.workspace.id):
            assert AuditEvent.objects.filter(action="connection.sync_requested").count() == 1
    else:
        assert response.status_code == 403 and not callbacks


def test_sync_now_refusals(world: World, client_as: Any) -> None:
    client = client_as("admin")
    csv = client.post(
        u(world, "connections/"), {"provider": "csv", "display_name": "CSV"}, format="json"
    ).json()
    refused = client.post(u(world, f"connections/{csv['id']}/sync/"))
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "integrations.sync.csv_by_file"
    assert "CSV" in client.post(u(world, f"connections/{csv['id']}/sync/"), HTTP_ACCEPT_LANGUAGE="ja").json()[
        "error"]["message"]  # fmt: skip
    bare = client.post(u(world, "connections/"), {"provider": "hubspot", "display_name": "No token"},
                       format="json").json()  # fmt: skip
    refused = client.post(u(world, f"connections/{bare['id']}/sync/"))
    assert refused.json()["error"]["code"] == "integrations.status.credentials_missing"
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        Connection.objects.filter(id=connection.id).update(
            lease_owner="task:x", lease_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
        )
    busy = client.post(_conn(world, "sync/"))
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "integrations.sync.already_running"
    client.post(_conn(world, "disconnect/"))
    gone = client.post(_conn(world, "sync/"))
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "integrations.connection.disconnected"
    with workspace_context(world.a.workspace.id):
        assert not SyncRun.objects.filter(connection=connection, trigger="manual").exists()


def test_a_running_sync_reports_its_progress(world: World, client_as: Any) -> None:
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        run = SyncRun.objects.create(
            connection=connection, trigger="manual", started_at=dt.datetime.now(dt.UTC),
            progress={"owners": {"fetched": 3, "done": True}, "companies": {"fetched": 0, "done": False},
                      "contacts": {"fetched": 0, "done": False}, "deals": {"fetched": 0, "done": False}},
        )  # fmt: skip
    body = client_as("manager").get(u(world, f"sync-runs/{run.id}/")).json()
    assert body["status"] == "running" and body["progress_percent"] == 25
    assert body["progress"]["owners"] == {"fetched": 3, "done": True}


def test_a_changed_stage_mapping_maps_synced_deals_again(
    world: World, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    connection = world.a.extra["connection"]
    entered = dt.datetime(2026, 5, 7, 16, 30, tzinfo=dt.UTC)  # 8 May in Tokyo
    deal = CanonicalDeal(
        external_id="9001", name="C社", pipeline="default", stage="qualifiedtobuy", amount=None,
        amount_invalid=False, currency="JPY", created_at=entered, close_date=None, is_closed=False,
        is_won=False, owner_external_id=None, company_external_id=None,
        stage_entered_at={"qualifiedtobuy": entered}, modstamp=entered,
    )  # fmt: skip
    with workspace_context(world.a.workspace.id):
        ingest.page_ingest(connection=connection, page=Page(ObjectType.DEALS, (deal,), ({},), None))
        stored = CrmDeal.objects.get(connection=connection, external_id="9001")
        assert (stored.funnel_stage, stored.appointment_date, stored.meeting_date) == (
            "meeting", dt.date(2026, 5, 8), dt.date(2026, 5, 8),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("admin").patch(_conn(world, "mappings/"), {
            "stages": [{"pipeline": "default", "stage": "qualifiedtobuy", "funnel_stage": "appointment"}]},
            format="json")  # fmt: skip
    assert response.status_code == 200
    with workspace_context(world.a.workspace.id):
        stored.refresh_from_db()
        assert (stored.funnel_stage, stored.appointment_date, stored.meeting_date) == (
            "appointment", dt.date(2026, 5, 8), None,
        )  # fmt: skip
