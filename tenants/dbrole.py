"""PostgreSQL: the application logs in as a role that is not superuser, not table owner, not BYPASSRLS.

``DATABASE_URL`` is that login; ``migrate`` connects as the schema owner instead (``DATABASE_OWNER_URL``,
see ``owner_credentials``) and, after migrating, makes sure the application role exists with the login
of ``DATABASE_URL`` and may read and write every table, never own or alter one. Since the application never
holds the owner's rights, no statement it runs (``RESET ROLE``, ``SET ROLE``, an injection) can switch row-level
security off (tests/tenants/test_rls.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import NO_DB_ALIAS, BaseDatabaseWrapper
from psycopg import sql

_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")
# Roles are cluster-wide: parallel test workers (one database each) migrate at the same moment, and two
# CREATE ROLE or GRANT statements on one role collide ("tuple concurrently updated"). One lock serialises them.
_ROLE_LOCK_KEY = 0x1CCA_0001


def _applies(connection: BaseDatabaseWrapper) -> bool:
    """On PostgreSQL, connected as the owner (``flush`` also sends post_migrate, as the application)."""
    return (
        connection.vendor == "postgresql"
        and connection.alias != NO_DB_ALIAS
        and bool(settings.DATABASE_OWNER)
        and connection.settings_dict.get("USER") != settings.DATABASE_APP_ROLE
    )


def owner_credentials_swap(alias: str = "default") -> dict[str, Any] | None:
    """Make ``alias`` connect as the schema owner from now on; returns the credentials to put back."""
    owner = settings.DATABASE_OWNER
    connection = connections[alias]
    if connection.vendor != "postgresql" or not owner:
        return None
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in _CREDENTIALS})
    return saved


def credentials_restore(saved: dict[str, Any] | None, alias: str = "default") -> None:
    if saved is None:
        return
    connection = connections[alias]
    connection.close()
    connection.settings_dict.update(saved)


@contextmanager
def owner_connection(alias: str = "default") -> Iterator[None]:
    saved = owner_credentials_swap(alias)
    try:
        yield
    finally:
        credentials_restore(saved, alias)


def app_role_ensure(connection: BaseDatabaseWrapper) -> None:
    """Create the application's login role if missing and grant it data access (never ownership)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_ROLE_LOCK_KEY])
        try:
            _app_role_ensure_locked(connection)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ROLE_LOCK_KEY])


def _app_role_ensure_locked(connection: BaseDatabaseWrapper) -> None:
    name = settings.DATABASE_APP_ROLE
    role = sql.Identifier(name)
    password = settings.DATABASE_APP_PASSWORD or None
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [name])
        found = cursor.fetchone()
        if found is None:
            cursor.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD {}"
                ).format(role, sql.Literal(password))
            )
        elif not found[0]:  # made by an earlier version as NOLOGIN, for SET ROLE: it logs in itself now
            cursor.execute(sql.SQL("ALTER ROLE {} LOGIN").format(role))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
        cursor.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role)
        )
        cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role))
        if getattr(settings, "DATABASE_APP_ROLE_CAN_TRUNCATE", False):
            # Test databases only: transactional tests flush tables between cases.
            cursor.execute(sql.SQL("GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}").format(role))


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if _applies(connection):
        app_role_ensure(connection)
