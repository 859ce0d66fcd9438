"""HubSpot and Salesforce fakes mounted in-process, with clients pointed at them (no sockets, no DB)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.fakes.salesforce import FakeSalesforce
from integrations.providers.base import Credentials, InMemoryTokenStore, TokenManager
from integrations.providers.hubspot.client import HubSpotClient, HubSpotProvider
from integrations.providers.hubspot.oauth import HubSpotApp, HubSpotOAuth
from integrations.providers.salesforce.client import SalesforceClient, SalesforceProvider
from integrations.providers.salesforce.oauth import SalesforceApp, SalesforceOAuth

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
HUBSPOT_APP = HubSpotApp(
    client_id="fake-client-id",
    client_secret="fake-client-secret",
    redirect_uri="https://ikkan.example/oauth/hubspot/callback",
    scopes=("crm.objects.deals.read", "crm.objects.contacts.read"),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def hubspot(clock: FakeClock) -> FakeHubSpot:
    fake = FakeHubSpot(clock=clock)
    fake.pipelines = [
        {
            "id": "default",
            "label": "Sales Pipeline",
            "displayOrder": 0,
            "stages": [
                {"id": "appointmentscheduled", "label": "Appointment", "displayOrder": 0,
                 "metadata": {"isClosed": "false", "probability": "0.2"}},
                {"id": "presentationscheduled", "label": "Presentation", "displayOrder": 1,
                 "metadata": {"isClosed": "false", "probability": "0.6"}},
                {"id": "closedwon", "label": "Won", "displayOrder": 2,
                 "metadata": {"isClosed": "true", "probability": "1.0"}},
                {"id": "closedlost", "label": "Lost", "displayOrder": 3,
                 "metadata": {"isClosed": "true", "probability": "0.0"}},
            ],
        }
    ]  # fmt: skip
    return fake


class HubSpotWorld:
    """A fake HubSpot, an OAuth token store and a provider over them."""

    def __init__(self, fake: FakeHubSpot, clock: FakeClock) -> None:
        self.fake = fake
        self.clock = clock
        self.slept: list[float] = []
        self.store = InMemoryTokenStore(
            Credentials(
                access_token=fake.issue_access_token(),
                refresh_token=fake.issue_refresh_token(),
                expires_at=clock() + fake.token_lifetime,
            )
        )

    def sleep(self, seconds: float) -> None:
        # Sleeping moves the fake's clock, so rolling limits refill as they would in real time.
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def oauth(self) -> HubSpotOAuth:
        return HubSpotOAuth(
            HUBSPOT_APP, http=httpx.Client(transport=httpx.WSGITransport(app=self.fake)), base_url="http://hubspot.fake",
            clock=self.clock,
        )  # fmt: skip

    def client(self, *, private_token: str | None = None, **options: object) -> HubSpotClient:
        if private_token is not None:
            tokens = TokenManager(InMemoryTokenStore(Credentials(private_token)), None, clock=self.clock)
        else:
            tokens = TokenManager(self.store, self.oauth().refresh, clock=self.clock)
        return HubSpotClient(
            tokens=tokens,
            base_url="http://hubspot.fake",
            transport=httpx.WSGITransport(app=self.fake),
            sleep=self.sleep,
            **options,  # type: ignore[arg-type]
        )

    def provider(self, **options: object) -> HubSpotProvider:
        return HubSpotProvider(self.client(**options))


@pytest.fixture
def hs(hubspot: FakeHubSpot, clock: FakeClock) -> HubSpotWorld:
    return HubSpotWorld(hubspot, clock)


@pytest.fixture
def at() -> Callable[..., dt.datetime]:
    """``at(minutes=-5)``: an instant relative to the fixed test now."""

    def make(**delta: float) -> dt.datetime:
        return NOW + dt.timedelta(**delta)

    return make


SALESFORCE_APP = SalesforceApp(
    client_id="fake-sf-client-id",
    client_secret="fake-sf-client-secret",
    redirect_uri="https://ikkan.example/oauth/salesforce/callback",
)


class SalesforceWorld:
    """A fake Salesforce org, a token store and a provider over them."""

    def __init__(self, fake: FakeSalesforce, clock: FakeClock) -> None:
        self.fake = fake
        self.clock = clock
        self.slept: list[float] = []
        self.store = InMemoryTokenStore(
            Credentials(
                access_token=fake.issue_session(),
                refresh_token=fake.issue_refresh_token(),
                expires_at=clock() + dt.timedelta(hours=1),
                instance_url=fake.instance_url,
            )
        )

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def oauth(self) -> SalesforceOAuth:
        return SalesforceOAuth(
            SALESFORCE_APP, http=httpx.Client(transport=httpx.WSGITransport(app=self.fake)),
            login_url="https://login.fake", clock=self.clock,
        )  # fmt: skip

    def client(self, **options: object) -> SalesforceClient:
        return SalesforceClient(
            tokens=TokenManager(self.store, self.oauth().refresh, clock=self.clock),
            transport=httpx.WSGITransport(app=self.fake),
            sleep=self.sleep,
            **options,  # type: ignore[arg-type]
        )

    def provider(self, **options: object) -> SalesforceProvider:
        return SalesforceProvider(self.client(**options), clock=self.clock)


@pytest.fixture
def sf(clock: FakeClock) -> SalesforceWorld:
    return SalesforceWorld(FakeSalesforce(clock=clock), clock)
