"""Output fields every app's serializers share."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class MessageField(serializers.CharField):
    """A :class:`core.messages.Message` (or anything with ``render()``) as its text in the request's language:
    text is rendered here, at the edge, never earlier."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return value.render()
