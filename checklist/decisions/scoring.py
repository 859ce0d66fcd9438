"""The weighted decision matrix: MA/SFA package versus full-scratch build (seed 000's comparison table).

Pure Python (no Django), exact arithmetic (Decimal for weights and totals, Fraction for flip points).

Scoring convention: every option is scored 1-5 on every criterion, where **5 is always best for the
client on that criterion**. For the cost and time criteria (initial cost, lead time, maintenance cost) a
cheap or quick option therefore scores high and an expensive or slow one low; each criterion's
``guide_ja``/``guide_en`` says what 5 and 1 mean. A weighted total is ``sum(weight x score)``; the
normalised score is ``weighted total / (5 x sum of weights) x 100`` (so an option scored 1 everywhere
gets 20, not 0).

The module also holds the six "package falls short" signals (seed 000) as yes/no questions, a heuristic
that reads them, and the function that combines the matrix with the signals into the final
recommendation, plus a Markdown export for the client report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "CRITERIA",
    "CRITERIA_BY_KEY",
    "DEFAULTS_NOTE_EN",
    "DEFAULTS_NOTE_JA",
    "DEFAULT_OPTIONS",
    "DEFAULT_OPTIONS_BY_KEY",
    "DEFAULT_WEIGHTS",
    "HYBRID_FROM",
    "MAX_SCORE",
    "MIN_SCORE",
    "SCRATCH_FROM",
    "SIGNALS",
    "Agreement",
    "Criterion",
    "Direction",
    "FinalRecommendation",
    "MatrixResult",
    "OptionKind",
    "OptionResult",
    "OptionTemplate",
    "RecordedDecision",
    "ScoringError",
    "Signal",
    "SignalsResult",
    "StabilityResult",
    "StabilityStatus",
    "WeightFlip",
    "default_rationales",
    "default_scores",
    "default_weights",
    "final_recommendation",
    "matrix_markdown",
    "matrix_score",
    "signals_assess",
    "stability",
    "stability_sentence",
]

Lang = Literal["ja", "en"]

MIN_SCORE = 1
MAX_SCORE = 5

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class ScoringError(ValueError):
    """Invalid matrix or signal input. ``code`` is stable; the messages name the option/criterion."""

    def __init__(
        self,
        code: str,
        message_ja: str,
        message_en: str,
        *,
        option: str | None = None,
        criterion: str | None = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_ja = message_ja
        self.message_en = message_en
        self.option = option
        self.criterion = criterion

    def message(self, lang: Lang) -> str:
        return self.message_ja if lang == "ja" else self.message_en


# --------------------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    name_ja: str
    name_en: str
    default_weight: int
    guide_ja: str
    guide_en: str

    def name(self, lang: Lang) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def guide(self, lang: Lang) -> str:
        return self.guide_ja if lang == "ja" else self.guide_en


# Default weights (sum 100; every workspace can edit them). Seed 000 titles its table "from the viewpoint
# of KPI visualisation and automation" (KPI可視化・自動化の観点), so the two criteria that decide whether
# the client's KPIs can be shown and fed at all -- visualisation flexibility and freedom of data
# integration -- weigh 15 each. The other seven weigh 10 each: no seed ranks them, and equal weights are
# the neutral start. Cost ends up at 20 (initial + maintenance), time at 10, and "fit" (the table's
# "suits" row: how well the option matches the client's own KPI design) at 10.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "initial_cost",
        "初期コスト",
        "Initial cost",
        10,
        "5 = 初期費用が最も低い、1 = 最も高い",
        "5 = lowest up-front cost, 1 = highest",
    ),
    Criterion(
        "lead_time",
        "導入期間",
        "Lead time",
        10,
        "5 = 最も短期間で稼働、1 = 最も長い",
        "5 = live soonest, 1 = longest",
    ),
    Criterion(
        "visualisation_flexibility",
        "KPI可視化の柔軟性",
        "KPI visualisation flexibility",
        15,
        "5 = 必要な可視化を自由に作れる、1 = 標準機能のみ",
        "5 = any visualisation needed can be built, 1 = standard features only",
    ),
    Criterion(
        "data_integration_freedom",
        "データ連携の自由度",
        "Freedom of data integration",
        15,
        "5 = 任意のデータソースと連携可能、1 = ごく限られた連携のみ",
        "5 = any data source, 1 = very few integrations",
    ),
    Criterion(
        "realtime",
        "リアルタイム性",
        "Real-time capability",
        10,
        "5 = 要件どおりの鮮度・速度、1 = 要件を満たせない",
        "5 = freshness and speed as required, 1 = cannot meet the requirement",
    ),
    Criterion(
        "custom_kpi_calculation",
        "独自KPI計算",
        "Custom KPI calculation",
        10,
        "5 = どんな計算式も実装可能、1 = 標準指標のみ",
        "5 = any formula can be implemented, 1 = standard metrics only",
    ),
    Criterion(
        "maintenance_cost",
        "保守・運用コスト",
        "Maintenance cost",
        10,
        "5 = 保守・運用の負担が最も小さい、1 = 最も大きい",
        "5 = lowest maintenance and running burden, 1 = highest",
    ),
    Criterion(
        "extensibility",
        "拡張性",
        "Extensibility",
        10,
        "5 = 要件変更に柔軟に追従、1 = ツールの制約で追従できない",
        "5 = follows changing requirements freely, 1 = blocked by tool constraints",
    ),
    Criterion(
        "fit",
        "適している企業(適合度)",
        "Fit with the client (suits)",
        10,
        "5 = クライアントのKPI設計・ビジネスモデルに最も適合、1 = 適合しない",
        "5 = best match for the client's KPI design and business model, 1 = poor match",
    ),
)

CRITERIA_BY_KEY: Mapping[str, Criterion] = MappingProxyType({c.key: c for c in CRITERIA})
DEFAULT_WEIGHTS: Mapping[str, int] = MappingProxyType({c.key: c.default_weight for c in CRITERIA})


def default_weights() -> dict[str, Decimal]:
    """A fresh, editable copy of the default weights as Decimals, in criterion order."""
    return {key: Decimal(weight) for key, weight in DEFAULT_WEIGHTS.items()}


def _criterion_name(key: str, lang: Lang) -> str:
    criterion = CRITERIA_BY_KEY.get(key)
    return criterion.name(lang) if criterion else key


# --------------------------------------------------------------------------------------------------
# Default options
# --------------------------------------------------------------------------------------------------


class OptionKind(StrEnum):
    """What an option is; also what the signals point to."""

    PACKAGE = "package"
    HYBRID = "hybrid"
    SCRATCH = "scratch"


_KIND_LABELS: Mapping[OptionKind, tuple[str, str]] = MappingProxyType(
    {
        OptionKind.PACKAGE: ("MA/SFAパッケージ", "an MA/SFA package"),
        OptionKind.HYBRID: (
            "ハイブリッド(パッケージ+独自ダッシュボード)",
            "a hybrid (package + custom dashboard)",
        ),
        OptionKind.SCRATCH: ("フルスクラッチ開発", "a full-scratch build"),
    }
)
_KIND_SHORT: Mapping[OptionKind, tuple[str, str]] = MappingProxyType(
    {
        OptionKind.PACKAGE: ("パッケージ", "package"),
        OptionKind.HYBRID: ("ハイブリッド", "hybrid"),
        OptionKind.SCRATCH: ("フルスクラッチ", "full scratch"),
    }
)
_KIND_ORDER: Mapping[OptionKind, int] = MappingProxyType(
    {OptionKind.PACKAGE: 0, OptionKind.HYBRID: 1, OptionKind.SCRATCH: 2}
)


def _kind_label(kind: OptionKind, lang: Lang, *, short: bool = False) -> str:
    ja, en = (_KIND_SHORT if short else _KIND_LABELS)[kind]
    return ja if lang == "ja" else en


@dataclass(frozen=True)
class OptionTemplate:
    """A default option with suggested scores: an editable starting point, never a finding."""

    key: str
    kind: OptionKind
    name_ja: str
    name_en: str
    scores: Mapping[str, int]
    rationale_ja: Mapping[str, str]
    rationale_en: Mapping[str, str]
    note_ja: str
    note_en: str

    def name(self, lang: Lang) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def rationale(self, lang: Lang) -> Mapping[str, str]:
        return self.rationale_ja if lang == "ja" else self.rationale_en


DEFAULTS_NOTE_JA = (
    "初期スコアは比較表(MA/SFAパッケージ vs フルスクラッチ開発)から導いた編集可能な出発点であり、"
    "評価結果ではありません。クライアントごとに見直してください。"
)
DEFAULTS_NOTE_EN = (
    "The default scores are editable starting points derived from the comparison table (MA/SFA package "
    "versus full scratch), not findings. Review them for every client."
)

# (criterion, score, rationale ja, rationale en): the table's package column. Seed 000 does not compare
# vendors, so HubSpot, Salesforce and kintone start from the same column; the consultant differentiates
# them per client (edition, existing contract, in-house skills).
_PACKAGE_COLUMN: tuple[tuple[str, int, str, str], ...] = (
    ("initial_cost", 4, "低〜中(月額課金が一般的)", "Low to medium (usually a monthly subscription)"),
    ("lead_time", 4, "短(数週間〜数ヶ月)", "Short (weeks to months)"),
    ("visualisation_flexibility", 2, "標準機能に依存", "Depends on the standard features"),
    ("data_integration_freedom", 3, "対応API/プラグインに依存", "Depends on the supported APIs/plugins"),
    ("realtime", 3, "ツールの仕様に依存", "Depends on the tool"),
    ("custom_kpi_calculation", 2, "制限あり", "Limited"),
    ("maintenance_cost", 5, "低(ベンダーが対応)", "Low (the vendor maintains it)"),
    ("extensibility", 2, "ツールの制約あり", "Bound by the tool's constraints"),
    (
        "fit",
        3,
        "標準的なKPI設計で十分な企業に適する。中立値3から、クライアントに合わせて調整",
        "Suits companies served by a standard KPI design; neutral 3, set it per client",
    ),
)

_SCRATCH_COLUMN: tuple[tuple[str, int, str, str], ...] = (
    ("initial_cost", 1, "高(開発費が発生)", "High (development cost)"),
    ("lead_time", 1, "長(数ヶ月〜1年以上)", "Long (months to a year or more)"),
    ("visualisation_flexibility", 5, "完全カスタマイズ可能", "Fully customisable"),
    ("data_integration_freedom", 5, "任意のデータソースと連携可能", "Any data source"),
    ("realtime", 5, "要件に応じて最適化可能", "Can be optimised to the requirements"),
    ("custom_kpi_calculation", 5, "完全カスタマイズ可能", "Fully customisable"),
    ("maintenance_cost", 1, "高(自社またはパートナーが対応)", "High (in-house or a partner maintains it)"),
    ("extensibility", 5, "要件変更に柔軟に対応可能", "Follows changing requirements"),
    (
        "fit",
        3,
        "独自ビジネスモデルで固有KPIが必要な企業に適する。中立値3から、クライアントに合わせて調整",
        "Suits unique business models needing their own KPIs; neutral 3, set it per client",
    ),
)

# The table has no hybrid column; these sit between the two columns, criterion by criterion.
_HYBRID_COLUMN: tuple[tuple[str, int, str, str], ...] = (
    (
        "initial_cost",
        3,
        "月額課金に加え、ダッシュボード部分のみの開発費(フルスクラッチより小さい)",
        "Subscription plus development of the dashboard only (less than a full build)",
    ),
    (
        "lead_time",
        3,
        "パッケージ導入は短期、ダッシュボード開発の期間が加わる",
        "The package goes live quickly; the dashboard build adds time",
    ),
    (
        "visualisation_flexibility",
        5,
        "可視化層を独自開発するため完全カスタマイズ可能",
        "The visualisation layer is custom-built, so fully customisable",
    ),
    (
        "data_integration_freedom",
        4,
        "ダッシュボード側で任意のデータソースを統合できるが、CRMデータはパッケージのAPI経由",
        "The dashboard can join any source, but CRM data comes through the package's API",
    ),
    (
        "realtime",
        3,
        "CRMデータの鮮度はパッケージのAPI(同期間隔・制限)に依存",
        "CRM data freshness depends on the package's API (sync interval, limits)",
    ),
    (
        "custom_kpi_calculation",
        4,
        "独自KPI計算はダッシュボード側で実装可能。入力データはパッケージの項目に依存",
        "Custom KPI formulas live in the dashboard; their inputs depend on the package's fields",
    ),
    (
        "maintenance_cost",
        3,
        "パッケージはベンダー、ダッシュボードは自社またはパートナーが保守",
        "The vendor maintains the package; the dashboard is maintained in-house or by a partner",
    ),
    (
        "extensibility",
        4,
        "可視化・計算は要件変更に追従できるが、データ入力側はツールの制約あり",
        "Visualisation and calculation follow new requirements; data entry stays bound by the tool",
    ),
    ("fit", 3, "中立値3から、クライアントに合わせて調整", "Neutral 3; set it per client"),
)

_VENDOR_NOTE_JA = (
    "比較表のパッケージ列に基づく初期値。シードはベンダー間を比較していないため、"
    "契約エディション・既存の利用状況・社内スキルに応じて調整すること。"
)
_VENDOR_NOTE_EN = (
    "Starting values from the table's package column. The seeds do not compare vendors: adjust for the "
    "edition, existing use and in-house skills."
)


def _option(
    key: str,
    kind: OptionKind,
    name_ja: str,
    name_en: str,
    column: tuple[tuple[str, int, str, str], ...],
    note_ja: str,
    note_en: str,
) -> OptionTemplate:
    return OptionTemplate(
        key=key,
        kind=kind,
        name_ja=name_ja,
        name_en=name_en,
        scores=MappingProxyType({criterion: score for criterion, score, _, _ in column}),
        rationale_ja=MappingProxyType({criterion: ja for criterion, _, ja, _ in column}),
        rationale_en=MappingProxyType({criterion: en for criterion, _, _, en in column}),
        note_ja=note_ja,
        note_en=note_en,
    )


DEFAULT_OPTIONS: tuple[OptionTemplate, ...] = (
    _option(
        "hubspot", OptionKind.PACKAGE, "HubSpot", "HubSpot", _PACKAGE_COLUMN, _VENDOR_NOTE_JA, _VENDOR_NOTE_EN
    ),
    _option(
        "salesforce",
        OptionKind.PACKAGE,
        "Salesforce",
        "Salesforce",
        _PACKAGE_COLUMN,
        _VENDOR_NOTE_JA,
        _VENDOR_NOTE_EN,
    ),
    _option(
        "kintone", OptionKind.PACKAGE, "kintone", "kintone", _PACKAGE_COLUMN, _VENDOR_NOTE_JA, _VENDOR_NOTE_EN
    ),
    _option(
        "full_scratch",
        OptionKind.SCRATCH,
        "フルスクラッチ開発",
        "Full-scratch build",
        _SCRATCH_COLUMN,
        "比較表のフルスクラッチ開発列に基づく初期値。",
        "Starting values from the table's full-scratch column.",
    ),
    _option(
        "hybrid",
        OptionKind.HYBRID,
        "ハイブリッド(パッケージ+独自ダッシュボード)",
        "Hybrid (package + custom dashboard)",
        _HYBRID_COLUMN,
        "比較表に列はなく、両列の中間として導いた初期値。",
        "The table has no hybrid column; starting values placed between its two columns.",
    ),
)

DEFAULT_OPTIONS_BY_KEY: Mapping[str, OptionTemplate] = MappingProxyType({o.key: o for o in DEFAULT_OPTIONS})


def _default_option_keys(option_keys: Iterable[str] | None) -> list[str]:
    keys = list(DEFAULT_OPTIONS_BY_KEY) if option_keys is None else list(option_keys)
    for key in keys:
        if key not in DEFAULT_OPTIONS_BY_KEY:
            raise KeyError(f"no default option {key!r}")
    return keys


def default_scores(option_keys: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Editable copies of the suggested scores (all default options, or those named)."""
    return {key: dict(DEFAULT_OPTIONS_BY_KEY[key].scores) for key in _default_option_keys(option_keys)}


def default_rationales(lang: Lang, option_keys: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """Editable copies of the suggested rationales in one language."""
    return {
        key: dict(DEFAULT_OPTIONS_BY_KEY[key].rationale(lang)) for key in _default_option_keys(option_keys)
    }


# --------------------------------------------------------------------------------------------------
# Matrix
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionResult:
    key: str
    weighted_total: Decimal
    normalised: Decimal  # 0-100, rounded half-up to 0.01
    rank: int  # competition ranking: equal totals share a rank (1, 1, 3)


@dataclass(frozen=True)
class MatrixResult:
    criteria: tuple[str, ...]
    weights: Mapping[str, Decimal]
    scores: Mapping[str, Mapping[str, int]]
    options: tuple[OptionResult, ...]  # best first; equal totals keep the input order
    total_weight: Decimal
    recommendation: str | None  # None when the top is tied
    tied: tuple[str, ...]  # the options sharing first place when there is a tie, else ()
    margin: Decimal | None  # first minus second weighted total; None with a single option

    @property
    def is_tie(self) -> bool:
        return bool(self.tied)

    @property
    def ranking(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options)

    def option(self, key: str) -> OptionResult:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)

    @property
    def margin_normalised(self) -> Decimal | None:
        if self.margin is None:
            return None
        return _normalise(self.margin, self.total_weight)


def _normalise(total: Decimal, total_weight: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        value = total * _HUNDRED / (MAX_SCORE * total_weight)
        return value.quantize(_CENT, ROUND_HALF_UP)


def _share(weight: Decimal, total_weight: Decimal) -> Decimal:
    """weight / total x 100, rounded half-up to 0.01."""
    with localcontext() as ctx:
        ctx.prec = 50
        return (weight * _HUNDRED / total_weight).quantize(_CENT, ROUND_HALF_UP)


def _validate_weights(criteria_weights: Mapping[str, Decimal | int]) -> dict[str, Decimal]:
    if not criteria_weights:
        raise ScoringError("no_criteria", "評価基準がありません。", "The matrix has no criteria.")
    weights: dict[str, Decimal] = {}
    for key, weight in criteria_weights.items():
        ja, en = _criterion_name(key, "ja"), _criterion_name(key, "en")
        if isinstance(weight, bool) or not isinstance(weight, Decimal | int):
            raise ScoringError(
                "weight_invalid",
                f"評価基準「{ja}」の重みは数値(Decimalまたは整数)で指定してください: {weight!r}",
                f"The weight of criterion '{en}' must be a Decimal or an integer, got {weight!r}.",
                criterion=key,
            )
        value = Decimal(weight)
        if not value.is_finite():
            raise ScoringError(
                "weight_invalid",
                f"評価基準「{ja}」の重みが有限の数値ではありません: {weight!r}",
                f"The weight of criterion '{en}' is not a finite number: {weight!r}.",
                criterion=key,
            )
        if value < 0:
            raise ScoringError(
                "weight_negative",
                f"評価基準「{ja}」の重みが負の値です({value})。重みは0以上にしてください。",
                f"The weight of criterion '{en}' is negative ({value}); weights must be 0 or more.",
                criterion=key,
            )
        weights[key] = value
    if not any(weights.values()):
        raise ScoringError(
            "weights_all_zero",
            "すべての重みが0です。少なくとも1つの評価基準に正の重みを付けてください。",
            "All weights are zero; give at least one criterion a positive weight.",
        )
    return weights


def _validate_scores(
    criteria: tuple[str, ...], scores: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    if not scores:
        raise ScoringError("no_options", "採点対象のオプションがありません。", "The matrix has no options.")
    checked: dict[str, dict[str, int]] = {}
    for option, row in scores.items():
        if not isinstance(row, Mapping):
            raise ScoringError(
                "scores_invalid",
                f"オプション「{option}」のスコアが評価基準ごとの対応表になっていません。",
                f"The scores of option '{option}' are not a mapping of criterion to score.",
                option=option,
            )
        for criterion in row:
            if criterion not in criteria:
                raise ScoringError(
                    "score_unknown_criterion",
                    f"オプション「{option}」に、重みのない評価基準「{criterion}」のスコアがあります。",
                    f"Option '{option}' is scored on '{criterion}', which is not a criterion of the matrix.",
                    option=option,
                    criterion=criterion,
                )
        checked_row: dict[str, int] = {}
        for criterion in criteria:
            ja, en = _criterion_name(criterion, "ja"), _criterion_name(criterion, "en")
            if criterion not in row:
                raise ScoringError(
                    "score_missing",
                    f"オプション「{option}」の評価基準「{ja}」が未採点です。",
                    f"Option '{option}' has no score for criterion '{en}'.",
                    option=option,
                    criterion=criterion,
                )
            score = row[criterion]
            if isinstance(score, bool) or not isinstance(score, int):
                raise ScoringError(
                    "score_not_integer",
                    f"オプション「{option}」の評価基準「{ja}」のスコアは整数にしてください: {score!r}",
                    f"The score of option '{option}' on criterion '{en}' must be an integer, got {score!r}.",
                    option=option,
                    criterion=criterion,
                )
            if not MIN_SCORE <= score <= MAX_SCORE:
                raise ScoringError(
                    "score_out_of_range",
                    f"オプション「{option}」の評価基準「{ja}」のスコア{score}は範囲外です"
                    f"({MIN_SCORE}〜{MAX_SCORE}で指定)。",
                    f"The score {score} of option '{option}' on criterion '{en}' is out of range "
                    f"({MIN_SCORE}-{MAX_SCORE}).",
                    option=option,
                    criterion=criterion,
                )
            checked_row[criterion] = score
        checked[option] = checked_row
    return checked


def matrix_score(
    criteria_weights: Mapping[str, Decimal | int], scores: Mapping[str, Mapping[str, int]]
) -> MatrixResult:
    """Weighted totals, normalised scores, ranking and recommendation.

    The criteria are the keys of ``criteria_weights`` (in that order); every option in ``scores`` must
    be scored 1-5 (int) on each of them and on nothing else. Weights are Decimal or int, >= 0, not all
    zero. A tie for first place gives ``recommendation=None`` and lists the tied options in ``tied``.
    Raises ScoringError.
    """
    weights = _validate_weights(criteria_weights)
    criteria = tuple(weights)
    checked = _validate_scores(criteria, scores)
    total_weight = sum(weights.values(), Decimal(0))

    totals: dict[str, Decimal] = {}
    with localcontext() as ctx:
        ctx.prec = 50
        for option, row in checked.items():
            totals[option] = sum((weights[c] * row[c] for c in criteria), Decimal(0))

    order = sorted(totals, key=lambda option: -totals[option])  # stable: ties keep the input order
    ranked: list[OptionResult] = []
    for position, option in enumerate(order):
        rank = position + 1
        if position and totals[option] == totals[order[position - 1]]:
            rank = ranked[-1].rank
        ranked.append(OptionResult(option, totals[option], _normalise(totals[option], total_weight), rank))

    top = [option.key for option in ranked if option.rank == 1]
    return MatrixResult(
        criteria=criteria,
        weights=MappingProxyType(weights),
        scores=MappingProxyType({option: MappingProxyType(row) for option, row in checked.items()}),
        options=tuple(ranked),
        total_weight=total_weight,
        recommendation=top[0] if len(top) == 1 else None,
        tied=tuple(top) if len(top) > 1 else (),
        margin=ranked[0].weighted_total - ranked[1].weighted_total if len(ranked) > 1 else None,
    )


# --------------------------------------------------------------------------------------------------
# Stability: the smallest single-weight change that overturns the recommendation
# --------------------------------------------------------------------------------------------------


class StabilityStatus(StrEnum):
    FLIPPABLE = "flippable"  # some single-weight change overturns the recommendation
    STABLE = "stable"  # no single-weight change (weights staying >= 0) can overturn it
    TIED = "tied"  # there is no single recommendation to begin with
    SINGLE_OPTION = "single_option"  # nothing to compare against


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


@dataclass(frozen=True)
class WeightFlip:
    """Changing ``criterion``'s weight by ``delta`` (exact) makes ``challengers`` draw level with the leader.

    Convention: reaching a tie counts as a flip, because the matrix then no longer gives a single
    recommendation; any further change in the same direction (where the weight may still move) puts the
    challenger ahead. ``challengers`` lists every option that draws level at that point (usually one).
    """

    criterion: str
    direction: Direction
    current_weight: Decimal
    delta: Fraction  # signed: > 0 for an increase, < 0 for a decrease
    new_weight: Fraction
    challengers: tuple[str, ...]

    @property
    def magnitude(self) -> Fraction:
        return abs(self.delta)


@dataclass(frozen=True)
class StabilityResult:
    status: StabilityStatus
    leader: str | None
    runner_up: str | None  # the first option after the leader in the ranking
    margin: Decimal | None  # first minus second weighted total
    margin_normalised: Decimal | None  # the same on the 0-100 scale
    flip: WeightFlip | None  # the smallest flip, None unless FLIPPABLE
    flips: tuple[WeightFlip, ...]  # the smallest flip per (criterion, direction), smallest first

    @property
    def is_stable(self) -> bool:
        return self.status is StabilityStatus.STABLE


def _flips(result: MatrixResult) -> list[WeightFlip]:
    leader = result.recommendation
    assert leader is not None
    weights = {c: Fraction(w) for c, w in result.weights.items()}
    total_weight = sum(weights.values(), Fraction(0))
    totals = {o.key: Fraction(o.weighted_total) for o in result.options}
    best: dict[tuple[str, Direction], tuple[Fraction, list[str]]] = {}
    for criterion in result.criteria:
        leader_score = result.scores[leader][criterion]
        for option in result.ranking:
            if option == leader:
                continue
            slope = leader_score - result.scores[option][criterion]  # d(total difference)/d(weight)
            if slope == 0:
                continue
            difference = totals[leader] - totals[option]  # > 0: the leader is strictly ahead
            delta = -difference / slope
            new_weight = weights[criterion] + delta
            if new_weight < 0 or total_weight + delta <= 0:
                continue  # weights must stay >= 0 and not all zero
            direction = Direction.INCREASE if delta > 0 else Direction.DECREASE
            current = best.get((criterion, direction))
            if current is None or abs(delta) < abs(current[0]):
                best[(criterion, direction)] = (delta, [option])
            elif delta == current[0]:
                current[1].append(option)
    flips = [
        WeightFlip(
            criterion=criterion,
            direction=direction,
            current_weight=result.weights[criterion],
            delta=delta,
            new_weight=weights[criterion] + delta,
            challengers=tuple(challengers),
        )
        for (criterion, direction), (delta, challengers) in best.items()
    ]
    criterion_order = {c: i for i, c in enumerate(result.criteria)}
    flips.sort(key=lambda f: (f.magnitude, criterion_order[f.criterion], f.direction != Direction.INCREASE))
    return flips


def stability(
    weights: Mapping[str, Decimal | int], scores: Mapping[str, Mapping[str, int]]
) -> StabilityResult:
    """How far one criterion's weight must move (up or down, staying >= 0) to overturn the recommendation.

    For leader A and challenger B the total difference is D = sum_c w_c (s_Ac - s_Bc) > 0. Moving w_c by
    delta moves D by delta x (s_Ac - s_Bc), so A and B draw level at delta = -D / (s_Ac - s_Bc): a
    decrease when A outscores B on c (allowed only while the new weight stays >= 0), an increase when B
    outscores A. The minimum |delta| over every criterion and challenger is reported, exactly (Fraction).
    At that smallest delta no other option has overtaken the leader yet (each difference is linear in
    delta and still >= 0), so the named challengers are the ones that take over. A tie at the flip point
    counts as a flip (see WeightFlip). Raises ScoringError on invalid input.
    """
    result = matrix_score(weights, scores)

    def outcome(status: StabilityStatus, flips: tuple[WeightFlip, ...] = ()) -> StabilityResult:
        return StabilityResult(
            status=status,
            leader=result.recommendation,
            runner_up=result.ranking[1] if len(result.options) > 1 else None,
            margin=result.margin,
            margin_normalised=result.margin_normalised,
            flip=flips[0] if flips else None,
            flips=flips,
        )

    if len(result.options) == 1:
        return outcome(StabilityStatus.SINGLE_OPTION)
    if result.recommendation is None:
        return outcome(StabilityStatus.TIED)
    flips = tuple(_flips(result))
    return outcome(StabilityStatus.FLIPPABLE, flips) if flips else outcome(StabilityStatus.STABLE)


# --------------------------------------------------------------------------------------------------
# "Package falls short" signals
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    key: str
    question_ja: str
    question_en: str

    def question(self, lang: Lang) -> str:
        return self.question_ja if lang == "ja" else self.question_en


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "multi_source_kpi",
        "複数のデータソースを統合した独自のKPI計算が必要ですか?",
        "Do KPI calculations need to integrate several data sources?",
    ),
    Signal(
        "custom_dashboard",
        "パッケージツールの標準機能では対応できないカスタムダッシュボードが必要ですか?",
        "Are custom dashboards needed beyond the package's standard features?",
    ),
    Signal(
        "realtime_speed",
        "リアルタイム性や処理速度の要件がパッケージツールでは満たせませんか?",
        "Are there real-time or speed requirements a package cannot meet?",
    ),
    Signal(
        "business_specific_kpis",
        "自社固有のビジネスモデルに合わせた独自KPI設計が必要ですか?",
        "Does the business model need KPIs of its own?",
    ),
    Signal(
        "advanced_analysis",
        "パッケージツールでは実現できない高度なデータ分析機能が必要ですか?",
        "Is advanced data analysis needed that a package cannot provide?",
    ),
    Signal(
        "long_term_cost_extensibility",
        "長期的なコスト削減や拡張性を重視しますか?",
        "Are long-term cost reduction or extensibility priorities?",
    ),
)

_SIGNALS_BY_KEY: Mapping[str, Signal] = MappingProxyType({s.key: s for s in SIGNALS})

# The product's heuristic for reading the signals (not from the seeds, which only list them):
# 0-1 yes -> a package will do; 2-3 yes -> a hybrid (package + custom dashboard) is worth considering;
# 4-6 yes -> a full-scratch build is likely needed. One yes alone is usually met by a package's
# extension points; from four, most of what a package offers is being worked around.
HYBRID_FROM = 2
SCRATCH_FROM = 4


@dataclass(frozen=True)
class SignalsResult:
    yes: tuple[str, ...]
    no: tuple[str, ...]
    unanswered: tuple[str, ...]
    implication: OptionKind

    @property
    def yes_count(self) -> int:
        return len(self.yes)

    @property
    def complete(self) -> bool:
        return not self.unanswered

    def summary(self, lang: Lang) -> str:
        n, total = self.yes_count, len(SIGNALS)
        if lang == "ja":
            reading = {
                OptionKind.PACKAGE: "パッケージで対応できる見込みです",
                OptionKind.HYBRID: "ハイブリッド(パッケージ+独自ダッシュボード)を検討する価値があります",
                OptionKind.SCRATCH: "フルスクラッチ開発が必要になる可能性が高いです",
            }[self.implication]
            text = f"「パッケージでは不足する」シグナル{total}項目中{n}項目が「はい」: {reading}。"
            if self.unanswered:
                text += f"未回答が{len(self.unanswered)}項目あり、判定は変わる可能性があります。"
            return text
        reading_en = {
            OptionKind.PACKAGE: "a package should do",
            OptionKind.HYBRID: "a hybrid (package + custom dashboard) is worth considering",
            OptionKind.SCRATCH: "a full-scratch build is likely needed",
        }[self.implication]
        text = f'{n} of {total} "package falls short" signals are yes: {reading_en}.'
        if self.unanswered:
            text += f" {len(self.unanswered)} unanswered; the reading may change."
        return text


def signals_assess(answers: Mapping[str, bool]) -> SignalsResult:
    """Count the yes answers and read them with the thresholds above. Missing keys are unanswered."""
    for key, value in answers.items():
        if key not in _SIGNALS_BY_KEY:
            raise ScoringError(
                "signal_unknown",
                f"不明なシグナル「{key}」です。",
                f"Unknown signal '{key}'.",
            )
        if not isinstance(value, bool):
            raise ScoringError(
                "signal_not_bool",
                f"シグナル「{key}」の回答は「はい/いいえ」(真偽値)で指定してください: {value!r}",
                f"The answer to signal '{key}' must be yes/no (a bool), got {value!r}.",
            )
    yes = tuple(s.key for s in SIGNALS if answers.get(s.key) is True)
    no = tuple(s.key for s in SIGNALS if answers.get(s.key) is False)
    unanswered = tuple(s.key for s in SIGNALS if s.key not in answers)
    if len(yes) >= SCRATCH_FROM:
        implication = OptionKind.SCRATCH
    elif len(yes) >= HYBRID_FROM:
        implication = OptionKind.HYBRID
    else:
        implication = OptionKind.PACKAGE
    return SignalsResult(yes=yes, no=no, unanswered=unanswered, implication=implication)


# --------------------------------------------------------------------------------------------------
# Final recommendation: matrix + signals
# --------------------------------------------------------------------------------------------------


class Agreement(StrEnum):
    CONSISTENT = "consistent"  # the matrix's option is of the kind the signals point to
    CONSIDER_ALTERNATIVE = "consider_alternative"  # adjacent kinds (package/hybrid, hybrid/scratch)
    CONFLICT = "conflict"  # package against scratch: review the weights before deciding
    TIE = "tie"  # the matrix gives no single recommendation


@dataclass(frozen=True)
class FinalRecommendation:
    """``option`` is the recommended option, or None on a tie or a conflict (the consultant reviews)."""

    option: str | None
    agreement: Agreement
    matrix_option: str | None
    matrix_kind: OptionKind | None
    signals_implication: OptionKind
    explanation_ja: str
    explanation_en: str

    def explanation(self, lang: Lang) -> str:
        return self.explanation_ja if lang == "ja" else self.explanation_en


def _option_name(key: str, lang: Lang, names: Mapping[str, str] | None) -> str:
    if names and key in names:
        return names[key]
    template = DEFAULT_OPTIONS_BY_KEY.get(key)
    return template.name(lang) if template else key


def _kinds(option_kinds: Mapping[str, OptionKind | str] | None) -> dict[str, OptionKind]:
    kinds = {o.key: o.kind for o in DEFAULT_OPTIONS}
    for key, kind in (option_kinds or {}).items():
        try:
            kinds[key] = OptionKind(kind)
        except ValueError:
            raise ScoringError(
                "option_kind_invalid",
                f"オプション「{key}」の種別「{kind}」が不正です(package/hybrid/scratch)。",
                f"Option '{key}' has an invalid kind {kind!r} (package, hybrid or scratch).",
                option=key,
            ) from None
    return kinds


def _kind_of(option: str, kinds: Mapping[str, OptionKind]) -> OptionKind:
    if option not in kinds:
        raise ScoringError(
            "option_kind_missing",
            f"オプション「{option}」の種別(パッケージ/ハイブリッド/フルスクラッチ)が指定されていません。",
            f"Option '{option}' has no kind (package, hybrid or scratch).",
            option=option,
        )
    return kinds[option]


def _format_number(value: Decimal | Fraction) -> str:
    """Exact where the value has a finite decimal expansion, otherwise '≈' and two decimals."""
    fraction = Fraction(value)
    denominator = fraction.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        with localcontext() as ctx:
            ctx.prec = 50
            exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        return format(exact.normalize(), "f")
    with localcontext() as ctx:
        ctx.prec = 50
        approx = (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(_CENT, ROUND_HALF_UP)
    return f"≈{approx}"


def _flip_sentence(flip: WeightFlip, lang: Lang, names: Mapping[str, str] | None) -> str:
    criterion = _criterion_name(flip.criterion, lang)
    change = _format_number(flip.magnitude)
    old, new = _format_number(flip.current_weight), _format_number(flip.new_weight)
    if lang == "ja":
        challengers = "・".join(f"「{_option_name(o, lang, names)}」" for o in flip.challengers)
        verb = "上げる" if flip.direction is Direction.INCREASE else "下げる"
        return (
            f"「{criterion}」の重みを{change}{verb}と({old}→{new})、{challengers}が首位と並び、"
            "推奨が入れ替わります。"
        )
    challengers_en = " and ".join(f"'{_option_name(o, lang, names)}'" for o in flip.challengers)
    verb_en = "raising" if flip.direction is Direction.INCREASE else "lowering"
    return (
        f"{verb_en.capitalize()} the weight of '{criterion}' by {change} ({old} -> {new}) brings "
        f"{challengers_en} level with the leader and overturns the recommendation."
    )


def stability_sentence(result: StabilityResult, lang: Lang, names: Mapping[str, str] | None) -> str:
    if result.status is StabilityStatus.FLIPPABLE:
        assert result.flip is not None
        return _flip_sentence(result.flip, lang, names)
    if result.status is StabilityStatus.STABLE:
        if lang == "ja":
            return "どの評価基準の重みを1つだけ変えても(0以上の範囲で)推奨は変わりません(安定)。"
        return "No change to a single criterion's weight (keeping weights >= 0) can overturn it: stable."
    if result.status is StabilityStatus.TIED:
        if lang == "ja":
            return "首位が同点のため、単一の推奨はありません。"
        return "First place is tied, so there is no single recommendation to test."
    if lang == "ja":
        return "オプションが1つだけのため、比較対象がありません。"
    return "There is only one option, so there is nothing to compare against."


def final_recommendation(
    matrix: MatrixResult,
    signals: SignalsResult,
    option_kinds: Mapping[str, OptionKind | str] | None = None,
    *,
    stability_result: StabilityResult | None = None,
    option_names_ja: Mapping[str, str] | None = None,
    option_names_en: Mapping[str, str] | None = None,
) -> FinalRecommendation:
    """Combine the matrix with the signals into the recommendation and a ja/en sentence saying why.

    Each option has a kind (package, hybrid, scratch); the default options' kinds are known and
    ``option_kinds`` adds or overrides others. Reading:

    * the matrix's option is of the kind the signals point to -> CONSISTENT, recommend it;
    * adjacent kinds (package vs hybrid, hybrid vs scratch) -> CONSIDER_ALTERNATIVE: recommend the
      matrix's option and name the alternative worth considering;
    * package vs scratch (e.g. the matrix picks a package while 4+ signals are yes) -> CONFLICT: no
      recommendation, the consultant should review the weights and scores;
    * a tie at the top of the matrix -> TIE: no recommendation; the sentence says which tied options are
      of the kind the signals point to.

    With ``stability_result`` the sentence also states the smallest weight change that overturns it.
    """
    kinds = _kinds(option_kinds)
    implication = signals.implication
    n, total = signals.yes_count, len(SIGNALS)
    leader = matrix.recommendation
    kind = _kind_of(leader, kinds) if leader is not None else None

    def name(key: str, lang: Lang) -> str:
        return _option_name(key, lang, option_names_ja if lang == "ja" else option_names_en)

    impl_ja, impl_en = _kind_label(implication, "ja"), _kind_label(implication, "en")
    signals_ja = (
        f"「パッケージでは不足する」シグナルは{total}項目中{n}項目が「はい」で、{impl_ja}を示しています"
    )
    signals_en = f'{n} of {total} "package falls short" signals are yes, which points to {impl_en}'

    option: str | None
    if leader is None or kind is None:
        agreement = Agreement.TIE
        option = None
        tied_ja = "・".join(f"「{name(o, 'ja')}」" for o in matrix.tied)
        tied_en = " and ".join(f"'{name(o, 'en')}'" for o in matrix.tied)
        matching = [o for o in matrix.tied if kinds.get(o) is implication]
        ja = f"判断マトリクスでは{tied_ja}が同点で、単一の推奨はありません。{signals_ja}。"
        en = f"The matrix gives no single recommendation: {tied_en} tie for first place. {signals_en}."
        if matching:
            ja += (
                "同点のうち"
                + "・".join(f"「{name(o, 'ja')}」" for o in matching)
                + "がシグナルと一致します。"
            )
            en += " Of the tied options, " + " and ".join(f"'{name(o, 'en')}'" for o in matching)
            en += " match the signals." if len(matching) > 1 else " matches the signals."
        ja += "コンサルタントが判断してください。"
        en += " The consultant decides."
    else:
        kind_ja, kind_en = _kind_label(kind, "ja", short=True), _kind_label(kind, "en", short=True)
        leader_ja, leader_en = name(leader, "ja"), name(leader, "en")
        distance = abs(_KIND_ORDER[kind] - _KIND_ORDER[implication])
        matrix_ja = f"判断マトリクスは「{leader_ja}」({kind_ja})を推奨しています"
        matrix_en = f"The matrix recommends '{leader_en}' ({kind_en})"
        if distance == 0:
            agreement, option = Agreement.CONSISTENT, leader
            ja = f"{matrix_ja}。{signals_ja}。両者は一致しています。"
            en = f"{matrix_en}. {signals_en}. The two agree."
        elif distance == 1:
            agreement, option = Agreement.CONSIDER_ALTERNATIVE, leader
            ja = f"{matrix_ja}。{signals_ja}。推奨は維持しますが、{impl_ja}も検討する価値があります。"
            en = f"{matrix_en}. {signals_en}. The recommendation stands, but {impl_en} is worth considering."
            if _KIND_ORDER[implication] > _KIND_ORDER[kind]:
                ja += "「はい」と答えた要件を推奨案で満たせるか確認してください。"
                en += " Check that the recommended option covers the needs behind the yes answers."
            else:
                ja += (
                    "より軽い構成で足りる可能性があるため、"
                    "スコアが要件を過大評価していないか確認してください。"
                )
                en += " A lighter set-up may be enough; check the scores do not overstate the needs."
        else:
            agreement, option = Agreement.CONFLICT, None
            ja = (
                f"判断マトリクスとシグナルが食い違っています。{matrix_ja}が、{signals_ja}。"
                "判断を記録する前に、コンサルタントが重みとスコアを見直してください。"
            )
            en = (
                f"The matrix and the signals disagree. {matrix_en}, but {signals_en}. "
                "The consultant should review the weights and scores before recording a decision."
            )
    if signals.unanswered:
        ja += f"シグナルの未回答が{len(signals.unanswered)}項目あります。"
        en += f" {len(signals.unanswered)} signal question(s) are unanswered."
    if stability_result is not None and stability_result.status in (
        StabilityStatus.FLIPPABLE,
        StabilityStatus.STABLE,
    ):
        ja += stability_sentence(stability_result, "ja", option_names_ja)
        en += " " + stability_sentence(stability_result, "en", option_names_en)
    return FinalRecommendation(
        option=option,
        agreement=agreement,
        matrix_option=leader,
        matrix_kind=kind,
        signals_implication=implication,
        explanation_ja=ja,
        explanation_en=en,
    )


# --------------------------------------------------------------------------------------------------
# Markdown export
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedDecision:
    """The final decision as recorded in the workspace (who, when, why)."""

    option: str
    decided_by: str
    decided_at: datetime
    reason: str


_TOKYO = ZoneInfo("Asia/Tokyo")

_TEXT: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "title": (
            "判断マトリクス: MA/SFAパッケージ vs フルスクラッチ開発",
            "Decision matrix: MA/SFA package vs full scratch",
        ),
        "criteria": ("評価基準と重み", "Criteria and weights"),
        "criterion": ("評価基準", "Criterion"),
        "weight": ("重み", "Weight"),
        "share": ("比率", "Share"),
        "guide": ("採点の目安", "Scoring guide"),
        "total": ("合計", "Total"),
        "scale": (
            "スコアは1〜5で、5が常にクライアントにとって最良です(コストや期間の基準では安い・短いほど高得点)。",
            "Scores run 1-5 and 5 is always best for the client (for cost and time criteria, cheaper or "
            "quicker scores higher).",
        ),
        "scores": ("採点", "Scores"),
        "weighted_total": ("加重合計", "Weighted total"),
        "normalised": ("正規化スコア(0〜100)", "Normalised score (0-100)"),
        "rank": ("順位", "Rank"),
        "rationales": ("採点の根拠", "Rationale for the scores"),
        "option": ("オプション", "Option"),
        "score": ("スコア", "Score"),
        "rationale": ("根拠", "Rationale"),
        "results": ("結果", "Results"),
        "recommendation": ("推奨", "Recommendation"),
        "stability": ("安定性", "Stability"),
        "direction": ("方向", "Direction"),
        "current": ("現在の重み", "Current weight"),
        "new": ("入れ替わる重み", "Flip weight"),
        "change": ("変化量", "Change"),
        "challenger": ("並ぶオプション", "Draws level"),
        "signals": ("「パッケージでは不足する」シグナル", '"Package falls short" signals'),
        "question": ("質問", "Question"),
        "answer": ("回答", "Answer"),
        "yes": ("はい", "Yes"),
        "no": ("いいえ", "No"),
        "unanswered": ("未回答", "Unanswered"),
        "final": ("総合判断", "Combined reading"),
        "decision": ("最終判断の記録", "Recorded decision"),
        "decided_option": ("判断", "Decision"),
        "decided_by": ("判断者", "Decided by"),
        "decided_at": ("日時", "Date"),
        "reason": ("理由", "Reason"),
        "increase": ("上げる", "increase"),
        "decrease": ("下げる", "decrease"),
        "not_assessed": ("シグナルは未評価です。", "The signals have not been assessed."),
    }
)


def _t(key: str, lang: Lang) -> str:
    ja, en = _TEXT[key]
    return ja if lang == "ja" else en


def _cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _row(cells: Iterable[object]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _table(header: list[str], rows: list[list[object]], align: list[str] | None = None) -> list[str]:
    rule = align or ["---"] * len(header)
    return [_row(header), "| " + " | ".join(rule) + " |", *(_row(r) for r in rows)]


def matrix_markdown(
    result: MatrixResult,
    *,
    lang: Lang = "ja",
    option_names: Mapping[str, str] | None = None,
    rationales: Mapping[str, Mapping[str, str]] | None = None,
    signals: SignalsResult | None = None,
    option_kinds: Mapping[str, OptionKind | str] | None = None,
    decision: RecordedDecision | None = None,
    tz: tzinfo = _TOKYO,
) -> str:
    """The matrix as a Markdown report in Japanese or English.

    Sections: criteria and weights; scores (with totals, normalised scores and ranks); rationales (when
    given: option -> criterion -> text, shown as entered); results and recommendation with the margin;
    stability; signals and the combined reading (when ``signals`` is given); the recorded decision (when
    given; its time is shown in ``tz``, Asia/Tokyo by default). ``option_names`` are display names in
    ``lang``; the default options' names are used otherwise, then the keys.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en', got {lang!r}")

    def name(key: str) -> str:
        return _option_name(key, lang, option_names)

    options = list(result.scores)  # input order for the score columns
    lines: list[str] = [f"# {_t('title', lang)}", ""]

    # Criteria and weights.
    lines += [f"## {_t('criteria', lang)}", ""]
    rows: list[list[object]] = []
    for criterion in result.criteria:
        weight = result.weights[criterion]
        share = _share(weight, result.total_weight)
        known = CRITERIA_BY_KEY.get(criterion)
        rows.append(
            [
                _criterion_name(criterion, lang),
                _format_number(weight),
                f"{share}%",
                known.guide(lang) if known else "",
            ]
        )
    rows.append([_t("total", lang), _format_number(result.total_weight), "100%", ""])
    lines += _table(
        [_t("criterion", lang), _t("weight", lang), _t("share", lang), _t("guide", lang)],
        rows,
        ["---", "---:", "---:", "---"],
    )
    lines += ["", _t("scale", lang), ""]

    # Scores with totals.
    lines += [f"## {_t('scores', lang)}", ""]
    rows = [
        [_criterion_name(c, lang), _format_number(result.weights[c]), *(result.scores[o][c] for o in options)]
        for c in result.criteria
    ]
    by_key = {o.key: o for o in result.options}
    rows.append(
        [_t("weighted_total", lang), "", *(_format_number(by_key[o].weighted_total) for o in options)]
    )
    rows.append([_t("normalised", lang), "", *(by_key[o].normalised for o in options)])
    rows.append([_t("rank", lang), "", *(by_key[o].rank for o in options)])
    lines += _table(
        [_t("criterion", lang), _t("weight", lang), *(name(o) for o in options)],
        rows,
        ["---", "---:", *(["---:"] * len(options))],
    )
    lines.append("")

    if rationales:
        lines += [f"### {_t('rationales', lang)}", ""]
        for option in options:
            texts = rationales.get(option)
            if not texts:
                continue
            lines += [f"#### {name(option)}", ""]
            lines += _table(
                [_t("criterion", lang), _t("score", lang), _t("rationale", lang)],
                [
                    [_criterion_name(c, lang), result.scores[option][c], texts.get(c, "")]
                    for c in result.criteria
                ],
                ["---", "---:", "---"],
            )
            lines.append("")

    # Results and recommendation.
    lines += [f"## {_t('results', lang)}", ""]
    lines += _table(
        [_t("rank", lang), _t("option", lang), _t("weighted_total", lang), _t("normalised", lang)],
        [[o.rank, name(o.key), _format_number(o.weighted_total), o.normalised] for o in result.options],
        ["---:", "---", "---:", "---:"],
    )
    lines += ["", f"## {_t('recommendation', lang)}", ""]
    if result.recommendation is not None:
        leader = name(result.recommendation)
        if result.margin is None:
            lines.append(
                f"**{leader}** を推奨します(唯一のオプション)。"
                if lang == "ja"
                else f"**{leader}** (the only option)."
            )
        elif lang == "ja":
            lines.append(
                f"**{leader}** を推奨します(2位「{name(result.ranking[1])}」との差: 加重合計 "
                f"{_format_number(result.margin)}、正規化スコア {result.margin_normalised}ポイント)。"
            )
        else:
            lines.append(
                f"**{leader}** is recommended (ahead of '{name(result.ranking[1])}' by "
                f"{_format_number(result.margin)} weighted points, "
                f"{result.margin_normalised} normalised points)."
            )
    else:
        tied = [name(o) for o in result.tied]
        if lang == "ja":
            lines.append(
                "首位が同点(" + "・".join(f"「{t}」" for t in tied) + ")のため、単一の推奨はありません。"
            )
        else:
            lines.append(
                "First place is tied (" + ", ".join(f"'{t}'" for t in tied) + "), so there is no single "
                "recommendation."
            )
    lines.append("")

    # Stability.
    stab = stability(result.weights, result.scores)
    lines += [f"## {_t('stability', lang)}", "", stability_sentence(stab, lang, option_names), ""]
    if stab.flips:
        lines += _table(
            [
                _t("criterion", lang),
                _t("direction", lang),
                _t("current", lang),
                _t("change", lang),
                _t("new", lang),
                _t("challenger", lang),
            ],
            [
                [
                    _criterion_name(f.criterion, lang),
                    _t(f.direction.value, lang),
                    _format_number(f.current_weight),
                    ("+" if f.delta > 0 else "-") + _format_number(f.magnitude),
                    _format_number(f.new_weight),
                    ", ".join(name(o) for o in f.challengers),
                ]
                for f in stab.flips
            ],
            ["---", "---", "---:", "---:", "---:", "---"],
        )
        lines.append("")

    # Signals and the combined reading.
    lines += [f"## {_t('signals', lang)}", ""]
    if signals is None:
        lines += [_t("not_assessed", lang), ""]
    else:
        answer = {key: "yes" for key in signals.yes} | {key: "no" for key in signals.no}
        lines += _table(
            [_t("question", lang), _t("answer", lang)],
            [[s.question(lang), _t(answer.get(s.key, "unanswered"), lang)] for s in SIGNALS],
        )
        lines += ["", signals.summary(lang), ""]
        final = final_recommendation(
            result,
            signals,
            option_kinds,
            option_names_ja=option_names if lang == "ja" else None,
            option_names_en=option_names if lang == "en" else None,
        )
        lines += [f"### {_t('final', lang)}", "", final.explanation(lang), ""]

    # Recorded decision.
    if decision is not None:
        at = decision.decided_at.astimezone(tz) if decision.decided_at.tzinfo else decision.decided_at
        lines += [f"## {_t('decision', lang)}", ""]
        lines += _table(
            [_t("decided_option", lang), _t("decided_by", lang), _t("decided_at", lang), _t("reason", lang)],
            [
                [
                    name(decision.option),
                    decision.decided_by,
                    at.strftime("%Y-%m-%d %H:%M %Z").strip(),
                    decision.reason,
                ]
            ],
        )
        lines.append("")

    return "\n".join(lines).rstrip("\n") + "\n"
