"""Checklist items A07, B05 and B06, proved by the CRM integration's state and flipping back with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from checklist.checklists.verification import rules_evaluate
from integrations.models import Connection
from kpi import services as kpi_services
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World

pytestmark = pytest.mark.django_db
RULES = ("crm_synced_24h", "crm_fields_mapped", "crm_kpis_computed")


def _outcomes(world: World, as_of: dt.date | None = None) -> dict[str, Any]:
    with workspace_context(world.a.workspace.id), translation.override("ja"):
        found = rules_evaluate(RULES, workspace=world.a.workspace, as_of=as_of)
        return {
            key: (o.verified, str(o.evidence), dict(o.facts)) for key, o in found.items() if o is not None
        }


def _synced(world: World, when: dt.datetime | None) -> None:
    with workspace_context(world.a.workspace.id):
        Connection.objects.filter(id=world.a.extra["connection"].id).update(last_success_at=when)


def test_a07_needs_a_successful_sync_in_the_last_24_hours(world: World) -> None:
    verified, evidence, _ = _outcomes(world)["crm_synced_24h"]
    assert not verified and "まだ一度も同期を完了していません" in evidence
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    _synced(world, two_hours_ago)
    verified, evidence, facts = _outcomes(world)["crm_synced_24h"]
    local = timezone.localtime(two_hours_ago, dt.timezone(dt.timedelta(hours=9))).strftime("%Y-%m-%d %H:%M")
    assert verified and "に同期に成功しました" in evidence and local in evidence  # in Tokyo time
    assert facts["synced_in_24h"] == [str(world.a.extra["connection"].id)]
    _synced(world, timezone.now() - dt.timedelta(hours=25))
    verified, evidence, _ = _outcomes(world)["crm_synced_24h"]
    assert not verified and "24時間以上" in evidence
    # Read for a past day, the window ends with that day.
    past = timezone.now() - dt.timedelta(days=10)
    _synced(world, past)
    assert _outcomes(world, as_of=timezone.localtime(past).date())["crm_synced_24h"][0] is True
    with workspace_context(world.a.workspace.id):
        Connection.objects.update(status=Connection.Status.DISCONNECTED)
    verified, evidence, _ = _outcomes(world)["crm_synced_24h"]
    assert not verified and "まだ CRM が連携されていません" in evidence


def test_b05_needs_every_crm_kpi_on_fed_metrics_with_confirmed_mappings(world: World, client_as: Any) -> None:
    verified, evidence, facts = _outcomes(world)["crm_fields_mapped"]
    assert not verified and "パイプラインのステージ" in evidence  # defaults created, nobody confirmed them
    assert set(facts["crm_kpis"]) == {"revenue", "win_rate"}
    connection = world.a.extra["connection"]
    url = f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/{connection.id}/mappings/"
    assert client_as("admin").patch(url, {"confirm_all": True}, format="json").status_code == 200
    verified, evidence, _ = _outcomes(world)["crm_fields_mapped"]
    assert verified and "2 個すべて" in evidence and "win_rate" in evidence

    with workspace_context(world.a.workspace.id):
        kpi_services.node_create(actor=Actor.of(world.a.principal("admin")), plan=world.a.plan, kind="kpi",
                                 key="appointment_rate", name_ja="アポ率", parent=world.a.ksf,
                                 formula="appointments / contacted_leads * 100", unit="percent",
                                 target_value=Decimal(20))  # fmt: skip
    verified, evidence, facts = _outcomes(world)["crm_fields_mapped"]
    assert not verified and facts["metrics_not_fed"] == ["contacted_leads"] and "contacted_leads" in evidence


def test_b06_needs_the_crm_kpis_computed_from_synced_records(world: World) -> None:
    verified, evidence, facts = _outcomes(world)["crm_kpis_computed"]
    assert not verified and set(facts["not_computed"]) == {"revenue", "win_rate"}
    assert "まだ同期済みの CRM データから計算されていない" in evidence
    _synced(world, timezone.now())
    verified, evidence, _ = _outcomes(world)["crm_kpis_computed"]
    assert verified and "同期済みの CRM のレコードから計算されています" in evidence
    with workspace_context(world.a.workspace.id):
        Connection.objects.update(status=Connection.Status.DISCONNECTED)
    assert _outcomes(world)["crm_kpis_computed"][0] is False
