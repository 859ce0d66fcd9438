"""The API schema and its docs page, for signed-in people and partner keys only (not the open internet)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request

from tenants.api.permissions import IsAuthenticatedPrincipal


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticatedPrincipal]


class ApiDocsView(SpectacularSwaggerView):
    permission_classes = [IsAuthenticatedPrincipal]

    def permission_denied(self, request: Request, message: Any = None, code: Any = None) -> None:
        # A person opening the docs in a browser signs in first; a machine gets the API's 401.
        if "text/html" in request.headers.get("Accept", "") and not request.headers.get("Authorization"):
            raise _SignInFirst(redirect_to_login(request.get_full_path()))
        super().permission_denied(request, message=message, code=code)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, _SignInFirst):
            return exc.response
        return super().handle_exception(exc)


class _SignInFirst(Exception):
    def __init__(self, response: Any) -> None:
        super().__init__("sign in first")
        self.response = response
