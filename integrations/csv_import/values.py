"""One cell to one value: dates and times as Excel writes them in Japan, yen amounts, outcomes and types.

Each parser returns the value or raises :class:`CellError` with a message code; the row reader adds the
line and the column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from integrations.csv_import.fields import ACTIVITY_TYPES, DATE_FORMATS, NO_VALUE, OUTCOMES, YEN_PATTERN, Kind

MAX_TEXT = 255
_TIME_FORMATS = ("%H:%M", "%H:%M:%S")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_YEN = re.compile(YEN_PATTERN)


class CellError(ValueError):
    """A cell (or, from the file reader, the file) refused: a message code and its parameters."""

    def __init__(self, code: str, params: dict[str, object] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params or {}


def normalised(text: str) -> str:
    """Full-width digits and letters to half-width, outer spaces gone (Excel keeps what people typed)."""
    return unicodedata.normalize("NFKC", text).strip()


def date_parse(text: str) -> dt.date:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError("integrations.csv.date_invalid")


def datetime_parse(text: str, zone: ZoneInfo) -> dt.datetime:
    """An instant: ISO 8601 with an offset as given, else a date and an optional time in ``zone``
    (the workspace's), so ``2026/5/8`` is midnight in Tokyo, not in UTC."""
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    day_text, _, time_text = text.partition(" ")
    day = date_parse(day_text)
    moment = dt.time(0, 0)
    if time_text.strip():
        for pattern in _TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(time_text.strip(), pattern).time()
                break
            except ValueError:
                continue
        else:
            raise CellError("integrations.csv.datetime_invalid")
    return dt.datetime.combine(day, moment, tzinfo=zone)


def amount_parse(text: str) -> Decimal | None:
    """Whole yen: ``¥1,200,000``, ``1200000円``, ``1,200,000.00``; None for the ways people write "none"."""
    if text.lower() in NO_VALUE:
        return None
    match = _YEN.match(text.lower().replace(" ", ""))
    if match is None:
        raise CellError("integrations.csv.amount_invalid")
    try:
        amount = Decimal(match["number"].replace(",", ""))
    except InvalidOperation as exc:
        raise CellError("integrations.csv.amount_invalid") from exc
    if amount < 0:
        raise CellError("integrations.csv.amount_negative")
    if amount != amount.to_integral_value():
        raise CellError("integrations.csv.amount_fraction")  # JPY has no minor unit
    return amount.quantize(Decimal(1))


def cell_parse(kind: Kind, text: str, zone: ZoneInfo) -> object:
    """The value of one non-empty cell of ``kind``."""
    if kind is Kind.TEXT:
        if len(text) > MAX_TEXT:
            raise CellError("integrations.csv.text_too_long")
        return text
    if kind is Kind.EMAIL:
        if not _EMAIL.match(text):
            raise CellError("integrations.csv.email_invalid")
        return text.lower()
    if kind is Kind.DATE:
        return date_parse(text)
    if kind is Kind.DATETIME:
        return datetime_parse(text, zone)
    if kind is Kind.AMOUNT:
        return amount_parse(text)
    if kind is Kind.OUTCOME:
        outcome = OUTCOMES.get(text.lower())
        if outcome is None:
            raise CellError("integrations.csv.outcome_invalid")
        return outcome
    if kind is Kind.ACTIVITY_TYPE:
        activity_type = ACTIVITY_TYPES.get(text.lower())
        if activity_type is None:
            raise CellError("integrations.csv.activity_type_invalid")
        return activity_type
    raise AssertionError(kind)
