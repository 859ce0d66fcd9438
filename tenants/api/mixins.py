"""The one way an API view reaches tenant data.

``WorkspaceScopedViewMixin`` resolves the workspace from the URL, checks the caller's role or key
scopes, enters the tenant context (ORM and row-level security) for the request's transaction, and scopes
every queryset to the workspace. Subclasses cannot override the methods that do this: defining one raises
``TypeError`` when the class is created, so the check cannot be bypassed by accident.
"""

from __future__ import annotations

from contextvars import Token
from typing import Any, ClassVar
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.access import Principal, workspace_get_visible
from tenants.context import WorkspaceScopeError, workspace_context_enter, workspace_context_exit
from tenants.models import Workspace, WorkspaceApiKey
from tenants.roles import Perm
from tenants.services import Actor, api_key_touch

PROTECTED_METHODS = ("initial", "dispatch", "get_queryset", "get_object", "get_workspace")


class WorkspaceScopedViewMixin:
    """Base of every API view under ``/api/v1/workspaces/{workspace_id}/``."""

    workspace_url_kwarg: ClassVar[str] = "workspace_id"
    model: ClassVar[type[models.Model] | None] = None
    permission_read: ClassVar[Perm]
    permission_write: ClassVar[Perm]
    action_permissions: ClassVar[dict[str, Perm]] = {}

    workspace: Workspace
    principal: Principal
    _workspace_token: Token[UUID | None] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every class that comes before this mixin in the MRO (the view and any mixin in front of it) could
        # shadow the methods that hold the tenancy; the ones after it are DRF's own, which this mixin wraps.
        for klass in cls.__mro__:
            if klass is WorkspaceScopedViewMixin:
                break
            overridden = [name for name in PROTECTED_METHODS if name in klass.__dict__]
            if overridden:
                raise TypeError(
                    f"{cls.__name__} must not override {', '.join(overridden)} (in {klass.__name__}): "
                    "tenancy lives there."
                )
            if "queryset" in klass.__dict__:
                raise TypeError(f"{cls.__name__}: set `model` and `scope_queryset`, not `queryset`.")

    # --- resolution ----------------------------------------------------------------------

    def get_workspace(self) -> Workspace:
        return self.workspace

    def required_permission(self) -> Perm:
        action = getattr(self, "action", None)
        if action in self.action_permissions:
            return self.action_permissions[action]
        return self.permission_read if self.request.method in SAFE_METHODS else self.permission_write

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authentication, throttles
        api_key = request.auth if isinstance(request.auth, WorkspaceApiKey) else None
        user = request.user if request.user.is_authenticated else None
        found = workspace_get_visible(
            workspace_id=kwargs[self.workspace_url_kwarg], user=user, api_key=api_key
        )
        if found is None:
            # Unknown and not-yours answer alike, so ids cannot be probed.
            raise exceptions.NotFound()
        self.workspace, self.principal = found
        if not self.principal.has(self.required_permission()):
            raise exceptions.PermissionDenied()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            raise WorkspaceScopeError("API requests must run in a transaction (ATOMIC_REQUESTS).")
        self._workspace_token = workspace_context_enter(self.workspace.id)
        if api_key is not None:
            api_key_touch(api_key=api_key)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        finally:
            if self._workspace_token is not None:
                workspace_context_exit(self._workspace_token)
                self._workspace_token = None

    # --- querysets -----------------------------------------------------------------------

    def scope_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Hook for select_related, annotations and filters. It runs first; the workspace filter is applied
        to whatever it returns, so no hook can widen the scope."""
        return queryset

    def get_queryset(self) -> models.QuerySet:
        model = self.model
        assert model is not None, f"{type(self).__name__} needs a `model`."
        # The fail-closed manager: outside the tenant context it raises rather than read every workspace.
        manager = model.objects  # type: ignore[attr-defined]
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return manager.none()
        scoped = self.scope_queryset(manager.all())
        if scoped.model is not model:
            raise TypeError(f"{type(self).__name__}.scope_queryset must return {model.__name__} rows.")
        if getattr(model, "firm_scoped", False):
            # Reference rows of the control plane (e.g. checklist templates): the global ones and the
            # workspace's own firm's, through the model's one definition of that rule.
            return scoped.visible_to_firms([self.workspace.firm_id])
        return scoped.filter(workspace_id=self.workspace.id)

    def get_object(self) -> Any:
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field  # type: ignore[attr-defined]
        try:
            obj = get_object_or_404(
                self.get_queryset(),
                **{self.lookup_field: self.kwargs[lookup_url_kwarg]},  # type: ignore[attr-defined]
            )
        except (ValueError, TypeError, DjangoValidationError) as exc:  # a malformed id is just not found
            raise Http404 from exc
        self.check_object_permissions(self.request, obj)  # type: ignore[attr-defined]
        _workspace_prime(obj, self.workspace)
        return obj

    @property
    def actor(self) -> Actor:
        return Actor.of(self.principal)


def _workspace_prime(obj: models.Model, workspace: Workspace) -> None:
    """The object belongs to the request's workspace (it was read through the scoped queryset), so its
    ``workspace`` relation is that already-loaded row rather than another query when a selector follows it."""
    try:
        field = obj._meta.get_field("workspace")
    except FieldDoesNotExist:
        return
    if field.many_to_one and getattr(obj, "workspace_id", None) == workspace.id:
        field.set_cached_value(obj, workspace)
