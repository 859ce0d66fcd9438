"""The HubSpot webhook receiver: v3 signature over the full URL and raw body, the 5-minute window, events
deduplicated by id per workspace, and a targeted sync (trigger "webhook") of every connection of the portal,
whichever workspace it is in."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rest_framework.test import APIClient

from integrations import webhooks
from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import AccessToken, FakeHubSpot
from integrations.models import SyncRun
from integrations.providers.base import ObjectType
from integrations.providers.outbound import outbound_transport
from tenants.context import workspace_context
from tests.conftest import World
from tests.integrations.world_integrations import token_of

pytestmark = pytest.mark.django_db

URL = "/integrations/webhooks/hubspot/"
FULL_URL = "http://testserver" + URL
PORTAL = 4242  # the world's connections (A and B) both read portal 4242


@pytest.fixture
def hubspot(world: World, settings: Any) -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot(clock=FakeClock(dt.datetime.now(dt.UTC)), portal_id=PORTAL)
    for side in (world.a, world.b):  # the world's stored private-app tokens are this portal's
        fake.access_tokens[token_of(side)] = AccessToken(token_of(side), None, PORTAL)
    settings.HUBSPOT_CLIENT_SECRET = fake.client_secret
    # Event ids of this test only: seen ids stay in the cache (Redis) for a day and a half.
    fake._ids = itertools.count(10**6 + secrets.randbelow(10**12))
    with outbound_transport(httpx.WSGITransport(app=fake)):
        yield fake


def _post(fake: FakeHubSpot, events: list[dict[str, Any]], **overrides: Any) -> Any:
    headers, body = fake.signed_webhook(
        FULL_URL, events, at=overrides.pop("at", None) or dt.datetime.now(dt.UTC)
    )
    headers = {**headers, **overrides.pop("headers", {})}
    body = overrides.pop("body", body)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    return APIClient().generic("POST", URL, data=body, content_type="application/json", **extra)


def test_a_signed_call_queues_a_targeted_sync_per_connection_of_the_portal(
    world: World, hubspot: FakeHubSpot, django_capture_on_commit_callbacks: Any
) -> None:
    events = [hubspot.event("deal.propertyChange", 101, propertyName="dealstage", propertyValue="closedwon"),
              hubspot.event("contact.deletion", 201), hubspot.event("ticket.creation", 301)]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as dispatch:
        response = _post(hubspot, events)
    assert response.status_code == 204, response.content
    assert len(dispatch) == 1  # answered at once; the dispatcher task runs after
    with django_capture_on_commit_callbacks(execute=False) as syncs:
        dispatch[0]()
    assert len(syncs) == 2  # A's and B's connection of portal 4242, each in its own workspace
    for callback in syncs:
        callback()  # the syncs themselves, against the fake
    for side in (world.a, world.b):
        with workspace_context(side.workspace.id):
            run = SyncRun.objects.get(connection=side.extra["connection"], trigger="webhook")
            assert run.status == "succeeded", (run.error_code, run.error_params)
            # Owners always; then only what the events touched.
            assert set(run.progress) == {"owners", "contacts", "deals"}


def test_the_dispatcher_deduplicates_by_event_id_per_workspace(world: World, hubspot: FakeHubSpot) -> None:
    event = hubspot.event("deal.creation", 101)
    first = webhooks.hubspot_webhook_dispatch(events=[event])
    assert sorted(first) == sorted(
        (str(side.extra["connection"].id), (ObjectType.DEALS,)) for side in (world.a, world.b)
    )
    assert webhooks.hubspot_webhook_dispatch(events=[event]) == []  # HubSpot's retry of the same event
    other = webhooks.hubspot_webhook_dispatch(events=[hubspot.event("company.merge", 5)])
    assert {types for _id, types in other} == {(ObjectType.COMPANIES,)}
    assert webhooks.hubspot_webhook_dispatch(events=[{**event, "eventId": 1, "portalId": 999}]) == []


def test_a_disconnected_connection_is_not_synced(world: World, hubspot: FakeHubSpot, client_as: Any) -> None:
    connection = world.a.extra["connection"]
    client_as("admin").post(
        f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/{connection.id}/disconnect/"
    )
    queued = webhooks.hubspot_webhook_dispatch(events=[hubspot.event("deal.creation", 101)])
    assert [connection_id for connection_id, _types in queued] == [str(world.b.extra["connection"].id)]


@pytest.mark.parametrize(
    "tamper",
    [
        {"headers": {"X-HubSpot-Signature-v3": "bm90IHRoZSBzaWduYXR1cmU="}},
        {"body": b'[{"eventId": 1, "portalId": 4242, "subscriptionType": "deal.creation", "objectId": 9}]'},
        {"at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)},  # a replay, older than 5 minutes
        {"headers": {"X-HubSpot-Request-Timestamp": ""}},
        {"headers": {"X-HubSpot-Signature-v3": ""}},
    ],
)
def test_a_bad_or_stale_signature_is_refused_and_queues_nothing(
    world: World, hubspot: FakeHubSpot, django_capture_on_commit_callbacks: Any, tamper: dict[str, Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as dispatch:
        response = _post(hubspot, [hubspot.event("deal.creation", 101)], **tamper)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "integrations.webhook.signature_invalid"
    assert not dispatch


def test_the_signature_covers_the_url_called(world: World, hubspot: FakeHubSpot) -> None:
    headers, body = hubspot.signed_webhook("https://elsewhere.example/hook", [hubspot.event("deal.creation", 1)],
                                           at=dt.datetime.now(dt.UTC))  # fmt: skip
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    response = APIClient().generic("POST", URL, data=body, content_type="application/json", **extra)
    assert response.status_code == 401


def test_the_configured_public_url_is_what_is_verified(
    world: World, hubspot: FakeHubSpot, settings: Any
) -> None:
    settings.HUBSPOT_WEBHOOK_URL = "https://ikkan.example/integrations/webhooks/hubspot/"
    headers, body = hubspot.signed_webhook(settings.HUBSPOT_WEBHOOK_URL, [hubspot.event("deal.creation", 1)],
                                           at=dt.datetime.now(dt.UTC))  # fmt: skip
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    assert (
        APIClient().generic("POST", URL, data=body, content_type="application/json", **extra).status_code
        == 204
    )


@pytest.mark.parametrize(
    "payload", [{"eventId": 1}, [{"eventId": "x", "portalId": 4242, "subscriptionType": "deal.creation"}],
                [{"portalId": 4242}], ["deal"], [{"eventId": 1, "portalId": 4242}]],
)  # fmt: skip
def test_a_signed_body_that_is_not_events_is_a_400(world: World, hubspot: FakeHubSpot, payload: Any) -> None:
    response = _post(hubspot, payload)
    assert (
        response.status_code == 400
        and response.json()["error"]["code"] == "integrations.webhook.body_invalid"
    )


def test_not_json_is_a_400_and_get_is_not_allowed(world: World, hubspot: FakeHubSpot) -> None:
    headers, _body = hubspot.signed_webhook(FULL_URL, [], at=dt.datetime.now(dt.UTC))
    from integrations.providers.hubspot.webhooks import signature_v3

    stamp = headers["X-HubSpot-Request-Timestamp"]
    body = b"{not json"
    signature = signature_v3(client_secret=hubspot.client_secret, method="POST", uri=FULL_URL, body=body,
                             timestamp=stamp)  # fmt: skip
    response = APIClient().generic("POST", URL, data=body, content_type="application/json",
                                   HTTP_X_HUBSPOT_SIGNATURE_V3=signature,
                                   HTTP_X_HUBSPOT_REQUEST_TIMESTAMP=stamp)  # fmt: skip
    assert response.status_code == 400
    assert APIClient().get(URL).status_code == 405


def test_without_the_apps_secret_nothing_is_accepted(
    world: World, hubspot: FakeHubSpot, settings: Any
) -> None:
    settings.HUBSPOT_CLIENT_SECRET = ""
    response = _post(hubspot, [hubspot.event("deal.creation", 101)])
    assert (
        response.status_code == 401
        and response.json()["error"]["code"] == "integrations.webhook.not_configured"
    )
    assert json.loads(response.content)["error"]["message"]


def test_the_receiver_needs_no_session_and_no_csrf_token(world: World, hubspot: FakeHubSpot) -> None:
    from django.test import Client

    headers, body = hubspot.signed_webhook(
        FULL_URL, [hubspot.event("deal.creation", 1)], at=dt.datetime.now(dt.UTC)
    )
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, data=body, content_type="application/json", **extra).status_code == 204
