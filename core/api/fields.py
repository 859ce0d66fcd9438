"""Output fields every app's serializers share."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class MessageField(serializers.CharField):
    """A :class:`core.messages.Message` (or anything with ``render()``) as its text in the request's language:
    text is rendered here, at the edge, never earlier."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return value.render()


# A wall-clock time of day without an offset ("10:00:00"): OpenAPI's "time" format (RFC 3339) requires an
# offset, which a local time in the workspace's time zone does not have.
LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "example": "10:00:00",
}


@extend_schema_field(LOCAL_TIME_SCHEMA)
class LocalTimeField(serializers.TimeField):
    """A time of day in the workspace's time zone, as ``HH:MM[:SS]`` without an offset."""
