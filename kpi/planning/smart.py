"""SMART checks for single KPIs and design checks for a whole KPI plan (pure Python, no Django).

Every rule is listed here; thresholds live in ``SmartConfig`` so a workspace can tune them.

Per KPI (``check_kpi``), five checks, each pass/fail with reason codes and a message
    S  Specific    - the definition is non-blank and at least ``min_definition_chars`` characters long
                     (``specific_definition_missing`` / ``specific_definition_too_short``); the KPI names a
                     unit from ``units`` (``specific_unit_missing`` / ``specific_unit_unknown``); and it has
                     a numeric target (``specific_target_missing``) -- seed 000's example of "specific" is
                     "月間リード獲得数100件", not "リード獲得数を増やす".
    M  Measurable  - it has a formula (``measurable_formula_missing``) and a data source
                     (``measurable_data_source_missing``).  Whether the formula parses is kpi.formulas' job.
    A  Achievable  - judged against ``best_recent_actual``:
                     higher_is_better: target <= best x ``max_target_pct_of_best``% (default 150%), else
                     ``achievable_target_too_high``;
                     lower_is_better: target >= best x ``min_target_pct_of_best_lower``% (default 50%, i.e.
                     at most halving a cost or a lead time), else ``achievable_target_too_low``.
                     No history: pass with ``achievable_no_history``; a best actual <= 0 for a
                     higher_is_better KPI is no usable baseline: pass with ``achievable_no_usable_history``.
                     No target: fail ``achievable_no_target`` (nothing to judge); an unknown direction:
                     fail ``achievable_unknown_direction``.
    R  Relevant    - ``is_on_path_to_kgi`` (computed by the caller from the KPI tree), else
                     ``relevant_not_on_kgi_path``.
    T  Time-bound  - a target period (e.g. "FY2026") or a cadence the target is per ("monthly": 100 leads
                     a month), else ``time_bound_missing``; a cadence outside ``cadences`` fails
                     ``time_bound_unknown_cadence``.

Plan checks (``plan_check``), each a finding with level error / warning / ok
    * KGI numeric target present and positive: error otherwise.
    * 3-5 company-wide KPIs (those with no department): warning outside the range, never an error --
      "more KPIs do not mean more results".
    * 2-3 KPIs per department: a warning for each department outside the range.
    * Leading and lagging indicators both present: an **error** by default (``leading_lagging_level``).
      Why not a warning: the design rules require the mix and checklist item A18 is binary; a plan of
      lagging measures only shows a miss after the fact, with nothing the sales reps can act on daily,
      and a plan of leading measures only cannot show whether the activity turns into the KGI, so the
      weekly bottleneck review cannot work either way.  The count rules, by contrast, are explicitly
      soft in the design rules.
    * Every KPI has an owner: error listing the KPIs without one.
    * Every KPI passes SMART: error listing the KPIs that fail.
    * Keys unique; at least one KPI; indicator one of leading/lagging.

Every reason and finding is a message of the KPI catalogue (``kpi.smart.<code>``), its suggested fix in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, Final, Literal

from core.messages import Message
from kpi.catalog import DIRECTIONS, INDICATORS, UNITS
from kpi.params import Nested
from kpi.planning.reverse import DECIMAL_CONTEXT, HUNDRED, Figure

__all__ = [
    "CRITERIA",
    "DEFAULT_SMART_CONFIG",
    "Criterion",
    "Finding",
    "FindingLevel",
    "KpiSmartResult",
    "KpiSpec",
    "PlanCheckResult",
    "SmartCheck",
    "SmartConfig",
    "check_kpi",
    "check_kpis",
    "plan_check",
]

Criterion = Literal["S", "M", "A", "R", "T"]
FindingLevel = Literal["error", "warning", "ok"]
CRITERIA: Final[tuple[Criterion, ...]] = ("S", "M", "A", "R", "T")


@dataclass(frozen=True, slots=True, kw_only=True)
class KpiSpec:
    """The parts of a KPI the checks need, as plain values.

    ``department`` None or blank means a company-wide KPI.  ``cadence`` is the period the target is per
    (daily/weekly/monthly/quarterly/yearly); ``target_period`` the deadline or span (e.g. "FY2026").
    ``is_on_path_to_kgi`` is computed by the caller from the KPI tree.
    """

    key: str
    name: str
    definition: str
    formula: str
    unit: str | None
    target: Decimal | None
    direction: str
    indicator: str
    is_on_path_to_kgi: bool
    cadence: str | None = None
    target_period: str | None = None
    owner_id: str | None = None
    department: str | None = None
    data_source: str | None = None
    best_recent_actual: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartConfig:
    """The thresholds of every rule (see the module docstring)."""

    min_definition_chars: int = 10
    units: tuple[str, ...] = UNITS
    cadences: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "yearly")
    max_target_pct_of_best: Decimal = Decimal(150)
    min_target_pct_of_best_lower: Decimal = Decimal(50)
    company_kpi_min: int = 3
    company_kpi_max: int = 5
    department_kpi_min: int = 2
    department_kpi_max: int = 3
    leading_lagging_level: Literal["error", "warning"] = "error"


DEFAULT_SMART_CONFIG: Final = SmartConfig()


@dataclass(frozen=True, slots=True)
class SmartCheck:
    """One SMART criterion for one KPI.

    ``code`` is the primary reason; ``codes`` lists every failed sub-rule (or the single pass code), and
    ``message`` says them all, one after another.
    """

    criterion: Criterion
    passed: bool
    code: str
    message: Message
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KpiSmartResult:
    key: str
    checks: tuple[SmartCheck, ...]
    """In S, M, A, R, T order."""

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed_criteria(self) -> tuple[Criterion, ...]:
        return tuple(check.criterion for check in self.checks if not check.passed)

    def check(self, criterion: Criterion) -> SmartCheck:
        for check in self.checks:
            if check.criterion == criterion:
                return check
        raise KeyError(criterion)


@dataclass(frozen=True, slots=True)
class Finding:
    level: FindingLevel
    code: str
    message: Message
    kpi_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanCheckResult:
    findings: tuple[Finding, ...]
    smart_results: tuple[KpiSmartResult, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning")

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def by_code(self, code: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.code == code)


def _reason(code: str, **params: Any) -> Message:
    return Message(f"kpi.smart.{code}", params)


def _finding(level: FindingLevel, code: str, kpi_keys: tuple[str, ...] = (), **params: Any) -> Finding:
    return Finding(level, code, _reason(code, **params), kpi_keys)


# --------------------------------------------------------------------------------------------------------
# Single-KPI checks
# --------------------------------------------------------------------------------------------------------


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _together(reasons: Sequence[Message]) -> Message:
    """The reasons as one message, each sentence after the other."""
    first, *rest = reasons
    if not rest:
        return first
    return Message("kpi.smart.reasons", {"first": Nested(first), "rest": Nested(_together(rest))})


def _make(criterion: Criterion, passed: bool, reasons: Sequence[Message]) -> SmartCheck:
    codes = tuple(r.code.removeprefix("kpi.smart.") for r in reasons)
    return SmartCheck(
        criterion=criterion, passed=passed, code=codes[0], message=_together(reasons), codes=codes
    )


def _check_specific(spec: KpiSpec, config: SmartConfig) -> SmartCheck:
    failures: list[Message] = []
    definition = (spec.definition or "").strip()
    if not definition:
        failures.append(_reason("specific_definition_missing"))
    elif len(definition) < config.min_definition_chars:
        failures.append(
            _reason(
                "specific_definition_too_short", length=len(definition), minimum=config.min_definition_chars
            )
        )
    if _blank(spec.unit):
        failures.append(_reason("specific_unit_missing"))
    elif spec.unit not in config.units:
        failures.append(_reason("specific_unit_unknown", unit=spec.unit, allowed=list(config.units)))
    if spec.target is None:
        failures.append(_reason("specific_target_missing"))
    if failures:
        return _make("S", False, failures)
    return _make("S", True, [_reason("specific_ok")])


def _check_measurable(spec: KpiSpec) -> SmartCheck:
    failures: list[Message] = []
    if _blank(spec.formula):
        failures.append(_reason("measurable_formula_missing"))
    if _blank(spec.data_source):
        failures.append(_reason("measurable_data_source_missing"))
    if failures:
        return _make("M", False, failures)
    return _make("M", True, [_reason("measurable_ok")])


def _check_achievable(spec: KpiSpec, config: SmartConfig) -> SmartCheck:
    passed, reason = _achievable_reason(spec, config)
    return _make("A", passed, [reason])


def _achievable_reason(spec: KpiSpec, config: SmartConfig) -> tuple[bool, Message]:
    target, best = spec.target, spec.best_recent_actual
    if target is None:
        return False, _reason("achievable_no_target")
    if spec.direction not in DIRECTIONS:
        return False, _reason("achievable_unknown_direction", direction=spec.direction)
    if best is None:
        return True, _reason("achievable_no_history")
    with localcontext(DECIMAL_CONTEXT):
        if spec.direction == "higher_is_better":
            if best <= 0:
                return True, _reason("achievable_no_usable_history")
            if target > best * config.max_target_pct_of_best / HUNDRED:
                return False, _reason(
                    "achievable_target_too_high",
                    target=Figure(target),
                    best=Figure(best),
                    ratio=Figure(target / best * HUNDRED, places=1),
                    limit=Figure(config.max_target_pct_of_best),
                )
        else:
            floor = best * config.min_target_pct_of_best_lower / HUNDRED
            if target < floor:
                return False, _reason(
                    "achievable_target_too_low",
                    target=Figure(target),
                    best=Figure(best),
                    percent=Figure(config.min_target_pct_of_best_lower),
                    limit=Figure(floor),
                )
    return True, _reason("achievable_ok")


def _check_relevant(spec: KpiSpec) -> SmartCheck:
    if spec.is_on_path_to_kgi:
        return _make("R", True, [_reason("relevant_ok")])
    return _make("R", False, [_reason("relevant_not_on_kgi_path")])


def _check_time_bound(spec: KpiSpec, config: SmartConfig) -> SmartCheck:
    if not _blank(spec.cadence) and spec.cadence not in config.cadences:
        reason = _reason("time_bound_unknown_cadence", cadence=spec.cadence, allowed=list(config.cadences))
        return _make("T", False, [reason])
    if _blank(spec.cadence) and _blank(spec.target_period):
        return _make("T", False, [_reason("time_bound_missing")])
    return _make("T", True, [_reason("time_bound_ok")])


def check_kpi(spec: KpiSpec, config: SmartConfig = DEFAULT_SMART_CONFIG) -> KpiSmartResult:
    """The five SMART checks of one KPI, in S, M, A, R, T order."""
    return KpiSmartResult(
        key=spec.key,
        checks=(
            _check_specific(spec, config),
            _check_measurable(spec),
            _check_achievable(spec, config),
            _check_relevant(spec),
            _check_time_bound(spec, config),
        ),
    )


def check_kpis(
    specs: Sequence[KpiSpec], config: SmartConfig = DEFAULT_SMART_CONFIG
) -> tuple[KpiSmartResult, ...]:
    return tuple(check_kpi(spec, config) for spec in specs)


# --------------------------------------------------------------------------------------------------------
# Plan checks
# --------------------------------------------------------------------------------------------------------


def _kgi_finding(kgi_target: object) -> Finding:
    if kgi_target is None:
        return _finding("error", "kgi_target_missing")
    if isinstance(kgi_target, bool) or not isinstance(kgi_target, Decimal | int):
        return _finding("error", "kgi_target_invalid")
    value = Decimal(kgi_target)
    if not value.is_finite() or value <= 0:
        return _finding("error", "kgi_target_not_positive")
    return _finding("ok", "kgi_target_ok")


def _count_findings(kpis: Sequence[KpiSpec], config: SmartConfig) -> list[Finding]:
    findings: list[Finding] = []
    company = tuple(k.key for k in kpis if _blank(k.department))
    low, high = config.company_kpi_min, config.company_kpi_max
    n = len(company)
    if n < low:
        findings.append(_finding("warning", "company_kpi_count_low", company, count=n, low=low, high=high))
    elif n > high:
        findings.append(_finding("warning", "company_kpi_count_high", company, count=n, low=low, high=high))
    else:
        findings.append(_finding("ok", "company_kpi_count_ok", company, count=n))

    departments: dict[str, list[str]] = {}
    for kpi in kpis:
        if not _blank(kpi.department):
            departments.setdefault((kpi.department or "").strip(), []).append(kpi.key)
    low, high = config.department_kpi_min, config.department_kpi_max
    for department, keys in departments.items():
        n = len(keys)
        if low <= n <= high:
            findings.append(
                _finding("ok", "department_kpi_count_ok", tuple(keys), department=department, count=n)
            )
        else:
            code = "department_kpi_count_low" if n < low else "department_kpi_count_high"
            params = {"department": department, "count": n, "low": low, "high": high}
            findings.append(_finding("warning", code, tuple(keys), **params))
    return findings


def _mix_findings(kpis: Sequence[KpiSpec], config: SmartConfig) -> list[Finding]:
    findings: list[Finding] = []
    unknown = tuple(k.key for k in kpis if k.indicator not in INDICATORS)
    if unknown:
        findings.append(_finding("warning", "indicator_unknown", unknown))
    leading = tuple(k.key for k in kpis if k.indicator == "leading")
    lagging = tuple(k.key for k in kpis if k.indicator == "lagging")
    level = config.leading_lagging_level
    if not leading:
        findings.append(_finding(level, "no_leading_kpi", lagging))
    if not lagging:
        findings.append(_finding(level, "no_lagging_kpi", leading))
    if leading and lagging:
        findings.append(_finding("ok", "leading_lagging_ok"))
    return findings


def plan_check(
    kpis: Sequence[KpiSpec],
    *,
    kgi_target: Decimal | int | None,
    config: SmartConfig = DEFAULT_SMART_CONFIG,
) -> PlanCheckResult:
    """Check a whole KPI plan: KGI target, KPI counts, leading/lagging mix, owners, SMART of every KPI."""
    findings: list[Finding] = [_kgi_finding(kgi_target)]
    smart_results = check_kpis(kpis, config)
    if not kpis:
        findings.append(_finding("error", "no_kpis"))
        return PlanCheckResult(tuple(findings), smart_results)

    duplicates = tuple(sorted(key for key, count in Counter(k.key for k in kpis).items() if count > 1))
    if duplicates:
        findings.append(_finding("error", "duplicate_kpi_keys", duplicates))

    findings += _count_findings(kpis, config)
    findings += _mix_findings(kpis, config)

    ownerless = tuple(k.key for k in kpis if _blank(k.owner_id))
    if ownerless:
        findings.append(_finding("error", "kpi_owner_missing", ownerless, count=len(ownerless)))
    else:
        findings.append(_finding("ok", "kpi_owners_ok"))

    failing = tuple(result.key for result in smart_results if not result.passed)
    if failing:
        findings.append(_finding("error", "smart_failed", failing, count=len(failing)))
    else:
        findings.append(_finding("ok", "smart_all_passed"))
    return PlanCheckResult(tuple(findings), smart_results)
