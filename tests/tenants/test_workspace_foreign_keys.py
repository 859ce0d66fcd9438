"""Composite foreign keys: the database refuses a row that points at another workspace's row.

Foreign-key checks bypass row-level security, so a row of A that names B's plan id (an id learnt from a
leak, a guess, a bug) would be accepted without them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from tenants.context import workspace_context
from tenants.db import WorkspaceScopedModel, workspace_fk_name
from tenants.models import Membership
from tests.conftest import World

pytestmark = pytest.mark.postgres


def _tenant_relations() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models():
        if not issubclass(model, WorkspaceScopedModel):
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model
            tenant_target = target is not None and (
                issubclass(target, WorkspaceScopedModel) or target is Membership
            )
            if field.is_relation and field.name != "workspace" and tenant_target:
                found.append((model._meta.db_table, field.column))
    return sorted(found)


def test_every_reference_between_tenant_rows_has_a_composite_key(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conname LIKE %s", ["%_ws_fk"]
        )
        present = {row[0] for row in cursor.fetchall()}
    missing = [(t, c) for t, c in _tenant_relations() if workspace_fk_name(t, c) not in present]
    assert len(_tenant_relations()) >= 18 and not missing, missing


def _point_at_the_other_workspace(world: World, table: str, column: str, row_id: Any, other_id: Any) -> None:
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        workspace_context(world.a.workspace.id),
        connection.cursor() as cursor,
    ):
        # Row-level security allows this: the row is A's; only the referenced id is B's.
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [other_id, row_id])  # noqa: S608
        assert cursor.rowcount == 1
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_required_reference_across_workspaces_is_refused(world: World) -> None:
    _point_at_the_other_workspace(world, "kpi_kpinode", "plan_id", world.a.kpi.id, world.b.plan.id)


def test_a_reference_to_the_same_table_across_workspaces_is_refused(world: World) -> None:
    _point_at_the_other_workspace(world, "kpi_kpinode", "parent_id", world.a.kpi.id, world.b.ksf.id)


def test_an_owner_from_another_workspace_is_refused(world: World) -> None:
    other = world.b.memberships["manager"].id
    _point_at_the_other_workspace(world, "kpi_kpinode", "owner_id", world.a.kpi.id, other)


def test_a_reference_across_apps_and_workspaces_is_refused(world: World) -> None:
    plan = world.a.extra["action_plan"]
    _point_at_the_other_workspace(world, "checklist_actionplan", "kpi_node_id", plan.id, world.b.kpi.id)


def test_references_inside_the_workspace_still_work(world: World) -> None:
    with transaction.atomic(), workspace_context(world.a.workspace.id), connection.cursor() as cursor:
        cursor.execute("UPDATE kpi_kpinode SET owner_id = %s WHERE id = %s",
                       [world.a.memberships["admin"].id, world.a.kpi.id])  # fmt: skip
        cursor.execute("UPDATE kpi_kpinode SET owner_id = NULL WHERE id = %s", [world.a.kpi.id])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
