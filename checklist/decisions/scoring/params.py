"""Display parameters of the decision matrix's messages: a machine value that shows itself in a sentence.

Scoring's messages name criteria and options by key and carry exact numbers; each parameter here answers
``to_json()`` (the key, the exact number) for machines and ``display()`` (the name in the active language,
the number as people read it) for the sentence. ``display()`` is only ever called when a message is
rendered, at the edge, so the language is the one the edge chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from checklist.decisions.criteria import OptionKind, criterion_name, template_name
from core.messages import DisplayParam, Message, active_language, message_render, param_json

__all__ = [
    "CriterionName",
    "KindName",
    "Listing",
    "Number",
    "OptionName",
    "active_language",
    "format_number",
    "sentences",
]

_CENT = Decimal("0.01")


def format_number(value: Decimal | Fraction | int) -> str:
    """Exact where the value has a finite decimal expansion, otherwise '≈' and two decimals."""
    fraction = Fraction(value)
    denominator = fraction.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    with localcontext() as ctx:
        ctx.prec = 50
        quotient = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        approx = quotient.quantize(_CENT, ROUND_HALF_UP)
    if denominator == 1:
        return format(quotient.normalize(), "f")
    return f"≈{approx}"


@dataclass(frozen=True)
class Number:
    """An exact weight, delta or total: shown as ``format_number`` shows it, answered exactly."""

    value: Decimal | Fraction | int

    def display(self) -> str:
        return format_number(self.value)

    def to_json(self) -> Any:
        return str(self.value)


@dataclass(frozen=True)
class CriterionName:
    """A criterion by key, shown by its catalogue name (a key outside the catalogue as it is)."""

    key: str

    def display(self) -> str:
        return criterion_name(self.key, active_language())

    def to_json(self) -> Any:
        return self.key


@dataclass(frozen=True)
class OptionName:
    """An option by key, shown by the name given for it in ``names`` (user content, one for all languages).

    Without a name, a default option shows its catalogue name when ``defaults`` (the sentences of the
    result), or its key (validation errors, which name what the caller passed).
    """

    key: str
    names: Mapping[str, str] | None = field(default=None, compare=False)
    defaults: bool = True

    def display(self) -> str:
        if self.names and self.key in self.names:
            return self.names[self.key]
        name = template_name(self.key, active_language()) if self.defaults else None
        return name or self.key

    def to_json(self) -> Any:
        return self.key


@dataclass(frozen=True)
class KindName:
    """An option kind: in a sentence ("an MA/SFA package") or short ("package")."""

    kind: OptionKind
    short: bool = False

    def display(self) -> str:
        group = "kind_short" if self.short else "kind"
        return message_render(f"checklist.decisions.{group}.{self.kind.value}")

    def to_json(self) -> Any:
        return self.kind.value


def _shown(item: Any) -> str:
    return item.display() if isinstance(item, DisplayParam) else str(item)


def _answered(item: Any) -> Any:
    if isinstance(item, Message):
        return {"code": item.code, "params": {k: param_json(v) for k, v in item.params.items()}}
    return param_json(item)


@dataclass(frozen=True)
class Listing:
    """Items (parameters or whole messages) joined by the catalogue's ``join`` (``%(left)s``, ``%(right)s``).

    ``quoted`` puts each item in the language's quotes first ('A' and 'B'; the Japanese catalogue uses its
    own brackets and separator). A list of sentences joins with ``checklist.decisions.join.sentences``.
    """

    items: tuple[Any, ...]
    join: str = "checklist.decisions.join.and"
    quoted: bool = False

    def display(self) -> str:
        texts = [_shown(item) for item in self.items]
        if self.quoted:
            texts = [message_render("checklist.decisions.quoted", {"text": text}) for text in texts]
        if not texts:
            return ""
        joined = texts[0]
        for text in texts[1:]:
            joined = message_render(self.join, {"left": joined, "right": text})
        return joined

    def to_json(self) -> Any:
        return [_answered(item) for item in self.items]


def sentences(*parts: Message) -> Message:
    """One message of several sentences (the language decides what goes between them)."""
    if len(parts) == 1:
        return parts[0]
    return Message(
        "checklist.decisions.sentences",
        {"sentences": Listing(tuple(parts), join="checklist.decisions.join.sentences")},
    )
