"""Connecting a CRM account: the OAuth flows (HubSpot; Salesforce with PKCE) and the HubSpot private-app token.

The OAuth ``state`` is signed (``django.core.signing``, its own salt), expires after 10 minutes, names the
workspace, the person (or partner key) who started, the provider and a nonce, and is single-use: the nonce's
record lives in the cache (Redis in production) under the workspace's key prefix, with what must not travel in
the URL (Salesforce's PKCE verifier) and what the start asked for (display name, base URL). The callback
deletes that record; only the one request whose delete succeeds goes on, so a replayed or raced state is
refused.

Network calls (token exchange, account lookup) run outside any transaction; only the write that follows
opens one, in the workspace named by the verified state.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from core.errors import ServiceError
from integrations import services, sync
from integrations.models import Connection, SyncRun
from integrations.providers import outbound
from integrations.providers.base import AuthFailed, Credentials, PermanentError, ProviderError
from integrations.providers.hubspot import oauth as hubspot_oauth
from integrations.providers.salesforce import oauth as salesforce_oauth
from tenants.access import Principal, principal_for_api_key, principal_for_user
from tenants.context import workspace_context
from tenants.models import User, Workspace, WorkspaceApiKey
from tenants.roles import Perm
from tenants.services import Actor
from tenants.tasks import workspace_cache_key

OAUTH_PROVIDERS = (Connection.Provider.HUBSPOT.value, Connection.Provider.SALESFORCE.value)
STATE_SALT = "integrations.oauth.state"
STATE_MAX_AGE_SECONDS = 600
PROVIDER_LABELS = dict(Connection.Provider.choices)
_BASE_URL_REFUSALS = {
    "integrations.outbound.host_refused": "integrations.connection.base_url_host_refused",
    "integrations.outbound.host_unresolvable": "integrations.connection.base_url_host_unresolvable",
}


@dataclass(frozen=True, slots=True)
class OAuthApp:
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...]


def oauth_app(provider: str) -> OAuthApp:
    """The provider's OAuth app from the settings; refused when it is not configured."""
    prefix = provider.upper()
    client_id = getattr(settings, f"{prefix}_CLIENT_ID", "")
    client_secret = getattr(settings, f"{prefix}_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        raise ServiceError("integrations.oauth.not_configured", params=_provider_params(provider))
    redirect_uri = getattr(settings, f"{prefix}_REDIRECT_URI", "") or urljoin(
        settings.SITE_URL, reverse("integrations-oauth-callback", kwargs={"provider": provider})
    )
    return OAuthApp(client_id, client_secret, redirect_uri, tuple(getattr(settings, f"{prefix}_SCOPES", ())))


def _provider_params(provider: str) -> dict[str, str]:
    return {"provider": PROVIDER_LABELS.get(provider, provider)}


def _nonce_key(workspace_id: Any, nonce: str) -> str:
    return workspace_cache_key(workspace_id, "oauth", "state", nonce)


# --- start ---------------------------------------------------------------------------------------------------


def oauth_start(*, principal: Principal, provider: str, display_name: str = "", base_url: str = "") -> str:
    """The URL to send the person to; records the state's nonce (single use, 10 minutes)."""
    if provider not in OAUTH_PROVIDERS:
        raise ServiceError("integrations.oauth.not_configured", params=_provider_params(provider))
    app = oauth_app(provider)
    base_url = services.base_url_check(base_url)
    nonce = secrets.token_urlsafe(24)
    workspace = principal.workspace
    claims: dict[str, Any] = {"w": str(workspace.id), "p": provider, "n": nonce}
    if principal.api_key is not None:
        claims["k"] = str(principal.api_key.pk)
    else:
        assert principal.user is not None
        claims["u"] = str(principal.user.pk)
    state = signing.dumps(claims, salt=STATE_SALT)
    record: dict[str, Any] = {"display_name": display_name, "base_url": base_url}
    if provider == Connection.Provider.SALESFORCE:
        pkce = salesforce_oauth.pkce_pair()  # the verifier stays here; only its challenge goes in the URL
        record["verifier"] = pkce.verifier
        login_url = base_url or salesforce_oauth.LOGIN_URL
        url = salesforce_oauth.authorize_url(
            salesforce_oauth.SalesforceApp(app.client_id, app.client_secret, app.redirect_uri, app.scopes),
            state=state, code_challenge=pkce.challenge, login_url=login_url,
        )  # fmt: skip
    else:
        # A base URL (a fake HubSpot) serves the authorise page too; the real one lives on app.hubspot.com.
        authorize_base = f"{base_url}/oauth/authorize" if base_url else hubspot_oauth.AUTHORIZE_URL
        url = hubspot_oauth.authorize_url(
            hubspot_oauth.HubSpotApp(app.client_id, app.client_secret, app.redirect_uri, app.scopes),
            state=state, authorize_base=authorize_base,
        )  # fmt: skip
    cache.set(_nonce_key(workspace.id, nonce), record, timeout=STATE_MAX_AGE_SECONDS)
    return url


# --- callback ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OAuthState:
    workspace_id: str
    provider: str
    nonce: str
    user_id: str | None
    api_key_id: str | None


def oauth_state_read(*, state: str, provider: str) -> OAuthState:
    """The verified claims of ``state``: refused if tampered with, for another provider, or expired."""
    try:
        claims = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise ServiceError("integrations.oauth.state_expired") from exc
    except signing.BadSignature as exc:
        raise ServiceError("integrations.oauth.state_invalid") from exc
    if (
        not isinstance(claims, dict)
        or claims.get("p") != provider
        or not claims.get("n")
        or not claims.get("w")
    ):
        raise ServiceError("integrations.oauth.state_invalid")
    return OAuthState(str(claims["w"]), provider, str(claims["n"]), claims.get("u"), claims.get("k"))


def _starter_actor(*, parsed: OAuthState, user: Any) -> tuple[Workspace, Actor]:
    """The person (or key) who started, still allowed to manage the workspace's connections, and the one
    asking now: the state is bound to them."""
    workspace = Workspace.objects.filter(id=parsed.workspace_id).first()
    if workspace is None:
        raise ServiceError("integrations.oauth.state_invalid")
    if parsed.api_key_id is not None:
        # Started by a partner key: no session to compare with; the key must still be live and scoped.
        key = WorkspaceApiKey.objects.filter(pk=parsed.api_key_id, workspace=workspace).first()
        principal = principal_for_api_key(api_key=key, workspace=workspace) if key is not None else None
        if principal is None or not principal.has(Perm.INTEGRATIONS_WRITE):
            raise ServiceError("integrations.oauth.forbidden")
        return workspace, Actor.of(principal)
    if user is None or not user.is_authenticated:
        raise ServiceError("integrations.oauth.sign_in_required")
    if str(user.pk) != parsed.user_id:
        raise ServiceError("integrations.oauth.wrong_user")
    principal = principal_for_user(user=user, workspace=workspace)
    if principal is None or not principal.has(Perm.INTEGRATIONS_WRITE):
        raise ServiceError("integrations.oauth.forbidden")
    return workspace, Actor.of(principal)


def _nonce_consume(parsed: OAuthState) -> dict[str, Any]:
    key = _nonce_key(parsed.workspace_id, parsed.nonce)
    record = cache.get(key)
    # Only the request whose delete removed the record goes on: a replay, even a simultaneous one, is refused.
    if not isinstance(record, dict) or not cache.delete(key):
        raise ServiceError("integrations.oauth.state_used")
    return record


def _provider_failure(provider: str, error: ProviderError) -> ServiceError:
    params = _provider_params(provider)
    if isinstance(error, outbound.HostRefused):
        # The base URL the connection was asked for is the host refused (or unresolvable).
        return ServiceError(_BASE_URL_REFUSALS[error.code], params=params, field="base_url")
    if isinstance(error, AuthFailed | PermanentError):
        return ServiceError("integrations.oauth.code_refused", params=params)
    return ServiceError("integrations.oauth.provider_unreachable", params=params)


def _exchange(
    *,
    provider: str,
    app: OAuthApp,
    code: str,
    record: Mapping[str, Any],
    transport: httpx.BaseTransport | None,
) -> tuple[Credentials, str]:
    base_url = record.get("base_url") or ""
    with outbound.guarded_client(transport) as http:
        try:
            if provider == Connection.Provider.SALESFORCE:
                sf = salesforce_oauth.SalesforceOAuth(
                    salesforce_oauth.SalesforceApp(app.client_id, app.client_secret, app.redirect_uri, app.scopes),
                    http=http, login_url=base_url or salesforce_oauth.LOGIN_URL,
                )  # fmt: skip
                return sf.exchange_code_account(code, code_verifier=str(record.get("verifier") or ""))
            hs = hubspot_oauth.HubSpotOAuth(
                hubspot_oauth.HubSpotApp(app.client_id, app.client_secret, app.redirect_uri, app.scopes),
                http=http, base_url=base_url or hubspot_oauth.API_BASE_URL,
            )  # fmt: skip
            return hs.exchange_code_account(code)
        except ProviderError as error:
            raise _provider_failure(provider, error) from error


def oauth_complete(
    *,
    provider: str,
    state: str,
    code: str = "",
    error: str = "",
    user: User | Any = None,
    transport: httpx.BaseTransport | None = None,
) -> Connection:
    """The callback: verify the state and who is asking, spend the nonce, exchange the code, then create the
    connection or re-authorise the existing one of the same account, and queue its first sync."""
    parsed = oauth_state_read(state=state, provider=provider)
    workspace, actor = _starter_actor(parsed=parsed, user=user)
    record = _nonce_consume(parsed)
    if error or not code:
        raise ServiceError("integrations.oauth.denied", params=_provider_params(provider))
    app = oauth_app(provider)
    credentials, account_id = _exchange(
        provider=provider, app=app, code=code, record=record, transport=transport
    )
    with workspace_context(workspace.id):
        connection = services.connection_authorise(
            actor=actor, provider=provider, external_account_id=account_id,
            credentials=sync.credentials_stored(credentials),
            display_name=str(record.get("display_name") or "") or PROVIDER_LABELS[provider],
            base_url=str(record.get("base_url") or ""),
        )  # fmt: skip
        sync.sync_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL)
    return connection


# --- private-app token -----------------------------------------------------------------------------------------


def private_app_account_check(
    *, credentials: Mapping[str, Any], base_url: str = "", transport: httpx.BaseTransport | None = None
) -> str:
    """The HubSpot portal a private-app token belongs to; refused (nothing written) if HubSpot refuses it."""
    token = credentials.get("private_app_token")
    if not isinstance(token, str) or not token:
        return ""
    params = _provider_params(Connection.Provider.HUBSPOT)
    base = services.base_url_check(base_url) or hubspot_oauth.API_BASE_URL
    with outbound.guarded_client(transport, timeout=15.0) as http:
        try:
            return hubspot_oauth.private_app_account(http, token, base_url=base)
        except outbound.HostRefused as refused:
            raise _provider_failure(Connection.Provider.HUBSPOT, refused) from refused
        except AuthFailed as refused:
            raise ServiceError("integrations.connection.token_refused", params=params,
                               field="credentials") from refused  # fmt: skip
        except ProviderError as failure:
            raise ServiceError("integrations.connection.account_unreachable", params=params) from failure


def connection_connect(*, actor: Actor, **data: Any) -> Connection:
    """``POST connections/``: a HubSpot private-app token is checked against its account first (its portal
    fills ``external_account_id``); then :func:`services.connection_create`."""
    if data.get("provider") == Connection.Provider.HUBSPOT and (data.get("credentials") or {}).get(
        "private_app_token"
    ):
        account = private_app_account_check(
            credentials=data["credentials"], base_url=data.get("base_url", "")
        )
        given = data.get("external_account_id") or ""
        if given and given != account:
            raise ServiceError("integrations.connection.account_mismatch",
                               params=_provider_params(Connection.Provider.HUBSPOT),
                               field="external_account_id")  # fmt: skip
        data["external_account_id"] = account
    return services.connection_create(actor=actor, **data)


def connection_change(*, actor: Actor, connection: Connection, **data: Any) -> Connection:
    """``PATCH connections/{id}/``: a new HubSpot private-app token is checked like a first one, and must belong
    to the connection's portal (another portal's token would mix two CRMs' records in one connection)."""
    credentials = data.get("credentials") or {}
    if connection.provider == Connection.Provider.HUBSPOT and credentials.get("private_app_token"):
        account = private_app_account_check(
            credentials=credentials, base_url=data.get("base_url", connection.base_url)
        )
        expected = data.get("external_account_id") or connection.external_account_id
        if expected and expected != account:
            raise ServiceError("integrations.connection.account_mismatch",
                               params=_provider_params(Connection.Provider.HUBSPOT),
                               field="credentials")  # fmt: skip
        data["external_account_id"] = account
    return services.connection_update(actor=actor, connection=connection, **data)


def oauth_done_url(connection: Connection) -> str:
    """Where the browser lands after connecting: the connection in the API (the pages link from there)."""
    return reverse(
        "api-v1:integrations-connection-detail",
        kwargs={"workspace_id": connection.workspace_id, "pk": connection.id},
    )
