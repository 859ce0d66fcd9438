"""The JSON parser every endpoint uses: hostile bodies are refused here, once, with a 400.

Refused: nesting deeper than ``MAX_DEPTH`` (a thousand nested arrays overflowed Python's recursion), a NUL
byte in any key or string (PostgreSQL cannot store it in text), and a lone surrogate (not Unicode text; the
error that echoed it could not even be encoded).
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.messages import message_render

MAX_DEPTH = 32


def _is_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_text(value: str) -> bool:
    return "\x00" not in value and _is_unicode(value)


def json_value_check(data: Any, *, raw_text_fields: frozenset[str] = frozenset()) -> None:
    """Raise ParseError if ``data`` nests too deep or holds a string that is not storable text.

    ``raw_text_fields`` are top-level fields whose string value may hold a NUL byte (still Unicode): text
    that is checked and never stored, so its own check can say where the NUL is.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    if isinstance(data, dict) and raw_text_fields:
        raw = {k: v for k, v in data.items() if k in raw_text_fields and isinstance(v, str)}
        for value in raw.values():
            if not _is_unicode(value):
                raise ParseError(message_render("input.forbidden_character"), code="forbidden_character")
        stack = [({k: v for k, v in data.items() if k not in raw}, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(message_render("input.too_deep", {"limit": MAX_DEPTH}), code="too_deep")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and not _is_text(key):
                    raise ParseError(message_render("input.forbidden_character"), code="forbidden_character")
                stack.append((item, depth + 1))
        elif isinstance(value, str) and not _is_text(value):
            raise ParseError(message_render("input.forbidden_character"), code="forbidden_character")


class StrictJSONParser(JSONParser):
    """The JSON parser of every endpoint; a view that checks some text itself, stores nothing of it and says
    where it is wrong names those fields in ``raw_text_fields`` (see :func:`json_value_check`)."""

    raw_text_fields: frozenset[str] = frozenset()

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(message_render("input.too_deep", {"limit": MAX_DEPTH}), code="too_deep") from exc
        json_value_check(data, raw_text_fields=self.raw_text_fields)
        return data
