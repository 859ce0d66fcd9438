"""Connecting a CRM account end to end against the fakes: OAuth start and callback (HubSpot; Salesforce with
PKCE), the state's signature, expiry, single use and binding to the person, re-authorising the same account,
and the HubSpot private-app token checked against its account."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core import signing
from rest_framework.test import APIClient

from integrations import oauth, selectors
from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.fakes.salesforce import FakeSalesforce
from integrations.models import Connection
from integrations.providers.outbound import outbound_transport
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tests.conftest import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
HUBSPOT_BASE = "http://hubspot.fake"
SALESFORCE_BASE = "http://login.salesforce.fake"


def start_url(world: World, provider: str, side: str = "a") -> str:
    return f"/api/v1/workspaces/{getattr(world, side).workspace.id}/integrations/oauth/{provider}/start/"


@dataclass
class Crm:
    provider: str
    fake: Any
    base_url: str

    def authorise(self, authorize_url: str) -> tuple[str, str]:
        """The person approves the app at the CRM: the fake's authorise page redirects with a code."""
        with httpx.Client(transport=httpx.WSGITransport(app=self.fake)) as http:
            response = http.get(authorize_url)
        assert response.status_code == 302, response.text
        location = urlsplit(response.headers["Location"])
        query = parse_qs(location.query)
        return location.path + "?" + location.query, query["code"][0]


@pytest.fixture
def hubspot(settings: Any) -> Iterator[Crm]:
    fake = FakeHubSpot(clock=FakeClock(NOW), portal_id=555001)
    settings.HUBSPOT_CLIENT_ID, settings.HUBSPOT_CLIENT_SECRET = fake.client_id, fake.client_secret
    settings.HUBSPOT_REDIRECT_URI = "http://testserver/integrations/oauth/hubspot/callback/"
    fake.redirect_uris.add(settings.HUBSPOT_REDIRECT_URI)
    with outbound_transport(httpx.WSGITransport(app=fake)):
        yield Crm("hubspot", fake, HUBSPOT_BASE)


@pytest.fixture
def salesforce(settings: Any) -> Iterator[Crm]:
    fake = FakeSalesforce(clock=FakeClock(NOW), org_id="00D5g000000IKKANAA")
    settings.SALESFORCE_CLIENT_ID, settings.SALESFORCE_CLIENT_SECRET = fake.client_id, fake.client_secret
    settings.SALESFORCE_REDIRECT_URI = "http://testserver/integrations/oauth/salesforce/callback/"
    fake.redirect_uris.add(settings.SALESFORCE_REDIRECT_URI)
    with outbound_transport(httpx.WSGITransport(app=fake)):
        yield Crm("salesforce", fake, SALESFORCE_BASE)


def _start(client: APIClient, world: World, crm: Crm, **body: Any) -> str:
    response = client.post(start_url(world, crm.provider), {"base_url": crm.base_url, **body}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["authorize_url"]


def _callback(client: APIClient, path: str, **headers: Any) -> Any:
    return client.get(path, HTTP_ACCEPT="application/json", **headers)


def test_hubspot_oauth_connects_the_portal_and_starts_the_first_sync(
    world: World, client_as: Any, hubspot: Crm, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("admin")
    url = _start(client, world, hubspot, display_name="営業 HubSpot")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{HUBSPOT_BASE}/oauth/authorize?")
    assert query["client_id"] == [hubspot.fake.client_id] and query["redirect_uri"][0].endswith(
        "/hubspot/callback/"
    )
    callback, _code = hubspot.authorise(url)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _callback(client, callback)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["external_account_id"] == "555001" and body["status"] == "connected" and body["has_credentials"]
    )
    assert body["display_name"] == "営業 HubSpot" and body["base_url"] == HUBSPOT_BASE
    assert len(queued) == 1  # the first sync, once the write commits
    with workspace_context(world.a.workspace.id):
        connection = Connection.objects.get(id=body["id"])
        stored = selectors.connection_credentials_get(connection=connection)
        assert stored["access_token"] in hubspot.fake.access_tokens and stored["refresh_token"]
        assert AuditEvent.objects.filter(action="connection.created", target_id=str(connection.id)).exists()
    # The token endpoint got the app's secret, the redirect URI and the code; the portal came from token info.
    token_call = hubspot.fake.requests_to("/oauth/v3/token")[0]
    assert token_call.form()["grant_type"] == "authorization_code"
    assert hubspot.fake.requests_to("/oauth/v1/access-tokens/")


def test_a_browser_is_sent_home_with_a_japanese_message(world: World, client_as: Any, hubspot: Crm) -> None:
    client = client_as("admin")
    callback, _code = hubspot.authorise(_start(client, world, hubspot))
    response = client.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert "HubSpot と連携しました" in page.content.decode()


def test_the_state_is_single_use(world: World, client_as: Any, hubspot: Crm) -> None:
    client = client_as("admin")
    callback, _code = hubspot.authorise(_start(client, world, hubspot))
    assert _callback(client, callback).status_code == 200
    replay = _callback(client, callback)
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "integrations.oauth.state_used"
    page = client.get(callback)  # the browser's page says so in Japanese
    assert page.status_code == 400 and "すでに使われています" in page.content.decode()
    with workspace_context(world.a.workspace.id):
        assert Connection.objects.filter(external_account_id="555001").count() == 1


def test_the_state_is_bound_to_the_person_who_started(world: World, client_as: Any, hubspot: Crm) -> None:
    callback, _code = hubspot.authorise(_start(client_as("admin"), world, hubspot))
    other = _callback(client_as("consultant"), callback)
    assert other.status_code == 403 and other.json()["error"]["code"] == "integrations.oauth.wrong_user"
    anonymous = _callback(APIClient(), callback)
    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["code"] == "integrations.oauth.sign_in_required"
    with workspace_context(world.a.workspace.id):
        assert not Connection.objects.filter(external_account_id="555001").exists()
    # Refusing them spent nothing: the person who started still completes.
    assert _callback(client_as("admin"), callback).status_code == 200


def test_a_tampered_expired_or_foreign_state_is_refused(world: World, client_as: Any, hubspot: Crm) -> None:
    client = client_as("admin")
    callback, code = hubspot.authorise(_start(client, world, hubspot))
    state = parse_qs(urlsplit(callback).query)["state"][0]
    claims = signing.loads(state, salt=oauth.STATE_SALT)

    class Stale(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - oauth.STATE_MAX_AGE_SECONDS - 1)

    cases = {
        "integrations.oauth.state_invalid": [
            state[:-2] + ("AA" if not state.endswith("AA") else "BB"),  # tampered signature
            signing.dumps({**claims, "w": str(world.b.workspace.id)}, salt="another-salt"),  # not our salt
            signing.dumps({**claims, "p": "salesforce"}, salt=oauth.STATE_SALT),  # another provider's
            "",
        ],
        "integrations.oauth.state_expired": [Stale(salt=oauth.STATE_SALT).sign_object(claims)],
    }
    for expected, states in cases.items():
        for bad in states:
            response = _callback(client, f"/integrations/oauth/hubspot/callback/?code={code}&state={bad}")
            assert response.status_code == 400, (bad, response.content)
            assert response.json()["error"]["code"] == expected
    # Another workspace's id in a state we signed: its membership is checked, so A's admin gets nothing of B.
    forged = signing.dumps({**claims, "w": str(world.b.workspace.id)}, salt=oauth.STATE_SALT)
    response = _callback(client, f"/integrations/oauth/hubspot/callback/?code={code}&state={forged}")
    assert response.status_code in {400, 403}
    with workspace_context(world.b.workspace.id):
        assert not Connection.objects.filter(external_account_id="555001").exists()


def test_a_refused_or_cancelled_authorisation_writes_nothing(
    world: World, client_as: Any, hubspot: Crm
) -> None:
    client = client_as("admin")
    callback, code = hubspot.authorise(_start(client, world, hubspot))
    hubspot.fake.codes.clear()  # the code expired at HubSpot
    refused = _callback(client, callback)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "integrations.oauth.code_refused"
    callback, code = hubspot.authorise(_start(client, world, hubspot))
    cancelled = _callback(client, callback.replace(f"code={code}", "error=access_denied"))
    assert cancelled.status_code == 400 and cancelled.json()["error"]["code"] == "integrations.oauth.denied"
    with workspace_context(world.a.workspace.id):
        assert not Connection.objects.filter(external_account_id="555001").exists()


def test_the_same_account_is_reauthorised_not_duplicated(world: World, client_as: Any, hubspot: Crm) -> None:
    client = client_as("admin")
    first = _callback(client, hubspot.authorise(_start(client, world, hubspot))[0]).json()
    assert (
        client.post(
            f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/{first['id']}/disconnect/"
        ).json()["status"]
        == "disconnected"
    )
    again = _callback(client, hubspot.authorise(_start(client, world, hubspot))[0])
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first["id"] and again.json()["status"] == "connected"
    with workspace_context(world.a.workspace.id):
        Connection.objects.filter(id=first["id"]).update(status="needs_attention",
                                                         status_code="integrations.status.token_revoked")  # fmt: skip
    third = _callback(client, hubspot.authorise(_start(client, world, hubspot))[0]).json()
    assert third["id"] == first["id"] and third["status"] == "connected"
    with workspace_context(world.a.workspace.id):
        assert Connection.objects.filter(external_account_id="555001").count() == 1
        assert AuditEvent.objects.filter(action="connection.authorised", target_id=first["id"]).count() == 2


def test_salesforce_uses_pkce_with_the_verifier_kept_server_side(
    world: World, client_as: Any, salesforce: Crm, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("consultant")
    url = _start(client, world, salesforce)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{SALESFORCE_BASE}/services/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert "code_verifier" not in url
    state = query["state"][0]
    assert "verifier" not in str(signing.loads(state, salt=oauth.STATE_SALT))
    callback, _code = salesforce.authorise(url)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _callback(client, callback)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["provider"] == "salesforce" and body["external_account_id"] == "00D5g000000IKKANAA"
    assert len(queued) == 1
    with workspace_context(world.a.workspace.id):
        stored = selectors.connection_credentials_get(connection=Connection.objects.get(id=body["id"]))
    assert stored["instance_url"] == salesforce.fake.instance_url and stored["refresh_token"]
    sent = salesforce.fake.requests_to("/services/oauth2/token")[0].form()
    assert sent["code_verifier"] and sent["client_secret"] == salesforce.fake.client_secret


def test_the_salesforce_fake_refuses_a_wrong_verifier(world: World, client_as: Any, salesforce: Crm) -> None:
    client = client_as("admin")
    callback, _code = salesforce.authorise(_start(client, world, salesforce))
    for record in salesforce.fake.codes.values():
        record["challenge"] = "not-the-challenge-of-our-verifier"
    refused = _callback(client, callback)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "integrations.oauth.code_refused"


@pytest.mark.parametrize("role", ["manager", "sales_rep", "viewer", "anonymous"])
def test_only_connection_managers_may_start(world: World, client_as: Any, hubspot: Crm, role: str) -> None:
    response = client_as(role).post(start_url(world, "hubspot"), {}, format="json")
    assert response.status_code in ({401, 403} if role == "anonymous" else {403})


def test_a_partner_key_with_the_write_scope_may_start_and_complete(
    world: World, key_client: Any, hubspot: Crm
) -> None:
    assert (
        key_client("integrations:read").post(start_url(world, "hubspot"), {}, format="json").status_code
        == 403
    )
    writer = key_client("integrations:write")
    callback, _code = hubspot.authorise(_start(writer, world, hubspot))
    response = _callback(APIClient(), callback)  # the browser that comes back carries no key
    assert response.status_code == 200, response.content


def test_start_refusals(world: World, client_as: Any, settings: Any, hubspot: Crm) -> None:
    client = client_as("admin")
    insecure = client.post(start_url(world, "hubspot"), {"base_url": "ftp://x.example"}, format="json")
    assert insecure.status_code == 400
    settings.INTEGRATIONS_ALLOW_PRIVATE_HOSTS = False
    private = client.post(start_url(world, "hubspot"), {"base_url": "http://169.254.169.254"}, format="json")
    assert private.json()["error"]["code"] == "integrations.connection.base_url_host_refused"
    settings.SALESFORCE_CLIENT_ID = ""
    missing = client.post(start_url(world, "salesforce"), {}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert (
        missing.status_code == 400 and missing.json()["error"]["code"] == "integrations.oauth.not_configured"
    )
    assert "Salesforce" in missing.json()["error"]["message"]


# --- private-app token -----------------------------------------------------------------------------------


def test_a_private_app_token_is_checked_against_its_account(
    world: World, client_as: Any, hubspot: Crm
) -> None:
    client = client_as("admin")
    url = f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/"
    token = hubspot.fake.issue_private_app_token()
    created = client.post(url, {"provider": "hubspot", "display_name": "PAT", "base_url": HUBSPOT_BASE,
                                "credentials": {"private_app_token": token}}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["external_account_id"] == "555001" and created.json()["status"] == "connected"
    assert hubspot.fake.requests_to("/account-info/v3/details")


@pytest.mark.parametrize(
    ("token", "extra", "status", "code"),
    [
        ("pat-na1-not-a-token-of-this-portal", {}, 400, "integrations.connection.token_refused"),
        (None, {"external_account_id": "999"}, 400, "integrations.connection.account_mismatch"),
    ],
)
def test_a_refused_private_app_token_writes_nothing(
    world: World,
    client_as: Any,
    hubspot: Crm,
    token: str | None,
    extra: dict[str, str],
    status: int,
    code: str,
) -> None:
    with workspace_context(world.a.workspace.id):
        before = Connection.objects.count()
    body = {"provider": "hubspot", "display_name": "PAT", "base_url": HUBSPOT_BASE,
            "credentials": {"private_app_token": token or hubspot.fake.issue_private_app_token()}, **extra}  # fmt: skip
    response = client_as("admin").post(
        f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/", body, format="json"
    )
    assert response.status_code == status and response.json()["error"]["code"] == code, response.content
    with workspace_context(world.a.workspace.id):
        assert Connection.objects.count() == before


def test_an_unreachable_hubspot_is_a_clear_refusal(world: World, client_as: Any, hubspot: Crm) -> None:
    hubspot.fake.inject(503, {"status": "error"}, path="/account-info/v3/details", count=10)
    body = {"provider": "hubspot", "display_name": "PAT", "base_url": HUBSPOT_BASE,
            "credentials": {"private_app_token": hubspot.fake.issue_private_app_token()}}  # fmt: skip
    response = client_as("admin").post(
        f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "integrations.connection.account_unreachable"


def test_a_new_private_app_token_must_belong_to_the_connections_portal(
    world: World, client_as: Any, hubspot: Crm
) -> None:
    client = client_as("admin")
    url = f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/"
    created = client.post(url, {"provider": "hubspot", "display_name": "PAT", "base_url": HUBSPOT_BASE,
                                "credentials": {"private_app_token": hubspot.fake.issue_private_app_token()}},
                          format="json").json()  # fmt: skip
    detail = f"{url}{created['id']}/"
    refused = client.patch(detail, {"credentials": {"private_app_token": "pat-na1-revoked"}}, format="json")
    assert (
        refused.status_code == 400
        and refused.json()["error"]["code"] == "integrations.connection.token_refused"
    )
    renewed = client.patch(detail, {"credentials": {"private_app_token": hubspot.fake.issue_private_app_token()}},
                           format="json")  # fmt: skip
    assert renewed.status_code == 200, renewed.content
    assert renewed.json()["external_account_id"] == "555001"
    with workspace_context(world.a.workspace.id):
        Connection.objects.filter(id=created["id"]).update(external_account_id="999")
    other = client.patch(detail, {"credentials": {"private_app_token": hubspot.fake.issue_private_app_token()}},
                         format="json")  # fmt: skip
    assert (
        other.status_code == 400
        and other.json()["error"]["code"] == "integrations.connection.account_mismatch"
    )
