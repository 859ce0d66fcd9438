"""``/healthz`` for load balancers and compose health checks: the database and Redis answer, or 503.

It names what failed and nothing else (no hosts, versions or secrets), needs no sign-in and is cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: database unreachable")
        return False


def _redis_state() -> str:
    if not settings.REDIS_URL:
        return "not_configured"  # the embedded default: tasks inline, per-process cache
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return "ok" if client.ping() else "error"
    except redis.RedisError:
        logger.exception("health check: redis unreachable")
        return "error"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok" if _database_ok() else "error", "redis": _redis_state()}
    healthy = all(state != "error" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class HealthCheckMiddleware:
    """Answers ``/healthz`` first, before host validation and the HTTPS redirect: a load balancer or a
    container health check calls it by IP over plain HTTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)
