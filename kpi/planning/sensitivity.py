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
"""

# Japanese text legitimately uses full-width punctuation such as "（" and "："; the ambiguous-character
# rules are aimed at look-alike identifiers, not at Japanese prose.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import Final, Literal

from kpi.catalog import STANDARD_KPIS
from kpi.planning.reverse import (
    DECIMAL_CONTEXT,
    HUNDRED,
    Reason,
    ReverseCalculationError,
    format_decimal,
    format_jpy,
    format_jpy_ja_approx,
    round_jpy,
    to_decimal,
)

__all__ = [
    "METHOD_EN",
    "METHOD_JA",
    "Driver",
    "DriverKind",
    "DriverSensitivity",
    "SensitivityResult",
    "sensitivity_analyse",
]

DriverKind = Literal["volume", "rate", "amount"]
_KINDS: Final = ("volume", "rate", "amount")
_KIND_BY_UNIT: Final[dict[str, DriverKind]] = {"count": "volume", "percent": "rate", "jpy": "amount"}

METHOD_JA: Final = (
    "KGI＝各ドライバーの積（率は%）。ボトルネックは「そのドライバーだけが計画値に達した場合のKGI増加額」"
    "が最大のもの（乗算型のため、達成率が最も低いドライバーと一致）。実績未入力のドライバーは計画値と仮定。"
    "対象は値が大きいほど良いドライバーのみ。"
)
METHOD_EN: Final = (
    "KGI = product of the drivers (rates in %). The bottleneck is the driver whose reaching plan alone "
    "would raise the KGI most (in a multiplicative chain, the driver with the lowest attainment). A driver "
    "without an actual is assumed at plan. Higher-is-better drivers only."
)


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
            raise ReverseCalculationError(
                "not_a_driver",
                f"{key} はカタログ上の件数・率・金額のKPIではないため、ドライバーにできません。",
                f"{key!r} is not a catalogue count, rate or amount KPI, so it cannot be a driver.",
            )
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
    note: Reason | None


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
    notes: tuple[Reason, ...]
    summary_ja: str
    summary_en: str
    method_ja: str = METHOD_JA
    method_en: str = METHOD_EN

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
    kgi_name_ja: str = "売上",
    kgi_name_en: str = "revenue",
) -> SensitivityResult:
    """Rank the drivers of a multiplicative KGI by the uplift of bringing each alone to plan.

    Raises ``ReverseCalculationError`` only for malformed input (no drivers, duplicate keys, an unknown
    kind, negative or float values, an ``elapsed_fraction`` outside (0, 1]); missing actuals and zero
    plans are reported in the result.
    """
    improvement = to_decimal(improvement_pct, field="improvement_pct")
    fraction = _validate_fraction(elapsed_fraction)
    prepared = _prepare(drivers, fraction)

    with localcontext(DECIMAL_CONTEXT):
        factors = [_factor(item.kind, item.projected) for item in prepared]
        plan_kgi = _product([_factor(item.kind, item.plan) for item in prepared])
        projected_kgi = _product(factors)
        unranked: list[tuple[tuple[int, Decimal, Decimal, int], DriverSensitivity]] = []
        notes: list[Reason] = []
        for item in prepared:
            others = _product([f for other, f in zip(prepared, factors, strict=True) if other is not item])
            own = _factor(item.kind, item.projected)
            effect = others * own * improvement / HUNDRED
            note: Reason | None = None
            attainment: Decimal | None = None
            uplift: Decimal | None = None
            if item.actual is None:
                note = Reason(
                    "actual_missing",
                    f"{item.name_ja}の実績が未入力のため、計画値と仮定して見込みを計算しました。",
                    f"No actual for {item.name_en}; the projection assumes it is at plan.",
                )
            elif item.plan_to_date == 0:
                note = Reason(
                    "plan_zero",
                    f"{item.name_ja}の計画値が0のため、達成率を計算できません。",
                    f"The plan for {item.name_en} is 0, so its attainment is undefined.",
                )
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
    summary_ja, summary_en = _summaries(
        bottleneck, has_actuals, plan_kgi, projected_kgi, fraction, kgi_name_ja, kgi_name_en
    )
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
        summary_ja=summary_ja,
        summary_en=summary_en,
    )


def _with_rank(row: DriverSensitivity, rank: int) -> DriverSensitivity:
    return replace(row, rank=rank)


def _validate_fraction(elapsed_fraction: Decimal | None) -> Decimal | None:
    if elapsed_fraction is None:
        return None
    fraction = to_decimal(elapsed_fraction, field="elapsed_fraction")
    if not (0 < fraction <= 1):
        raise ReverseCalculationError(
            "invalid_elapsed_fraction",
            "経過割合（elapsed_fraction）は0より大きく1以下で指定してください。",
            "elapsed_fraction must be greater than 0 and at most 1.",
        )
    return fraction


def _prepare(drivers: Sequence[Driver], fraction: Decimal | None) -> list[_Prepared]:
    if not drivers:
        raise ReverseCalculationError(
            "no_drivers",
            "ドライバーが1つもありません。",
            "At least one driver is needed.",
        )
    seen: set[str] = set()
    prepared: list[_Prepared] = []
    with localcontext(DECIMAL_CONTEXT):
        for index, driver in enumerate(drivers):
            if driver.key in seen:
                raise ReverseCalculationError(
                    "duplicate_driver",
                    f"ドライバー {driver.key} が重複しています。",
                    f"Driver {driver.key!r} appears more than once.",
                )
            seen.add(driver.key)
            if driver.kind not in _KINDS:
                raise ReverseCalculationError(
                    "unknown_driver_kind",
                    f"ドライバー {driver.key} の種類 {driver.kind} は"
                    " volume・rate・amount のいずれかにしてください。",
                    f"Driver {driver.key!r} has kind {driver.kind!r}; use volume, rate or amount.",
                )
            plan = to_decimal(driver.plan, field=f"{driver.key}.plan")
            actual = (
                None if driver.actual is None else to_decimal(driver.actual, field=f"{driver.key}.actual")
            )
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
                )
            )
    return prepared


def _value_ja(kind: DriverKind, value: Decimal) -> str:
    if kind == "rate":
        return f"{format_decimal(value)}%"
    if kind == "amount":
        return f"{format_jpy(value)}円"
    return f"{format_decimal(value)}件"


def _value_en(kind: DriverKind, value: Decimal) -> str:
    if kind == "rate":
        return f"{format_decimal(value)}%"
    if kind == "amount":
        return f"JPY {format_jpy(value)}"
    return format_decimal(value)


def _summaries(
    bottleneck: DriverSensitivity | None,
    has_actuals: bool,
    plan_kgi: Decimal,
    projected_kgi: Decimal,
    fraction: Decimal | None,
    kgi_ja: str,
    kgi_en: str,
) -> tuple[str, str]:
    if not has_actuals:
        return (
            "実績がまだ入力されていないため、ボトルネックを判定できません。",
            "No actuals have been entered yet, so no bottleneck can be identified.",
        )
    if bottleneck is None:
        return (
            f"すべての指標が計画どおりか計画を上回っています。現在の実績による{kgi_ja}見込みは"
            f"{format_jpy_ja_approx(projected_kgi)}（計画{format_jpy_ja_approx(plan_kgi)}）です。",
            f"Every driver is at or above plan. Projected {kgi_en} at current actuals is about "
            f"JPY {format_jpy(projected_kgi)} (plan JPY {format_jpy(plan_kgi)}).",
        )
    row = bottleneck
    pro_rated = fraction is not None and row.kind == "volume"
    plan_label_ja = "計画（経過期間分）" if pro_rated else "計画"
    plan_label_en = "plan to date" if pro_rated else "plan"
    actual = row.actual if row.actual is not None else Decimal(0)
    attainment = format_decimal(row.attainment_pct or Decimal(0), places=1)
    head_ja = (
        f"最大のボトルネックは{row.name_ja}です。{plan_label_ja}{_value_ja(row.kind, row.plan_to_date)}に対し"
        f"実績{_value_ja(row.kind, actual)}（達成率{attainment}%）。"
    )
    head_en = (
        f"The biggest bottleneck is {row.name_en}: {plan_label_en} {_value_en(row.kind, row.plan_to_date)}, "
        f"actual {_value_en(row.kind, actual)} ({attainment}% of plan)."
    )
    uplift = row.uplift_if_plan or Decimal(0)
    if uplift > 0:
        return (
            f"{head_ja}計画値まで改善すると{kgi_ja}見込みが{format_jpy_ja_approx(uplift)}増えます。",
            f"{head_en} Bringing it up to plan would raise projected {kgi_en} by about "
            f"JPY {format_jpy(uplift)}.",
        )
    return (
        f"{head_ja}ただし他にも見込み値が0の指標があるため、この指標だけを計画値まで改善しても"
        f"{kgi_ja}見込みは増えません。",
        f"{head_en} Another driver is also at 0, so bringing this one alone to plan would not raise "
        f"projected {kgi_en}.",
    )
