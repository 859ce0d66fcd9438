"""The integrations schema: keys, constraints, defaults, and the cumulative funnel (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations import defaults
from integrations.funnel import funnel_dates_fill
from integrations.models import Connection, CrmDeal, CrmOwner, StageMapping, SyncRun, SyncState
from tenants.context import workspace_context
from tests.conftest import World

D = dt.date


def _refused(world: World, make: Any) -> None:
    with workspace_context(world.a.workspace.id), pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_canonical_records_are_unique_per_connection_and_external_id(world: World) -> None:
    connection = world.a.extra["connection"]
    _refused(world, lambda: CrmDeal.objects.create(connection=connection, external_id="401"))
    with workspace_context(world.a.workspace.id):
        other = Connection.objects.create(provider="csv", display_name="CSV")
        CrmDeal.objects.create(connection=other, external_id="401")  # the same CRM id on another connection
        assert CrmDeal.objects.filter(external_id="401").count() == 2


def test_a_record_cannot_be_merged_into_itself(world: World) -> None:
    deal = world.a.extra["crm_deal"]
    _refused(world, lambda: CrmDeal.objects.filter(id=deal.id).update(merged_into=deal.id))


def test_deal_invariants(world: World) -> None:
    connection = world.a.extra["connection"]
    _refused(world, lambda: CrmDeal.objects.create(connection=connection, external_id="x1", is_won=True))
    _refused(world, lambda: CrmDeal.objects.create(connection=connection, external_id="x2", amount=1,
                                                   amount_invalid=True))  # fmt: skip


def test_connection_invariants(world: World) -> None:
    _refused(
        world, lambda: Connection.objects.create(provider="csv", display_name="x", sync_interval_minutes=1)
    )
    _refused(
        world,
        lambda: Connection.objects.create(provider="csv", display_name="x", credentials_ciphertext="v1.x"),
    )
    # The same HubSpot portal twice in one workspace (the world's connection has portal 4242)...
    _refused(
        world,
        lambda: Connection.objects.create(provider="hubspot", display_name="x", external_account_id="4242"),
    )
    with workspace_context(world.a.workspace.id):
        # ...but a disconnected one does not hold the account, and another workspace may connect it too.
        Connection.objects.filter(id=world.a.extra["connection"].id).update(status="disconnected")
        Connection.objects.create(provider="hubspot", display_name="again", external_account_id="4242")


def test_one_running_sync_per_connection(world: World) -> None:
    connection = world.a.extra["connection"]
    now = timezone.now()
    with workspace_context(world.a.workspace.id):
        SyncRun.objects.create(connection=connection, trigger="manual", started_at=now)
    _refused(world, lambda: SyncRun.objects.create(connection=connection, trigger="manual", started_at=now))
    _refused(world, lambda: SyncRun.objects.create(connection=connection, trigger="manual", status="failed",
                                                   started_at=now, finished_at=now - dt.timedelta(seconds=1)))  # fmt: skip


def test_one_sync_state_per_object(world: World) -> None:
    connection = world.a.extra["connection"]
    _refused(world, lambda: SyncState.objects.create(connection=connection, object_type="deals"))


def test_records_are_live_until_deleted_or_merged(world: World) -> None:
    owner = world.a.extra["crm_owner"]
    assert owner.is_live and owner.name == f"{world.a.workspace.name} Taro"
    owner.deleted_at = timezone.now()
    assert not owner.is_live
    assert not CrmOwner(merged_into_id=owner.id).is_live


def test_default_stage_mappings_cover_the_standard_stages() -> None:
    hubspot = {d.stage: d.funnel_stage for d in defaults.STAGES["hubspot"]}
    assert set(hubspot) == {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                            "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"}  # fmt: skip
    salesforce = {d.stage: d.funnel_stage for d in defaults.STAGES["salesforce"]}
    assert len(salesforce) == 10 and salesforce["Proposal/Price Quote"] == "proposal"
    targets = set(StageMapping.Target.values)
    for rows in defaults.STAGES.values():
        assert {d.funnel_stage for d in rows} <= targets
    for mapping in (hubspot, salesforce):
        assert {"appointment", "meeting", "proposal", "won", "lost"} <= set(mapping.values())
    assert (
        defaults.LEADS["hubspot"].lead_stages[0] == "lead"
        and "subscriber" not in defaults.LEADS["hubspot"].lead_stages
    )


@pytest.mark.parametrize(
    ("reached", "expected"),
    [
        # Won on 20 May, nothing earlier known: every earlier stage on 20 May.
        ({"won": D(2026, 5, 20)}, {"appointment": D(2026, 5, 20), "meeting": D(2026, 5, 20),
                                   "proposal": D(2026, 5, 20), "won": D(2026, 5, 20), "lost": None}),
        # Appointment 1 May, proposal 10 May: the meeting takes the proposal's date.
        ({"appointment": D(2026, 5, 1), "proposal": D(2026, 5, 10)},
         {"appointment": D(2026, 5, 1), "meeting": D(2026, 5, 10), "proposal": D(2026, 5, 10), "won": None,
          "lost": None}),
        # Lost implies nothing about the stages before it.
        ({"meeting": D(2026, 5, 3), "lost": D(2026, 5, 9)},
         {"appointment": D(2026, 5, 3), "meeting": D(2026, 5, 3), "proposal": None, "won": None,
          "lost": D(2026, 5, 9)}),
        # History out of order: the proposal on 5 May means the meeting by 5 May at the latest.
        ({"meeting": D(2026, 5, 8), "proposal": D(2026, 5, 5)},
         {"appointment": D(2026, 5, 5), "meeting": D(2026, 5, 5), "proposal": D(2026, 5, 5), "won": None,
          "lost": None}),
        ({}, dict.fromkeys(("appointment", "meeting", "proposal", "won", "lost"))),
    ],
)  # fmt: skip
def test_the_funnel_is_cumulative(reached: dict[str, D], expected: dict[str, D | None]) -> None:
    assert funnel_dates_fill(reached) == expected
