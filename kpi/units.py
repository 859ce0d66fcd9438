"""How a KPI value is shown for its unit: JPY and counts as whole numbers, rates to two places."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from core.messages import message_render

# Places shown per unit. JPY has no minor unit; counts are whole things (a cascaded weekly target or a
# per-owner share is still a whole number of meetings), and a computed count keeps two places only when
# it is not whole (an average, for example).
_PLACES = {"jpy": 0, "count": 2, "percent": 2, "months": 1}


_ONE = Decimal(1)
_QUANTUM = {places: _ONE.scaleb(-places) for places in {*_PLACES.values(), 2}}


def value_quantize(value: Decimal, unit: str) -> Decimal:
    """``value`` rounded half-up to its unit's places, trailing zeros dropped (25.00 -> 25)."""
    if value == value.to_integral_value():  # most values (counts, yen) are whole: nothing to round
        return value.quantize(_ONE)
    rounded = value.quantize(_QUANTUM[_PLACES.get(unit, 2)], rounding=ROUND_HALF_UP)
    # normalize() would print 1E+8; quantising to 1 keeps whole numbers in plain notation.
    return rounded.quantize(_ONE) if rounded == rounded.to_integral_value() else rounded.normalize()


def value_format(value: Decimal | None, unit: str) -> str | None:
    """The API's string for a value: ``"100000000"`` for JPY, ``"33.33"`` for a rate, None if undefined."""
    return None if value is None else str(value_quantize(value, unit))


def value_is_ratio(unit: str, formula: str) -> bool:
    """A rate or a per-unit amount (``won_amount / wins``) is not additive: each period keeps the same
    target and its value is compared as it stands; sums of counts and yen are split and pro-rated."""
    return unit == "percent" or "/" in formula


def value_display(value: Decimal | None, unit: str, language: str) -> str:
    """A value for people to read in ``language``: ``5,000,000円`` / ``JPY 5,000,000``, ``33.33%``, ``1,234件``.

    For callers that choose the language themselves; a message parameter is a :class:`Quantity`.
    """
    from django.utils import translation

    with translation.override(language):
        return Quantity(value, unit).display()


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value with its unit as a message parameter.

    ``display()`` is the human form in the active language, rounded half-up (never cut) to the unit's places
    (or ``places``) with thousands separators: ``5,000,000円`` / ``JPY 5,000,000``, ``33.33%``, ``1,234件`` /
    ``1,234``, and ``—`` for an undefined value. ``to_json()`` is the exact value as a string.
    """

    value: Decimal | None
    unit: str
    places: int | None = None

    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.places is None:
            number = value_quantize(self.value, self.unit)
        else:
            rounded = self.value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
            number = (
                rounded.quantize(Decimal(1))
                if rounded == rounded.to_integral_value()
                else rounded.normalize()
            )
        unit = self.unit if self.unit in _PLACES else "count"
        return message_render(f"kpi.unit.{unit}", {"number": f"{number:,}"})

    def to_json(self) -> str | None:
        return None if self.value is None else format(self.value, "f")


@dataclass(frozen=True, slots=True)
class ApproxYen:
    """An amount to read at a glance: to the nearest 10,000 yen the Japanese way (``約2,722万円``,
    ``約1億2,346万円``, ``9,800円`` below 10,000 yen), whole yen in English (``JPY 27,216,000``).
    ``to_json()`` is the exact amount as a string."""

    amount: Decimal

    def display(self) -> str:
        with localcontext() as context:
            context.prec = 34  # as the planning arithmetic (kpi.planning.reverse.DECIMAL_CONTEXT)
            yen = self.amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
            man = (yen / Decimal(10_000)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        params = {"yen": f"{yen:,.0f}"}
        if abs(yen) < 10_000:
            return message_render("kpi.amount.yen", params)
        sign = "-" if man < 0 else ""
        oku, rest = divmod(int(abs(man)), 10_000)
        if oku == 0:
            return message_render("kpi.amount.man", {**params, "man": f"{sign}{rest:,}"})
        if rest == 0:
            return message_render("kpi.amount.oku", {**params, "oku": f"{sign}{oku:,}"})
        return message_render("kpi.amount.oku_man", {**params, "oku": f"{sign}{oku:,}", "man": f"{rest:,}"})

    def to_json(self) -> str:
        return format(self.amount, "f")
