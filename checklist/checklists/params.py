"""Message parameters of the engagement delivery's texts, and their stored form.

A parameter is a machine value (a key, a count, a date) or one of the objects here, whose ``display()`` gives
its text in the active language when a message is rendered at the edge, and whose ``to_json()`` gives what
the API answers:

* :class:`Named` -- user content kept in two languages (a KPI's ``name_ja`` / ``name_en``);
* :class:`Amount` -- a value in a KPI unit (``5,000,000円`` / ``JPY 5,000,000``);
* :class:`Month` -- a month (``2026年6月`` / ``June 2026``, from Django's own formats);
* :class:`Term` -- a machine value shown by its catalogue label (a cadence kind, a field);
* :class:`Joined` -- several parameters or messages joined by a separator of the catalogue;
* :class:`Pair` -- transitional: a sentence of a module not yet moved, in both languages.

A stored snapshot (a meeting's agenda) keeps its messages with :func:`message_store` and reads them back
with :func:`message_load`, so it renders in the reader's language years later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats, translation

from checklist.checklists.messages import LEGACY_TEXT
from core.messages import DisplayParam, Message, active_language, message_render, param_json
from kpi.units import value_display, value_format


def _text(value: Any) -> str:
    if isinstance(value, Message):
        return value.render()
    if isinstance(value, DisplayParam):
        return value.display()
    return str(value)


@dataclass(frozen=True)
class Named:
    """User content in Japanese and (optionally) English; English falls back to the Japanese."""

    ja: str
    en: str = ""

    @classmethod
    def of(cls, row: Any) -> Named:
        """A model row's ``name_ja`` / ``name_en`` (a KPI node, a template)."""
        return cls(row.name_ja, row.name_en or "")

    def display(self) -> str:
        return self.en if active_language() == "en" and self.en else self.ja

    def to_json(self) -> dict[str, str]:
        return {"ja": self.ja, "en": self.en}


class Pair(Named):
    """Transitional: a sentence still made as a Japanese/English pair by a module not yet on the message layer
    (the KPI engine's outcomes, the decision matrix's rules). Goes once those modules answer Messages."""


def legacy_text(ja: str, en: str) -> Message:
    """Transitional: a Japanese/English pair made by a module not yet on the message layer, as a Message (the
    code ``checklist.checklists.legacy_text``), so what carries it deals in Messages only."""
    return Message(LEGACY_TEXT, {"text": Pair(ja, en)})


@dataclass(frozen=True)
class Amount:
    """A value in a KPI unit; answered as its exact text and its unit."""

    value: Decimal | None
    unit: str

    def display(self) -> str:
        return value_display(self.value, self.unit, active_language())

    def to_json(self) -> dict[str, Any]:
        return {"value": value_format(self.value, self.unit), "unit": self.unit}


@dataclass(frozen=True)
class Month:
    """A calendar month, read the way each language writes one (Django's ``YEAR_MONTH_FORMAT``)."""

    first: dt.date

    def display(self) -> str:
        return formats.date_format(self.first, "YEAR_MONTH_FORMAT")

    def to_json(self) -> str:
        return self.first.isoformat()


@dataclass(frozen=True)
class Term:
    """A machine value (``weekly``, ``day_of_month``) shown by its label, the catalogue's ``code``."""

    code: str
    value: str

    def display(self) -> str:
        return message_render(self.code)

    def to_json(self) -> str:
        return self.value


@dataclass(frozen=True)
class Joined:
    """Parameters or messages in a row, joined by the catalogue's ``separator`` (a message code), or by a
    space (sentences, in both languages) when it is None."""

    items: tuple[Any, ...]
    separator: str | None = None

    def display(self) -> str:
        separator = " " if self.separator is None else message_render(self.separator)
        return separator.join(_text(item) for item in self.items)

    def to_json(self) -> list[Any]:
        return [_json(item) for item in self.items]


def joined(items: Sequence[Any], separator: str | None = None) -> Joined:
    return Joined(tuple(items), separator)


def _json(value: Any) -> Any:
    if isinstance(value, Message):
        return {"code": value.code, "params": {k: _json(v) for k, v in value.params.items()}}
    return param_json(value)


def message_json(message: Message) -> dict[str, Any]:
    """``{"code", "params"}`` of a message whose parameters may be messages too (for the API)."""
    return _json(message)


# --- The stored form -------------------------------------------------------------------------------


def _store(value: Any) -> Any:
    if isinstance(value, Message):
        return message_store(value)
    if isinstance(value, Named):
        return {"type": "named", "ja": value.ja, "en": value.en}
    if isinstance(value, Amount):
        return {
            "type": "amount",
            "value": None if value.value is None else str(value.value),
            "unit": value.unit,
        }
    if isinstance(value, Month):
        return {"type": "month", "value": value.first.isoformat()}
    if isinstance(value, Term):
        return {"type": "term", "code": value.code, "value": value.value}
    if isinstance(value, Joined):
        return {
            "type": "joined",
            "items": [_store(item) for item in value.items],
            "separator": value.separator,
        }
    if isinstance(value, DisplayParam):
        # Another capability's parameter: keep what it reads in each language.
        texts = {}
        for code in ("ja", "en"):
            with translation.override(code):
                texts[code] = value.display()
        return {"type": "named", **texts}
    if isinstance(value, list | tuple):
        return [_store(item) for item in value]
    return param_json(value)


def message_store(message: Message) -> dict[str, Any]:
    """A message as JSON that :func:`message_load` reads back into the same message."""
    return {
        "type": "message",
        "code": message.code,
        "params": {k: _store(v) for k, v in message.params.items()},
    }


def _load(value: Any) -> Any:
    if isinstance(value, list):
        return [_load(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    kind = value.get("type")
    if kind == "message":
        return message_load(value)
    if kind == "named":
        return Named(value.get("ja", ""), value.get("en", ""))
    if kind == "amount":
        return Amount(None if value.get("value") is None else Decimal(value["value"]), value["unit"])
    if kind == "month":
        return Month(dt.date.fromisoformat(value["value"]))
    if kind == "term":
        return Term(value["code"], value["value"])
    if kind == "joined":
        return Joined(tuple(_load(item) for item in value["items"]), value.get("separator"))
    return dict(value)


def message_load(stored: Mapping[str, Any]) -> Message:
    return Message(stored["code"], {k: _load(v) for k, v in (stored.get("params") or {}).items()})
