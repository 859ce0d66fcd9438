"""The fake HubSpot behaves like HubSpot where the clients do not exercise it directly (research note §4)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> FakeHubSpot:
    return FakeHubSpot(clock=FakeClock(NOW))


@pytest.fixture
def http(fake: FakeHubSpot) -> httpx.Client:
    return httpx.Client(
        transport=httpx.WSGITransport(app=fake),
        base_url="http://hubspot.fake",
        headers={"Authorization": f"Bearer {fake.issue_private_app_token()}"},
    )


def test_list_pages_with_opaque_after_and_a_next_link(fake: FakeHubSpot, http: httpx.Client) -> None:
    for _ in range(15):
        fake.add("deals", {"dealname": "d"})
    first = http.get("/crm/v3/objects/deals").json()  # default limit 10
    assert len(first["results"]) == 10
    after = first["paging"]["next"]["after"]
    assert not after.isdigit()  # opaque, not an offset
    second = http.get(first["paging"]["next"]["link"]).json()
    assert len(second["results"]) == 5 and "paging" not in second
    assert "X-HubSpot-RateLimit-Max" not in http.get("/crm/v3/objects/deals").headers
    fake.ten_secondly_limit = 100
    assert http.get("/crm/v3/objects/deals").headers["X-HubSpot-RateLimit-Max"] == "100"
    assert "X-HubSpot-RateLimit-Max" not in http.post("/crm/v3/objects/deals/search", json={}).headers


def test_dated_paths_and_object_type_ids_are_accepted(fake: FakeHubSpot, http: httpx.Client) -> None:
    fake.add("deals", {"dealname": "d"})
    assert len(http.get("/crm/objects/2026-03/0-3").json()["results"]) == 1
    assert len(http.post("/crm/objects/2026-03/deals/search", json={}).json()["results"]) == 1


def test_search_validates_its_body_like_hubspot(http: httpx.Client) -> None:
    six = [{"propertyName": "amount", "operator": "GT", "value": "1"}] * 7
    assert (
        http.post("/crm/v3/objects/deals/search", json={"filterGroups": [{"filters": six}]}).status_code
        == 400
    )
    sorts = ["amount", "dealname"]
    assert http.post("/crm/v3/objects/deals/search", json={"sorts": sorts}).status_code == 400
    assert http.post("/crm/v3/objects/deals/search", json={"limit": 201}).status_code == 400
    assert http.post("/crm/v3/objects/deals/search", json={"query": "x" * 3000}).status_code == 400
    assert http.post("/crm/v3/objects/deals/search", json={"after": "9990", "limit": 20}).status_code == 400


def test_search_orders_by_creation_by_default_and_filters_by_operator(
    fake: FakeHubSpot, http: httpx.Client
) -> None:
    late = fake.add("deals", {"amount": "300", "dealstage": "a"}, created=NOW - dt.timedelta(days=1))
    early = fake.add("deals", {"amount": "100", "dealstage": "b"}, created=NOW - dt.timedelta(days=3))
    middle = fake.add("deals", {"amount": "N/A", "dealstage": "c"}, created=NOW - dt.timedelta(days=2))
    archived = fake.add("deals", {"amount": "200"}, created=NOW - dt.timedelta(days=4))
    fake.archive("deals", archived.id)

    def ids(body: dict) -> list[int]:
        return [int(r["id"]) for r in http.post("/crm/v3/objects/deals/search", json=body).json()["results"]]

    assert ids({}) == [early.id, middle.id, late.id]  # archived never appears
    between = {"propertyName": "amount", "operator": "BETWEEN", "value": "50", "highValue": "150"}
    assert ids({"filterGroups": [{"filters": [between]}]}) == [early.id]
    member = {"propertyName": "dealstage", "operator": "IN", "values": ["a", "c"]}
    assert ids({"filterGroups": [{"filters": [member]}]}) == [middle.id, late.id]
    either = [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "a"}]},
              {"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "b"}]}]  # fmt: skip
    assert ids({"filterGroups": either}) == [early.id, late.id]
    body = http.post("/crm/v3/objects/deals/search", json={"limit": 2}).json()
    assert body["total"] == 3 and body["paging"]["next"]["after"] == "2"


def test_a_merged_away_id_reads_as_its_survivor_and_a_new_id_can_be_minted(
    fake: FakeHubSpot, http: httpx.Client
) -> None:
    loser = fake.add("contacts", {"email": "l@example.com"})
    survivor = fake.add("contacts", {"email": "s@example.com"})
    old_survivor_id = survivor.id
    minted = fake.merge("contacts", loser.id, survivor.id, new_id=9_999_999)
    body = http.get(f"/crm/v3/objects/contacts/{loser.id}?properties=hs_merged_object_ids").json()
    assert body["id"] == "9999999" == str(minted.id)
    assert body["properties"]["hs_merged_object_ids"] == f"{loser.id};{old_survivor_id}"


def test_batch_read_v4_associations_owners_and_properties(fake: FakeHubSpot, http: httpx.Client) -> None:
    company = fake.add("companies", {"name": "c"})
    deal = fake.add("deals", {"dealname": "d"}, associations={"companies": [str(company.id)]})
    read = http.post(
        "/crm/v3/objects/deals/batch/read",
        json={"inputs": [{"id": str(deal.id)}], "properties": ["dealname"]},
    )
    assert read.json()["results"][0]["properties"]["dealname"] == "d"
    linked = http.post(
        "/crm/v4/associations/companies/deals/batch/read", json={"inputs": [{"id": str(company.id)}]}
    )
    assert linked.json()["results"][0]["to"][0]["toObjectId"] == deal.id  # associations are both ways
    fake.add_owner(id="1", email="a@example.com")
    fake.add_owner(id="2", email="b@example.com", archived=True)
    assert [o["id"] for o in http.get("/crm/v3/owners?archived=true").json()["results"]] == ["2"]
    names = {p["name"] for p in http.get("/crm/v3/properties/deals").json()["results"]}
    assert {"dealname", "hs_lastmodifieddate", "hs_object_id"} <= names


def test_expired_and_unknown_tokens_and_429_bodies(fake: FakeHubSpot) -> None:
    http = httpx.Client(transport=httpx.WSGITransport(app=fake), base_url="http://hubspot.fake")
    token = fake.issue_access_token(lifetime=dt.timedelta(minutes=1))
    fake.clock.advance(minutes=2)
    expired = http.get("/crm/v3/owners", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired 60 second(s) ago" in expired.json()["message"]
    unknown = http.get("/crm/v3/owners", headers={"Authorization": "Bearer CNunknown-token"})
    assert unknown.json()["category"] == "INVALID_AUTHENTICATION"
    fake.daily_limit = 0
    fake.send_retry_after = False
    daily = http.get("/crm/v3/owners", headers={"Authorization": f"Bearer {fake.issue_private_app_token()}"})
    assert (
        daily.status_code == 429
        and daily.json()["policyName"] == "DAILY"
        and "Retry-After" not in daily.headers
    )
