"""The subscription calendar feed, outside the API: a calendar app fetches it with no session.

``/calendar/<token>.ics``: the token is the workspace's feed secret (see ``checklist.reviews.services``).
An unknown, malformed, rotated or revoked token answers the same bare 404, so a probe learns nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from checklist.reviews.selectors import calendar_feed_workspace, calendar_meetings, review_calendar_ics
from core.messages import active_language
from tenants.context import workspace_context


@never_cache
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
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
