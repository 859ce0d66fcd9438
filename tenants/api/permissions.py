from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenants.models import WorkspaceApiKey


class IsAuthenticatedPrincipal(BasePermission):
    """A logged-in user or a valid partner API key; what they may do is the mixin's decision."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) or isinstance(
            request.auth, WorkspaceApiKey
        )
