"""The engine builds providers from a connection's settings alone."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.fakes.salesforce import FakeSalesforce
from integrations.providers.base import Credentials, InMemoryTokenStore, ObjectType, Window
from integrations.providers.registry import ProviderSettings, provider_for

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def test_a_hubspot_oauth_connection_refreshes_against_its_own_base_url() -> None:
    clock = FakeClock(NOW)
    fake = FakeHubSpot(clock=clock)
    fake.add_owner(id="1", email="a@example.com")
    store = InMemoryTokenStore(Credentials("CNexpired-token", fake.issue_refresh_token(), expires_at=NOW))
    settings = ProviderSettings("hubspot", "ws1:hubspot:1", "fake-client-id", "fake-client-secret",
                                base_url="http://hubspot.fake")  # fmt: skip
    provider = provider_for(settings, tokens=store, transport=httpx.WSGITransport(app=fake), clock=clock)
    pages = list(provider.read(ObjectType.OWNERS, Window(None, NOW)))
    assert [r.external_id for p in pages for r in p.records] == ["1"]
    assert fake.requests_to("/oauth/v3/token") and store.saved
    provider.close()


def test_a_hubspot_private_app_connection_and_a_salesforce_one() -> None:
    clock = FakeClock(NOW)
    hubspot = FakeHubSpot(clock=clock)
    private = provider_for(
        ProviderSettings("hubspot", "ws1:hubspot:2", private_app=True, base_url="http://hubspot.fake"),
        tokens=InMemoryTokenStore(Credentials(hubspot.issue_private_app_token())),
        transport=httpx.WSGITransport(app=hubspot),
    )
    assert list(private.read(ObjectType.COMPANIES, Window(None, NOW)))[-1].is_last

    salesforce = FakeSalesforce(clock=clock)
    salesforce.add("Account", Name="a")
    store = InMemoryTokenStore(Credentials(salesforce.issue_session(), instance_url=salesforce.instance_url))
    sf = provider_for(ProviderSettings("salesforce", "ws1:sf:00D"), tokens=store,
                      transport=httpx.WSGITransport(app=salesforce), clock=clock)  # fmt: skip
    assert len([r for p in sf.read(ObjectType.COMPANIES, Window(None, NOW)) for r in p.records]) == 1
    with pytest.raises(ValueError):
        provider_for(ProviderSettings("pipedrive", "x"), tokens=store)
