"""From a CSV text stream to parsed rows: the header matched to our fields, then each row parsed or refused.

The reader streams: it holds one row at a time and, to refuse a repeated record id, the set of ids seen.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from core.messages import Message
from integrations.csv_import.fields import FIELDS, HEADER_NOISE, CsvField, ObjectType
from integrations.csv_import.values import CellError, cell_parse, normalised

MAX_COLUMNS = 200
_HEADER_NOISE = re.compile(HEADER_NOISE)


def header_key(text: str) -> str:
    """A header as matched: ``Deal Name``, ``deal_name`` and ``ＤＥＡＬ　ＮＡＭＥ`` are one."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text).strip().lower())


def columns_suggest(header: list[str], object_type: ObjectType) -> dict[str, str]:
    """Our field -> the file's column for every field whose header we recognise; the user confirms it."""
    by_key = {header_key(text): text for text in reversed(header) if text.strip()}
    suggestion: dict[str, str] = {}
    taken: set[str] = set()
    for csv_field in FIELDS[object_type]:
        for synonym in csv_field.headers:
            column = by_key.get(header_key(synonym))
            if column is not None and column not in taken:
                suggestion[csv_field.key] = column
                taken.add(column)
                break
    return suggestion


@dataclass(frozen=True)
class ColumnPlan:
    """Where each mapped field is in the file's rows."""

    indexes: dict[str, int]
    fields: tuple[CsvField, ...]


def columns_resolve(
    header: list[str], object_type: ObjectType, mapping: Mapping[str, str]
) -> tuple[ColumnPlan | None, list[Message]]:
    """The confirmed mapping (our field -> column header) checked against the file's header."""
    errors: list[Message] = []
    known = {f.key: f for f in FIELDS[object_type]}
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        if text in positions:
            errors.append(Message("integrations.csv.header_duplicate", {"column": text}))
        positions.setdefault(text, index)
    indexes: dict[str, int] = {}
    for key, column in mapping.items():
        if key not in known:
            errors.append(Message("integrations.csv.field_unknown", {"field": key}))
        elif column not in positions:
            errors.append(Message("integrations.csv.column_missing", {"column": column}))
        else:
            indexes[key] = positions[column]
    missing = [f.key for f in FIELDS[object_type] if f.required and f.key not in mapping]
    if missing:
        errors.append(Message("integrations.csv.required_unmapped", {"fields": missing}))
    if errors:
        return None, errors
    return ColumnPlan(indexes, tuple(known[key] for key in indexes)), []


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    message: Message


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class CsvFile:
    """An opened file: its header and its data rows, read lazily."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def csv_file_read(text: TextIO) -> CsvFile:
    """The header and a lazy iterator of (first line number, cells) for every non-blank row."""
    reader = csv.reader(text)
    try:
        header = [normalised(cell) for cell in next(reader, [])]
    except csv.Error as exc:
        raise CellError("integrations.csv.malformed", {"line": 1}) from exc
    if not any(header):
        raise CellError("integrations.csv.empty")
    if len(header) > MAX_COLUMNS:
        raise CellError("integrations.csv.too_many_columns")

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        try:
            for cells in reader:
                if any("\x00" in cell for cell in cells):  # never text a person typed
                    raise CellError("integrations.csv.malformed", {"line": line})
                if any(cell.strip() for cell in cells):
                    yield line, cells
                line = reader.line_num + 1
        except csv.Error as exc:  # an unterminated quote at the end of the file, a field over the size limit
            raise CellError("integrations.csv.malformed", {"line": line}) from exc

    return CsvFile(header, rows())


def rows_parse(
    csv_file: CsvFile, plan: ColumnPlan, *, header: list[str], zone: ZoneInfo
) -> Iterator[ParsedRow]:
    """Each data row parsed for its mapped fields; a row with any problem carries them all, with its line."""
    seen_ids: dict[str, int] = {}
    for line, cells in csv_file.rows:
        row = ParsedRow(line)
        if len(cells) > len(header):
            row.problems.append(RowProblem(line, None, Message(
                "integrations.csv.row_too_long", {"line": line, "expected": len(header), "found": len(cells)})))  # fmt: skip
        for csv_field in plan.fields:
            index = plan.indexes[csv_field.key]
            column = header[index]
            text = normalised(cells[index]) if index < len(cells) else ""
            if not text:
                if csv_field.required:
                    row.problems.append(RowProblem(line, column, Message(
                        "integrations.csv.required_empty", {"line": line, "column": column})))  # fmt: skip
                continue
            try:
                row.values[csv_field.key] = cell_parse(csv_field.kind, text, zone)
            except CellError as exc:
                row.problems.append(RowProblem(line, column, Message(
                    exc.code, {"line": line, "column": column, "value": text[:50]})))  # fmt: skip
        external_id = row.values.get("external_id")
        if isinstance(external_id, str):
            first = seen_ids.setdefault(external_id, line)
            if first != line:
                row.problems.append(RowProblem(line, header[plan.indexes["external_id"]], Message(
                    "integrations.csv.id_repeated", {"line": line, "value": external_id, "first_line": first})))  # fmt: skip
        yield row
