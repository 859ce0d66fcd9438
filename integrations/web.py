"""The two integrations endpoints outside the workspace prefix, since the CRM calls them, not our API clients:

- ``GET /integrations/oauth/<provider>/callback/``: where the CRM sends the browser back after the person
  authorised the app. The workspace comes from the signed state, never from the URL.
- ``POST /integrations/webhooks/hubspot/``: HubSpot's webhook calls (public: no session, no CSRF token; the v3
  signature with the app's client secret is the authentication).

Neither holds a transaction across its network calls (``non_atomic_requests``); the services open their own.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.api.errors import error_body
from core.errors import ServiceError
from core.messages import message_render
from integrations import oauth, webhooks
from integrations.api.serializers import ConnectionOutputSerializer
from integrations.providers.hubspot.webhooks import verify_signature_v3
from integrations.tasks import hubspot_webhook_dispatch_task
from tenants.context import workspace_context

logger = logging.getLogger(__name__)

# Who is refused, rather than what: the person is signed out, someone else, or no longer allowed.
_FORBIDDEN = {
    "integrations.oauth.sign_in_required",
    "integrations.oauth.wrong_user",
    "integrations.oauth.forbidden",
}
_UNAVAILABLE = {"integrations.oauth.provider_unreachable"}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refusal(request: HttpRequest, error: ServiceError) -> HttpResponse:
    status = 403 if error.code in _FORBIDDEN else 502 if error.code in _UNAVAILABLE else 400
    message = error.message
    if _wants_json(request):
        return JsonResponse(error_body(error.code, message, params=error.params), status=status)
    return render(
        request, "integrations/oauth_result.html", {"code": error.code, "message": message}, status=status
    )


@require_GET
@transaction.non_atomic_requests
def oauth_callback(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        connection = oauth.oauth_complete(
            provider=provider, state=request.GET.get("state", ""), code=request.GET.get("code", ""),
            error=request.GET.get("error", ""), user=request.user,
        )  # fmt: skip
    except ServiceError as error:
        logger.info("oauth callback refused: %s", error.code)
        return _refusal(request, error)
    if _wants_json(request):
        with workspace_context(connection.workspace_id):
            return JsonResponse(ConnectionOutputSerializer(connection).data)
    done = message_render("integrations.oauth.connected", {"provider": connection.get_provider_display()})
    messages.success(request, done)
    return redirect(oauth.oauth_done_url(connection) if not request.user.is_authenticated else "home")


def _webhook_refusal(code: str, status: int, **params: str) -> JsonResponse:
    return JsonResponse(error_body(code, message_render(code, params), params=params), status=status)


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def hubspot_webhook(request: HttpRequest) -> HttpResponse:
    secret = getattr(settings, "HUBSPOT_CLIENT_SECRET", "")
    if not secret:
        return _webhook_refusal("integrations.webhook.not_configured", 401, provider="HubSpot")
    body = request.body
    # HubSpot signs the URL it called; behind a proxy that rewrites it, HUBSPOT_WEBHOOK_URL names it.
    uri = getattr(settings, "HUBSPOT_WEBHOOK_URL", "") or request.build_absolute_uri()
    if not verify_signature_v3(
        client_secret=secret, method=request.method or "POST", uri=uri, body=body,
        signature=request.headers.get("X-HubSpot-Signature-v3"),
        timestamp=request.headers.get("X-HubSpot-Request-Timestamp"),
    ):  # fmt: skip
        logger.warning("hubspot webhook refused: bad or stale signature")
        return _webhook_refusal("integrations.webhook.signature_invalid", 401)
    try:
        events = webhooks.hubspot_events_parse(json.loads(body))
    except (ValueError, webhooks.WebhookBodyInvalid):
        return _webhook_refusal("integrations.webhook.body_invalid", 400)
    payload = [event.as_json() for event in events if event.object_type is not None]
    if payload:
        # Answered at once; the dispatcher finds the portal's connections and queues their syncs.
        transaction.on_commit(lambda: hubspot_webhook_dispatch_task.delay(payload))
    return HttpResponse(status=204)
