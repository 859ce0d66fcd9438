"""Salesforce OAuth 2.0 web-server flow with PKCE, and the refresh-token grant (research note §3.1).

The token response has no ``expires_in``: the session lives as long as the org's session timeout (2 hours by
default), so we assume a shorter lifetime and refresh proactively, plus once on ``INVALID_SESSION_ID``. With
refresh-token rotation on, a response carries a *new* refresh token and the old one is dead: the
:class:`TokenManager` saves it through the token store at once. ``instance_url`` may change on any refresh.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx

from integrations.providers.base import Credentials, PermanentError, utc_now
from integrations.providers.http import post_token_form

LOGIN_URL = "https://login.salesforce.com"  # test.salesforce.com for sandboxes, or the org's My Domain
ASSUMED_SESSION_LIFETIME = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SalesforceApp:
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...] = ("api", "refresh_token")


@dataclass(frozen=True, slots=True)
class PkcePair:
    verifier: str
    challenge: str


def pkce_pair() -> PkcePair:
    """A fresh code verifier (kept server-side with the signed state) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)  # 86 characters, inside RFC 7636's 43..128
    return PkcePair(verifier, pkce_challenge(verifier))


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(app: SalesforceApp, *, state: str, code_challenge: str, login_url: str = LOGIN_URL) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": " ".join(app.scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{login_url.rstrip('/')}/services/oauth2/authorize?{urlencode(query)}"


class SalesforceOAuth:
    def __init__(
        self,
        app: SalesforceApp,
        *,
        http: httpx.Client,
        login_url: str = LOGIN_URL,
        clock: Callable[[], dt.datetime] = utc_now,
        session_lifetime: dt.timedelta = ASSUMED_SESSION_LIFETIME,
    ) -> None:
        self.app = app
        self.http = http
        self.token_url = login_url.rstrip("/") + "/services/oauth2/token"
        self.clock = clock
        self.session_lifetime = session_lifetime

    def exchange_code(self, code: str, *, code_verifier: str) -> Credentials:
        return self._credentials(self._exchange(code, code_verifier), None)

    def exchange_code_account(self, code: str, *, code_verifier: str) -> tuple[Credentials, str]:
        """The code's tokens and the org they belong to (the connection's account id), read from the
        identity URL of the answer (``.../id/<org id>/<user id>``): no second request needed."""
        body = self._exchange(code, code_verifier)
        return self._credentials(body, None), org_id_from_identity(str(body.get("id") or ""))

    def _exchange(self, code: str, code_verifier: str) -> dict:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "redirect_uri": self.app.redirect_uri,
            "code_verifier": code_verifier,
        }
        return post_token_form(self.http, self.token_url, form, refused="code_refused")

    def refresh(self, credentials: Credentials) -> Credentials:
        """The :class:`TokenManager` refresher; a rotated refresh token comes back in the credentials."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "refresh_token": credentials.refresh_token or "",
        }
        body = post_token_form(self.http, self.token_url, form, refused="refresh_refused")
        return self._credentials(body, credentials)

    def _credentials(self, body: dict, previous: Credentials | None) -> Credentials:
        return Credentials(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or "")
            or (previous.refresh_token if previous else None),
            expires_at=self.clock() + self.session_lifetime,
            instance_url=str(body.get("instance_url") or "") or (previous.instance_url if previous else None),
            scopes=tuple(str(body.get("scope", "")).split()) or (previous.scopes if previous else ()),
        )


def org_id_from_identity(identity_url: str) -> str:
    parts = [p for p in urlsplit(identity_url).path.split("/") if p]
    if len(parts) >= 3 and parts[-3] == "id" and parts[-2].startswith("00D") and len(parts[-2]) in {15, 18}:
        return parts[-2]
    raise PermanentError("integrations.provider.rejected", reason="no_org_id")
