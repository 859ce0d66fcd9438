"""Refuses a request whose address holds a NUL byte before any view sees it (PostgreSQL cannot compare text
with NUL; a key prefix or filter carrying one ended in a 500)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from core.api.errors import json_error
from core.messages import message_render


class ForbiddenCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote(request.META.get("QUERY_STRING", ""), errors="replace")
        if "\x00" in request.path or "\x00" in query:
            message = message_render("input.bad_path")
            if request.path.startswith("/api/"):
                return json_error(request, "bad_request", message, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
