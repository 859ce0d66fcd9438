"""HubSpot OAuth: the authorise URL, code -> token exchange and refresh on the v3 token endpoint.

``POST /oauth/v3/token`` takes its parameters form-encoded in the body (HubSpot public API spec collection,
``Auth/Oauth/Rollouts/279897/v3/oauth.json``; v1 is deprecated on 2027-02-16). Access tokens live 30 minutes;
we follow ``expires_in`` rather than assuming it. Refresh tokens do not expire and are not rotated, but if a
response carries one we keep it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import httpx

from integrations.providers.base import Credentials, PermanentError, utc_now
from integrations.providers.http import get_json, post_token_form

AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize"
API_BASE_URL = "https://api.hubapi.com"
TOKEN_PATH = "/oauth/v3/token"  # noqa: S105 - a URL path, not a secret
# The token's metadata, hub_id (the portal) among it; the token is the path, no Authorization header.
TOKEN_INFO_PATH = "/oauth/v1/access-tokens/{token}"  # noqa: S105 - a URL path, not a secret
# The account of a private-app token (any scope may read it).
ACCOUNT_DETAILS_PATH = "/account-info/v3/details"
DEFAULT_LIFETIME = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class HubSpotApp:
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...] = ()


def authorize_url(
    app: HubSpotApp, *, state: str, authorize_base: str = AUTHORIZE_URL, code_challenge: str | None = None
) -> str:
    """Where to send the user. ``state`` is the caller's signed, single-use value; checked on the callback."""
    query = {
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": " ".join(app.scopes),
        "state": state,
    }
    if app.optional_scopes:
        query["optional_scope"] = " ".join(app.optional_scopes)
    if code_challenge:
        query["code_challenge"] = code_challenge
        query["code_challenge_method"] = "S256"
    return f"{authorize_base}?{urlencode(query)}"


class HubSpotOAuth:
    def __init__(
        self,
        app: HubSpotApp,
        *,
        http: httpx.Client,
        base_url: str = API_BASE_URL,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.app = app
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.token_url = self.base_url + TOKEN_PATH
        self.clock = clock

    def exchange_code(self, code: str, *, code_verifier: str | None = None) -> Credentials:
        form = {
            "grant_type": "authorization_code",
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "redirect_uri": self.app.redirect_uri,
            "code": code,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        return self._credentials(
            post_token_form(self.http, self.token_url, form, refused="code_refused"), None
        )

    def exchange_code_account(
        self, code: str, *, code_verifier: str | None = None
    ) -> tuple[Credentials, str]:
        """The code's tokens and the portal (hub id) they belong to: the connection's account id."""
        credentials = self.exchange_code(code, code_verifier=code_verifier)
        url = self.base_url + TOKEN_INFO_PATH.format(token=quote(credentials.access_token, safe=""))
        info = get_json(self.http, url, refused="token_unknown")
        if not str(info.get("hub_id") or "").isdigit():
            raise PermanentError("integrations.provider.rejected", reason="no_hub_id")
        return credentials, str(info["hub_id"])

    def refresh(self, credentials: Credentials) -> Credentials:
        """The :class:`TokenManager` refresher for an OAuth connection."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "refresh_token": credentials.refresh_token or "",
        }
        body = post_token_form(self.http, self.token_url, form, refused="refresh_refused")
        return self._credentials(body, credentials)

    def _credentials(self, body: dict, previous: Credentials | None) -> Credentials:
        lifetime = (
            dt.timedelta(seconds=int(body["expires_in"])) if body.get("expires_in") else DEFAULT_LIFETIME
        )
        return Credentials(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or (previous.refresh_token if previous else ""))
            or None,
            expires_at=self.clock() + lifetime,
            scopes=tuple(str(body.get("scope", "")).split()) or (previous.scopes if previous else ()),
        )


def private_app_account(http: httpx.Client, token: str, *, base_url: str = API_BASE_URL) -> str:
    """The portal id of a private-app token; :class:`AuthFailed` (``token_refused``) if HubSpot refuses it."""
    body = get_json(
        http, base_url.rstrip("/") + ACCOUNT_DETAILS_PATH, headers={"Authorization": f"Bearer {token}"},
        refused="token_refused",
    )  # fmt: skip
    if not str(body.get("portalId") or "").isdigit():
        raise PermanentError("integrations.provider.rejected", reason="no_portal_id")
    return str(body["portalId"])
