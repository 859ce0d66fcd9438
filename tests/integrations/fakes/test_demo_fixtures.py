"""The demo fixtures load into the fakes and read cleanly through the providers; the fixture shifts in time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from integrations.canonical import CanonicalDeal
from integrations.fakes.common import FakeClock, parse_iso, shift_fixture
from integrations.fakes.hubspot import FakeHubSpot
from integrations.fakes.salesforce import FakeSalesforce
from integrations.providers.base import Credentials, InMemoryTokenStore, ObjectType, TokenManager, Window
from integrations.providers.hubspot.client import HubSpotClient, HubSpotProvider
from integrations.providers.salesforce.client import SalesforceClient, SalesforceProvider
from integrations.providers.salesforce.oauth import SalesforceApp, SalesforceOAuth

FIXTURES = Path(__file__).resolve().parents[3] / "integrations" / "fakes" / "fixtures"


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _everything(provider, now: dt.datetime) -> dict[ObjectType, list]:
    return {
        kind: [r for page in provider.read(kind, Window(None, now)) for r in page.records]
        for kind in provider.object_types()
    }


def _has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" for ch in text)


def test_the_hubspot_demo_reads_through_the_provider() -> None:
    data = _load("hubspot_demo.json")
    clock = FakeClock(parse_iso(data["now"]))
    fake = FakeHubSpot.from_fixture(data, clock=clock)
    tokens = TokenManager(
        InMemoryTokenStore(Credentials(data["tokens"]["private_app_tokens"][0])), None, clock=clock
    )
    provider = HubSpotProvider(
        HubSpotClient(tokens=tokens, base_url="http://fake", transport=httpx.WSGITransport(app=fake))
    )

    found = _everything(provider, clock())

    objects = data["objects"]
    live_deals = [d for d in objects["deals"] if not d.get("archived")]
    assert len(found[ObjectType.OWNERS]) == len(data["owners"])
    assert any(not owner.active for owner in found[ObjectType.OWNERS])  # a deactivated owner
    assert len(found[ObjectType.COMPANIES]) == len(objects["companies"])
    assert all(_has_japanese(c.name) for c in found[ObjectType.COMPANIES])
    assert len(found[ObjectType.DEALS]) == len(live_deals)
    deals: list[CanonicalDeal] = found[ObjectType.DEALS]
    assert {d.stage for d in deals} >= {"closedwon", "closedlost", "appointmentscheduled"}
    assert any(d.amount_invalid for d in deals) and all(d.currency == "JPY" for d in deals)
    assert all(d.stage_entered_at and d.company_external_id for d in deals)
    activities = found[ObjectType.ACTIVITIES]
    assert {a.activity_type for a in activities} == {"calls", "emails", "meetings", "tasks"}
    assert all(a.deal_external_ids for a in activities)
    archived = [r for page in provider.read_archived(ObjectType.DEALS, since=None) for r in page.records]
    assert len(archived) == len(objects["deals"]) - len(live_deals)


def test_the_salesforce_demo_reads_through_the_provider() -> None:
    data = _load("salesforce_demo.json")
    clock = FakeClock(parse_iso(data["now"]))
    fake = FakeSalesforce.from_fixture(data, clock=clock)
    app = SalesforceApp(
        data["app"]["client_id"], data["app"]["client_secret"], data["app"]["redirect_uris"][0]
    )
    oauth = SalesforceOAuth(
        app, http=httpx.Client(transport=httpx.WSGITransport(app=fake)), login_url="http://fake", clock=clock
    )
    store = InMemoryTokenStore(
        Credentials("expired", refresh_token=data["tokens"]["refresh_tokens"][0], expires_at=clock())
    )
    client = SalesforceClient(
        tokens=TokenManager(store, oauth.refresh, clock=clock), transport=httpx.WSGITransport(app=fake)
    )
    provider = SalesforceProvider(client, clock=clock)

    found = _everything(provider, clock())

    objects = data["objects"]
    assert len(found[ObjectType.OWNERS]) == len(objects["User"])
    assert len(found[ObjectType.CONTACTS]) == len(objects["Lead"]) + len(objects["Contact"])
    deals: list[CanonicalDeal] = found[ObjectType.DEALS]
    assert len(deals) == len(objects["Opportunity"]) and sum(d.archived for d in deals) == 1
    history = {
        o["Id"]: sum(h["OpportunityId"] == o["Id"] for h in objects["OpportunityHistory"])
        for o in objects["Opportunity"]
    }
    assert all(len(d.stage_entered_at) == history[d.external_id] for d in deals)  # no doubled history rows
    assert {s.label for s in provider.read_stages()} and all(
        _has_japanese(s.label) for s in provider.read_stages()
    )
    merges = [m for page in provider.read(ObjectType.CONTACTS, Window(None, clock())) for m in page.merges]
    assert len(merges) == 1
    deletions = [
        d
        for page in provider.read_archived(ObjectType.DEALS, since=clock() - dt.timedelta(days=10))
        for d in page.deletions
    ]
    assert len(deletions) == 1
    assert store.saved and store.saved[-1].instance_url == data["instance_url"]


@pytest.mark.parametrize("name", ["hubspot_demo.json", "salesforce_demo.json"])
def test_shifting_moves_every_date_by_whole_days(name: str) -> None:
    data = _load(name)
    target = parse_iso(data["now"]) + dt.timedelta(days=40, hours=5)
    shifted = shift_fixture(data, target)
    assert parse_iso(shifted["now"]) == parse_iso(data["now"]) + dt.timedelta(days=40)
    if name.startswith("hubspot"):
        before, after = (
            data["objects"]["deals"][0]["properties"],
            shifted["objects"]["deals"][0]["properties"],
        )
        assert parse_iso(after["closedate"]) - parse_iso(before["closedate"]) == dt.timedelta(days=40)
        assert (
            shifted["pipelines"][0]["stages"][0]["createdAt"] == "1970-01-01T00:00:00Z"
        )  # HubSpot's zero stays
    else:
        before, after = data["objects"]["Opportunity"][0], shifted["objects"]["Opportunity"][0]
        assert dt.date.fromisoformat(after["CloseDate"]) - dt.date.fromisoformat(
            before["CloseDate"]
        ) == dt.timedelta(days=40)
    FakeHubSpot.from_fixture(shifted) if name.startswith("hubspot") else FakeSalesforce.from_fixture(shifted)
