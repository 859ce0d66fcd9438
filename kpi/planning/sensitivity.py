"""Sensitivity of a multiplicative KGI to its drivers, and the bottleneck to show first.

The KGI is the product of its drivers (``revenue = leads x appointment_rate x meeting_rate x win_rate x
avg_deal_size``; rates are percentages).  Each driver has a plan value and an actual to date.

Two views are computed per driver:

*Effect of a relative improvement* (default +10%)
    In a purely multiplicative chain every driver's +10% raises the KGI by the same 10%, so this view
    alone cannot rank anything; it is returned because clients ask for it ("what is one more point of win
    rate worth?").

*Gap-weighted view* (the ranking)
    The projected KGI is the product of the actuals (the current trajectory).  For each driver, the KGI
    uplift if that driver alone reached its plan is ``projected x (plan / actual - 1)``: the gap to plan
    weighted by the driver's effect on the KGI.  The drivers are ranked by that uplift (ties: lowest
    attainment first, then input order); the bottleneck is the highest-ranked driver behind its plan.  In
    a multiplicative chain this is exactly the driver with the lowest actual / plan ratio.  A driver
    ahead of plan has an uplift of 0 (reaching plan would lower it, which is not an improvement).

Scope and conventions
    * Only higher-is-better drivers are supported: in a multiplicative revenue chain more volume, a higher
      conversion rate and a larger deal all raise the KGI.  Lower-is-better measures (cost per lead,
      churn) are not factors of this chain and do not belong in it.
    * A missing actual (None) is assumed to be at plan for the projection; the driver gets no
      attainment and no uplift, and a note says so.  A zero plan gives no attainment (a note says why);
      neither raises.
    * Plan and actual must be on the same basis.  Pass ``elapsed_fraction`` (e.g. Decimal("0.25") after
      three months of a year) when volume actuals are to date and plans are for the whole period: volume
      plans are then pro-rated for the comparison and volume actuals annualised for the projection;
      rates and amounts are not scaled.
    * Amounts are exact Decimals, with whole-yen (half-up) companions ``*_jpy``.

The summary, the method and the notes are messages of the KPI catalogue (``kpi.sensitivity.*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import Any, Final, Literal

from core.messages import DisplayParam, Message
from kpi.catalog import STANDARD_KPIS
from kpi.params import ContentName, Term
from kpi.planning.reverse import (
    DECIMAL_CONTEXT,
    HUNDRED,
    ReverseCalculationError,
    round_jpy,
    to_decimal,
)
from kpi.units import ApproxYen, Quantity

__all__ = [
    "METHOD",
    "Driver",
    "DriverKind",
    "DriverSensitivity",
    "SensitivityResult",
    "sensitivity_analyse",
]

DriverKind = Literal["volume", "rate", "amount"]
_KINDS: Final = ("volume", "rate", "amount")
_KIND_BY_UNIT: Final[dict[str, DriverKind]] = {"count": "volume", "percent": "rate", "jpy": "amount"}

_UNIT_BY_KIND: Final[dict[DriverKind, str]] = {"volume": "count", "rate": "percent", "amount": "jpy"}

METHOD: Final = Message("kpi.sensitivity.method")
_REVENUE: Final = Term("kpi.sensitivity.revenue", "revenue")


def _refuse(code: str, **params: Any) -> ReverseCalculationError:
    return ReverseCalculationError(code, Message(f"kpi.sensitivity.{code}", params))


@dataclass(frozen=True, slots=True)
class Driver:
    """One factor of the KGI.  ``kind``: ``volume`` (a count), ``rate`` (a percentage) or ``amount`` (JPY)."""

    key: str
    kind: DriverKind
    plan: Decimal | int
    actual: Decimal | int | None = None
    name_ja: str = ""
    name_en: str = ""

    @classmethod
    def from_catalog(cls, key: str, *, plan: Decimal | int, actual: Decimal | int | None = None) -> Driver:
        """A driver named and typed from the standard catalogue (count -> volume, percent -> rate, JPY ->
        amount)."""
        kpi = STANDARD_KPIS.get(key)
        if kpi is None or kpi.unit not in _KIND_BY_UNIT:
            raise _refuse("not_a_driver", key=key)
        return cls(key, _KIND_BY_UNIT[kpi.unit], plan, actual, kpi.name_ja, kpi.name_en)


@dataclass(frozen=True, slots=True)
class DriverSensitivity:
    """One ranked driver.

    ``plan_to_date`` is the plan the actual is compared with (the plan itself, or a volume plan pro-rated
    by ``elapsed_fraction``); ``projected`` the value used in the projected KGI (the actual, an annualised
    volume actual, or the plan when the actual is missing).  ``attainment_pct`` = actual / plan_to_date
    x 100, exact.  ``effect_of_improvement``: KGI change if this driver's projected value improved by
    ``improvement_pct`` percent.  ``uplift_if_plan``: KGI change if this driver alone reached plan (0 when
    at or ahead of plan, None when the actual is missing).
    """

    rank: int
    key: str
    name_ja: str
    name_en: str
    kind: DriverKind
    plan: Decimal
    plan_to_date: Decimal
    actual: Decimal | None
    projected: Decimal
    attainment_pct: Decimal | None
    behind_plan: bool
    effect_of_improvement: Decimal
    effect_of_improvement_jpy: Decimal
    uplift_if_plan: Decimal | None
    uplift_if_plan_jpy: Decimal | None
    note: Message | None

    @property
    def unit(self) -> str:
        """The unit of ``plan``, ``plan_to_date`` and ``actual``: count, percent or jpy."""
        return _UNIT_BY_KIND[self.kind]


@dataclass(frozen=True, slots=True)
class SensitivityResult:
    rows: tuple[DriverSensitivity, ...]
    """Ranked, bottleneck candidate first."""
    bottleneck: DriverSensitivity | None
    plan_kgi: Decimal
    plan_kgi_jpy: Decimal
    projected_kgi: Decimal
    projected_kgi_jpy: Decimal
    gap_to_plan_jpy: Decimal
    """plan_kgi_jpy - projected_kgi_jpy (positive when behind plan)."""
    improvement_pct: Decimal
    elapsed_fraction: Decimal | None
    notes: tuple[Message, ...]
    summary: Message
    method: Message = METHOD

    def row(self, key: str) -> DriverSensitivity:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class _Prepared:
    index: int
    key: str
    name_ja: str
    name_en: str
    kind: DriverKind
    plan: Decimal
    plan_to_date: Decimal
    actual: Decimal | None
    projected: Decimal
    negative_actual: Decimal | None = None
    """The actual as given when it was below 0 (counted as 0)."""

    @property
    def name(self) -> ContentName:
        return ContentName(self.key, self.name_ja, self.name_en)


def _factor(kind: DriverKind, value: Decimal) -> Decimal:
    return value / HUNDRED if kind == "rate" else value


def _product(values: Sequence[Decimal]) -> Decimal:
    total = Decimal(1)
    for value in values:
        total *= value
    return total


def sensitivity_analyse(
    *,
    drivers: Sequence[Driver],
    improvement_pct: Decimal | int = Decimal(10),
    elapsed_fraction: Decimal | None = None,
    kgi_name: DisplayParam = _REVENUE,
) -> SensitivityResult:
    """Rank the drivers of a multiplicative KGI by the uplift of bringing each alone to plan.

    ``kgi_name`` names the KGI in the summary (a :class:`~kpi.params.ContentName`; "revenue" by default).

    Raises ``ReverseCalculationError`` only for malformed input (no drivers, duplicate keys, an unknown
    kind, negative plans or float values, an ``elapsed_fraction`` outside (0, 1]); missing actuals, negative
    actuals (counted as 0) and zero plans are reported in the result.
    """
    improvement = to_decimal(improvement_pct, field="improvement_pct")
    fraction = _validate_fraction(elapsed_fraction)
    prepared = _prepare(drivers, fraction)

    with localcontext(DECIMAL_CONTEXT):
        factors = [_factor(item.kind, item.projected) for item in prepared]
        plan_kgi = _product([_factor(item.kind, item.plan) for item in prepared])
        projected_kgi = _product(factors)
        unranked: list[tuple[tuple[int, Decimal, Decimal, int], DriverSensitivity]] = []
        notes: list[Message] = []
        for item in prepared:
            others = _product([f for other, f in zip(prepared, factors, strict=True) if other is not item])
            own = _factor(item.kind, item.projected)
            effect = others * own * improvement / HUNDRED
            note: Message | None = None
            attainment: Decimal | None = None
            uplift: Decimal | None = None
            if item.negative_actual is not None:
                note = Message("kpi.sensitivity.actual_negative", {
                    "driver": item.name, "actual": Quantity(item.negative_actual, _UNIT_BY_KIND[item.kind])})  # fmt: skip
            if item.actual is None:
                note = Message("kpi.sensitivity.actual_missing", {"driver": item.name})
            elif item.plan_to_date == 0:
                note = note or Message("kpi.sensitivity.plan_zero", {"driver": item.name})
                uplift = max(Decimal(0), others * _factor(item.kind, item.plan) - projected_kgi)
            else:
                attainment = item.actual / item.plan_to_date * HUNDRED
                uplift = max(Decimal(0), others * _factor(item.kind, item.plan) - projected_kgi)
            if note is not None:
                notes.append(note)
            behind = attainment is not None and attainment < HUNDRED
            sort_key = (
                1 if uplift is None else 0,
                -(uplift or Decimal(0)),
                attainment if attainment is not None else Decimal("Infinity"),
                item.index,
            )
            row = DriverSensitivity(
                rank=0,
                key=item.key,
                name_ja=item.name_ja,
                name_en=item.name_en,
                kind=item.kind,
                plan=item.plan,
                plan_to_date=item.plan_to_date,
                actual=item.actual,
                projected=item.projected,
                attainment_pct=attainment,
                behind_plan=behind,
                effect_of_improvement=effect,
                effect_of_improvement_jpy=round_jpy(effect),
                uplift_if_plan=uplift,
                uplift_if_plan_jpy=round_jpy(uplift) if uplift is not None else None,
                note=note,
            )
            unranked.append((sort_key, row))

    unranked.sort(key=lambda pair: pair[0])
    rows = tuple(_with_rank(row, rank) for rank, (_, row) in enumerate(unranked, start=1))
    bottleneck = next((row for row in rows if row.behind_plan), None)
    has_actuals = any(item.actual is not None for item in prepared)
    summary = _summary(bottleneck, has_actuals, plan_kgi, projected_kgi, fraction, kgi_name)
    return SensitivityResult(
        rows=rows,
        bottleneck=bottleneck,
        plan_kgi=plan_kgi,
        plan_kgi_jpy=round_jpy(plan_kgi),
        projected_kgi=projected_kgi,
        projected_kgi_jpy=round_jpy(projected_kgi),
        gap_to_plan_jpy=round_jpy(plan_kgi) - round_jpy(projected_kgi),
        improvement_pct=improvement,
        elapsed_fraction=fraction,
        notes=tuple(notes),
        summary=summary,
    )


def _with_rank(row: DriverSensitivity, rank: int) -> DriverSensitivity:
    return replace(row, rank=rank)


def _validate_fraction(elapsed_fraction: Decimal | None) -> Decimal | None:
    if elapsed_fraction is None:
        return None
    fraction = to_decimal(elapsed_fraction, field="elapsed_fraction")
    if not (0 < fraction <= 1):
        raise _refuse("invalid_elapsed_fraction")
    return fraction


def _prepare(drivers: Sequence[Driver], fraction: Decimal | None) -> list[_Prepared]:
    if not drivers:
        raise _refuse("no_drivers")
    seen: set[str] = set()
    prepared: list[_Prepared] = []
    with localcontext(DECIMAL_CONTEXT):
        for index, driver in enumerate(drivers):
            if driver.key in seen:
                raise _refuse("duplicate_driver", key=driver.key)
            seen.add(driver.key)
            if driver.kind not in _KINDS:
                raise _refuse("unknown_driver_kind", key=driver.key, kind=driver.kind)
            plan = to_decimal(driver.plan, field=f"{driver.key}.plan")
            actual = (
                None
                if driver.actual is None
                else to_decimal(driver.actual, field=f"{driver.key}.actual", allow_negative=True)
            )
            # Stored totals can be below 0 (a correction booked as a negative day): counted as 0, and said so.
            negative = actual if actual is not None and actual < 0 else None
            if negative is not None:
                actual = Decimal(0)
            scaled = fraction is not None and driver.kind == "volume"
            plan_to_date = plan * fraction if scaled and fraction is not None else plan
            if actual is None:
                projected = plan
            elif scaled and fraction is not None:
                projected = actual / fraction
            else:
                projected = actual
            prepared.append(
                _Prepared(
                    index=index,
                    key=driver.key,
                    name_ja=driver.name_ja or driver.key,
                    name_en=driver.name_en or driver.key,
                    kind=driver.kind,
                    plan=plan,
                    plan_to_date=plan_to_date,
                    actual=actual,
                    projected=projected,
                    negative_actual=negative,
                )
            )
    return prepared


def _summary(
    bottleneck: DriverSensitivity | None,
    has_actuals: bool,
    plan_kgi: Decimal,
    projected_kgi: Decimal,
    fraction: Decimal | None,
    kgi: DisplayParam,
) -> Message:
    if not has_actuals:
        return Message("kpi.sensitivity.summary.no_actuals")
    if bottleneck is None:
        params = {"kgi": kgi, "projected": ApproxYen(projected_kgi), "plan": ApproxYen(plan_kgi)}
        return Message("kpi.sensitivity.summary.on_plan", params)
    row = bottleneck
    unit = _UNIT_BY_KIND[row.kind]
    pro_rated = fraction is not None and row.kind == "volume"
    actual = row.actual if row.actual is not None else Decimal(0)
    uplift = row.uplift_if_plan or Decimal(0)
    params = {
        "driver": ContentName(row.key, row.name_ja, row.name_en),
        "plan": Quantity(row.plan_to_date, unit),
        "actual": Quantity(actual, unit),
        "attainment": Quantity(row.attainment_pct or Decimal(0), "percent", places=1),
        "kgi": kgi,
        "uplift": ApproxYen(uplift),
    }
    tail = "uplift" if uplift > 0 else "no_uplift"
    head = "pro_rated" if pro_rated else "plan"
    return Message(f"kpi.sensitivity.summary.bottleneck.{head}.{tail}", params)
