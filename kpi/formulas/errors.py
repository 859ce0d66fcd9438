"""The single error type of the formula engine: a code with parameters, rendered by the message layer.

The texts live in the KPI catalogue (``kpi/messages.py``, codes ``kpi.formula.*``); this module only says
which message an error is and with which parameters, so it stays free of any language.
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.messages import Message
from kpi.params import Joined, Term

# The message parameters each code (or "code.detail") fills, besides the position (``column``). A parameter
# the raiser did not give shows as "?" rather than failing the message.
PARAMS: dict[str, tuple[str, ...]] = {
    "syntax": (),
    "syntax.not_text": (),
    "syntax.incomplete": (),
    "syntax.unclosed": (),
    "syntax.unopened": (),
    "empty": (),
    "too_long": ("length", "limit"),
    "too_complex": ("limit",),
    "too_deep": ("limit",),
    "bad_character": ("char",),
    "bad_character.fullwidth": ("char", "suggestion"),
    "bad_character.newline": (),
    "bad_character.comment": (),
    "bad_number": ("text", "max_integer_digits", "max_fraction_digits"),
    "bad_name": ("name",),
    "bad_name.function": ("name",),
    "unknown_name": ("name",),
    "unknown_name.in_formula": ("name", "formula"),
    "unknown_function": ("name", "allowed"),
    "unsupported.operator": ("operator",),
    "unsupported.construct": ("construct",),
    "bad_arguments.exact": ("function", "expected", "given"),
    "bad_arguments.at_least": ("function", "expected", "given"),
    "bad_arguments.keyword": ("function",),
    "bad_arguments.star": ("function",),
    "bad_arguments.round_places": (),
    "division_by_zero": (),
    "cycle": ("path",),
}

# Constructs the grammar refuses, each named by a phrase of the catalogue (kpi.formula.construct.<name>).
CONSTRUCTS = (
    "attribute", "subscript", "lambda", "comprehension", "string", "bytes", "fstring", "constant", "walrus",
    "conditional", "tuple", "list", "set_or_dict", "await", "call", "other",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Position:
    """Where in the formula an error is: shown as the sentence's prefix ("column 3: ", 「3文字目: 」), or as
    nothing when the error is about the whole formula; machines read the 1-based column (or null)."""

    column: int | None

    def display(self) -> str:
        return (
            ""
            if self.column is None
            else Term("kpi.formula.column", params={"column": self.column}).display()
        )

    def to_json(self) -> int | None:
        return self.column


@dataclass(frozen=True, slots=True)
class Character:
    """A refused character: shown with its code point (``'受' (U+53D7)``), control and format characters
    (NUL, bidi overrides, odd spaces) by code point only so they cannot garble the sentence."""

    char: str
    codepoint: str

    def display(self) -> str:
        if len(self.char) == 1 and unicodedata.category(self.char)[0] not in "CZ":
            return f"'{self.char}' ({self.codepoint})"
        return self.codepoint

    def to_json(self) -> str:
        return self.codepoint


class FormulaError(Exception):
    """A formula was rejected (at parse, validation or dependency analysis time).

    ``code`` is a stable machine code for API clients and tests, ``column`` the 1-based character
    position in the formula text when one is known, ``params`` JSON-serialisable details used by the
    message, and ``detail`` selects a more specific wording of the same code. :attr:`message` is the
    error as a message of the catalogue (``kpi.formula.<code>[.<detail>]``), the position in its params.
    """

    def __init__(
        self,
        code: str,
        *,
        column: int | None = None,
        params: Mapping[str, Any] | None = None,
        detail: str | None = None,
    ) -> None:
        self.code = code
        self.column = column
        self.params: dict[str, Any] = dict(params or {})
        self.detail = detail
        super().__init__(code, column, self.params)

    @property
    def message(self) -> Message:
        """``kpi.formula.<code>[.<detail>]`` with the position (``column``) and the details."""
        key = f"{self.code}.{self.detail}" if f"{self.code}.{self.detail}" in PARAMS else self.code
        if key not in PARAMS:
            return Message("kpi.formula.unrecognised", {"column": Position(self.column), "code": self.code})
        params: dict[str, Any] = {"column": Position(self.column)}
        params.update(dict.fromkeys(PARAMS[key], "?"))
        params.update({k: v for k, v in self.params.items() if k in PARAMS[key]})
        if "codepoint" in self.params:
            params["char"] = Character(self.params.get("char", ""), self.params["codepoint"])
        if isinstance(self.params.get("path"), list | tuple):
            params["path"] = Joined(tuple(self.params["path"]), "kpi.formula.path_separator")
        construct = self.params.get("construct")
        if construct is not None:
            name = construct if construct in CONSTRUCTS else "other"
            token = self.params.get("token", construct)
            params["construct"] = Term(f"kpi.formula.construct.{name}", construct, {"token": token})
        return Message(f"kpi.formula.{key}", params)

    def to_dict(self) -> dict[str, Any]:
        """What the formula check answers: the code, the message in the active language, the position."""
        return {
            "code": self.code,
            "message": self.message.render(),
            "column": self.column,
            "params": dict(self.params),
        }

    def __str__(self) -> str:
        try:
            return self.message.render()
        except Exception:  # the catalogue is not loaded (no Django): say it in machine terms
            return f"{self.code} (column {self.column}): {self.params}"

    def __repr__(self) -> str:
        return f"FormulaError(code={self.code!r}, column={self.column!r}, params={self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The keyword-only constructor would defeat the default pickling of exceptions (Celery, xdist).
        return (self.__class__, (self.code,), self.__dict__)
