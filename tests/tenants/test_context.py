from __future__ import annotations

from typing import Any

import pytest

from tenants.context import WorkspaceScopeError, current_workspace_id, workspace_context
from tenants.models import AuditEvent
from tests.conftest import World


def test_manager_fails_closed_without_a_workspace(world: World) -> None:
    with pytest.raises(WorkspaceScopeError):
        list(AuditEvent.objects.all())
    with pytest.raises(WorkspaceScopeError):
        AuditEvent.objects.count()


def test_manager_scopes_to_the_workspace_in_context(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        assert {e.workspace_id for e in AuditEvent.objects.all()} == {world.a.workspace.id}
    assert current_workspace_id() is None


def test_named_bypass_sees_everything_only_where_the_database_allows(world: World, settings: Any) -> None:
    ids = set(AuditEvent.all_workspaces.values_list("workspace_id", flat=True))
    # On SQLite the bypass is the whole table; on PostgreSQL RLS still hides every row without a workspace.
    assert ids == (set() if settings.IS_POSTGRES else {world.a.workspace.id, world.b.workspace.id})


def test_write_takes_the_workspace_from_context(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.create(actor_label="x", action="x", target_type="x", target_id="1")
    assert event.workspace_id == world.a.workspace.id


def test_write_into_another_workspace_is_refused(world: World) -> None:
    with workspace_context(world.a.workspace.id), pytest.raises(WorkspaceScopeError):
        AuditEvent(
            workspace=world.b.workspace, actor_label="x", action="x", target_type="x", target_id="1"
        ).save()


def test_write_without_context_is_refused(world: World) -> None:
    with pytest.raises(WorkspaceScopeError):
        AuditEvent(
            workspace=world.a.workspace, actor_label="x", action="x", target_type="x", target_id="1"
        ).save()


def test_nesting_another_workspace_is_refused(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        with workspace_context(world.a.workspace.id):
            assert current_workspace_id() == world.a.workspace.id
        with pytest.raises(WorkspaceScopeError), workspace_context(world.b.workspace.id):
            pass
        assert current_workspace_id() == world.a.workspace.id


def test_context_is_reset_after_an_error(world: World) -> None:
    with pytest.raises(ZeroDivisionError), workspace_context(world.a.workspace.id):
        1 / 0  # noqa: B018
    assert current_workspace_id() is None
