"""A workspace's connection synced by the real engine against a fake CRM mounted in-process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from integrations import services, sync
from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.fakes.salesforce import FakeSalesforce
from integrations.models import Connection, SyncRun
from integrations.providers.registry import provider_for
from tenants.context import workspace_context
from tenants.services import Actor

FIXTURES = Path(__file__).resolve().parents[3] / "integrations" / "fakes" / "fixtures"
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
# HubSpot's default pipeline with Japanese labels, as a portal set up in Japan shows it.
PIPELINES: list[dict[str, Any]] = [
    {"id": "default", "label": "Sales", "displayOrder": 0, "stages": [
        {"id": "appointmentscheduled", "label": "アポ", "displayOrder": 0,
         "metadata": {"isClosed": "false", "probability": "0.2"}},
        {"id": "qualifiedtobuy", "label": "商談", "displayOrder": 1,
         "metadata": {"isClosed": "false", "probability": "0.4"}},
        {"id": "presentationscheduled", "label": "提案", "displayOrder": 2,
         "metadata": {"isClosed": "false", "probability": "0.6"}},
        {"id": "closedwon", "label": "受注", "displayOrder": 3,
         "metadata": {"isClosed": "true", "probability": "1.0"}},
        {"id": "closedlost", "label": "失注", "displayOrder": 4,
         "metadata": {"isClosed": "true", "probability": "0.0"}},
    ]},
]  # fmt: skip


class HubSpotSync:
    """One HubSpot connection of world side A and a fake HubSpot on its own clock."""

    def __init__(self, side: Any, fake: FakeHubSpot, clock: FakeClock) -> None:
        self.side, self.fake, self.clock = side, fake, clock
        token = fake.issue_private_app_token()
        self.connection = services.connection_create(
            actor=Actor.of(side.principal("admin")), provider="hubspot", display_name="HubSpot",
            external_account_id=str(fake.portal_id), credentials={"private_app_token": token},
        )  # fmt: skip

    def provider(self) -> Any:
        return provider_for(
            sync.provider_settings(self.connection),
            tokens=sync.ConnectionTokenStore(self.connection),
            transport=httpx.WSGITransport(app=self.fake),
            sleep=self.clock.sleep,
            clock=self.clock,
        )

    def run(self, **kwargs: Any) -> SyncRun:
        run = sync.connection_sync(
            connection_id=self.connection.id, trigger=SyncRun.Trigger.MANUAL, lease_owner="test",
            provider=self.provider(), clock=self.clock, **kwargs,
        )  # fmt: skip
        assert run is not None
        self.connection = Connection.objects.get(id=self.connection.id)
        return run

    def later(self, **delta: float) -> None:
        """Time passes on the fake's clock (past the engine's safety lag)."""
        self.clock.advance(**delta)


@pytest.fixture
def hubspot_sync(world: Any) -> Iterator[HubSpotSync]:
    clock = FakeClock(NOW)
    fake = FakeHubSpot(clock=clock, portal_id=555001)
    fake.pipelines = PIPELINES
    with workspace_context(world.a.workspace.id):
        yield HubSpotSync(world.a, fake, clock)


@pytest.fixture
def demo_hubspot_sync(world: Any) -> Iterator[HubSpotSync]:
    fake = FakeHubSpot.from_fixture(FIXTURES / "hubspot_demo.json")
    with workspace_context(world.a.workspace.id):
        yield HubSpotSync(world.a, fake, fake.clock)


class SalesforceSync(HubSpotSync):
    """One Salesforce connection of world side A (OAuth, a rotating refresh token) and a fake org."""

    def __init__(self, side: Any, fake: FakeSalesforce, clock: FakeClock) -> None:
        self.side, self.fake, self.clock = side, fake, clock
        self.connection = services.connection_create(
            actor=Actor.of(side.principal("admin")), provider="salesforce", display_name="Salesforce",
            external_account_id=fake.org_id, credentials={
                "access_token": fake.issue_session(), "refresh_token": fake.issue_refresh_token(),
                "expires_at": (clock() + dt.timedelta(hours=1)).isoformat(), "instance_url": fake.instance_url,
            },
        )  # fmt: skip


@pytest.fixture
def salesforce_sync(world: Any, settings: Any) -> Iterator[SalesforceSync]:
    clock = FakeClock(NOW)
    fake = FakeSalesforce(clock=clock)
    settings.SALESFORCE_CLIENT_ID, settings.SALESFORCE_CLIENT_SECRET = fake.client_id, fake.client_secret
    with workspace_context(world.a.workspace.id):
        yield SalesforceSync(world.a, fake, clock)
