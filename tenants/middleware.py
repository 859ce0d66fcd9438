"""Japanese first: pages are in Japanese unless the person chose English."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """The language is the person's choice (language cookie, then profile), else Japanese.

    Web pages ignore the browser's Accept-Language on purpose: the product is Japanese first. API
    clients may ask for English with Accept-Language, as machine clients state what they parse.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        translation.deactivate()
        return response

    def _choose(self, request: HttpRequest) -> str:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in SUPPORTED:
            return cookie
        if request.path.startswith("/api/"):
            header = translation.get_language_from_request(request)
            return header if header in SUPPORTED else settings.LANGUAGE_CODE
        return settings.LANGUAGE_CODE
