"""Tolerant parsers for the values CRMs send (research note §5.15, §5.16, §5.18, §5.19)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_EPOCH_MS = re.compile(r"^-?\d{10,}$")
# Salesforce writes offsets without a colon ("+0000"), which fromisoformat accepts only from Python 3.11 on.
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 (with or without fraction, ``Z`` or an offset) or epoch milliseconds, to aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and _EPOCH_MS.match(value)):
        return dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = _COMPACT_OFFSET.sub(r"\1:\2", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # the CRMs' naive stamps are UTC
    return parsed.astimezone(dt.UTC)


def parse_date(value: Any) -> dt.date | None:
    """A date-only field. A date written as a midnight-UTC timestamp keeps its UTC date: never shifted."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        stamp = parse_timestamp(text)
        return stamp.date() if stamp else None


def parse_instant_of_date(value: Any) -> dt.datetime | None:
    """The instant a date-time field holds, unless it is a bare date or midnight UTC (a date picker's value)."""
    stamp = parse_timestamp(value) if value not in (None, "") and "T" in str(value) else None
    if stamp is None or stamp.astimezone(dt.UTC).time() == dt.time(0):
        return None
    return stamp


def parse_amount(value: Any) -> tuple[Decimal | None, bool]:
    """(amount, invalid): empty is (None, False); "N/A" or any non-number is (None, True)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None, False
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None, True
    if not amount.is_finite():
        return None, True
    return amount, False


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def text(value: Any) -> str:
    return "" if value is None else str(value)


def split_ids(value: Any) -> tuple[str, ...]:
    """HubSpot's multi-value properties: "1;2;3"."""
    if value is None or value == "":
        return ()
    return tuple(part.strip() for part in str(value).split(";") if part.strip())
