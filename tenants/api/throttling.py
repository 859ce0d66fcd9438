"""Fair use per API key (keyed under its workspace), per user, or per address when anonymous.

Counted atomically: one counter per principal and window, incremented in Redis with INCR (DRF's own
throttle reads a history, then writes it back, so parallel requests each saw room and a 1,200/min key
served 1,300 in 19 s on 6 connections). Fixed windows: at most the limit in any calendar minute.
"""

from __future__ import annotations

import math
import time
from functools import cache as memoize
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from tenants.models import WorkspaceApiKey


@memoize
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def window_count(key: str, *, ttl: int) -> int:
    """Add one to ``key``'s counter and return it; the counter lives ``ttl`` seconds from its first use."""
    full_key = cache.make_key(key)
    if settings.REDIS_URL:
        pipe = _redis().pipeline(transaction=True)
        pipe.incr(full_key)
        pipe.expire(full_key, ttl, nx=True)
        count, _expiry_set = pipe.execute()
        return int(count)
    # Without Redis (the embedded default, one process): the local cache increments under its own lock.
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=ttl)
        return 1


class PrincipalRateThrottle(SimpleRateThrottle):
    scope = "principal"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, WorkspaceApiKey):
            ident = f"ws:{request.auth.workspace_id}:key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.remaining_seconds = self.duration - (now % self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        return window_count(key, ttl=int(self.duration) + 1) <= self.num_requests

    def wait(self) -> float:
        return self.remaining_seconds


_DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class WindowRateLimit:
    """A fixed-window limit outside DRF (the calendar feed): ``rate`` like ``"30/min"``, counted atomically
    with :func:`window_count`. :meth:`hit` counts one use of ``key`` and answers the seconds to wait when
    that use is over the limit, else None."""

    timer = staticmethod(time.time)

    def __init__(self, rate: str) -> None:
        number, period = rate.split("/")
        self.num_requests, self.duration = int(number), _DURATIONS[period[0]]

    def hit(self, key: str) -> int | None:
        now = self.timer()
        window = int(now // self.duration)
        if window_count(f"{key}:{window}", ttl=self.duration + 1) <= self.num_requests:
            return None
        return max(1, math.ceil(self.duration - now % self.duration))
