"""Japanese first: pages are in Japanese unless the person chose English."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """The language is the person's choice (language cookie, then profile), else Japanese.

    Web pages ignore the browser's Accept-Language on purpose: the product is Japanese first. An API
    request's Accept-Language wins over the cookie, since machine clients state what they parse (a person
    signed in with Japanese pages can still read the API in English).
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
        if request.path.startswith("/api/"):
            header = _accepted_language(request.headers.get("Accept-Language", ""))
            if header:
                return header
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in SUPPORTED:
            return cookie
        return settings.LANGUAGE_CODE


def _accepted_language(header: str) -> str | None:
    """The supported language the Accept-Language header prefers most (``en-US`` counts as ``en``)."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            variant = translation.get_supported_language_variant(code)
        except LookupError:
            continue
        if variant in SUPPORTED:
            return variant
    return None
