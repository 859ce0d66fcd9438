"""The isolation proof: every API route, as every actor of workspace A, against workspace B.

Each operation of the OpenAPI schema is called (1) with B in the URL and (2) with A in the URL and B's
object ids. The answer must be 401/403/404, the body must not carry B's ids or canary, and nothing of B
may change. A route that the schema does not list, or whose object the world lacks, fails the walk.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.forms.models import model_to_dict

from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.context import workspace_context
from tenants.db import WorkspaceScopedModel
from tenants.models import Membership, Workspace, WorkspaceApiKey
from tests.conftest import CANARY_B, World
from tests.isolation.walker import api_operations, api_view_classes_in_urlconf, fill, view_class_for

ACTORS = ("anonymous", "admin", "manager", "sales_rep", "viewer", "consultant", "firm_owner", "api_key")
# Views that live outside a workspace and list only what the caller may see (tested on their own below).
UNSCOPED_VIEWS = {"WorkspaceListView"}
TENANT_APPS = ("tenants", "kpi", "checklist", "integrations")


def _snapshot(workspace: Workspace) -> dict[str, Any]:
    """Every row that belongs to the workspace, as plain data."""
    rows: dict[str, Any] = {"workspace": model_to_dict(Workspace.objects.get(id=workspace.id))}
    with workspace_context(workspace.id):
        for app in TENANT_APPS:
            for model in apps.get_app_config(app).get_models():
                if getattr(model, "firm_scoped", False):  # the workspace's firm's reference rows
                    rows[model._meta.label] = sorted(
                        json.dumps(r, default=str, sort_keys=True)
                        for r in model._default_manager.filter(firm_id=workspace.firm_id).values()
                    )
                    continue
                if not any(f.name == "workspace" for f in model._meta.fields):
                    continue
                manager = (
                    model.all_workspaces
                    if issubclass(model, WorkspaceScopedModel)
                    else model._default_manager
                )
                rows[model._meta.label] = sorted(
                    json.dumps(r, default=str, sort_keys=True)
                    for r in manager.filter(workspace=workspace).values()
                )
    return rows


def _secrets_of(world: World) -> list[str]:
    """Strings that must never appear in an answer to A's actors."""
    b = world.b
    ids = [
        str(b.workspace.id),
        CANARY_B,
        b.api_key.prefix,
        *(str(o.id) for o in (b.plan, b.kgi, b.ksf, b.kpi)),
        *(str(o.id) for o in b.extra.values() if hasattr(o, "id")),
        *(o for o in b.extra.values() if isinstance(o, str)),  # e.g. B's stored CRM token
    ]
    ids += [str(m.id) for m in Membership.objects.filter(workspace=b.workspace)]
    ids += [m.user.email for m in Membership.objects.filter(workspace=b.workspace).select_related("user")]
    return ids


def test_every_api_route_is_in_the_schema_and_walked() -> None:
    operations = api_operations()
    assert operations, "the schema lists no operations"
    schema_views = set()
    for op in operations:
        probe = op.path.replace("{workspace_id}", "00000000-0000-0000-0000-000000000000")
        for param in op.params:
            probe = probe.replace("{" + param + "}", "probe")
        schema_views.add(view_class_for(probe))
    missing = {v.__name__ for v in api_view_classes_in_urlconf() - schema_views}
    assert not missing, f"API views routed but absent from the schema (the walker cannot see them): {missing}"


def test_every_workspace_route_uses_the_mixin() -> None:
    for view in api_view_classes_in_urlconf():
        if view.__name__ in UNSCOPED_VIEWS:
            continue
        assert issubclass(view, WorkspaceScopedViewMixin), (
            f"{view.__name__} bypasses WorkspaceScopedViewMixin"
        )


@pytest.mark.parametrize("actor", ACTORS)
def test_actors_of_a_cannot_reach_b(world: World, client_as: Any, actor: str) -> None:
    client = client_as(actor)
    before = _snapshot(world.b.workspace)
    secrets = _secrets_of(world)
    walked = 0
    for op in api_operations():
        if "{workspace_id}" not in op.path:
            continue
        attempts = [fill(op, world.b.workspace, world.b.workspace)]
        if len(op.params) > 1:
            attempts.append(fill(op, world.a.workspace, world.b.workspace))
        for url in attempts:
            response = client.generic(op.method, url, data="{}", content_type="application/json")
            allowed = {401, 403} if actor == "anonymous" else {403, 404}
            assert response.status_code in allowed, f"{actor}: {op.method} {url} -> {response.status_code}"
            body = response.content.decode()
            leaked = [s for s in secrets if s in body]
            assert not leaked, f"{actor}: {op.method} {url} leaked {leaked}"
            walked += 1
    assert walked >= len([op for op in api_operations() if "{workspace_id}" in op.path])
    assert _snapshot(world.b.workspace) == before, f"{actor} changed workspace B"


def test_key_of_b_cannot_use_a_url(world: World, client_as: Any) -> None:
    client = client_as("api_key", side="b")
    for op in api_operations():
        if "{workspace_id}" not in op.path:
            continue
        url = fill(op, world.a.workspace, world.a.workspace)
        response = client.generic(op.method, url, data="{}", content_type="application/json")
        assert response.status_code == 404, f"{op} -> {response.status_code}"


def test_consultant_of_both_workspaces_is_held_to_the_url(world: World, api: Any) -> None:
    """Someone legitimately in B still gets nothing of B through A's URL (and nothing of A)."""
    api.force_login(world.b.users["consultant"])
    for op in api_operations():
        if len(op.params) < 2:
            continue
        url = fill(op, world.b.workspace, world.a.workspace)  # B's URL, A's objects
        response = api.generic(op.method, url, data="{}", content_type="application/json")
        assert response.status_code == 404, f"{op} -> {response.status_code}"


def test_workspace_list_shows_only_visible(world: World, client_as: Any) -> None:
    expected = {
        "admin": {world.a.workspace.id},
        "viewer": {world.a.workspace.id},
        "consultant": {world.a.workspace.id},  # assigned to A, not to A2
        "firm_owner": {world.a.workspace.id, world.a2.id},
        "api_key": {world.a.workspace.id},
    }
    for actor, ids in expected.items():
        response = client_as(actor).get("/api/v1/workspaces/")
        assert response.status_code == 200
        assert {r["id"] for r in response.json()["results"]} == {str(i) for i in ids}, actor
        assert CANARY_B not in response.content.decode()


def test_consultant_is_not_let_into_an_unassigned_workspace_of_the_firm(world: World, client_as: Any) -> None:
    assert client_as("consultant").get(f"/api/v1/workspaces/{world.a2.id}/").status_code == 404
    assert client_as("firm_owner").get(f"/api/v1/workspaces/{world.a2.id}/").status_code == 200


def test_api_key_rows_are_keyed_by_workspace(world: World) -> None:
    assert WorkspaceApiKey.objects.filter(workspace=world.b.workspace).count() == 1


def test_the_walk_includes_deleting_an_actual() -> None:
    """Deleting an actual is walked like every other write (B's actual must survive every actor of A)."""
    assert "DELETE /api/v1/workspaces/{workspace_id}/kpi/actuals/{id}/" in {
        str(op) for op in api_operations()
    }
