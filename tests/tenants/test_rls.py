"""PostgreSQL row-level security: the database keeps tenants apart even when the code forgets."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from tenants.context import workspace_context, workspaces_readable
from tenants.db import WorkspaceScopedModel
from tests.conftest import World

pytestmark = pytest.mark.postgres


def _scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def test_application_role_is_not_superuser_owner_or_bypassrls(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, is_super, bypass = cursor.fetchone()
    assert user == "ikkan_app"
    assert not is_super and not bypass
    assert _scalar("SELECT count(*) FROM pg_tables WHERE tableowner = current_user") == 0


def test_the_application_logs_in_as_its_role_and_reset_role_changes_nothing(world: World) -> None:
    """The login itself is the application role (no SET ROLE on an owner's connection), so RESET ROLE (an
    injection, a careless raw query) leaves row-level security in force."""
    assert _scalar("SELECT session_user") == "ikkan_app"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute("SELECT current_user, count(*) FROM tenants_auditevent GROUP BY 1")
        assert cursor.fetchall() == []  # no workspace in context: not one row, not even the owner's view
        with workspace_context(world.a.workspace.id):
            cursor.execute("RESET ROLE")
            cursor.execute("SELECT DISTINCT workspace_id FROM tenants_auditevent")
            assert {row[0] for row in cursor.fetchall()} == {world.a.workspace.id}
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("ALTER TABLE tenants_auditevent NO FORCE ROW LEVEL SECURITY")


def test_every_tenant_table_has_forced_rls_and_a_policy(db: Any) -> None:
    for model in apps.get_models():
        if not issubclass(model, WorkspaceScopedModel):
            continue
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [table]
            )
            enabled, forced = cursor.fetchone()
        assert enabled and forced, table
        assert _scalar("SELECT count(*) FROM pg_policies WHERE tablename = %s", [table]) >= 1, table
        assert (
            _scalar(
                "SELECT is_nullable FROM information_schema.columns WHERE table_name = %s AND column_name = 'workspace_id'",
                [table],
            )
            == "NO"
        ), table


def test_raw_sql_without_a_filter_sees_only_the_current_workspace(world: World) -> None:
    a, b = world.a.workspace.id, world.b.workspace.id
    with workspace_context(a):
        seen = {row[0] for row in _rows("SELECT DISTINCT workspace_id FROM tenants_auditevent")}
    assert seen == {a}
    with workspace_context(b):
        seen = {row[0] for row in _rows("SELECT DISTINCT workspace_id FROM tenants_auditevent")}
    assert seen == {b}


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_no_workspace_means_no_rows(world: World) -> None:
    with transaction.atomic():
        assert _scalar("SELECT count(*) FROM tenants_auditevent") == 0


def test_cannot_write_into_another_workspace_even_with_raw_sql(world: World) -> None:
    a, b = world.a.workspace.id, world.b.workspace.id
    with workspace_context(a):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenants_auditevent (id, created_at, updated_at, workspace_id, actor_label, action,"
                " target_type, target_id, changes, actor_api_key_prefix)"
                " VALUES (gen_random_uuid(), now(), now(), %s, 'x', 'x', 'x', 'x', '{}', '')",
                [b],
            )
        updated = _update_all()
    with workspace_context(b):
        assert _scalar("SELECT count(*) FROM tenants_auditevent WHERE actor_label = 'hijacked'") == 0
    assert updated >= 1  # it updated A's own rows only


def _update_all() -> int:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tenants_auditevent SET actor_label = 'hijacked'")
        return cursor.rowcount


def test_read_scope_over_several_workspaces_cannot_write(world: World) -> None:
    a, b = world.a.workspace.id, world.b.workspace.id
    with workspaces_readable([a, b]):
        seen = {row[0] for row in _rows("SELECT DISTINCT workspace_id FROM tenants_auditevent")}
        assert seen == {a, b}
        with transaction.atomic():
            assert _update_all() == 0


def test_workspace_setting_does_not_outlive_the_transaction(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        assert _scalar("SELECT current_setting('app.workspace_id', true)") == str(world.a.workspace.id)
    assert _scalar("SELECT coalesce(current_setting('app.workspace_id', true), '')") == ""


@pytest.mark.django_db(transaction=True)
def test_setting_does_not_leak_to_the_next_transaction_on_the_same_connection(world: World) -> None:
    pid = _scalar("SELECT pg_backend_pid()")
    with workspace_context(world.a.workspace.id):
        assert _scalar("SELECT count(*) FROM tenants_auditevent") >= 1
    # Autocommit again: a new transaction on the same backend sees nothing.
    assert _scalar("SELECT pg_backend_pid()") == pid
    assert _scalar("SELECT count(*) FROM tenants_auditevent") == 0
