"""Driver-tree algebra and reverse calculation (逆算) from a revenue KGI.

The sales funnel is a multiplicative chain::

    revenue = top_volume x rate_1/100 x rate_2/100 x ... x avg_deal_size

for example ``revenue = leads x appointment_rate x meeting_rate x win_rate x avg_deal_size`` (rates are
percentages: ``Decimal("25")`` means 25%).  Levels a firm does not use simply drop out of the chain.

``reverse_calculate``
    Walks the chain from the KGI upwards: required wins = KGI / average deal, then the count needed at
    each level above = the count below / (rate / 100).  Seed 004: KGI 100,000,000 JPY, average deal
    5,000,000 JPY -> 20 wins; win rate 25% -> 80 meetings; meeting rate 50% -> 160 appointments.

``solve_missing``
    Given all but one of (revenue, top volume, each rate, average deal), solves for the missing one.
    Seed 000: 100,000,000 JPY with 1,200 leads a year, meeting rate 30% and win rate 20% gives 72 wins and
    an average deal of 100,000,000 / 72 = 1,388,888.89 JPY, 1,388,889 JPY rounded to whole yen.

Rounding (stated in every result as ``rounding_rule``, a message of the catalogue)
    * Counts are rounded up (ceiling): a plan cannot hold 80.2 meetings, and rounding down would miss the
      KGI.  In the reverse chain every stage is computed from the previous stage's *rounded-up* count, so
      the plan is consistent level by level; the unrounded values are returned too (``exact``).
    * Amounts (JPY) are rounded half-up to whole yen, since JPY has no minor unit.
    * A solved rate is rounded up to 0.01 percentage point (a required rate must not be understated).
    * An exact quotient is never rounded up: 100,000,000 / 5,000,000 is 20, not 21.  Before rounding,
      residues below 1e-12 (artefacts of a non-terminating division) are discarded.

All arithmetic runs in ``DECIMAL_CONTEXT`` (34 significant digits), independent of the thread's context.
Float inputs are refused.  A division by zero is never an exception and never 0: the result is marked
undefined with a reason (a message with a code).  Texts live in the KPI catalogue (``kpi.reverse.*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any, Final, Literal, cast

from core.messages import Message
from kpi.catalog import BASE_METRICS, STANDARD_KPIS
from kpi.params import ContentName, Joined, Term
from kpi.planning.calendar import PlanningError
from kpi.units import Quantity

__all__ = [
    "DECIMAL_CONTEXT",
    "ROUNDING_RULE",
    "Figure",
    "ReverseCalculationError",
    "ReverseLevel",
    "ReverseResult",
    "SolveResult",
    "Stage",
    "ceil_count",
    "ceil_rate",
    "format_decimal",
    "format_jpy",
    "metric_name",
    "metric_names",
    "reverse_calculate",
    "round_jpy",
    "solve_missing",
    "to_decimal",
]

DECIMAL_CONTEXT: Final = Context(
    prec=34,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
HUNDRED: Final = Decimal(100)
_NOISE_QUANTUM: Final = Decimal("1e-12")
_YEN: Final = Decimal(1)
_RATE_QUANTUM: Final = Decimal("0.01")

ROUNDING_RULE: Final = Message("kpi.reverse.rounding_rule")
_SOLVE_RULES: Final[dict[str, Message]] = {
    "revenue": Message("kpi.reverse.rounding_rule.amount"),
    "avg_deal_size": Message("kpi.reverse.rounding_rule.amount"),
    "top_volume": Message("kpi.reverse.rounding_rule.count"),
    "rate": Message("kpi.reverse.rounding_rule.rate"),
}


class ReverseCalculationError(PlanningError):
    """Refused input to ``reverse_calculate``, ``solve_missing`` or the sensitivity analysis.

    Carries a stable ``code`` and its ``message``; ``str(error)`` is ``"<code>: <message code> <params>"``.
    """


def _refuse(code: str, **params: Any) -> ReverseCalculationError:
    return ReverseCalculationError(code, Message(f"kpi.reverse.{code}", params))


# --------------------------------------------------------------------------------------------------------
# Shared numeric helpers (also used by kpi.planning.sensitivity)
# --------------------------------------------------------------------------------------------------------


def to_decimal(value: object, *, field: str, allow_negative: bool = False) -> Decimal:
    """Coerce an ``int`` or ``Decimal`` input; refuse floats, bools, NaN/infinity and negatives."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _refuse("not_decimal", field=field)
    number = Decimal(value)
    if not number.is_finite():
        raise _refuse("not_finite", field=field)
    if number < 0 and not allow_negative:
        raise _refuse("negative_value", field=field, value=number)
    return number


def _denoise(value: Decimal) -> Decimal:
    """Drop residues below 1e-12 left by a non-terminating division, so they cannot trigger a ceiling."""
    if value.adjusted() >= DECIMAL_CONTEXT.prec - 14:
        return value  # too large to carry 12 decimals at this precision; no residue to drop
    with localcontext(DECIMAL_CONTEXT):
        return value.quantize(_NOISE_QUANTUM, rounding=ROUND_HALF_EVEN)


def ceil_count(exact: Decimal) -> int:
    """Round a count up to a whole number; an exact integer stays as it is (20 -> 20, 20.01 -> 21)."""
    with localcontext(DECIMAL_CONTEXT):
        return int(_denoise(exact).to_integral_value(rounding=ROUND_CEILING))


def ceil_rate(exact: Decimal) -> Decimal:
    """Round a percentage up to 0.01 percentage point."""
    with localcontext(DECIMAL_CONTEXT):
        return _denoise(exact).quantize(_RATE_QUANTUM, rounding=ROUND_CEILING)


def round_jpy(amount: Decimal) -> Decimal:
    """Round an amount half-up to whole yen (JPY has no minor unit)."""
    with localcontext(DECIMAL_CONTEXT):
        return amount.quantize(_YEN, rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal, *, places: int = 2) -> str:
    """Thousands separators, at most ``places`` decimals (half-up), trailing zeros dropped: 1,234.5."""
    with localcontext(DECIMAL_CONTEXT):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}" if places > 0 else f"{rounded:,.0f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as a message parameter, shown as :func:`format_decimal` writes it (``1,234.5``)."""

    value: Decimal
    places: int = 2

    def display(self) -> str:
        return format_decimal(self.value, places=self.places)

    def to_json(self) -> str:
        return format(self.value, "f")


def format_jpy(amount: Decimal) -> str:
    """Whole yen with thousands separators, no currency sign: ``28,571,429``."""
    return f"{round_jpy(amount):,.0f}"


def metric_name(key: str) -> ContentName:
    """The name of a catalogue KPI or base metric as a message parameter (the key when unknown)."""
    return ContentName(key, *metric_names(key))


def metric_names(key: str) -> tuple[str, str]:
    """(name_ja, name_en) of a catalogue KPI or base metric; the key itself when unknown."""
    kpi = STANDARD_KPIS.get(key)
    if kpi is not None:
        return kpi.name_ja, kpi.name_en
    metric = BASE_METRICS.get(key)
    if metric is not None:
        return metric.name_ja, metric.name_en
    return key, key


# --------------------------------------------------------------------------------------------------------
# reverse_calculate
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    """One conversion step of the funnel: ``from_key`` x ``rate``% -> ``to_key``.

    Seed 004 reads, bottom first::

        Stage(from_key="meetings", rate_key="win_rate", rate=Decimal("25"), to_key="wins")
        Stage(from_key="appointments", rate_key="meeting_rate", rate=Decimal("50"), to_key="meetings")
    """

    from_key: str
    rate_key: str
    rate: Decimal | int
    to_key: str


@dataclass(frozen=True, slots=True)
class ReverseLevel:
    """A count level of the reverse plan (wins, meetings, appointments, ...).

    ``rate_key`` / ``rate`` are the conversion from this level into the level below it (None for the
    bottom level, which comes from the KGI and the average deal).  ``exact`` is the unrounded value
    computed from the unrounded level below; ``required`` the rounded-up value computed from the rounded-up
    level below.  ``per_period`` is ``required`` split over the requested periods, rounded up.  All three
    are None when the level is undefined (a zero rate or a zero average deal below it).
    """

    key: str
    name_ja: str
    name_en: str
    rate_key: str | None
    rate: Decimal | None
    exact: Decimal | None
    required: int | None
    per_period: int | None


@dataclass(frozen=True, slots=True)
class ReverseResult:
    kgi_target: Decimal
    avg_deal_size: Decimal
    levels: tuple[ReverseLevel, ...]
    """Bottom (wins) first, then upwards in the order of the stages."""
    periods: int | None
    kgi_per_period_exact: Decimal | None
    kgi_per_period_jpy: Decimal | None
    undefined_reason: Message | None
    rounding_rule: Message = ROUNDING_RULE

    @property
    def defined(self) -> bool:
        return self.undefined_reason is None

    def level(self, key: str) -> ReverseLevel:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)

    def required(self, key: str) -> int | None:
        return self.level(key).required

    def as_dict(self) -> dict[str, int | None]:
        """``{"wins": 20, "meetings": 80, "appointments": 160}``."""
        return {level.key: level.required for level in self.levels}


def _validate_chain(stages: Sequence[Stage], bottom_key: str) -> None:
    expected = bottom_key
    seen = {bottom_key}
    for index, stage in enumerate(stages):
        if stage.to_key != expected:
            raise _refuse("stage_chain_broken", stage=index + 1, expected=expected, given=stage.to_key)
        if stage.from_key in seen:
            raise _refuse("stage_chain_cycle", stage=index + 1, key=stage.from_key)
        seen.add(stage.from_key)
        expected = stage.from_key


def reverse_calculate(
    *,
    kgi_target: Decimal | int,
    avg_deal_size: Decimal | int,
    stages: Sequence[Stage],
    periods: int | None = None,
    bottom_key: str = "wins",
) -> ReverseResult:
    """Required counts at each funnel level for a revenue KGI (逆算).

    ``stages`` run from the bottom (closest to wins) upwards; an empty sequence gives the wins only.
    ``periods`` (e.g. 12) adds a per-period split of every count (rounded up) and of the KGI (to the yen).

    A zero average deal or a zero rate makes the levels from there up undefined (no count can reach a
    positive KGI; for a zero KGI the count is indeterminate): ``result.defined`` is False, the affected
    levels hold None and ``undefined_reason`` says why.  Negative or float inputs raise
    ``ReverseCalculationError``.
    """
    kgi = to_decimal(kgi_target, field="kgi_target")
    deal = to_decimal(avg_deal_size, field="avg_deal_size")
    rates = [to_decimal(stage.rate, field=f"{stage.rate_key} (rate)") for stage in stages]
    _validate_chain(stages, bottom_key)
    if periods is not None and (isinstance(periods, bool) or not isinstance(periods, int) or periods < 1):
        raise _refuse("invalid_periods")

    def split(required: int | None) -> int | None:
        if periods is None or required is None:
            return None
        with localcontext(DECIMAL_CONTEXT):
            return ceil_count(Decimal(required) / Decimal(periods))

    levels: list[ReverseLevel] = []
    reason: Message | None = None
    exact: Decimal | None
    required: int | None
    with localcontext(DECIMAL_CONTEXT):
        if deal == 0:
            reason = _zero_divisor_reason("avg_deal_size", kgi == 0)
            exact, required = None, None
        else:
            exact = kgi / deal
            required = ceil_count(exact)
        name_ja, name_en = metric_names(bottom_key)
        levels.append(
            ReverseLevel(bottom_key, name_ja, name_en, None, None, exact, required, split(required))
        )
        for stage, rate in zip(stages, rates, strict=True):
            if exact is None or required is None:
                pass  # an undefined level keeps everything above it undefined
            elif rate == 0:
                reason = _zero_divisor_reason(stage.rate_key, required == 0)
                exact, required = None, None
            else:
                exact = exact * HUNDRED / rate
                required = ceil_count(Decimal(required) * HUNDRED / rate)
            name_ja, name_en = metric_names(stage.from_key)
            levels.append(
                ReverseLevel(
                    stage.from_key, name_ja, name_en, stage.rate_key, rate, exact, required, split(required)
                )
            )
        per_period_exact = kgi / Decimal(periods) if periods is not None else None
    return ReverseResult(
        kgi_target=kgi,
        avg_deal_size=deal,
        levels=tuple(levels),
        periods=periods,
        kgi_per_period_exact=per_period_exact,
        kgi_per_period_jpy=round_jpy(per_period_exact) if per_period_exact is not None else None,
        undefined_reason=reason,
    )


def _zero_divisor_reason(key: str, numerator_is_zero: bool) -> Message:
    code = "indeterminate" if numerator_is_zero else "division_by_zero"
    return Message(f"kpi.reverse.{code}", {"divisor": metric_name(key)})


# --------------------------------------------------------------------------------------------------------
# solve_missing
# --------------------------------------------------------------------------------------------------------

Unknown = Literal["revenue", "top_volume", "rate", "avg_deal_size"]


@dataclass(frozen=True, slots=True)
class SolveResult:
    """The solved unknown of ``revenue = top_volume x prod(rates / 100) x avg_deal_size``.

    ``value_exact`` is the unrounded solution; ``value_rounded`` follows ``rounding_rule`` (whole yen
    half-up for revenue and average deal, ceiling for the volume, ceiling to 0.01 point for a rate).
    ``revenue`` / ``top_volume`` / ``rates`` / ``avg_deal_size`` are the completed inputs (the unknown filled
    with its exact value, or left None when undefined), and ``counts_exact`` the funnel from the top volume
    down through each rate (its last element is the wins).
    """

    unknown: Unknown
    rate_index: int | None
    status: Literal["solved", "undefined", "infeasible"]
    value_exact: Decimal | None
    value_rounded: Decimal | None
    revenue: Decimal | None
    top_volume: Decimal | None
    rates: tuple[Decimal | None, ...]
    avg_deal_size: Decimal | None
    counts_exact: tuple[Decimal, ...] | None
    undefined_reason: Message | None
    rounding_rule: Message
    unknown_slot: str = ""
    """Which input was solved: ``revenue``, ``top_volume``, ``avg_deal_size`` or ``rates[<index>]``."""
    infeasible_reason: Message | None = None
    """Why the solution cannot be a plan: a conversion rate above 100%% (the value is still given)."""

    @property
    def solved(self) -> bool:
        return self.status == "solved"

    @property
    def unknown_name(self) -> Term:
        """The solved input as a message parameter ("rate 2 (rates[1])", "average deal size")."""
        return _slot_name(self.unknown_slot or self.unknown)

    @property
    def reason(self) -> Message | None:
        """Why the answer is not a plan (undefined or infeasible), or None when it is solved."""
        return self.undefined_reason or self.infeasible_reason

    @property
    def wins_exact(self) -> Decimal | None:
        return self.counts_exact[-1] if self.counts_exact else None

    @property
    def unit(self) -> str:
        """The unit of the solved value: jpy for revenue and the average deal, count for the volume, percent
        for a rate."""
        return _UNIT_OF_UNKNOWN[self.unknown]


_UNIT_OF_UNKNOWN: dict[str, str] = {
    "revenue": "jpy",
    "avg_deal_size": "jpy",
    "top_volume": "count",
    "rate": "percent",
}


def _slot_name(slot: str) -> Term:
    if slot.startswith("rates["):
        index = int(slot[len("rates[") : -1])
        return Term("kpi.reverse.slot.rate", slot, {"number": index + 1, "slot": slot})
    return Term(f"kpi.reverse.slot.{slot}", slot)


def solve_missing(
    *,
    revenue: Decimal | int | None,
    top_volume: Decimal | int | None,
    rates: Sequence[Decimal | int | None],
    avg_deal_size: Decimal | int | None,
) -> SolveResult:
    """Solve ``revenue = top_volume x prod(rates / 100) x avg_deal_size`` for its single None.

    Exactly one value must be None, otherwise ``ReverseCalculationError`` (``no_unknown`` or
    ``too_many_unknowns``).  When the other factors multiply to zero the result is ``undefined`` with a
    reason (``division_by_zero`` if no value works, ``indeterminate`` if every value works because the
    revenue is 0 too) -- never an exception and never a made-up 0.  A solved rate above 100% is no
    conversion rate a funnel can have: the result is ``infeasible``, with the value and a reason naming the
    rate (``solve_rate_infeasible``).
    """
    slots: list[tuple[str, Decimal | int | None]] = [("revenue", revenue), ("top_volume", top_volume)]
    slots += [(f"rates[{index}]", rate) for index, rate in enumerate(rates)]
    slots.append(("avg_deal_size", avg_deal_size))
    unknown_slots = [slot for slot, value in slots if value is None]
    if not unknown_slots:
        raise _refuse("no_unknown")
    if len(unknown_slots) > 1:
        raise _refuse("too_many_unknowns", count=len(unknown_slots), slots=unknown_slots)
    (unknown_slot,) = unknown_slots
    known: dict[str, Decimal] = {
        slot: to_decimal(value, field=slot) for slot, value in slots if value is not None
    }

    rate_index: int | None = None
    unknown: Unknown
    if unknown_slot.startswith("rates["):
        unknown = "rate"
        rate_index = int(unknown_slot[len("rates[") : -1])
    else:
        unknown = cast(Unknown, unknown_slot)
    rule = _SOLVE_RULES[unknown]

    def factor(slot: str) -> Decimal:
        value = known[slot]
        return value / HUNDRED if slot.startswith("rates[") else value

    exact: Decimal | None = None
    reason: Message | None = None
    with localcontext(DECIMAL_CONTEXT):
        others = [slot for slot, _ in slots if slot not in {"revenue", unknown_slot}]
        product = Decimal(1)
        for slot in others:
            product *= factor(slot)
        if unknown == "revenue":
            exact = product
        elif product == 0:
            reason = _undefined_solve_reason(unknown_slot, [s for s in others if known[s] == 0], known)
        else:
            exact = known["revenue"] / product
            if unknown == "rate":
                exact *= HUNDRED

        if exact is None:
            rounded: Decimal | None = None
        elif unknown in {"revenue", "avg_deal_size"}:
            rounded = round_jpy(exact)
        elif unknown == "top_volume":
            rounded = Decimal(ceil_count(exact))
        else:
            rounded = ceil_rate(exact)

        filled = dict(known)
        if exact is not None:
            filled[unknown_slot] = exact
        rate_values = tuple(filled.get(f"rates[{index}]") for index in range(len(rates)))
        counts: tuple[Decimal, ...] | None = None
        if exact is not None:
            chain = [filled["top_volume"]]
            for index in range(len(rates)):
                chain.append(chain[-1] * filled[f"rates[{index}]"] / HUNDRED)
            counts = tuple(chain)

    status: Literal["solved", "undefined", "infeasible"] = "solved" if exact is not None else "undefined"
    infeasible: Message | None = None
    if unknown == "rate" and exact is not None and _denoise(exact) > HUNDRED:
        status = "infeasible"
        infeasible = Message("kpi.reverse.solve_rate_infeasible", {
            "rate": _slot_name(unknown_slot), "value": Quantity(rounded, "percent"),
            "revenue": Quantity(known["revenue"], "jpy")})  # fmt: skip
    return SolveResult(
        unknown=unknown,
        rate_index=rate_index,
        status=status,
        value_exact=exact,
        value_rounded=rounded,
        revenue=filled.get("revenue"),
        top_volume=filled.get("top_volume"),
        rates=rate_values,
        avg_deal_size=filled.get("avg_deal_size"),
        counts_exact=counts,
        undefined_reason=reason,
        rounding_rule=rule,
        unknown_slot=unknown_slot,
        infeasible_reason=infeasible,
    )


def _undefined_solve_reason(unknown_slot: str, zero_slots: list[str], known: dict[str, Decimal]) -> Message:
    params: dict[str, Any] = {
        "unknown": _slot_name(unknown_slot),
        "zeros": Joined(tuple(_slot_name(slot) for slot in zero_slots), "kpi.reverse.slot_separator"),
    }
    if known["revenue"] == 0:
        return Message("kpi.reverse.solve_indeterminate", params)
    return Message(
        "kpi.reverse.solve_division_by_zero", {**params, "revenue": Quantity(known["revenue"], "jpy")}
    )
