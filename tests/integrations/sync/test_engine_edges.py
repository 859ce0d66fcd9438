"""The engine's verdicts on what the CRM does: limits, bad credentials, outages, a crash mid-window, a bulk
update on one timestamp, and a Salesforce org with a rotating refresh token (research note §1.4-§1.6, §5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations import selectors
from integrations.fakes.common import Response
from integrations.models import Connection, CrmContact, CrmDeal, CrmOwner, SyncRun, SyncState
from integrations.providers.base import ObjectType
from tests.integrations.sync.conftest import HubSpotSync, SalesforceSync

pytestmark = pytest.mark.django_db


def test_the_daily_limit_stops_the_run_cleanly_and_keeps_the_cursor(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    for n in range(3):
        s.fake.add("contacts", {"email": f"c{n}@example.jp", "lifecyclestage": "lead"})
    s.later(minutes=10)
    assert s.run().status == "succeeded"
    cursor = SyncState.objects.get(connection=s.connection, object_type="contacts").cursor_ts
    s.fake.daily_limit, s.fake.daily_used = 1, 1
    s.later(minutes=10)
    run = s.run()
    assert run.status == SyncRun.Status.STOPPED_RATE_LIMITED
    assert run.error_code == "integrations.provider.daily_limit_reached"
    assert SyncState.objects.get(connection=s.connection, object_type="contacts").cursor_ts == cursor
    assert s.connection.status == "needs_attention"
    assert s.connection.status_code == "integrations.status.rate_limited"
    assert s.connection.next_sync_at > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=50)
    # After the reset the next run succeeds and the connection is healthy again.
    s.fake.daily_limit = None
    s.later(minutes=10)
    assert s.run().status == "succeeded"
    assert (s.connection.status, s.connection.status_code) == ("connected", "")


def test_a_revoked_token_needs_attention_and_is_not_retried(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    s.fake.access_tokens.clear()
    run = s.run()
    assert run.status == "failed" and run.error_code == "integrations.provider.auth_failed"
    assert (s.connection.status, s.connection.status_code) == (
        "needs_attention",
        "integrations.status.token_revoked",
    )


def test_an_outage_fails_the_run_and_backs_off_exponentially(
    hubspot_sync: HubSpotSync, monkeypatch: Any
) -> None:
    s = hubspot_sync

    def down(request: Any) -> Any:
        return Response(503, b"upstream down")

    monkeypatch.setattr(s.fake, "handle", down)
    delays = []
    for _ in range(3):
        before = dt.datetime.now(dt.UTC)
        run = s.run()
        assert run.status == "failed" and run.error_code == "integrations.provider.transient"
        delays.append(round((s.connection.next_sync_at - before).total_seconds() / 60))
    assert delays == [1, 2, 4]
    assert s.connection.status == "connected"  # a few failures are not yet the user's problem


def test_a_crash_mid_window_resumes_where_the_last_page_was_saved(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    for n in range(250):  # three pages of the list endpoint
        s.fake.add("contacts", {"email": f"p{n}@example.jp", "lifecyclestage": "lead"})
    s.later(minutes=10)
    provider = s.provider()
    calls = {"pages": 0}
    original = provider.read

    def crashing_read(object_type: ObjectType, window: Any, resume: Any = None) -> Any:
        for page in original(object_type, window, resume):
            if object_type is ObjectType.CONTACTS:
                calls["pages"] += 1
                if calls["pages"] == 2:
                    raise RuntimeError("worker died")  # after the first page was committed
            yield page

    provider.read = crashing_read
    from integrations import sync

    with pytest.raises(RuntimeError):
        sync.connection_sync(connection_id=s.connection.id, trigger="manual", lease_owner="test",
                             provider=provider, clock=s.clock)  # fmt: skip
    state = SyncState.objects.get(connection=s.connection, object_type="contacts")
    assert state.resume is not None and state.full_sync_completed_at is None
    assert CrmContact.objects.filter(connection=s.connection).count() == 100
    run = s.run()
    assert run.status == "succeeded"
    assert CrmContact.objects.filter(connection=s.connection).count() == 250
    assert run.created_count == 150  # the rest of the contacts, and none of the first page's again
    state.refresh_from_db()
    assert state.resume is None and state.full_sync_completed_at is not None


def test_more_than_ten_thousand_records_on_one_timestamp(hubspot_sync: HubSpotSync) -> None:
    s = hubspot_sync
    s.fake.add("deals", {"dealname": "seed", "dealstage": "appointmentscheduled", "pipeline": "default"})
    s.later(minutes=10)
    s.run()  # the first (full) load; the bulk edit comes after it, read by search
    stamp = s.clock() + dt.timedelta(minutes=1)
    s.fake.add_many("deals", 10_050, updated=stamp, properties={"dealstage": "qualifiedtobuy",
                                                                 "pipeline": "default"})  # fmt: skip
    s.later(minutes=10)
    run = s.run(object_types=(ObjectType.DEALS,))
    assert run.status == "succeeded", (run.error_code, run.error_params)
    assert CrmDeal.objects.filter(connection=s.connection).count() == 10_051
    assert run.created_count == 10_050


def test_salesforce_sync_with_a_rotating_refresh_token(salesforce_sync: SalesforceSync) -> None:
    s = salesforce_sync
    s.fake.rotate_refresh_tokens = True
    user = s.fake.add("User", Email=s.side.memberships["manager"].user.email, FirstName="Ken", LastName="Ito",
                      IsActive=True)  # fmt: skip
    gone = s.fake.add("User", Email="left@example.jp", FirstName="Old", LastName="Hand", IsActive=False)
    s.fake.add(
        "Lead", LastName="山田", Email="yamada@example.jp", Status="Open - Not Contacted", OwnerId=user["Id"]
    )
    s.fake.add("Opportunity", Name="D社", StageName="Prospecting", Amount="N/A", OwnerId=gone["Id"])
    s.later(minutes=20)
    old_refresh = selectors.connection_credentials_get(connection=s.connection)["refresh_token"]
    s.fake.sessions.clear()  # the session expired: the first call refreshes, and the org rotates the token
    run = s.run()
    assert run.status == "succeeded", (run.error_code, run.error_params)
    saved = selectors.connection_credentials_get(connection=s.connection)
    assert saved["refresh_token"] != old_refresh and saved["refresh_token"] in s.fake.refresh_tokens
    owner = CrmOwner.objects.get(connection=s.connection, external_id=gone["Id"])
    assert owner.active is False  # deactivated, still the owner of its deal
    deal = CrmDeal.objects.get(connection=s.connection)
    assert deal.owner == owner and deal.amount is None and deal.amount_invalid
    lead = CrmContact.objects.get(connection=s.connection)
    assert lead.is_lead and lead.owner.member == s.side.memberships["manager"]
    assert Connection.objects.get(id=s.connection.id).status == "connected"
