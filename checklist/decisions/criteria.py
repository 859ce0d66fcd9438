"""Catalogue data of the decision matrix: the nine criteria, the option kinds and the default options.

Data, not code (exempt from the message layer's meta-test, like ``kpi/catalog.py``): each criterion's
Japanese and English name and scoring guide, and each default option's name, suggested scores, rationales
and note, as derived from seed 000's comparison table (MA/SFA package versus full-scratch build). The
system text of the matrix (errors, sentences, the report's labels) is in ``checklist.decisions.messages``.

Scoring convention: every option is scored 1-5 on every criterion, where **5 is always best for the
client on that criterion**; each criterion's guide says what 5 and 1 mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

__all__ = [
    "CRITERIA",
    "CRITERIA_BY_KEY",
    "DEFAULTS_NOTE_EN",
    "DEFAULTS_NOTE_JA",
    "DEFAULT_OPTIONS",
    "DEFAULT_OPTIONS_BY_KEY",
    "DEFAULT_WEIGHTS",
    "KIND_ORDER",
    "Criterion",
    "Lang",
    "OptionKind",
    "OptionTemplate",
    "criterion_name",
    "default_rationales",
    "default_scores",
    "default_weights",
    "template_name",
]

Lang = Literal["ja", "en"]


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


def criterion_name(key: str, lang: Lang) -> str:
    """The criterion's name in ``lang``; a key outside the catalogue is shown as it is."""
    criterion = CRITERIA_BY_KEY.get(key)
    return criterion.name(lang) if criterion else key


# --------------------------------------------------------------------------------------------------
# Option kinds and default options
# --------------------------------------------------------------------------------------------------


class OptionKind(StrEnum):
    """What an option is; also what the signals point to."""

    PACKAGE = "package"
    HYBRID = "hybrid"
    SCRATCH = "scratch"


# From the lightest set-up to the heaviest: adjacent kinds are alternatives, the two ends conflict.
KIND_ORDER: Mapping[OptionKind, int] = MappingProxyType(
    {OptionKind.PACKAGE: 0, OptionKind.HYBRID: 1, OptionKind.SCRATCH: 2}
)


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


def template_name(key: str, lang: Lang) -> str | None:
    """The default option's name in ``lang``, or None when ``key`` is not a default option."""
    template = DEFAULT_OPTIONS_BY_KEY.get(key)
    return template.name(lang) if template else None
