"""Partner API keys: `Authorization: Api-Key <prefix>.<secret>`, bound to one workspace."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tenants.models import WorkspaceApiKey

KEYWORD = "Api-Key"


class WorkspaceApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates the key; which workspace it may touch is decided by the API mixin."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, WorkspaceApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(f"{KEYWORD} "):
            return None
        key = header[len(KEYWORD) + 1 :].strip()
        try:
            api_key = WorkspaceApiKey.objects.get_from_key(key)
        except WorkspaceApiKey.DoesNotExist:
            api_key = None
        if api_key is None or not api_key.is_valid(key) or api_key.revoked or api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired API key."))
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class WorkspaceApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.api.authentication.WorkspaceApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`",
        }
