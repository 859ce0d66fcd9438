"""The sync engine against the fake HubSpot: first load, replay, updates, deletes, restores, merges."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations.models import CrmActivity, CrmContact, CrmDeal, CrmOwner, SyncState
from tests.integrations.sync.conftest import HubSpotSync

pytestmark = pytest.mark.django_db


def _deal(fake: Any, name: str, stage: str, **props: Any) -> Any:
    return fake.add("deals", {"dealname": name, "dealstage": stage, "pipeline": "default", **props})


def test_first_load_then_replay_writes_nothing(demo_hubspot_sync: HubSpotSync) -> None:
    s = demo_hubspot_sync
    first = s.run()
    assert first.status == "succeeded", (first.error_code, first.error_params)
    deals = len(s.fake.records["deals"])
    assert CrmDeal.objects.filter(connection=s.connection).count() == deals
    assert first.created_count >= deals
    assert first.progress["deals"]["done"] is True
    state = SyncState.objects.get(connection=s.connection, object_type="deals")
    assert state.full_sync_completed_at is not None and state.resume is None
    s.later(minutes=15)
    second = s.run()
    assert second.status == "succeeded"
    assert (second.created_count, second.updated_count, second.deleted_count) == (0, 0, 0)


def test_update_delete_restore_and_merge(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    s.fake.add_owner(
        id="901", email=s.side.memberships["manager"].user.email, firstName="Hanako", lastName="Sato"
    )
    deal = _deal(s.fake, "A社 案件", "appointmentscheduled", amount="500000", hubspot_owner_id="901")
    other = _deal(s.fake, "B社 案件", "qualifiedtobuy", amount="N/A")
    one = s.fake.add("contacts", {"email": "a@example.jp", "lifecyclestage": "lead"})
    two = s.fake.add("contacts", {"email": "a2@example.jp", "lifecyclestage": "lead"})
    s.later(minutes=10)
    run = s.run()
    assert run.status == "succeeded", (run.error_code, run.error_params)
    stored = CrmDeal.objects.get(connection=s.connection, external_id=str(deal.id))
    assert stored.owner.external_id == "901" and stored.owner.member == s.side.memberships["manager"]
    assert stored.amount == 500000 and stored.funnel_stage == "appointment"
    assert stored.appointment_date == dt.date(2026, 6, 1)
    unreadable = CrmDeal.objects.get(connection=s.connection, external_id=str(other.id))
    assert unreadable.amount is None and unreadable.amount_invalid

    s.fake.update("deals", deal.id, dealstage="closedwon", closedate="2026-06-01T16:30:00Z")
    s.fake.archive("deals", other.id)
    s.fake.merge("contacts", two.id, one.id)
    s.later(minutes=10)
    run = s.run()
    assert run.status == "succeeded", (run.error_code, run.error_params)
    stored.refresh_from_db()
    assert stored.is_won and stored.close_date == dt.date(2026, 6, 2)  # 16:30Z is 2 June in Tokyo
    assert stored.won_date == dt.date(2026, 6, 1)  # it entered closedwon at 09:20Z, 1 June in Tokyo
    assert stored.proposal_date == stored.meeting_date == dt.date(2026, 6, 1)  # cumulative, from appointment
    unreadable.refresh_from_db()
    assert unreadable.deleted_at is not None
    loser = CrmContact.objects.get(connection=s.connection, external_id=str(two.id))
    assert loser.merged_into.external_id == str(one.id)
    assert run.deleted_count >= 1

    s.fake.restore("deals", other.id)
    s.later(minutes=10)
    run = s.run()
    unreadable.refresh_from_db()
    assert unreadable.deleted_at is None
    assert run.status == "succeeded"


def test_owner_arriving_after_its_records_is_linked(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    s.fake.add("calls", {"hs_timestamp": "2026-05-31T23:00:00Z", "hubspot_owner_id": "777"})
    s.later(minutes=10)
    s.run()
    call = CrmActivity.objects.get(connection=s.connection)
    assert call.owner is None and call.owner_external_id == "777"
    assert call.occurred_on == dt.date(2026, 6, 1)
    s.fake.add_owner(id="777", email="late@example.jp", firstName="Jiro", lastName="Late")
    s.later(minutes=10)
    s.run()
    call.refresh_from_db()
    assert call.owner == CrmOwner.objects.get(connection=s.connection, external_id="777")
