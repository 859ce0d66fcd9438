"""Render the KPI engine's messages in a given language, as the edge does."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from core.messages import Message


def in_language(message: Message | Any, language: str) -> str:
    """A :class:`Message` (or a message parameter with ``display()``) rendered in ``language``."""
    with translation.override(language):
        return message.render() if isinstance(message, Message) else message.display()


def ja(message: Message | Any) -> str:
    return in_language(message, "ja")


def en(message: Message | Any) -> str:
    return in_language(message, "en")


def to_dict_in(error: Any, language: str) -> dict[str, Any]:
    """A formula error as the formula check answers it, in ``language``."""
    with translation.override(language):
        return error.to_dict()
