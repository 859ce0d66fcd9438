"""The request loop both CRM clients share: budget, auth, one forced refresh on an expired token, retries.

Retry classes (research note §1.5): :class:`RateLimited` and :class:`TransientError` wait and retry, up to
``max_attempts``; :class:`TokenExpired` refreshes once and retries *the same request* (so a page in the middle of
a pagination is simply re-asked); everything else is raised to the engine at once. Sleeping and jitter are
injected, so tests run instantly and deterministically.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.providers.base import (
    AuthFailed,
    Credentials,
    PermanentError,
    ProviderError,
    RateLimited,
    TokenExpired,
    TokenManager,
    TransientError,
)
from integrations.providers.budget import Rate, RequestBudget

# Default waits per HubSpot policy when the 429 has no Retry-After (it often has none).
POLICY_WAITS: dict[str, float] = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}
# A budget that keeps asking us to wait this long is misconfigured; fail rather than hang a worker.
MAX_BUDGET_WAIT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful response, decoded once."""

    body: Any
    headers: httpx.Headers
    status: int


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0


Classifier = Callable[[httpx.Response], ProviderError | None]


class RequestLoop:
    def __init__(
        self,
        *,
        http: httpx.Client,
        tokens: TokenManager,
        base_url: Callable[[Credentials], str],
        auth_headers: Callable[[Credentials], Mapping[str, str]],
        classify: Classifier,
        budget: RequestBudget,
        budget_key: str,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.base_url = base_url
        self.auth_headers = auth_headers
        self.classify = classify
        self.budget = budget
        self.budget_key = budget_key
        self.retry = retry
        self.sleep = sleep
        self.jitter = jitter
        self.requests_sent = 0

    def send(
        self,
        method: str,
        path: str,
        *,
        rates: Mapping[str, Rate],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Reply:
        """Send ``path`` (relative to the account's base URL) and return the decoded successful response.

        ``rates`` maps bucket suffixes to their rates: every request takes one token from each."""
        refreshed = False
        attempt = 0
        credentials = self.tokens.current()
        while True:
            attempt += 1
            for suffix, rate in rates.items():
                self._take_budget(f"{self.budget_key}:{suffix}", rate)
            url = path if path.startswith("http") else self.base_url(credentials).rstrip("/") + path
            self.requests_sent += 1
            try:
                response = self.http.request(
                    method, url, params=params, json=json, headers=dict(self.auth_headers(credentials))
                )
            except httpx.TimeoutException:
                error: ProviderError = TransientError(None, "timeout")
            except httpx.TransportError:
                error = TransientError(None, "connection")
            else:
                classified = self.classify(response)
                if classified is None:
                    try:
                        return Reply(response.json(), response.headers, response.status_code)
                    except ValueError:
                        # A body cut short in transit: the request itself was fine, so ask again.
                        classified = TransientError(response.status_code, "invalid_json")
                error = classified
            if isinstance(error, TokenExpired):
                if refreshed or not self.tokens.can_refresh:
                    # A second 401 right after a refresh, or a token nothing can refresh: the grant is bad.
                    raise AuthFailed("token_rejected") from error
                refreshed = True
                credentials = self.tokens.force_refresh(credentials.access_token)
                attempt -= 1
                continue
            if isinstance(error, RateLimited | TransientError) and attempt < self.retry.max_attempts:
                self.sleep(self._delay(error, attempt))
                continue
            raise error

    def _delay(self, error: ProviderError, attempt: int) -> float:
        if isinstance(error, RateLimited):
            if error.retry_after is not None:
                return error.retry_after
            if error.policy in POLICY_WAITS:
                # SECONDLY: 1 s x attempt; TEN_SECONDLY_ROLLING: 10 s plus jitter so workers do not stampede.
                base = POLICY_WAITS[error.policy]
                return base * attempt if error.policy == "SECONDLY" else base + self.jitter()
        # Exponential with full jitter.
        return self.jitter() * min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))

    def _take_budget(self, bucket: str, rate: Rate) -> None:
        waited = 0.0
        while (wait := self.budget.acquire(bucket, rate)) > 0:
            if waited > MAX_BUDGET_WAIT_SECONDS:
                raise RateLimited("budget", wait)
            self.sleep(wait)
            waited += wait


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from these CRMs; fall back to the policy wait


def json_or_empty(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


def _answered(send: Callable[[], httpx.Response], *, endpoint: str) -> httpx.Response:
    """One request of an OAuth or account endpoint, its transport failures, 429 and 5xx on the taxonomy."""
    try:
        response = send()
    except httpx.TimeoutException as exc:
        raise TransientError(None, "timeout") from exc
    except httpx.TransportError as exc:
        raise TransientError(None, "connection") from exc
    if response.status_code == 429:
        raise RateLimited(endpoint, retry_after_seconds(response))
    if response.status_code >= 500:
        raise TransientError(response.status_code, f"{endpoint}_endpoint")
    return response


def post_token_form(http: httpx.Client, url: str, form: Mapping[str, str], *, refused: str) -> dict[str, Any]:
    """POST an OAuth token request (form-encoded) and return its JSON, mapped onto the error taxonomy.

    A 400/401 is the grant being refused (``invalid_grant``, a spent rotated refresh token, a revoked app):
    permanent, the connection needs re-authorising, so it is never retried. ``refused`` names the reason."""
    response = _answered(
        lambda: http.post(url, data=dict(form), headers={"Accept": "application/json"}), endpoint="token"
    )
    body = json_or_empty(response)
    if response.status_code >= 400 or not isinstance(body, dict) or "access_token" not in body:
        raise AuthFailed(refused)
    return body


def get_json(
    http: httpx.Client, url: str, *, headers: Mapping[str, str] | None = None, refused: str
) -> dict[str, Any]:
    """GET an account-information endpoint and return its JSON object, mapped onto the error taxonomy.

    401/403/404 mean the token is not (or no longer) accepted: :class:`AuthFailed` with ``refused``."""
    response = _answered(
        lambda: http.get(url, headers={"Accept": "application/json", **dict(headers or {})}),
        endpoint="account",
    )
    if response.status_code in {401, 403, 404}:
        raise AuthFailed(refused)
    body = json_or_empty(response)
    if response.status_code >= 400 or not isinstance(body, dict):
        raise PermanentError("integrations.provider.rejected", status=response.status_code)
    return body
