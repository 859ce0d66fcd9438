"""The subscription calendar feed, outside the API: a calendar app fetches it with no session.

``/calendar/<token>.ics``: the token is the workspace's feed secret (see ``checklist.reviews.services``).
An unknown, malformed, rotated or revoked token answers the same bare 404, so a probe learns nothing.
Fetches are limited per token and per address (``CALENDAR_FEED_TOKEN_RATE``, ``CALENDAR_FEED_ADDRESS_RATE``)
before the token is even looked at: a 429 with ``Retry-After`` when either is used up.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rest_framework.throttling import BaseThrottle

from checklist.reviews.selectors import calendar_feed_workspace, calendar_meetings, review_calendar_ics
from checklist.reviews.tokens import FEED_WORKSPACE_CHARS, feed_token_hash
from core.messages import active_language
from tenants.api.throttling import WindowRateLimit
from tenants.context import workspace_context


def _retry_after(request: HttpRequest, token: str) -> int | None:
    """Count this fetch against the token's limit (keyed under the workspace it names) and the address's."""
    workspace_part = token[:FEED_WORKSPACE_CHARS]
    if not re.fullmatch(r"[0-9a-f]{32}", workspace_part):  # a malformed token names no workspace
        workspace_part = "-"
    token_key = f"throttle:calendar_feed:ws:{workspace_part}:token:{feed_token_hash(token)[:32]}"
    address_key = f"throttle:calendar_feed:ip:{BaseThrottle().get_ident(request)}"  # type: ignore[arg-type]
    waits = [
        WindowRateLimit(settings.CALENDAR_FEED_ADDRESS_RATE).hit(address_key),
        WindowRateLimit(settings.CALENDAR_FEED_TOKEN_RATE).hit(token_key),
    ]
    return max((w for w in waits if w is not None), default=None)


@never_cache
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    wait = _retry_after(request, token)
    if wait is not None:
        refused = HttpResponse(b"Too many requests", status=429, content_type="text/plain; charset=utf-8")
        refused["Retry-After"] = str(wait)
        return refused
    workspace = calendar_feed_workspace(token)
    if workspace is None:
        return HttpResponseNotFound(b"Not found", content_type="text/plain; charset=utf-8")
    with workspace_context(workspace.id):
        body = review_calendar_ics(
            workspace=workspace, meetings=calendar_meetings(), language=active_language()
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reviews.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [path("<str:token>.ics", calendar_feed, name="checklist-calendar-feed")]
