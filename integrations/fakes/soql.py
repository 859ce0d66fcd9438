"""The SOQL subset the fake Salesforce understands (research note §4 "Salesforce").

``SELECT f1, f2 FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n]`` where a
condition combines ``field op literal`` (``= != < <= > >=``), ``field [NOT] IN (...)``, ``AND``, ``OR``, ``NOT``
and parentheses; literals are quoted strings, numbers, ``true``/``false``/``null``, dates and UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from integrations.fakes.common import parse_iso


class SoqlError(ValueError):
    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))"
    r"|(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<string>'(?:[^'\\]|\\.)*')"
    r"|(?P<op><=|>=|!=|<>|=|<|>)"
    r"|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)"
    r")"
)
KEYWORDS = {"SELECT", "FROM", "WHERE", "ORDER", "BY", "ASC", "DESC", "LIMIT", "AND", "OR", "NOT", "IN", "NULLS",
            "FIRST", "LAST", "TRUE", "FALSE", "NULL"}  # fmt: skip


@dataclass
class Query:
    fields: list[str]
    sobject: str
    where: Callable[[dict[str, Any]], bool] | None
    where_fields: set[str] = field(default_factory=set)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SoqlError(
                "MALFORMED_QUERY", f"unexpected input at {position}: {text[position : position + 20]!r}"
            )
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "word" and value.upper() in KEYWORDS:
            kind, value = "keyword", value.upper()
        found.append((kind, value))
        position = match.end()
    return found


def comparable(value: Any) -> Any:
    """Field values and literals on one scale: datetimes to UTC instants, dates to dates, the rest as is."""
    if isinstance(value, dt.datetime | dt.date) or value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return parse_iso(text)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return dt.date.fromisoformat(text)
    return text


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.where_fields: set[str] = set()

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise SoqlError(
                "MALFORMED_QUERY", f"expected {value or kind}, found {token[1] if token else 'end'}"
            )
        self.index += 1
        return token

    def accept(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and (value is None or token[1] == value):
            self.index += 1
            return True
        return False

    def query(self) -> Query:
        self.take("keyword", "SELECT")
        fields = [self.take("word")[1]]
        while self.accept("punct", ","):
            fields.append(self.take("word")[1])
        self.take("keyword", "FROM")
        sobject = self.take("word")[1]
        where = None
        if self.accept("keyword", "WHERE"):
            where = self.disjunction()
        order: list[tuple[str, bool]] = []
        if self.accept("keyword", "ORDER"):
            self.take("keyword", "BY")
            while True:
                name = self.take("word")[1]
                descending = False
                if self.accept("keyword", "DESC"):
                    descending = True
                else:
                    self.accept("keyword", "ASC")
                if self.accept("keyword", "NULLS"):
                    self.accept("keyword", "FIRST") or self.take("keyword", "LAST")
                order.append((name, descending))
                if not self.accept("punct", ","):
                    break
        limit = None
        if self.accept("keyword", "LIMIT"):
            limit = int(self.take("number")[1])
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return Query(fields, sobject, where, self.where_fields, order, limit)

    def disjunction(self) -> Callable[[dict[str, Any]], bool]:
        parts = [self.conjunction()]
        while self.accept("keyword", "OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda row: any(part(row) for part in parts))

    def conjunction(self) -> Callable[[dict[str, Any]], bool]:
        parts = [self.negation()]
        while self.accept("keyword", "AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda row: all(part(row) for part in parts))

    def negation(self) -> Callable[[dict[str, Any]], bool]:
        if self.accept("keyword", "NOT"):
            inner = self.negation()
            return lambda row: not inner(row)
        if self.accept("punct", "("):
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        return self.comparison()

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "string":
            return value[1:-1].replace("\\'", "'")
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind == "datetime":
            return parse_iso(value)
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "keyword" and value in ("TRUE", "FALSE"):
            return value == "TRUE"
        if kind == "keyword" and value == "NULL":
            return None
        raise SoqlError("MALFORMED_QUERY", f"expected a literal, found {value!r}")

    def comparison(self) -> Callable[[dict[str, Any]], bool]:
        name = self.take("word")[1]
        self.where_fields.add(name)
        negated = self.accept("keyword", "NOT")
        if self.accept("keyword", "IN"):
            self.take("punct", "(")
            values = [self.literal()]
            while self.accept("punct", ","):
                values.append(self.literal())
            self.take("punct", ")")
            wanted = {comparable(v) for v in values}
            return lambda row: (comparable(row.get(name)) in wanted) != negated
        if negated:
            raise SoqlError("MALFORMED_QUERY", "NOT must be followed by IN here")
        operator = self.take("op")[1]
        target = comparable(self.literal())

        def compare(row: dict[str, Any]) -> bool:
            value = comparable(row.get(name))
            if operator in ("=",):
                return value == target
            if operator in ("!=", "<>"):
                return value != target
            if value is None or target is None:
                return False
            try:
                return {
                    "<": value < target,
                    "<=": value <= target,
                    ">": value > target,
                    ">=": value >= target,
                }[operator]
            except TypeError as exc:
                raise SoqlError("INVALID_FIELD", f"cannot compare {name} with {target!r}") from exc

        return compare


def parse(text: str) -> Query:
    return _Parser(text).query()


def sort_key(row: dict[str, Any], order: list[tuple[str, bool]]) -> tuple:
    """Nulls first, as Salesforce sorts ascending by default."""
    key = []
    for name, _descending in order:
        value = comparable(row.get(name))
        key.append((value is not None, value if value is not None else 0))
    return tuple(key)
