"""Base models for the two planes, the fail-closed manager, and the row-level security constraint."""

from __future__ import annotations

from typing import Any

import uuid6
from django.db import models
from django.db.migrations.operations.base import Operation
from django.utils.translation import gettext_lazy as _

from tenants.context import (
    READABLE_WORKSPACES_SETTING,
    WORKSPACE_SETTING,
    WorkspaceScopeError,
    current_workspace_id,
    readable_workspace_ids,
)


def uuid7() -> Any:
    """Time-ordered UUIDs: index locality like a sequence, without leaking volumes across tenants."""
    return uuid6.uuid7()


class BaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WorkspaceScopedManager(models.Manager):
    """Fail-closed: without a workspace in context, querying raises instead of returning every row."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        workspace_id = current_workspace_id()
        if workspace_id is not None:
            return queryset.filter(workspace_id=workspace_id)
        readable = readable_workspace_ids()
        if readable is not None:
            return queryset.filter(workspace_id__in=readable)
        raise WorkspaceScopeError(
            f"{self.model.__name__}.objects used with no workspace in context; "
            "enter workspace_context() or use the named bypass all_workspaces in a dispatcher."
        )

    def none(self) -> models.QuerySet:
        # An empty queryset reads nothing, so it needs no workspace (schema generation asks for one).
        return super().get_queryset().none()


class RowLevelSecurity(models.BaseConstraint):
    """Enables and forces PostgreSQL row-level security with the workspace policy (no-op elsewhere).

    Declared as a constraint so that migrations carry the policy with the table.
    """

    def __init__(self, *, name: str, field: str = "workspace_id") -> None:
        super().__init__(name=name)
        self.field = field

    def _policy_sql(self, table: str, quote: Any) -> str:
        current = f"(SELECT NULLIF(current_setting('{WORKSPACE_SETTING}', true), '')::uuid)"
        readable = f"string_to_array(NULLIF(current_setting('{READABLE_WORKSPACES_SETTING}', true), ''), ',')::uuid[]"
        t, p, f = quote(table), quote(self.name), quote(self.field)
        rp = quote(f"{self.name}_read")
        return (
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY; ALTER TABLE {t} FORCE ROW LEVEL SECURITY; "
            f"CREATE POLICY {p} ON {t} USING ({f} = {current}) WITH CHECK ({f} = {current}); "
            f"CREATE POLICY {rp} ON {t} FOR SELECT USING ({f} = ANY ({readable}));"
        )

    def constraint_sql(self, model: Any, schema_editor: Any) -> None:
        # Called by CREATE TABLE; the policy must follow the table, so it is deferred.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.deferred_sql.append(
                self._policy_sql(model._meta.db_table, schema_editor.quote_name)
            )
        return None

    def create_sql(self, model: Any, schema_editor: Any) -> str | None:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return self._policy_sql(model._meta.db_table, schema_editor.quote_name)

    def remove_sql(self, model: Any, schema_editor: Any) -> str | None:
        if schema_editor.connection.vendor != "postgresql":
            return None
        t = schema_editor.quote_name(model._meta.db_table)
        return (
            f"DROP POLICY IF EXISTS {schema_editor.quote_name(self.name)} ON {t}; "
            f"DROP POLICY IF EXISTS {schema_editor.quote_name(self.name + '_read')} ON {t}; "
            f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY; ALTER TABLE {t} DISABLE ROW LEVEL SECURITY;"
        )

    def validate(self, *args: Any, **kwargs: Any) -> None:
        return None

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowLevelSecurity):
            return self.name == other.name and self.field == other.field
        return super().__eq__(other)


class WorkspaceScopedModel(BaseModel):
    """Every tenant-plane table: ``workspace_id NOT NULL``, ``UNIQUE (workspace_id, id)``, RLS.

    ``objects`` is fail-closed; ``all_workspaces`` is the one named bypass, for dispatchers only.
    The workspace of a new row comes from the context, never from input.
    """

    workspace = models.ForeignKey(
        "tenants.Workspace", on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )

    objects = WorkspaceScopedManager()
    all_workspaces = models.Manager()  # noqa: DJ012 - the named bypass, kept beside the manager it bypasses

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "id"], name="%(app_label)s_%(class)s_workspace_id_uniq"
            ),
            RowLevelSecurity(name="%(app_label)s_%(class)s_workspace_rls"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        workspace_id = current_workspace_id()
        if workspace_id is None:
            raise WorkspaceScopeError(f"Saving {type(self).__name__} with no workspace in context.")
        if self.workspace_id is None:
            self.workspace_id = workspace_id
        elif self.workspace_id != workspace_id:
            raise WorkspaceScopeError(f"{type(self).__name__} belongs to another workspace than the context.")
        super().save(*args, **kwargs)


def workspace_fk_name(table: str, column: str) -> str:
    return f"{table}_{column}_ws_fk"[-63:]


class WorkspaceForeignKeys(Operation):
    """Composite foreign keys ``(workspace_id, x_id) -> x (workspace_id, id)`` on PostgreSQL (no-op elsewhere).

    Foreign-key checks bypass row-level security, so without these a row could point at another
    workspace's row whose id it learnt; with them the database itself refuses the reference. Deferred like
    Django's own foreign keys, so deletions and SET NULL behave as before; a NULL reference is not checked.
    """

    reversible = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"model_name": self.model_name, "fields": self.fields}

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None

    def _targets(self, app_label: str, state: Any) -> tuple[str, list[tuple[str, str, str]]]:
        model = state.apps.get_model(app_label, self.model_name)
        found = []
        for name in self.fields:
            field = model._meta.get_field(name)
            found.append(
                (
                    field.column,
                    field.related_model._meta.db_table,
                    workspace_fk_name(model._meta.db_table, field.column),
                )
            )
        return model._meta.db_table, found

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table, targets = self._targets(app_label, to_state)
        q = schema_editor.quote_name
        for column, target, name in targets:
            schema_editor.execute(
                f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} FOREIGN KEY ({q('workspace_id')}, {q(column)}) "
                f"REFERENCES {q(target)} ({q('workspace_id')}, {q('id')}) DEFERRABLE INITIALLY DEFERRED"
            )

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table, targets = self._targets(app_label, from_state)
        for _column, _target, name in targets:
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} DROP CONSTRAINT IF EXISTS {schema_editor.quote_name(name)}"
            )

    def describe(self) -> str:
        return f"Composite workspace foreign keys on {self.model_name}: {', '.join(self.fields)}"
