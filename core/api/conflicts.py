"""Which unique constraint an IntegrityError broke, so only a lost race answers 409.

A service checks "is this name free?" and then inserts; a concurrent request can take the name in
between, and the database's constraint has the last word. Those constraints are listed in
``settings.API_CONFLICT_CONSTRAINTS``; any other IntegrityError is a bug and answers 500.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_SQLITE_INDEX = re.compile(r"index '([^']+)'")
_PG_UNIQUE_VIOLATION = "23505"


def _sqlite_constraint(message: str) -> str | None:
    """SQLite names the columns (``tbl.a, tbl.b``) or, for an expression index, the index."""
    found = _SQLITE_UNIQUE.search(message)
    if not found:
        return None
    named = _SQLITE_INDEX.search(found.group(1))
    if named:
        return named.group(1)
    columns = [part.strip().split(".", 1) for part in found.group(1).split(",")]
    table = columns[0][0]
    wanted = {column for _table, column in columns}
    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                names = {model._meta.get_field(f).column for f in constraint.fields}
                if names == wanted:
                    return constraint.name
    return None


def integrity_constraint(exc: IntegrityError) -> str | None:
    """The name of the unique constraint ``exc`` broke, or None (not a unique violation, or unknown)."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == _PG_UNIQUE_VIOLATION:
        return getattr(cause.diag, "constraint_name", None)  # type: ignore[union-attr]
    return _sqlite_constraint(str(exc))


def is_lost_race(exc: IntegrityError) -> bool:
    return integrity_constraint(exc) in settings.API_CONFLICT_CONSTRAINTS
