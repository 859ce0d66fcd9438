"""The tenant context: which workspace the current code runs for.

One ContextVar for the ORM (fail-closed managers read it) and, on PostgreSQL, the transaction-local
setting ``app.workspace_id`` that the row-level security policies read. Both are set together here and
nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from uuid import UUID

from django.db import connection, transaction

from core.errors import HiddenScopeError

WORKSPACE_SETTING = "app.workspace_id"
READABLE_WORKSPACES_SETTING = "app.workspace_ids"

_current_workspace: ContextVar[UUID | None] = ContextVar("ikkan_workspace", default=None)
# A read-only scope over several workspaces (the consultant's admin pages). Never used for writes.
_readable_workspaces: ContextVar[frozenset[UUID] | None] = ContextVar("ikkan_readable", default=None)


class WorkspaceScopeError(HiddenScopeError):
    """Tenant data was touched with no workspace in context, or for the wrong workspace."""


def current_workspace_id() -> UUID | None:
    return _current_workspace.get()


def readable_workspace_ids() -> frozenset[UUID] | None:
    return _readable_workspaces.get()


def require_workspace_id() -> UUID:
    workspace_id = _current_workspace.get()
    if workspace_id is None:
        raise WorkspaceScopeError(
            "No workspace in context: enter workspace_context(workspace_id) before touching tenant data."
        )
    return workspace_id


def _db_setting_set(name: str, value: str) -> None:
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        # A transaction-local setting outside a transaction would vanish at once; refuse loudly.
        raise WorkspaceScopeError("The workspace can only be set inside a transaction.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def workspace_context_enter(workspace_id: UUID) -> Token[UUID | None]:
    """Enter a workspace for the rest of the current transaction (the API request's transaction).

    Prefer ``workspace_context`` where a ``with`` block fits; this form is for the API mixin, whose
    request transaction is opened by ATOMIC_REQUESTS.
    """
    if not isinstance(workspace_id, UUID):
        raise WorkspaceScopeError(f"workspace_id must be a UUID, got {type(workspace_id).__name__}")
    token = _current_workspace.set(workspace_id)
    try:
        _db_setting_set(WORKSPACE_SETTING, str(workspace_id))
    except BaseException:
        _current_workspace.reset(token)
        raise
    return token


def workspace_context_exit(token: Token[UUID | None]) -> None:
    _current_workspace.reset(token)


@contextmanager
def workspace_context(workspace_id: UUID) -> Iterator[None]:
    """Run the block as ``workspace_id``: ORM scoping and, on PostgreSQL, row-level security."""
    previous = _current_workspace.get()
    if previous is not None and previous != workspace_id:
        # Code running for one workspace never writes into another's.
        raise WorkspaceScopeError("Already in another workspace's context.")
    with transaction.atomic():
        token = workspace_context_enter(workspace_id)
        try:
            yield
        finally:
            workspace_context_exit(token)
        if previous is None:
            _db_setting_set(WORKSPACE_SETTING, "")


@contextmanager
def workspaces_readable(workspace_ids: Iterable[UUID]) -> Iterator[None]:
    """Read-only scope over several workspaces, for the consultant's admin lists.

    The row-level security policy lets these rows be selected, never inserted or updated.
    """
    ids = frozenset(workspace_ids)
    token = _readable_workspaces.set(ids)
    try:
        with transaction.atomic():
            _db_setting_set(READABLE_WORKSPACES_SETTING, ",".join(str(i) for i in sorted(ids, key=str)))
            yield
            _db_setting_set(READABLE_WORKSPACES_SETTING, "")
    finally:
        _readable_workspaces.reset(token)
