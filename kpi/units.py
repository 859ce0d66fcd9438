"""How a KPI value is shown for its unit: JPY and counts as whole numbers, rates to two places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Places shown per unit. JPY has no minor unit; counts are whole things (a cascaded weekly target or a
# per-owner share is still a whole number of meetings), and a computed count keeps two places only when
# it is not whole (an average, for example).
_PLACES = {"jpy": 0, "count": 2, "percent": 2, "months": 1}


def value_quantize(value: Decimal, unit: str) -> Decimal:
    """``value`` rounded half-up to its unit's places, trailing zeros dropped (25.00 -> 25)."""
    places = _PLACES.get(unit, 2)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # normalize() would print 1E+8; quantising to 1 keeps whole numbers in plain notation.
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded.normalize()


def value_format(value: Decimal | None, unit: str) -> str | None:
    """The API's string for a value: ``"100000000"`` for JPY, ``"33.33"`` for a rate, None if undefined."""
    return None if value is None else str(value_quantize(value, unit))


def value_is_ratio(unit: str, formula: str) -> bool:
    """A rate or a per-unit amount (``won_amount / wins``) is not additive: each period keeps the same
    target and its value is compared as it stands; sums of counts and yen are split and pro-rated."""
    return unit == "percent" or "/" in formula


def value_display(value: Decimal | None, unit: str, language: str) -> str:
    """A value for people to read: ``5,000,000円`` / ``JPY 5,000,000``, ``33.33%``, ``1,234件``."""
    if value is None:
        return "—"
    number = f"{value_quantize(value, unit):,}"
    if unit == "jpy":
        return f"JPY {number}" if language == "en" else f"{number}円"
    if unit == "percent":
        return f"{number}%"
    if unit == "months":
        return f"{number} months" if language == "en" else f"{number}か月"
    return number if language == "en" else f"{number}件"
