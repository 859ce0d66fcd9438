"""Message parameters of the KPI engine that people and machines read differently.

Each has ``display()``, its text inside a sentence in the active language, and ``to_json()``, its value for
machines (``core.messages`` calls them). They stay pure: the words come from the catalogue
(``kpi/messages.py``) only when a message is rendered at the edge. Quantities (``5,000,000円``) live in
``kpi.units``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.messages import DisplayParam, Message, active_language, message_render, param_json


def display(value: Any) -> str:
    """A parameter's text: its own ``display()``, else the value as it is written."""
    return value.display() if isinstance(value, DisplayParam) else str(value)


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase of the catalogue standing for a machine value: the construct ``lambda`` shown as "a lambda"
    (「lambda 式」), the status ``behind`` as "behind" (「遅れ」). Machines read ``value``."""

    code: str
    value: Any = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def display(self) -> str:
        return message_render(self.code, self.params)

    def to_json(self) -> Any:
        return param_json(self.value)


@dataclass(frozen=True, slots=True)
class ContentName:
    """A name people gave in two languages (a node's ``name_ja`` / ``name_en``): shown in the reader's
    language, English falling back to Japanese when it was left blank. Machines read the key."""

    key: str
    ja: str
    en: str = ""

    def display(self) -> str:
        return self.en if active_language() == "en" and self.en else self.ja

    def to_json(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class Joined:
    """Items shown one after another, separated by a phrase of the catalogue (``a → b`` in Japanese,
    ``a -> b`` in English). Machines read the list."""

    items: Sequence[Any]
    separator: str

    def display(self) -> str:
        return message_render(self.separator).join(display(item) for item in self.items)

    def to_json(self) -> list[Any]:
        return [param_json(item) for item in self.items]


@dataclass(frozen=True, slots=True)
class Nested:
    """A whole message inside another one (the reasons of a SMART check, one after another)."""

    message: Message

    def display(self) -> str:
        return self.message.render()

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.message.code,
            "params": {k: param_json(v) for k, v in self.message.params.items()},
        }


def message_in(message: Message, language: str) -> str:
    """``message`` rendered in ``language``, for callers that choose the language themselves (a stored
    agenda keeps both texts); elsewhere the edge renders in the request's language."""
    from django.utils import translation

    with translation.override(language):
        return message.render()
