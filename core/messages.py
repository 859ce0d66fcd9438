"""The one message layer: system text is a code with parameters until the edge renders it.

Pure modules and services return and raise :class:`Message` (a code and its parameters, machine-readable);
each app keeps one module (``<app>/messages.py``) that maps its codes to gettext messages and registers them
here with :func:`messages_register`. Text is made only at the edge, in the active language: the API
exception handler, output serializers and exported documents call :func:`message_render`.

A parameter may be a plain value (str, int, bool, Decimal, date) or an object with ``display()`` (its text
in a sentence, in the active language) and ``to_json()`` (its value for machines), such as
``kpi.units.Quantity``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol, runtime_checkable

from django.utils.functional import Promise


@runtime_checkable
class DisplayParam(Protocol):
    def display(self) -> str: ...

    def to_json(self) -> Any: ...


_CATALOGUE: dict[str, Promise | str] = {}


def active_language() -> Literal["ja", "en"]:
    """The active language as the product knows it: English when it is active, else Japanese (the default).

    For code that picks between its data's ``ja`` and ``en`` (catalogue names, documents); messages
    themselves are rendered by gettext."""
    from django.utils import translation

    return "en" if (translation.get_language() or "ja").startswith("en") else "ja"


def messages_register(catalogue: Mapping[str, Promise | str]) -> None:
    """Add an app's codes; a code registered twice with another text is a bug."""
    for code, text in catalogue.items():
        known = _CATALOGUE.get(code)
        if known is not None and str(known) != str(text):
            raise KeyError(f"message code {code!r} is registered twice with different texts")
        _CATALOGUE[code] = text


def message_is_known(code: str) -> bool:
    return code in _CATALOGUE


def message_codes() -> frozenset[str]:
    return frozenset(_CATALOGUE)


def message_template(code: str) -> Promise | str:
    return _CATALOGUE[code]


def _display(value: Any) -> str:
    if isinstance(value, DisplayParam):
        return value.display()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ", ".join(_display(v) for v in value)
    return str(value)


def param_json(value: Any) -> Any:
    """A parameter as the API answers it: numbers as their exact text, dates in ISO form."""
    if isinstance(value, DisplayParam):
        return value.to_json()
    if isinstance(value, Message):  # a word of the product's vocabulary (a stage's name), in the language
        return value.render()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [param_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): param_json(v) for k, v in value.items()}
    return value


def message_render(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The code's text in the active language with its parameters filled in.

    An unknown code is a bug in our code, not the caller's: it fails loudly in tests (a meta-test renders
    every code the product raises) rather than showing a half-made sentence.
    """
    template = _CATALOGUE[code]
    values = {name: _display(value) for name, value in (params or {}).items()}
    # Always formatted, so a literal "%" is "%%" in every template, with parameters or without (as the
    # meta-test that renders every code assumes).
    return str(template) % values


@dataclass(frozen=True)
class Message:
    """A code and its parameters: what a pure module says, before any language is chosen."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        return message_render(self.code, self.params)

    def as_json(self) -> dict[str, Any]:
        """``{"code", "params", "message"}``: what partners act on and what people read."""
        return {
            "code": self.code,
            "params": {k: param_json(v) for k, v in self.params.items()},
            "message": self.render(),
        }

    def __str__(self) -> str:
        return self.render()
