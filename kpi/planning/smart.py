"""SMART checks for single KPIs and design checks for a whole KPI plan (pure Python, no Django).

Every rule is listed here; thresholds live in ``SmartConfig`` so a workspace can tune them.

Per KPI (``check_kpi``), five checks, each pass/fail with reason codes and ja/en text
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
"""

# Japanese text legitimately uses full-width punctuation such as "（" and "："; the ambiguous-character
# rules are aimed at look-alike identifiers, not at Japanese prose.

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final, Literal

from kpi.catalog import DIRECTIONS, INDICATORS, UNITS
from kpi.planning.reverse import DECIMAL_CONTEXT, HUNDRED, Reason, format_decimal

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

    ``code`` / ``message_*`` are the primary reason; ``codes`` lists every failed sub-rule (or the single
    pass code), and ``message_*`` joins their texts.
    """

    criterion: Criterion
    passed: bool
    code: str
    message_ja: str
    message_en: str
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
    message_ja: str
    message_en: str
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


# --------------------------------------------------------------------------------------------------------
# Single-KPI checks
# --------------------------------------------------------------------------------------------------------


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _make(criterion: Criterion, passed: bool, reasons: Sequence[Reason]) -> SmartCheck:
    return SmartCheck(
        criterion=criterion,
        passed=passed,
        code=reasons[0].code,
        message_ja="".join(r.message_ja for r in reasons),
        message_en=" ".join(r.message_en for r in reasons),
        codes=tuple(r.code for r in reasons),
    )


def _check_specific(spec: KpiSpec, config: SmartConfig) -> SmartCheck:
    failures: list[Reason] = []
    definition = (spec.definition or "").strip()
    if not definition:
        failures.append(
            Reason(
                "specific_definition_missing",
                "定義が空です。何を数えるかを文章で定義してください。",
                "The definition is empty; state in words what is counted.",
            )
        )
    elif len(definition) < config.min_definition_chars:
        failures.append(
            Reason(
                "specific_definition_too_short",
                f"定義が{len(definition)}文字と短すぎます（{config.min_definition_chars}文字以上）。"
                "対象・期間・数え方が分かるように書いてください。",
                f"The definition has {len(definition)} characters; at least {config.min_definition_chars} "
                "are needed to say what is counted, over which period and how.",
            )
        )
    if _blank(spec.unit):
        failures.append(
            Reason(
                "specific_unit_missing",
                "単位が指定されていません。",
                "No unit is given.",
            )
        )
    elif spec.unit not in config.units:
        allowed = ", ".join(config.units)
        failures.append(
            Reason(
                "specific_unit_unknown",
                f"単位 {spec.unit} は使えません（{allowed} のいずれか）。",
                f"Unit {spec.unit!r} is not one of {allowed}.",
            )
        )
    if spec.target is None:
        failures.append(
            Reason(
                "specific_target_missing",
                "目標値がありません。「増やす」ではなく「月間100件」のように数値で定めてください。",
                'No numeric target; state it as a number ("100 a month"), not as "increase".',
            )
        )
    if failures:
        return _make("S", False, failures)
    return _make(
        "S",
        True,
        [Reason("specific_ok", "定義・単位・目標値が明確です。", "Definition, unit and target are clear.")],
    )


def _check_measurable(spec: KpiSpec) -> SmartCheck:
    failures: list[Reason] = []
    if _blank(spec.formula):
        failures.append(
            Reason(
                "measurable_formula_missing",
                "計算式がありません。",
                "No formula is given.",
            )
        )
    if _blank(spec.data_source):
        failures.append(
            Reason(
                "measurable_data_source_missing",
                "データソース（どのシステムのどの項目から取るか）が指定されていません。",
                "No data source (which system and field the values come from) is given.",
            )
        )
    if failures:
        return _make("M", False, failures)
    return _make(
        "M",
        True,
        [Reason("measurable_ok", "計算式とデータソースがあります。", "Formula and data source are set.")],
    )


def _check_achievable(spec: KpiSpec, config: SmartConfig) -> SmartCheck:
    passed, reason = _achievable_reason(spec, config)
    return _make("A", passed, [reason])


def _achievable_reason(spec: KpiSpec, config: SmartConfig) -> tuple[bool, Reason]:
    target, best = spec.target, spec.best_recent_actual
    if target is None:
        return False, Reason(
            "achievable_no_target",
            "目標値がないため、達成可能性を判断できません。",
            "Without a target, achievability cannot be judged.",
        )
    if spec.direction not in DIRECTIONS:
        return False, Reason(
            "achievable_unknown_direction",
            f"方向 {spec.direction} が不明です（higher_is_better か lower_is_better）。",
            f"Unknown direction {spec.direction!r} (use higher_is_better or lower_is_better).",
        )
    if best is None:
        return True, Reason(
            "achievable_no_history",
            "過去実績がないため、目標の妥当性は実績がたまってから再確認してください。",
            "No history yet; recheck the target once actuals exist.",
        )
    target_text, best_text = format_decimal(target), format_decimal(best)
    with localcontext(DECIMAL_CONTEXT):
        if spec.direction == "higher_is_better":
            if best <= 0:
                return True, Reason(
                    "achievable_no_usable_history",
                    "過去の最高実績が0以下のため比較の基準になりません。実績がたまってから再確認してください。",
                    "The best recent actual is 0 or less, so it is no baseline; recheck later.",
                )
            pct = format_decimal(config.max_target_pct_of_best)
            ratio = format_decimal(target / best * HUNDRED, places=1)
            if target > best * config.max_target_pct_of_best / HUNDRED:
                return False, Reason(
                    "achievable_target_too_high",
                    f"目標{target_text}は直近の最高実績{best_text}の{ratio}%で、上限{pct}%を超えています。",
                    f"The target {target_text} is {ratio}% of the best recent actual {best_text}, "
                    f"above the {pct}% limit.",
                )
        else:
            pct = format_decimal(config.min_target_pct_of_best_lower)
            limit = format_decimal(best * config.min_target_pct_of_best_lower / HUNDRED)
            if target < best * config.min_target_pct_of_best_lower / HUNDRED:
                return False, Reason(
                    "achievable_target_too_low",
                    f"目標{target_text}は直近の最良実績{best_text}の{pct}%（{limit}）を下回り、"
                    "改善幅が大きすぎます。",
                    f"The target {target_text} is below {pct}% of the best recent actual {best_text} "
                    f"({limit}); the step is too large.",
                )
    return True, Reason(
        "achievable_ok",
        "目標は過去実績から見て現実的な範囲です。",
        "The target is within a realistic range of recent actuals.",
    )


def _check_relevant(spec: KpiSpec) -> SmartCheck:
    if spec.is_on_path_to_kgi:
        return _make(
            "R",
            True,
            [Reason("relevant_ok", "KPIツリー上でKGIにつながっています。", "It is on a path to the KGI.")],
        )
    return _make(
        "R",
        False,
        [
            Reason(
                "relevant_not_on_kgi_path",
                "KPIツリー上でKGIにつながっていません。KSFの下に配置するか、KPIから外してください。",
                "It is not on a path to the KGI in the KPI tree; place it under a KSF or drop it.",
            )
        ],
    )


def _check_time_bound(spec: KpiSpec, config: SmartConfig) -> SmartCheck:
    if not _blank(spec.cadence) and spec.cadence not in config.cadences:
        allowed = ", ".join(config.cadences)
        return _make(
            "T",
            False,
            [
                Reason(
                    "time_bound_unknown_cadence",
                    f"周期 {spec.cadence} は使えません（{allowed} のいずれか）。",
                    f"Cadence {spec.cadence!r} is not one of {allowed}.",
                )
            ],
        )
    if _blank(spec.cadence) and _blank(spec.target_period):
        return _make(
            "T",
            False,
            [
                Reason(
                    "time_bound_missing",
                    "期限も周期もありません。「いつまでに」または「月間」などの期間を定めてください。",
                    'Neither a target period nor a cadence is set; say "by when" or "per month".',
                )
            ],
        )
    return _make(
        "T",
        True,
        [Reason("time_bound_ok", "期限または周期が定められています。", "A target period or cadence is set.")],
    )


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
        return Finding(
            "error",
            "kgi_target_missing",
            "KGIの数値目標がありません。まずKGIを数値で設定してください。",
            "The KGI has no numeric target; set it as a number first.",
        )
    if isinstance(kgi_target, bool) or not isinstance(kgi_target, Decimal | int):
        return Finding(
            "error",
            "kgi_target_invalid",
            "KGIの目標値が数値（Decimal または整数）ではありません。",
            "The KGI target is not a Decimal or an int.",
        )
    value = Decimal(kgi_target)
    if not value.is_finite() or value <= 0:
        return Finding(
            "error",
            "kgi_target_not_positive",
            "KGIの目標値は0より大きい数値にしてください。",
            "The KGI target must be a number greater than 0.",
        )
    return Finding(
        "ok", "kgi_target_ok", "KGIの数値目標が設定されています。", "The KGI has a numeric target."
    )


def _range_text(low: int, high: int) -> str:
    return f"{low}〜{high}個"


def _count_findings(kpis: Sequence[KpiSpec], config: SmartConfig) -> list[Finding]:
    findings: list[Finding] = []
    company = [k.key for k in kpis if _blank(k.department)]
    low, high = config.company_kpi_min, config.company_kpi_max
    n = len(company)
    if n < low:
        findings.append(
            Finding(
                "warning",
                "company_kpi_count_low",
                f"全社KPIが{n}個です。全社では{_range_text(low, high)}が目安です。",
                f"There are {n} company-wide KPIs; {low}-{high} is the guideline.",
                tuple(company),
            )
        )
    elif n > high:
        findings.append(
            Finding(
                "warning",
                "company_kpi_count_high",
                f"全社KPIが{n}個あります。KPIは多いほど成果が出るわけではありません。"
                f"{_range_text(low, high)}に絞ることを推奨します。",
                f"There are {n} company-wide KPIs. More KPIs do not mean more results; narrow them to "
                f"{low}-{high}.",
                tuple(company),
            )
        )
    else:
        findings.append(
            Finding(
                "ok",
                "company_kpi_count_ok",
                f"全社KPIは{n}個で、目安の範囲内です。",
                f"{n} company-wide KPIs, within the guideline.",
                tuple(company),
            )
        )

    departments: dict[str, list[str]] = {}
    for kpi in kpis:
        if not _blank(kpi.department):
            departments.setdefault((kpi.department or "").strip(), []).append(kpi.key)
    low, high = config.department_kpi_min, config.department_kpi_max
    for department, keys in departments.items():
        n = len(keys)
        if low <= n <= high:
            findings.append(
                Finding(
                    "ok",
                    "department_kpi_count_ok",
                    f"{department}のKPIは{n}個で、目安の範囲内です。",
                    f"{department}: {n} KPIs, within the guideline.",
                    tuple(keys),
                )
            )
        else:
            code = "department_kpi_count_low" if n < low else "department_kpi_count_high"
            findings.append(
                Finding(
                    "warning",
                    code,
                    f"{department}のKPIが{n}個です。部門ごとに{_range_text(low, high)}が目安です。",
                    f"{department} has {n} KPIs; {low}-{high} per department is the guideline.",
                    tuple(keys),
                )
            )
    return findings


def _mix_findings(kpis: Sequence[KpiSpec], config: SmartConfig) -> list[Finding]:
    findings: list[Finding] = []
    unknown = tuple(k.key for k in kpis if k.indicator not in INDICATORS)
    if unknown:
        findings.append(
            Finding(
                "warning",
                "indicator_unknown",
                "先行指標・遅行指標の区分が不明なKPIがあります。",
                "Some KPIs are neither leading nor lagging.",
                unknown,
            )
        )
    leading = tuple(k.key for k in kpis if k.indicator == "leading")
    lagging = tuple(k.key for k in kpis if k.indicator == "lagging")
    level = config.leading_lagging_level
    if not leading:
        findings.append(
            Finding(
                level,
                "no_leading_kpi",
                "先行指標（架電数・アポ数など日々の行動指標）がありません。遅行指標だけでは未達が結果として"
                "分かるだけで、日々の行動を改善できません。",
                "There is no leading indicator (daily activity such as calls or appointments). Lagging "
                "measures alone only show a miss after the fact, with nothing to act on day to day.",
                lagging,
            )
        )
    if not lagging:
        findings.append(
            Finding(
                level,
                "no_lagging_kpi",
                "遅行指標（受注件数・売上など最終成果の指標）がありません。行動量がKGIにつながっているかを"
                "確認できません。",
                "There is no lagging indicator (outcomes such as wins or revenue), so there is no way to "
                "see whether the activity turns into the KGI.",
                leading,
            )
        )
    if leading and lagging:
        findings.append(
            Finding(
                "ok",
                "leading_lagging_ok",
                "先行指標と遅行指標の両方があります。",
                "Both leading and lagging indicators are present.",
            )
        )
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
        findings.append(
            Finding(
                "error",
                "no_kpis",
                "KPIが1つもありません。KGIをKSFに分解し、KSFごとにKPIを設計してください。",
                "There are no KPIs; decompose the KGI into KSFs and design KPIs for each.",
            )
        )
        return PlanCheckResult(tuple(findings), smart_results)

    duplicates = tuple(sorted(key for key, count in Counter(k.key for k in kpis).items() if count > 1))
    if duplicates:
        findings.append(
            Finding(
                "error",
                "duplicate_kpi_keys",
                "同じキーのKPIが複数あります。",
                "Several KPIs share the same key.",
                duplicates,
            )
        )

    findings += _count_findings(kpis, config)
    findings += _mix_findings(kpis, config)

    ownerless = tuple(k.key for k in kpis if _blank(k.owner_id))
    if ownerless:
        findings.append(
            Finding(
                "error",
                "kpi_owner_missing",
                f"責任者が決まっていないKPIが{len(ownerless)}個あります。すべてのKPIに責任者を設定してください。",
                f"{len(ownerless)} KPIs have no owner; every KPI needs a responsible owner.",
                ownerless,
            )
        )
    else:
        findings.append(
            Finding("ok", "kpi_owners_ok", "すべてのKPIに責任者がいます。", "Every KPI has an owner.")
        )

    failing = tuple(result.key for result in smart_results if not result.passed)
    if failing:
        findings.append(
            Finding(
                "error",
                "smart_failed",
                f"SMARTの点検を満たしていないKPIが{len(failing)}個あります。",
                f"{len(failing)} KPIs do not pass the SMART check.",
                failing,
            )
        )
    else:
        findings.append(
            Finding(
                "ok",
                "smart_all_passed",
                "すべてのKPIがSMARTの点検を満たしています。",
                "Every KPI passes the SMART check.",
            )
        )
    return PlanCheckResult(tuple(findings), smart_results)
