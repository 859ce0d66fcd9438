"""One error format for every 4xx (and the rare 5xx) the API returns.

{"error": {"code": "invalid", "params": {}, "message": "...", "fields": {"email": ["..."]}}}

``code`` and ``params`` are for machines (a partner acts on the code); ``message`` is the code's text in the
request's language (``core.messages``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

from core.api.conflicts import is_lost_race
from core.errors import HiddenScopeError, ServiceError
from core.messages import message_render

logger = logging.getLogger(__name__)


def error_body(
    code: str, message: str, fields: dict[str, Any] | None = None, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "params": params or {}, "message": message, "fields": fields or {}}}


def _first_code(detail: Any) -> str:
    if isinstance(detail, dict):
        return next((_first_code(v) for v in detail.values()), "invalid")
    if isinstance(detail, list):
        return _first_code(detail[0]) if detail else "invalid"
    return getattr(detail, "code", None) or "invalid"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        set_rollback()
        error = exc.as_json()
        fields = {exc.field: [error["message"]]} if exc.field else {}
        return Response(
            error_body(exc.code, error["message"], fields, error["params"]), status=exc.status_code
        )
    if isinstance(exc, IntegrityError):
        set_rollback()
        if is_lost_race(exc):
            # A uniqueness check passed, then a concurrent request took the value before our insert: the
            # database's constraint has the last word. The request's transaction rolls back.
            message = _("The data changed at the same time as your request. Reload and try again.")
            return Response(error_body("conflict", message), status=status.HTTP_409_CONFLICT)
        # Any other broken constraint is our bug, never the caller's: logged, and a 500 in the one format.
        logger.error("integrity error answered 500", exc_info=exc)
        body = error_body("server_error", _("Something went wrong on our side."))
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, HiddenScopeError):
        # A programming error, never the caller's: answer as not found rather than leak anything.
        exc = exceptions.NotFound()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(_first_code(detail), _("The request has invalid fields."), detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(code if isinstance(code, str) else "error", str(detail))
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error(request: HttpRequest, code: str, message: str, *, status: int) -> JsonResponse:
    """The error format outside DRF views (Django's handlers, middleware)."""
    return JsonResponse(error_body(code, message), status=status)


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", _("Something went wrong on our side.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        body = error_body("body_too_large", message_render("input.body_too_large"))
        return JsonResponse(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return JsonResponse(error_body("bad_request", _("Bad request.")), status=status.HTTP_400_BAD_REQUEST)
