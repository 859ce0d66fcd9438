"""Per-account request budgets: token buckets shared by every worker that serves one CRM account.

CRM limits are per account (HubSpot portal, Salesforce org), so the bucket key names the account and a run on
any worker draws from the same bucket (research note §1.5). Pacing up front keeps 429s rare; the clients still
handle them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Rate:
    """``requests`` per ``per_seconds``, refilled continuously, with bursts of up to ``burst`` (default:
    ``requests``). Against a *rolling-window* limit of N per W, a bucket of N may send up to ~2N in one
    window (a full burst, then the refill), so pace such limits with a small burst."""

    requests: int
    per_seconds: float
    burst: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.per_seconds

    @property
    def capacity(self) -> int:
        return self.burst or self.requests


class RequestBudget(Protocol):
    def acquire(self, bucket: str, rate: Rate) -> float:
        """Take one request from ``bucket``: 0.0 when granted, else the seconds to wait before asking again."""


class UnlimitedBudget:
    def acquire(self, bucket: str, rate: Rate) -> float:
        return 0.0


class InMemoryBudget:
    """One process's buckets (tests, the standalone fakes, a single worker)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # bucket -> (tokens, at)
        self._lock = threading.Lock()

    def acquire(self, bucket: str, rate: Rate) -> float:
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(bucket, (float(rate.capacity), now))
            tokens = min(float(rate.capacity), tokens + (now - at) * rate.per_second)
            if tokens >= 1:
                self._buckets[bucket] = (tokens - 1, now)
                return 0.0
            self._buckets[bucket] = (tokens, now)
            return (1 - tokens) / rate.per_second


# Refill and take atomically on the server, on the server's clock, so workers on different hosts agree.
_BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ttl)
return wait
"""


class RedisBudget:
    """Buckets in Redis, shared by all workers. ``redis_client`` is a ``redis.Redis``."""

    def __init__(self, redis_client: Any, prefix: str = "integrations:budget:") -> None:
        self._redis = redis_client
        self._prefix = prefix
        self._script = redis_client.register_script(_BUCKET_SCRIPT)

    def acquire(self, bucket: str, rate: Rate) -> float:
        refill_per_ms = rate.per_second / 1000
        full_in_ms = int(rate.capacity / refill_per_ms) + 1000  # an idle bucket is full: forget it
        wait_ms = self._script(
            keys=[self._prefix + bucket], args=[rate.capacity, repr(refill_per_ms), full_in_ms]
        )
        return int(wait_ms) / 1000
