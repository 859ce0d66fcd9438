"""Errors raised by services: a code with parameters; the edge (API, pages) renders the message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.messages import Message, message_render


class ServiceError(Exception):
    """A business rule refused the change. Nothing was written.

    ``code`` names a message of the app's catalogue (``<app>/messages.py``) and ``params`` fill it;
    ``field`` is the input the error is about, if one.
    """

    status_code = 400

    def __init__(
        self, code: str, *, params: Mapping[str, Any] | None = None, field: str | None = None
    ) -> None:
        self.code = code
        self.params = dict(params or {})
        self.field = field
        super().__init__(code)

    @property
    def message(self) -> str:
        return message_render(self.code, self.params)

    def as_json(self) -> dict[str, Any]:
        """``{"code", "params", "message"}`` in the active language."""
        return Message(self.code, self.params).as_json()

    def __str__(self) -> str:
        return self.message


class ConflictError(ServiceError):
    status_code = 409


class HiddenScopeError(RuntimeError):
    """A programming error about data scope (tenancy): never the caller's fault, answered as not found so
    nothing leaks. ``tenants.context.WorkspaceScopeError`` is the one subclass."""
