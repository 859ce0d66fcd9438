"""Meta-tests: every tenant model and every API view follows the tenancy rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from rest_framework import mixins, viewsets

from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.db import RowLevelSecurity, WorkspaceScopedModel
from tenants.roles import Perm

TENANT_PLANE_APPS = ("kpi", "checklist", "integrations")
# Global reference data that belongs to no workspace (control plane), by label.
GLOBAL_MODELS: set[str] = {
    "checklist.ChecklistTemplate",
    "checklist.ChecklistTemplateItem",
}


def test_tenant_plane_models_are_workspace_scoped() -> None:
    for app in TENANT_PLANE_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label in GLOBAL_MODELS:
                assert not any(f.name == "workspace" for f in model._meta.fields), model
                continue
            assert issubclass(model, WorkspaceScopedModel), f"{model._meta.label} is not WorkspaceScopedModel"


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if issubclass(m, WorkspaceScopedModel)],
    ids=lambda m: m._meta.label,
)
def test_workspace_scoped_model_keys(model: type[models.Model]) -> None:
    field = model._meta.get_field("workspace")
    assert not field.null
    constraints = model._meta.constraints
    uniques = [c for c in constraints if isinstance(c, models.UniqueConstraint)]
    assert any(tuple(c.fields) == ("workspace", "id") for c in uniques), "UNIQUE (workspace_id, id) missing"
    for c in uniques:
        if c.fields:
            assert c.fields[0] == "workspace", f"{c.name} must start with workspace"
        assert c.name.startswith(f"{model._meta.app_label}_"), c.name
    for index in model._meta.indexes:
        assert index.fields[0] in {"workspace", "-workspace"}, f"{index.name} must start with workspace"
    assert any(isinstance(c, RowLevelSecurity) for c in constraints), "row-level security missing"
    assert model._meta.base_manager_name == "all_workspaces"
    assert type(model._default_manager).__name__ == "WorkspaceScopedManager"


def test_the_mixin_cannot_be_bypassed_by_overriding() -> None:
    for name in ("get_queryset", "get_object", "initial", "dispatch"):
        with pytest.raises(TypeError):
            type("Sneaky", (WorkspaceScopedViewMixin, viewsets.GenericViewSet), {name: lambda self: None})
    with pytest.raises(TypeError):
        type("Sneaky", (WorkspaceScopedViewMixin, viewsets.GenericViewSet), {"queryset": None})


def test_a_mixin_in_front_cannot_shadow_the_tenancy_either() -> None:
    """The whole class hierarchy is checked, not only the class's own dict."""

    class Shadowing:
        def get_queryset(self) -> Any:
            return None

    with pytest.raises(TypeError, match="Shadowing"):
        type("Sneaky", (Shadowing, WorkspaceScopedViewMixin, viewsets.GenericViewSet), {})
    base = type("Base", (WorkspaceScopedViewMixin, viewsets.GenericViewSet), {})
    with pytest.raises(TypeError):
        type("Child", (Shadowing, base), {})


def test_a_scope_hook_cannot_drop_the_workspace_filter(world: Any) -> None:
    """A hook that returns every workspace's rows still gets only the request's workspace."""
    from rest_framework.test import APIRequestFactory

    from kpi.models import KpiNode
    from tenants.context import workspace_context

    class Widening(WorkspaceScopedViewMixin, viewsets.GenericViewSet):
        model = KpiNode
        permission_read = Perm.KPI_READ
        permission_write = Perm.KPI_READ

        def scope_queryset(self, queryset: Any) -> Any:
            return KpiNode.all_workspaces.all()

    view = Widening()
    view.request = APIRequestFactory().get("/")
    view.workspace = world.a.workspace
    with workspace_context(world.a.workspace.id):
        rows = list(view.get_queryset())
    assert rows and {row.workspace_id for row in rows} == {world.a.workspace.id}


# The bypasses of the fail-closed managers, each with its reason; anything else must use ``objects``.
BYPASS_ALLOWED = {
    "tenants/db.py",  # defines all_workspaces and makes it the base manager
    "tenants/admin.py",  # control-plane rows (memberships, keys) filtered to the visible workspaces
    "kpi/admin.py",  # the metric choice of the actual form, filtered to the workspaces the consultant sees
    "kpi/api/serializers.py",  # the metric slug field, filtered to the request's workspace
}


def test_bypass_names_appear_only_in_the_allow_list() -> None:
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    found = set()
    for package in ("core", "tenants", "kpi", "checklist", "integrations", "demo", "config"):
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if re.search(r"\ball_workspaces\b|\b_base_manager\b", path.read_text(encoding="utf-8")):
                found.add(path.relative_to(root).as_posix())
    assert found <= BYPASS_ALLOWED, sorted(found - BYPASS_ALLOWED)


def test_permissions_are_declared_on_every_scoped_view() -> None:
    from tests.isolation.walker import api_view_classes_in_urlconf

    for view in api_view_classes_in_urlconf():
        if issubclass(view, WorkspaceScopedViewMixin):
            assert isinstance(view.permission_read, Perm), view
            assert isinstance(view.permission_write, Perm), view
            if issubclass(view, mixins.ListModelMixin | mixins.RetrieveModelMixin):
                assert view.model is not None, view  # rows are read only through the mixin's scoped queryset
