from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from tenants.models import WorkspaceApiKey


class PrincipalRateThrottle(SimpleRateThrottle):
    """Fair use per API key (keyed under its workspace), per user, or per address when anonymous."""

    scope = "principal"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, WorkspaceApiKey):
            ident = f"ws:{request.auth.workspace_id}:key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
