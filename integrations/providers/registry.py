"""Build a provider from a connection's settings, so the sync engine never names a CRM's classes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from integrations.providers.base import Provider, TokenManager, TokenStore, utc_now
from integrations.providers.budget import RequestBudget
from integrations.providers.hubspot.client import HubSpotClient, HubSpotProvider
from integrations.providers.hubspot.oauth import API_BASE_URL, HubSpotApp, HubSpotOAuth
from integrations.providers.outbound import guarded_client
from integrations.providers.salesforce.client import SalesforceClient, SalesforceProvider
from integrations.providers.salesforce.oauth import LOGIN_URL, SalesforceApp, SalesforceOAuth

PROVIDERS = ("hubspot", "salesforce")


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """What a connection row knows. ``base_url``: HubSpot's API base or Salesforce's login URL (a sandbox, an
    EU data centre, a fake); None for the vendor's default. ``budget_key`` names the CRM account and starts
    with the workspace id (house rule: throttles are keyed by workspace)."""

    provider: str
    budget_key: str
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = ""
    base_url: str | None = None
    # HubSpot private-app token: nothing to refresh.
    private_app: bool = False
    default_currency: str = "JPY"


def provider_for(
    settings: ProviderSettings,
    *,
    tokens: TokenStore,
    budget: RequestBudget | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], dt.datetime] = utc_now,
) -> Provider:
    if settings.provider == "hubspot":
        base_url = settings.base_url or API_BASE_URL
        refresher = None
        if not settings.private_app:
            app = HubSpotApp(settings.client_id, settings.client_secret, settings.redirect_uri, scopes=())
            oauth = HubSpotOAuth(app, http=guarded_client(transport), base_url=base_url, clock=clock)
            refresher = oauth.refresh
        client = HubSpotClient(
            tokens=TokenManager(tokens, refresher, clock=clock),
            base_url=base_url,
            transport=transport,
            budget=budget,
            budget_key=settings.budget_key,
            sleep=sleep,
        )
        return HubSpotProvider(client, default_currency=settings.default_currency)
    if settings.provider == "salesforce":
        app = SalesforceApp(settings.client_id, settings.client_secret, settings.redirect_uri)
        sf_oauth = SalesforceOAuth(
            app, http=guarded_client(transport), login_url=settings.base_url or LOGIN_URL, clock=clock
        )
        sf_client = SalesforceClient(
            tokens=TokenManager(tokens, sf_oauth.refresh, clock=clock),
            transport=transport,
            budget=budget,
            budget_key=settings.budget_key,
            sleep=sleep,
        )
        return SalesforceProvider(sf_client, default_currency=settings.default_currency, clock=clock)
    raise ValueError(f"unknown provider {settings.provider!r}")
