"""Applying a change set to a model instance and describing it for the audit trail as ``{from, to}``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID


def audit_value(value: Any) -> Any:
    """A JSON-safe form of a field value: decimals and ids as text, dates in ISO form, a row by its key."""
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def fields_apply(instance: Any, changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Set every field of ``changes`` whose value differs on ``instance`` (not saved) and return the diff,
    ``{field: {"from": old, "to": new}}`` in audit form; an empty dict when nothing changed."""
    diff: dict[str, dict[str, Any]] = {}
    for field, value in changes.items():
        old = getattr(instance, field)
        if old != value:
            diff[field] = {"from": audit_value(old), "to": audit_value(value)}
            setattr(instance, field, value)
    return diff
