"""The integrations services: connections with default mappings, credentials, disconnect, the sync lease
and runs, mappings, and owner matching."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from core.errors import ConflictError, ServiceError
from integrations import services
from integrations.models import (
    ActivityTypeMapping,
    Connection,
    CrmDeal,
    CrmOwner,
    LeadDefinition,
    StageMapping,
    SyncRun,
)
from integrations.selectors import connection_credentials_get, crm_owner_unmatched_list
from tenants import services as tenant_services
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tenants.services import Actor
from tests.conftest import World
from tests.factories.tenants import MembershipFactory, UserFactory


@pytest.fixture
def actor(world: World) -> Actor:
    return Actor.of(world.a.principal("admin"))


@pytest.fixture
def in_a(world: World) -> Any:
    with workspace_context(world.a.workspace.id):
        yield


def _create(actor: Actor, **kwargs: Any) -> Connection:
    return services.connection_create(
        actor=actor, **{"provider": "salesforce", "display_name": "SF", **kwargs}
    )


def test_create_makes_the_default_mappings_to_confirm(world: World, actor: Actor, in_a: None) -> None:
    connection = _create(actor, credentials={"refresh_token": "rt"}, base_url="https://test.salesforce.com/")
    stages = {m.stage: m.funnel_stage for m in StageMapping.objects.filter(connection=connection)}
    assert stages["Prospecting"] == "appointment" and stages["Closed Won"] == "won" and len(stages) == 10
    assert ActivityTypeMapping.objects.get(connection=connection, raw_type="Event").activity_type == "meeting"
    lead = LeadDefinition.objects.get(connection=connection)
    assert (lead.source, lead.sql_stages) == ("leads_object", ["Closed - Converted"])
    assert not StageMapping.objects.filter(connection=connection, confirmed_at__isnull=False).exists()
    assert connection.status == "connected" and connection.next_sync_at is not None
    assert (
        connection.base_url == "https://test.salesforce.com"
        and connection.created_by == world.a.users["admin"]
    )
    event = AuditEvent.objects.get(action="connection.created", target_id=str(connection.id))
    assert event.changes["credentials"] == "set" and "rt" not in str(event.changes)


def test_without_credentials_a_crm_connection_waits_for_authorisation(actor: Actor, in_a: None) -> None:
    connection = _create(actor, provider="hubspot")
    assert (connection.status, connection.status_code) == (
        "needs_attention",
        "integrations.status.credentials_missing",
    )
    assert connection.next_sync_at is None
    connection = services.connection_credentials_set(
        connection=connection, credentials={"access_token": "at"}
    )
    assert (connection.status, connection.status_code) == ("connected", "")
    assert _create(actor, provider="csv", display_name="CSV").status == "connected"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"base_url": "http://api.hubapi.com"}, "integrations.connection.base_url_insecure"),
        ({"base_url": "ftp://x"}, "integrations.connection.base_url_insecure"),
        ({"sync_interval_minutes": 2}, "integrations.connection.interval_range"),
        ({"credentials": {"password": "x"}}, "integrations.connection.unknown_credential"),
        ({"credentials": {"access_token": 5}}, "integrations.connection.credentials_not_text"),
        ({"external_account_id": "4242", "provider": "hubspot"}, "integrations.connection.account_taken"),
    ],
)
@override_settings(INTEGRATIONS_ALLOW_HTTP_BASE_URL=False)
def test_create_refuses(actor: Actor, in_a: None, kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(ServiceError) as caught:
        _create(actor, **kwargs)
    assert caught.value.code == code


def test_plain_http_only_where_allowed(actor: Actor, in_a: None) -> None:
    assert (
        _create(actor, base_url="http://127.0.0.1:8765").base_url == "http://127.0.0.1:8765"
    )  # test settings


def test_update_audits_without_credentials(world: World, actor: Actor, in_a: None) -> None:
    connection = world.a.extra["connection"]
    updated = services.connection_update(actor=actor, connection=connection, display_name="Renamed",
                                         sync_interval_minutes=60, credentials={"private_app_token": "new-token"})  # fmt: skip
    assert (updated.display_name, updated.sync_interval_minutes) == ("Renamed", 60)
    assert connection_credentials_get(connection=updated) == {"private_app_token": "new-token"}
    event = AuditEvent.objects.get(action="connection.updated", target_id=str(connection.id))
    assert event.changes["credentials"] == "replaced" and "new-token" not in str(event.changes)
    assert event.changes["display_name"] == {"from": connection.display_name, "to": "Renamed"}
    with pytest.raises(ServiceError):
        services.connection_update(actor=actor, connection=connection, provider="salesforce")


def test_disconnect_revokes_deletes_credentials_and_keeps_history(
    world: World, actor: Actor, in_a: None
) -> None:
    connection = world.a.extra["connection"]
    calls: list[Any] = []
    result = services.connection_disconnect(
        actor=actor, connection=connection, revoke=lambda **kw: calls.append(kw["credentials"])
    )
    assert calls == [{"private_app_token": world.a.extra["credential_token"]}]
    assert (result.status, result.has_credentials, result.credentials_key_id, result.next_sync_at) == (
        "disconnected",
        False,
        "",
        None,
    )
    assert CrmDeal.objects.filter(connection=connection).exists()  # the synced history stays
    assert SyncRun.objects.filter(connection=connection).exists()
    assert AuditEvent.objects.get(action="connection.disconnected").changes == {"revoked": True}
    with pytest.raises(ServiceError) as caught:
        services.connection_update(actor=actor, connection=result, display_name="x")
    assert caught.value.code == "integrations.connection.disconnected"
    # Disconnecting twice is harmless and revokes nothing more.
    services.connection_disconnect(actor=actor, connection=result, revoke=lambda **kw: calls.append(kw))
    assert len(calls) == 1


def test_a_failed_revoke_does_not_stop_the_disconnect(world: World, actor: Actor, in_a: None) -> None:
    def broken(**kwargs: Any) -> None:
        raise ConnectionError("CRM down")

    services.connection_revoker_register("hubspot", broken)
    try:
        result = services.connection_disconnect(actor=actor, connection=world.a.extra["connection"])
    finally:
        services._REVOKERS.pop("hubspot")
    assert result.status == "disconnected" and not result.has_credentials
    assert AuditEvent.objects.get(action="connection.disconnected").changes == {"revoked": False}


def test_the_sync_lease_admits_one_worker_and_expires(world: World, in_a: None) -> None:
    connection = world.a.extra["connection"]
    minute = dt.timedelta(minutes=1)
    assert services.connection_lease_acquire(connection=connection, owner="w1", ttl=minute)
    assert not services.connection_lease_acquire(connection=connection, owner="w2", ttl=minute)
    assert services.connection_lease_acquire(connection=connection, owner="w1", ttl=minute)  # extends its own
    assert not services.connection_lease_release(connection=connection, owner="w2")
    Connection.objects.filter(id=connection.id).update(lease_expires_at=timezone.now() - minute)  # w1 died
    assert services.connection_lease_acquire(connection=connection, owner="w2", ttl=minute)
    assert services.connection_lease_release(connection=connection, owner="w2")
    assert services.connection_lease_acquire(connection=connection, owner="w3", ttl=minute)


def test_runs_start_for_the_lease_holder_and_close_a_dead_workers_run(world: World, in_a: None) -> None:
    connection = world.a.extra["connection"]
    services.connection_lease_acquire(connection=connection, owner="w1", ttl=dt.timedelta(minutes=5))
    first = services.sync_run_start(connection=connection, trigger="schedule", lease_owner="w1")
    assert Connection.objects.get(id=connection.id).status == "syncing"
    with pytest.raises(ConflictError):
        services.sync_run_start(connection=connection, trigger="manual", lease_owner="w2")
    Connection.objects.filter(id=connection.id).update(lease_expires_at=timezone.now())
    services.connection_lease_acquire(connection=connection, owner="w2", ttl=dt.timedelta(minutes=5))
    second = services.sync_run_start(connection=connection, trigger="manual", lease_owner="w2")
    first.refresh_from_db()
    assert (first.status, first.error_code) == ("failed", "integrations.sync.worker_lost")
    done = services.sync_run_finish(run=second, status="succeeded")
    fresh = Connection.objects.get(id=connection.id)
    assert done.finished_at and fresh.status == "connected" and fresh.last_success_at == done.finished_at
    assert fresh.next_sync_at == done.finished_at + dt.timedelta(minutes=15)


def test_mappings_update_changes_adds_and_confirms(world: World, actor: Actor, in_a: None) -> None:
    connection = world.a.extra["connection"]
    services.connection_mappings_update(
        actor=actor, connection=connection,
        stages=[{"pipeline": "default", "stage": "qualifiedtobuy", "funnel_stage": "appointment"},
                {"pipeline": "renewals", "stage": "123", "label": "Renewal signed", "funnel_stage": "won"}],
        activity_types=[{"raw_type": "notes", "activity_type": "task"}],
        lead_definition={"mql_stages": ["marketingqualifiedlead"]},
    )  # fmt: skip
    changed = StageMapping.objects.get(connection=connection, stage="qualifiedtobuy")
    assert changed.funnel_stage == "appointment" and changed.confirmed_at and changed.is_default
    added = StageMapping.objects.get(connection=connection, pipeline="renewals")
    assert (added.label, added.is_default) == ("Renewal signed", False)
    assert ActivityTypeMapping.objects.get(connection=connection, raw_type="notes").activity_type == "task"
    lead = LeadDefinition.objects.get(connection=connection)
    assert lead.mql_stages == ["marketingqualifiedlead"] and lead.lead_stages[0] == "lead"
    assert StageMapping.objects.filter(connection=connection, confirmed_at__isnull=True).count() == 6
    services.connection_mappings_update(actor=actor, connection=connection, confirm_all=True)
    assert not StageMapping.objects.filter(connection=connection, confirmed_at__isnull=True).exists()
    assert not ActivityTypeMapping.objects.filter(connection=connection, confirmed_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="connection.mappings_updated").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"lead_definition": {"source": "lifecycle", "lead_stages": []}}, "integrations.lead.stages_required"),
        ({"stages": [{"stage": "a", "funnel_stage": "won"}, {"stage": "a", "funnel_stage": "lost"}]},
         "integrations.mapping.duplicate"),
        ({"activity_types": [{"raw_type": "x", "activity_type": "call"}] * 2}, "integrations.mapping.duplicate"),
    ],
)  # fmt: skip
def test_mappings_update_refuses(
    world: World, actor: Actor, in_a: None, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        services.connection_mappings_update(actor=actor, connection=world.a.extra["connection"], **kwargs)
    assert caught.value.code == code


def test_owner_matching_by_email(world: World, actor: Actor) -> None:
    connection = world.a.extra["connection"]
    manager = world.a.memberships["manager"]
    rep = world.a.memberships["sales_rep"]
    leaver = MembershipFactory(workspace=world.a.workspace, user=UserFactory(email="leaver@example.jp"))
    with workspace_context(world.a.workspace.id):
        assert (
            CrmOwner.objects.get(id=world.a.extra["crm_owner"].id).member_id == manager.id
        )  # the world's run
        rows = {
            "upper": CrmOwner.objects.create(connection=connection, external_id="u", email=rep.user.email.upper()),
            "leaver": CrmOwner.objects.create(connection=connection, external_id="l", email="leaver@example.jp"),
            "manual": CrmOwner.objects.create(connection=connection, external_id="m", email=rep.user.email,
                                              match_source="manual"),
            "foreign": CrmOwner.objects.create(connection=connection, external_id="f",
                                               email=world.b.users["manager"].email),
        }  # fmt: skip
        result = services.crm_owner_match_run(connection=connection)
        got = {k: CrmOwner.objects.get(id=o.id) for k, o in rows.items()}
        assert got["upper"].member_id == rep.id and got["upper"].match_source == "email"
        assert got["leaver"].member_id == leaver.id
        assert got["manual"].member_id is None and got["manual"].match_source == "manual"  # left alone
        assert got["foreign"].member_id is None  # a member of another workspace is no match
        assert (result.matched, result.unmatched) == (3, 2)  # the world's two owners, three of these
        assert {o.external_id for o in crm_owner_unmatched_list(connection=connection)} == {"102", "f"}
    # The member leaves: their CRM owner keeps the match (their history stays theirs), a rerun included.
    tenant_services.membership_deactivate(principal=world.a.principal("admin"), membership=leaver)
    with workspace_context(world.a.workspace.id):
        services.crm_owner_match_run(connection=connection)
        assert CrmOwner.objects.get(id=rows["leaver"].id).member_id == leaver.id


def test_an_owner_is_matched_by_hand_to_a_member_of_this_workspace_only(world: World, actor: Actor) -> None:
    owner = world.a.extra["crm_owner_unmatched"]
    with workspace_context(world.a.workspace.id):
        set_ = services.crm_owner_member_set(actor=actor, owner=owner, member=world.a.memberships["viewer"])
        assert (set_.member_id, set_.match_source) == (world.a.memberships["viewer"].id, "manual")
        services.crm_owner_match_run(connection=world.a.extra["connection"])
        assert CrmOwner.objects.get(id=owner.id).member_id == world.a.memberships["viewer"].id
        with pytest.raises(ServiceError) as caught:
            services.crm_owner_member_set(actor=actor, owner=owner, member=world.b.memberships["viewer"])
        assert caught.value.code == "integrations.owner.not_a_member"
