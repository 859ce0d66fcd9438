"""The per-principal rate limit counts atomically, so parallel requests cannot slip past it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.test import APIClient

from tenants.api.throttling import PrincipalRateThrottle, window_count
from tests.conftest import World


def test_parallel_increments_each_get_their_own_number() -> None:
    """Each of 400 increments from 8 threads sees a distinct count: none read a stale value (with Redis
    when REDIS_URL is set, else the local cache)."""
    key = f"test-throttle:{uuid.uuid4().hex}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _: window_count(key, ttl=60), range(400)))
    assert sorted(counts) == list(range(1, 401))


@pytest.fixture
def five_per_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PrincipalRateThrottle, "THROTTLE_RATES", {"principal": "5/min"})
    # A fixed clock 20 s into a minute: the window cannot turn over mid-test.
    monkeypatch.setattr(PrincipalRateThrottle, "timer", staticmethod(lambda: 60.0 * 29_000_000 + 20))


def test_a_key_over_its_limit_gets_429_with_retry_after(
    world: World, client_as: Callable[..., APIClient], five_per_minute: None
) -> None:
    client = client_as("api_key")
    url = f"/api/v1/workspaces/{world.a.workspace.id}/kpi/plans/"
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Retry-After"] == "40"
    assert refused.json()["error"]["code"] == "throttled"
    # Another principal has a counter of its own.
    assert (
        client_as("api_key", side="b")
        .get(f"/api/v1/workspaces/{world.b.workspace.id}/kpi/plans/")
        .status_code
        == 200
    )
