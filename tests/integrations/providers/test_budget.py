"""Per-account request budgets: the in-memory token bucket, and the Redis one against a real Redis."""

from __future__ import annotations

import uuid

import pytest

from integrations.providers.budget import InMemoryBudget, Rate, RedisBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_asks_to_wait_and_refills() -> None:
    clock = Clock()
    budget = InMemoryBudget(clock=clock)
    rate = Rate(10, 10)  # 10 per 10 s
    assert [budget.acquire("hubspot:1:general", rate) for _ in range(10)] == [0.0] * 10
    assert budget.acquire("hubspot:1:general", rate) == pytest.approx(1.0)
    clock.now += 0.5
    assert budget.acquire("hubspot:1:general", rate) == pytest.approx(0.5)
    clock.now += 0.5
    assert budget.acquire("hubspot:1:general", rate) == 0.0


def test_a_small_burst_paces_evenly() -> None:
    clock = Clock()
    budget = InMemoryBudget(clock=clock)
    rate = Rate(4, 1, burst=1)
    assert budget.acquire("search", rate) == 0.0
    assert budget.acquire("search", rate) == pytest.approx(0.25)
    clock.now += 0.25
    assert budget.acquire("search", rate) == 0.0


def test_buckets_are_per_account() -> None:
    budget = InMemoryBudget(clock=Clock())
    rate = Rate(1, 1)
    assert budget.acquire("a", rate) == 0.0
    assert budget.acquire("a", rate) > 0
    assert budget.acquire("b", rate) == 0.0


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield client
    client.close()


def test_the_redis_bucket_is_shared_by_every_worker(redis_client) -> None:
    bucket = f"test:{uuid.uuid4()}"
    first_worker = RedisBudget(redis_client)
    second_worker = RedisBudget(redis_client)
    rate = Rate(3, 60)
    grants = [
        first_worker.acquire(bucket, rate),
        second_worker.acquire(bucket, rate),
        first_worker.acquire(bucket, rate),
    ]
    assert grants == [0.0, 0.0, 0.0]
    wait = second_worker.acquire(bucket, rate)
    assert 15 < wait <= 20  # one token per 20 s
    assert 0 < redis_client.pttl(f"integrations:budget:{bucket}") <= 61_000  # idle buckets expire
    redis_client.delete(f"integrations:budget:{bucket}")
