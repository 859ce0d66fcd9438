"""Errors raised by services; the API turns them into its one error format, the UI into a message."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A business rule refused the change. Nothing was written."""

    status_code = 400

    def __init__(self, code: str, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    status_code = 409


class HiddenScopeError(RuntimeError):
    """A programming error about data scope (tenancy): never the caller's fault, answered as not found so
    nothing leaks. ``tenants.context.WorkspaceScopeError`` is the one subclass."""
