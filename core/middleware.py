"""Refuses a request whose address holds a NUL byte before any view sees it (PostgreSQL cannot compare text
with NUL; a key prefix or filter carrying one ended in a 500)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from core.api.errors import error_body
from core.messages import message_render


class ForbiddenCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return self._refuse(request, "bad_request", message_render("input.bad_path"), {})
        query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True, errors="replace")
        named = sorted({name for name, value in query if "\x00" in name or "\x00" in value})
        if named:
            message = message_render("input.forbidden_character")
            return self._refuse(request, "forbidden_character", message, {n: [message] for n in named})
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, code: str, message: str, fields: dict[str, list[str]]) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(code, message, fields), status=400)
        return HttpResponseBadRequest(message)
