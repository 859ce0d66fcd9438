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


def _is_text(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_value_check(data: Any) -> None:
    """Raise ParseError if ``data`` nests too deep or holds a string that is not storable text."""
    stack: list[tuple[Any, int]] = [(data, 1)]
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
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(message_render("input.too_deep", {"limit": MAX_DEPTH}), code="too_deep") from exc
        json_value_check(data)
        return data
