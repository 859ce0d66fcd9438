"""Enumerates every API operation and fills its path with another workspace's ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

from tenants.context import workspace_context
from tenants.db import WorkspaceScopedModel
from tenants.models import Workspace

PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # template, e.g. /api/v1/workspaces/{workspace_id}/memberships/{id}/

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_operations() -> list[Operation]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                ops.append(Operation(method.upper(), path))
    return sorted(ops, key=str)


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern, route))
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern.callback))
    return found


def api_view_classes_in_urlconf() -> set[type]:
    """Every view class routed under /api/v1/, whether or not the schema knows it."""
    classes = set()
    for route, callback in _walk(get_resolver()):
        if route.startswith("api/v1/"):
            cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            classes.add(cls or callback)
    return classes


def view_class_for(path: str) -> type:
    match = resolve(path)
    return match.func.cls  # type: ignore[attr-defined]


def fill(op: Operation, workspace: Workspace, object_workspace: Workspace) -> str | None:
    """The concrete URL with ``workspace`` in the path and ``object_workspace``'s objects for other ids.

    Returns None when the path has no object id (nothing of the other workspace to point at).
    """
    path = op.path.replace("{workspace_id}", str(workspace.id))
    others = [p for p in op.params if p != "workspace_id"]
    if not others:
        return path
    # Resolve with a placeholder to learn which model the id belongs to.
    probe = path
    for p in others:
        probe = probe.replace("{" + p + "}", "probe")
    view = view_class_for(probe)
    model: type[models.Model] = view.model
    lookup = getattr(view, "lookup_field", "pk")
    manager = model.all_workspaces if issubclass(model, WorkspaceScopedModel) else model._default_manager
    with workspace_context(object_workspace.id):
        if getattr(model, "firm_scoped", False):
            # Firm-level reference rows: the other side's FIRM row (global rows are everyone's to read).
            obj = manager.filter(firm_id=object_workspace.firm_id).first()
        else:
            obj = manager.filter(workspace_id=object_workspace.id).first()
    if obj is None:
        raise AssertionError(
            f"The two-workspace world has no {model.__name__} in {object_workspace}: add one so "
            f"{op} is walked."
        )
    for p in others:
        path = path.replace("{" + p + "}", str(getattr(obj, lookup if lookup != "pk" else "pk")))
    return path
