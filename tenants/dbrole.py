"""PostgreSQL: the application runs as a role that is not superuser, not table owner, not BYPASSRLS.

The connecting role owns the schema and runs migrations; every other statement runs after
``SET ROLE <DATABASE_APP_ROLE>``, so row-level security applies to the application itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.backends.base.base import NO_DB_ALIAS, BaseDatabaseWrapper
from psycopg import sql


def _role() -> str:
    return settings.DATABASE_APP_ROLE


def _applies(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql" and connection.alias != NO_DB_ALIAS and bool(_role())


def app_role_assume(connection: BaseDatabaseWrapper) -> None:
    """Switch the session to the application role, if it exists yet (it does after the first migrate)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [_role()])
        if cursor.fetchone():
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(_role())))


# Roles are cluster-wide: parallel test workers (one database each) migrate at the same moment, and two
# CREATE ROLE or GRANT statements on one role collide ("tuple concurrently updated"). One lock serialises them.
_ROLE_LOCK_KEY = 0x1CCA_0001


def app_role_ensure(connection: BaseDatabaseWrapper) -> None:
    """Create the role if missing and grant it data access (never ownership) on every table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_ROLE_LOCK_KEY])
        try:
            _app_role_ensure_locked(connection)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ROLE_LOCK_KEY])


def _app_role_ensure_locked(connection: BaseDatabaseWrapper) -> None:
    role = sql.Identifier(_role())
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [_role()])
        if not cursor.fetchone():
            cursor.execute(
                sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(role)
            )
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            cursor.execute(sql.SQL("GRANT {} TO current_user").format(role))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
        cursor.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role)
        )
        cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role))
        if getattr(settings, "DATABASE_APP_ROLE_CAN_TRUNCATE", False):
            # Test databases only: transactional tests flush tables between cases.
            cursor.execute(sql.SQL("GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}").format(role))


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _applies(connection):
        app_role_assume(connection)


def on_pre_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    connection = connections[using]
    if _applies(connection):
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    connection = connections[using]
    if _applies(connection):
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        app_role_ensure(connection)
        app_role_assume(connection)
