"""HubSpot OAuth: the authorise URL and the v3 token endpoint, against the fake."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from integrations.providers.base import AuthFailed, TransientError
from integrations.providers.hubspot.oauth import authorize_url
from tests.integrations.providers.conftest import HUBSPOT_APP, NOW, HubSpotWorld


def test_the_authorise_url_carries_client_scopes_redirect_and_state() -> None:
    url = authorize_url(HUBSPOT_APP, state="signed.state")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://app.hubspot.com/oauth/authorize"
    assert parse_qs(parts.query) == {
        "client_id": ["fake-client-id"],
        "redirect_uri": ["https://ikkan.example/oauth/hubspot/callback"],
        "scope": ["crm.objects.deals.read crm.objects.contacts.read"],
        "state": ["signed.state"],
    }


def test_a_code_is_exchanged_on_the_v3_token_endpoint(hs: HubSpotWorld) -> None:
    browser = httpx.Client(transport=httpx.WSGITransport(app=hs.fake), base_url="http://hubspot.fake")
    url = authorize_url(HUBSPOT_APP, state="s1", authorize_base="http://hubspot.fake/oauth/authorize")
    redirect = browser.get(url)
    code = parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]

    credentials = hs.oauth().exchange_code(code)

    (request,) = hs.fake.requests_to("/oauth/v3/token")
    assert request.form()["grant_type"] == "authorization_code"
    assert request.form()["redirect_uri"] == HUBSPOT_APP.redirect_uri
    assert credentials.expires_at == NOW + dt.timedelta(seconds=1800)
    assert credentials.refresh_token in hs.fake.refresh_tokens
    with pytest.raises(AuthFailed) as reused:
        hs.oauth().exchange_code(code)  # single use
    assert reused.value.params == {"reason": "code_refused"}


def test_refresh_follows_expires_in_and_keeps_the_refresh_token(hs: HubSpotWorld) -> None:
    hs.fake.token_lifetime = dt.timedelta(minutes=20)
    fresh = hs.oauth().refresh(hs.store.credentials)
    assert fresh.expires_at == NOW + dt.timedelta(minutes=20)
    assert fresh.refresh_token == hs.store.credentials.refresh_token
    form = hs.fake.requests_to("/oauth/v3/token")[0].form()
    assert form["grant_type"] == "refresh_token" and form["client_secret"] == "fake-client-secret"


def test_a_token_endpoint_outage_is_transient(hs: HubSpotWorld) -> None:
    hs.fake.inject(503, {}, path="/oauth/v3/token")
    with pytest.raises(TransientError):
        hs.oauth().refresh(hs.store.credentials)
