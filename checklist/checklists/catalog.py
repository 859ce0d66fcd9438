"""The global checklist templates, as plain data (no Django).

Two templates come from the seed articles:

* ``kpi_design`` -- Checklist A, "KPI設計実装チェックリスト" (seed 000), 20 items A01..A20 on three
  axes: S = strategy (戦略), M = MA/SFA setup (MA/SFA設定), D = tool development (ツール開発).
* ``sales_metrics`` -- Checklist B, "営業指標管理の実装完了度チェックリスト" (seed 004), 15 items
  B01..B15. The seed gives no axes; each B item gets the axis of the closest A item so that per-axis
  progress and :func:`engagement_phase` work for both templates (see ``_B_AXIS_MAPPING`` below).

Japanese item texts are the seeds' own wording; English texts are domain.md's.

Each item may name an automatic verification ``rule`` (a stable string key, see :data:`RULES`). The Django
side implements one evaluator per rule; it reads the workspace's own state (KGI, KPI tree, CRM sync,
dashboards, ...) and shows that evidence on the item. ``rule=None`` means the consultant ticks the item
by hand because the product holds no state that could prove it.

The templates are versioned (:data:`CATALOG_VERSION`); a workspace copies a template at a version and
keeps that copy, so editing texts here must bump the version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from kpi.units import value_quantize

__all__ = [
    "AXIS_LABELS",
    "CATALOG_VERSION",
    "KPI_DESIGN",
    "PHASE_LABELS",
    "PHASE_ORDER",
    "PHASE_THRESHOLD",
    "RULES",
    "SALES_METRICS",
    "TEMPLATES",
    "Axis",
    "AxisProgress",
    "ChecklistItem",
    "ChecklistTemplate",
    "ItemStatus",
    "Phase",
    "ProgressResult",
    "Rule",
    "axis_label",
    "engagement_phase",
    "get_item",
    "get_template",
    "phase_label",
    "progress",
    "progress_from_axes",
]

CATALOG_VERSION = 1


class Axis(StrEnum):
    """Checklist A's three axes (seed 000: 戦略・MA/SFA設定・ツール開発の3軸)."""

    STRATEGY = "S"
    SETUP = "M"
    BUILD = "D"


AXIS_LABELS: Mapping[Axis, tuple[str, str]] = MappingProxyType(
    {
        Axis.STRATEGY: ("戦略", "Strategy"),
        Axis.SETUP: ("MA/SFA設定", "MA/SFA setup"),
        Axis.BUILD: ("ツール開発", "Tool development"),
    }
)


def axis_label(axis: Axis | str, lang: str) -> str:
    """The axis's label in ``lang`` (``ja`` or ``en``)."""
    ja, en = AXIS_LABELS[Axis(axis)]
    return en if lang == "en" else ja


class Phase(StrEnum):
    """Engagement phases, in order: strategy -> setup -> build -> operate."""

    STRATEGY = "strategy"
    SETUP = "setup"
    BUILD = "build"
    OPERATE = "operate"


PHASE_ORDER: tuple[Phase, ...] = (Phase.STRATEGY, Phase.SETUP, Phase.BUILD, Phase.OPERATE)

PHASE_LABELS: Mapping[Phase, tuple[str, str]] = MappingProxyType(
    {
        Phase.STRATEGY: ("戦略", "Strategy"),
        Phase.SETUP: ("設定", "Setup"),
        Phase.BUILD: ("構築", "Build"),
        Phase.OPERATE: ("運用", "Operate"),
    }
)


def phase_label(phase: Phase | str, lang: str) -> str:
    """The phase's label in ``lang`` (``ja`` or ``en``)."""
    ja, en = PHASE_LABELS[Phase(phase)]
    return en if lang == "en" else ja


class ItemStatus(StrEnum):
    """Status of one checklist item in a workspace. Only DONE counts as progress."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


# --------------------------------------------------------------------------------------------------
# Verification rules
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """An automatic verification rule. ``available`` is False while the capability it reads is not built."""

    key: str
    description_ja: str
    description_en: str
    available: bool

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_ja


def _rule(key: str, ja: str, en: str, *, available: bool = True) -> tuple[str, Rule]:
    return key, Rule(key=key, description_ja=ja, description_en=en, available=available)


RULES: Mapping[str, Rule] = MappingProxyType(
    dict(
        [
            # ---- strategy: provable from the KGI -> KSF -> KPI tree the product holds ----
            _rule(
                "kgi_numeric",
                "数値の目標値を持つKGIが登録されている",
                "A KGI with a numeric target is recorded",
            ),
            _rule(
                "ksf_under_kgi",
                "KGIの下にKSF(重要成功要因)が1つ以上登録されている",
                "At least one KSF (key success factor) sits under the KGI",
            ),
            _rule(
                "kpis_under_ksfs",
                "すべてのKSFにKPIが1つ以上紐づいている",
                "Every KSF has at least one KPI",
            ),
            _rule(
                "all_kpis_smart",
                "すべてのKPIがSMARTチェック(明確性・測定可能性・達成可能性・関連性・期限設定)を通過している",
                "Every KPI passes the SMART check (specific, measurable, achievable, relevant, time-bound)",
            ),
            _rule(
                "kpi_count_guidance",
                "KPI数が目安(組織全体で3〜5個、各部門で2〜3個)に収まっている。超過は警告であり誤りではない",
                "The KPI count is within the guidance (3-5 company-wide, 2-3 per department); "
                "more is a warning, not an error",
            ),
            _rule(
                "tree_exists",
                "KGI→KSF→KPIのツリーが登録され、すべてのKPIがKGIまでつながっている",
                "A KGI -> KSF -> KPI tree exists and every KPI links up to the KGI",
            ),
            _rule(
                "leading_and_lagging",
                "先行指標と遅行指標がそれぞれ1つ以上設定されている",
                "At least one leading and one lagging indicator are defined",
            ),
            _rule(
                "all_kpis_owned",
                "すべてのKPIに責任者が設定されている",
                "Every KPI has a responsible owner",
            ),
            # ---- operating cycle: provable from the review schedule the product keeps ----
            _rule(
                "review_cadence_scheduled",
                "KPIの確認・レビューの周期(日次・週次・月次)が設定されている",
                "A KPI check/review cadence (daily, weekly, monthly) is set",
            ),
            _rule(
                "review_meetings_in_calendar",
                "定例の振り返りミーティングが次回日時付きで登録され、カレンダー(iCalendar)に出力されている",
                "Recurring review meetings are scheduled with a next date and exported to a calendar "
                "(iCalendar)",
            ),
            _rule(
                "quarterly_revision_cadence",
                "KPI自体の見直しサイクル(四半期ごと等)と次回見直し日が設定されている",
                "A cycle for revising the KPIs themselves (e.g. quarterly) and its next date are set",
            ),
            _rule(
                "action_plans_for_behind_kpis",
                "目標に対して未達のすべてのKPIにアクションプランが登録されている",
                "Every KPI currently behind its target has an action plan",
            ),
            # The product holds exactly what the definition document must contain (definition, formula,
            # unit, target, owner per KPI), so the document can be generated here; what the product can
            # prove is that a version of it was *published* to every member of the workspace. That proves
            # A15 (shared company-wide) and B12 (one set of definitions for marketing and sales alike).
            # Publishing is not built yet, hence available=False.
            _rule(
                "definition_book_published",
                "KPI定義書(定義・計算式・目標値)が公開され、ワークスペースの全メンバーが閲覧できる",
                "A KPI definition book (definitions, formulas, targets) is published and readable by every "
                "member of the workspace",
                available=False,
            ),
            # ---- decision package vs full scratch: provable from checklist/scoring.py's data ----
            _rule(
                "decision_matrix_scored",
                "判断マトリクスで全オプションが全評価基準について採点され、「パッケージでは不足する」"
                "6つのシグナルすべてに回答されている",
                "Every option of the decision matrix is scored on every criterion and all six "
                '"package falls short" signals are answered',
            ),
            _rule(
                "decision_recorded",
                "パッケージかフルスクラッチかの最終判断が、判断者・日時・理由付きで記録されている",
                "The final package versus full-scratch decision is recorded with who, when and why",
            ),
            _rule(
                "scratch_requirements_when_needed",
                "最終判断がフルスクラッチまたはハイブリッドの場合、要件定義と開発計画が登録されている"
                "(パッケージのみの判断なら対象外)",
                "If the decision is a full-scratch or hybrid build, requirements and a development plan are "
                "recorded (not applicable when a package alone was chosen)",
            ),
            # ---- later capabilities: declared now, evaluators arrive with the capability ----
            # ---- CRM integration: provable from the connections and the rules that feed the actuals ----
            _rule(
                "crm_synced_24h",
                "CRM/SFA連携が直近24時間以内に同期に成功している",
                "The CRM/SFA connection synced successfully within the last 24 hours",
            ),
            _rule(
                "crm_fields_mapped",
                "CRM/SFAをデータソースとするすべてのKPIに、CRM/SFA上の入力項目が対応付けられている",
                "Every KPI sourced from the CRM/SFA is mapped to an input field there",
            ),
            _rule(
                "crm_kpis_computed",
                "CRM/SFAをデータソースとするすべてのKPIが、同期済みのCRM/SFAのデータから定義どおりに計算されている",
                "Every KPI sourced from the CRM/SFA is computed by its definition from the synced CRM/SFA data",
            ),
            _rule(
                "dashboard_exists",
                "KPIを表示するダッシュボードがあり、同期データで随時更新されている",
                "A KPI dashboard exists and is refreshed from the synced data",
                available=False,
            ),
            _rule(
                "alert_rule_exists",
                "KPIの目標値と実績値の乖離を検知するアラートルールが1つ以上有効になっている",
                "At least one active alert rule detects the gap between KPI target and actual",
                available=False,
            ),
            _rule(
                "dashboard_roles_assigned",
                "ダッシュボードに閲覧ロール(営業担当者・マネージャー・経営層)と閲覧権限が割り当てられている",
                "Dashboards have viewer roles (sales rep, manager, executive) and permissions assigned",
                available=False,
            ),
        ]
    )
)


# --------------------------------------------------------------------------------------------------
# Items and templates
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    axis: Axis
    text_ja: str
    text_en: str
    rule: str | None

    @property
    def order(self) -> int:
        """1-based position taken from the key (A07 -> 7)."""
        return int(self.key[1:])

    def text(self, lang: str) -> str:
        return self.text_ja if lang == "ja" else self.text_en


@dataclass(frozen=True)
class ChecklistTemplate:
    key: str
    version: int
    name_ja: str
    name_en: str
    source: str
    items: tuple[ChecklistItem, ...]

    def item(self, key: str) -> ChecklistItem:
        for candidate in self.items:
            if candidate.key == key:
                return candidate
        raise KeyError(f"{self.key} has no item {key!r}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


_S, _M, _D = Axis.STRATEGY, Axis.SETUP, Axis.BUILD

# Checklist A: seed 000's list in its order; axes as in domain.md. Rules:
# * A09 (progress checkable daily/weekly on the dashboard) uses dashboard_exists like A08: a dashboard fed
#   by the CRM sync is what makes daily/weekly checking possible.
# * A11 (needs the package cannot cover are listed) is proven by decision_matrix_scored, which includes
#   answering the six "package falls short" signals -- that answer sheet is the list of such needs.
# * A15 -> definition_book_published, see the comment at that rule.
# * A16 (regular review meetings in place) -> review_cadence_scheduled: the seed asks for the "体制"
#   (the arrangement), i.e. a cadence, not that a meeting has actually been put in a calendar (that is B10).
# * A17 (revise KPIs as the market/phase changes) -> quarterly_revision_cadence: domain.md's review cycle
#   puts KPI revision at the quarterly meeting; the product can prove that cycle is scheduled.
# * A19 (KPIs per department role) has no rule: the product holds no authoritative list of the client's
#   departments, so it cannot prove that every department has its own KPIs; the consultant ticks it.
_A_ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem("A01", _S, "KGI(最終目標)を定量的に設定済み", "KGI set quantitatively", "kgi_numeric"),
    ChecklistItem(
        "A02",
        _S,
        "KGIをロジックツリーで分解しKSF(重要成功要因)を抽出済み",
        "KGI decomposed with a logic tree and KSFs extracted",
        "ksf_under_kgi",
    ),
    ChecklistItem("A03", _S, "KSFに基づいてKPIを設計済み", "KPIs designed from the KSFs", "kpis_under_ksfs"),
    ChecklistItem(
        "A04",
        _S,
        "SMART基準(明確性・測定可能性・達成可能性・関連性・期限設定)で各KPIを検証済み",
        "Every KPI checked against SMART",
        "all_kpis_smart",
    ),
    ChecklistItem(
        "A05",
        _S,
        "組織全体で3〜5個、各部門で2〜3個程度にKPIを絞り込み済み",
        "KPIs narrowed to 3-5 company-wide, 2-3 per department",
        "kpi_count_guidance",
    ),
    ChecklistItem(
        "A06",
        _S,
        "KPIツリーを作成しKGIとKPIの連動を可視化済み",
        "KPI tree built, KGI-KPI linkage visible",
        "tree_exists",
    ),
    ChecklistItem(
        "A07",
        _M,
        "MA/SFAツールでKPIを自動収集できるデータ連携設定を完了",
        "Data integration set up so MA/SFA collects the KPIs automatically",
        "crm_synced_24h",
    ),
    ChecklistItem(
        "A08",
        _M,
        "リアルタイムKPI可視化ダッシュボードを構築済み",
        "Real-time KPI dashboard built",
        "dashboard_exists",
    ),
    ChecklistItem(
        "A09",
        _M,
        "ダッシュボードで各KPIの進捗を日次または週次で確認できる体制を構築",
        "Each KPI's progress checkable daily or weekly on the dashboard",
        "dashboard_exists",
    ),
    ChecklistItem(
        "A10",
        _M,
        "KPIの目標値と実績値の乖離を自動検知するアラート設定を完了",
        "Alert on the gap between KPI target and actual set up",
        "alert_rule_exists",
    ),
    ChecklistItem(
        "A11",
        _D,
        "MA/SFAツールでカバーできないKPI可視化要件を洗い出し済み",
        "KPI visualisation needs that MA/SFA cannot cover listed",
        "decision_matrix_scored",
    ),
    ChecklistItem(
        "A12",
        _D,
        "パッケージツールの限界を見極め、フルスクラッチ開発の必要性を判断済み",
        "Package-tool limits assessed and the need for a full-scratch build decided",
        "decision_recorded",
    ),
    ChecklistItem(
        "A13",
        _D,
        "フルスクラッチ開発が必要な場合、要件定義と開発計画を策定済み",
        "If a scratch build is needed: requirements and development plan drawn up",
        "scratch_requirements_when_needed",
    ),
    ChecklistItem(
        "A14",
        _M,
        "KPIダッシュボードを全社員がアクセスできる環境に配置済み",
        "KPI dashboard placed where every employee can access it",
        "dashboard_roles_assigned",
    ),
    ChecklistItem(
        "A15",
        _S,
        "KPIの定義・計算式・目標値を全社で共有するドキュメントを整備済み",
        "Document sharing KPI definitions, formulas and targets company-wide",
        "definition_book_published",
    ),
    ChecklistItem(
        "A16",
        _S,
        "KPIレビュー会議を定期的に開催する体制を構築済み",
        "Regular KPI review meetings in place",
        "review_cadence_scheduled",
    ),
    ChecklistItem(
        "A17",
        _S,
        "市場環境や事業フェーズの変化に応じてKPIを見直すプロセスを定義済み",
        "Process to revise KPIs as the market or business phase changes",
        "quarterly_revision_cadence",
    ),
    ChecklistItem(
        "A18",
        _S,
        "先行指標(日々の活動指標)と遅行指標(最終成果指標)を組み合わせたKPI設計を実施済み",
        "KPI design combines leading and lagging indicators",
        "leading_and_lagging",
    ),
    ChecklistItem(
        "A19",
        _S,
        "各部門の役割に応じて個別のKPIを設計済み",
        "KPIs designed per department role",
        None,
    ),
    ChecklistItem(
        "A20",
        _S,
        "KPI達成に向けたアクションプランを各部門で策定済み",
        "Action plans toward the KPIs drawn up per department",
        "action_plans_for_behind_kpis",
    ),
)

# Checklist B has no axes in seed 004. Each B item takes the axis of the A item it restates:
#   B01 -> S (A01)   B02 -> S (A02)   B03 -> S (A04)   B04 -> S (A06)
#   B05 -> M (A07: SFA/CRM input fields are part of the MA/SFA data set-up)
#   B06 -> M (formulas configured inside the SFA/CRM are MA/SFA set-up, not a tool build)
#   B07 -> M (A08)   B08 -> M (A14)
#   B09 -> S (A16)   B10 -> S (A16)   B11 -> S (A20)   B12 -> S (A15)
#   B13 -> S (lead definitions are a strategy agreement, like A15/A19)
#   B14 -> S (A17)   B15 -> S (owners are part of KPI design: domain.md lists owner among a KPI's fields)
# No B item is tool development, so axis D is empty for this template; engagement_phase treats an axis
# with no applicable items as complete, so a sales_metrics workspace goes from setup straight to operate.
_B_AXIS_MAPPING: Mapping[str, Axis] = MappingProxyType(
    {
        "B01": _S,
        "B02": _S,
        "B03": _S,
        "B04": _S,
        "B05": _M,
        "B06": _M,
        "B07": _M,
        "B08": _M,
        "B09": _S,
        "B10": _S,
        "B11": _S,
        "B12": _S,
        "B13": _S,
        "B14": _S,
        "B15": _S,
    }
)

# Checklist B rules:
# * B05 (input fields in the SFA/CRM) -> crm_fields_mapped, finer than crm_synced_24h: a recent sync proves
#   the connection, a field mapping per CRM-sourced KPI proves the input fields exist.
# * B06 (formulas implemented in the SFA/CRM) -> crm_kpis_computed: each CRM-sourced KPI's base metrics are
#   counted from the synced records by a stated rule (integrations.rollups.rules), so the definition runs on the
#   CRM's data rather than on typed numbers.
# * B10 (review meetings in the calendar) -> review_meetings_in_calendar, finer than the cadence rule.
# * B13 (MQL/SQL agreed between departments) has no rule: an agreement between people is not state the
#   product holds.
# * B14 -> quarterly_revision_cadence (the seed's own example is quarterly).
_B_ITEMS: tuple[ChecklistItem, ...] = tuple(
    ChecklistItem(key, _B_AXIS_MAPPING[key], ja, en, rule)
    for key, ja, en, rule in (
        ("B01", "KGI(最終目標)が数値で明確に定義されている", "KGI defined as a number", "kgi_numeric"),
        ("B02", "KSF(成功要因)がKGIに対して分解されている", "KSFs decomposed from the KGI", "ksf_under_kgi"),
        ("B03", "KPIがSMART原則で点検済みである", "KPIs checked against SMART", "all_kpis_smart"),
        ("B04", "KPIツリーがドキュメント化されている", "KPI tree documented", "tree_exists"),
        (
            "B05",
            "SFA/CRMにKPIの入力項目が設定されている",
            "SFA/CRM has input fields for the KPIs",
            "crm_fields_mapped",
        ),
        (
            "B06",
            "各KPIの計算式・定義がSFA/CRM上で実装されている",
            "Each KPI's formula/definition implemented in the SFA/CRM",
            "crm_kpis_computed",
        ),
        (
            "B07",
            "ダッシュボードでKPIがリアルタイムに可視化されている",
            "KPIs visualised in real time on a dashboard",
            "dashboard_exists",
        ),
        (
            "B08",
            "ダッシュボードの閲覧権限が適切に設定されている",
            "Dashboard viewing permissions set appropriately",
            "dashboard_roles_assigned",
        ),
        (
            "B09",
            "日次・週次・月次の確認サイクルが決まっている",
            "Daily/weekly/monthly check cycle decided",
            "review_cadence_scheduled",
        ),
        (
            "B10",
            "定例の振り返りミーティングがカレンダーに登録されている",
            "Regular review meetings in the calendar",
            "review_meetings_in_calendar",
        ),
        (
            "B11",
            "KPI未達時のアクションプランが決まっている",
            "Action plan for a missed KPI decided",
            "action_plans_for_behind_kpis",
        ),
        (
            "B12",
            "マーケ部門と営業部門で共通のKPI定義が共有されている",
            "Common KPI definitions shared by marketing and sales",
            "definition_book_published",
        ),
        (
            "B13",
            "リード定義(MQL/SQL)が部門間で合意されている",
            "Lead definitions (MQL/SQL) agreed between departments",
            None,
        ),
        (
            "B14",
            "KPIの見直しサイクル(四半期ごと等)が決まっている",
            "KPI revision cycle (e.g. quarterly) decided",
            "quarterly_revision_cadence",
        ),
        (
            "B15",
            "運用責任者が明確にアサインされている",
            "An owner responsible for operation assigned",
            "all_kpis_owned",
        ),
    )
)

KPI_DESIGN = ChecklistTemplate(
    key="kpi_design",
    version=CATALOG_VERSION,
    name_ja="KPI設計実装チェックリスト(戦略・MA/SFA設定・ツール開発の3軸)",
    name_en="KPI design implementation checklist (strategy, MA/SFA setup, tool development)",
    source="seed 000",
    items=_A_ITEMS,
)

SALES_METRICS = ChecklistTemplate(
    key="sales_metrics",
    version=CATALOG_VERSION,
    name_ja="営業指標管理の実装完了度チェックリスト",
    name_en="Sales metrics implementation completeness checklist",
    source="seed 004",
    items=_B_ITEMS,
)

TEMPLATES: Mapping[str, ChecklistTemplate] = MappingProxyType(
    {KPI_DESIGN.key: KPI_DESIGN, SALES_METRICS.key: SALES_METRICS}
)

_ITEMS_BY_KEY: Mapping[str, ChecklistItem] = MappingProxyType(
    {item.key: item for template in TEMPLATES.values() for item in template.items}
)


def get_template(key: str) -> ChecklistTemplate:
    """The template with this key; KeyError if there is none."""
    try:
        return TEMPLATES[key]
    except KeyError:
        raise KeyError(f"unknown checklist template {key!r}") from None


def get_item(key: str) -> ChecklistItem:
    """An item of either template by its key (item keys are unique across templates)."""
    try:
        return _ITEMS_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown checklist item {key!r}") from None


# --------------------------------------------------------------------------------------------------
# Progress and engagement phase
# --------------------------------------------------------------------------------------------------

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_BELOW_COMPLETE = Decimal("99.99")


@dataclass(frozen=True)
class AxisProgress:
    """Done items over applicable items. ``axis`` is None for the overall figure.

    ``percent`` is None when no item is applicable (nothing to do). Otherwise it is the figure people read:
    rounded half-up to two decimals as every percentage of the product (``kpi.units``; 8 of 11 is 72.73,
    not 72.72), except that it never shows 100 before every applicable item is done (99.99 at most).
    ``exact_percent`` is the unrounded fraction, which the phase rule compares with its threshold.
    """

    axis: Axis | None
    total: int
    done: int
    not_applicable: int

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def exact_percent(self) -> Decimal | None:
        if self.applicable == 0:
            return None
        return Decimal(self.done) * _HUNDRED / Decimal(self.applicable)

    @property
    def percent(self) -> Decimal | None:
        exact = self.exact_percent
        if exact is None:
            return None
        shown = value_quantize(exact, "percent").quantize(_CENT)
        return min(shown, _BELOW_COMPLETE) if not self.is_complete else shown

    @property
    def is_complete(self) -> bool:
        return self.done == self.applicable


@dataclass(frozen=True)
class ProgressResult:
    overall: AxisProgress
    by_axis: Mapping[Axis, AxisProgress]

    @property
    def percent_by_axis(self) -> dict[Axis, Decimal | None]:
        """The exact per-axis fractions (0-100) the phase rule reads."""
        return {axis: self.by_axis[axis].exact_percent for axis in Axis}

    @property
    def phase(self) -> Phase:
        return engagement_phase(self.percent_by_axis)


def _as_status(value: ItemStatus | str, key: str) -> ItemStatus:
    try:
        return ItemStatus(value)
    except ValueError:
        raise ValueError(f"item {key!r}: unknown status {value!r}") from None


def progress_from_axes(entries: Iterable[tuple[Axis | str, ItemStatus | str]]) -> ProgressResult:
    """Progress from (axis, status) pairs: for workspace copies of a template or custom items."""
    counts: dict[Axis, list[int]] = {axis: [0, 0, 0] for axis in Axis}  # total, done, not applicable
    for position, (axis_value, status_value) in enumerate(entries):
        try:
            axis = Axis(axis_value)
        except ValueError:
            raise ValueError(f"entry {position}: unknown axis {axis_value!r}") from None
        status = _as_status(status_value, f"#{position}")
        bucket = counts[axis]
        bucket[0] += 1
        bucket[1] += status is ItemStatus.DONE
        bucket[2] += status is ItemStatus.NOT_APPLICABLE
    by_axis = {axis: AxisProgress(axis, *counts[axis]) for axis in Axis}
    overall = AxisProgress(
        None,
        total=sum(p.total for p in by_axis.values()),
        done=sum(p.done for p in by_axis.values()),
        not_applicable=sum(p.not_applicable for p in by_axis.values()),
    )
    return ProgressResult(overall=overall, by_axis=MappingProxyType(by_axis))


def progress(
    items_status: Mapping[str, ItemStatus | str], template: ChecklistTemplate | str | None = None
) -> ProgressResult:
    """Overall and per-axis progress of one template.

    ``items_status`` maps item keys to statuses. With a ``template`` every item of it counts and an item
    missing from the mapping is TODO; without one, the template is inferred from the keys (they must all
    belong to one template). Not-applicable items are left out of the denominator; only DONE counts as
    done. Unknown keys or statuses raise ValueError.
    """
    if template is None:
        owners = {key[:1] for key in items_status}
        by_prefix = {t.items[0].key[:1]: t for t in TEMPLATES.values()}
        if len(owners) != 1 or next(iter(owners)) not in by_prefix:
            raise ValueError("cannot infer the template from the item keys; pass template=")
        resolved = by_prefix[next(iter(owners))]
    elif isinstance(template, str):
        resolved = get_template(template)
    else:
        resolved = template
    unknown = sorted(set(items_status) - set(resolved.keys))
    if unknown:
        raise ValueError(f"items not in template {resolved.key!r}: {', '.join(unknown)}")
    return progress_from_axes(
        (item.axis, _as_status(items_status.get(item.key, ItemStatus.TODO), item.key))
        for item in resolved.items
    )


# The phase rule: work through the axes in the order strategy (S) -> MA/SFA setup (M) -> tool
# development (D). The engagement is in the phase of the first axis that is below PHASE_THRESHOLD percent
# done; once all three are at or above it, the engagement is operating. An axis with no applicable items
# (percent None: every item not applicable, or the template has none on that axis) does not hold the
# engagement back. 80% rather than 100% because a last item or two (for instance the definition book or a
# per-department plan) routinely trails the next phase's start; the checklist still shows them open.
PHASE_THRESHOLD = Decimal(80)

_PHASE_BY_AXIS: tuple[tuple[Axis, Phase], ...] = (
    (Axis.STRATEGY, Phase.STRATEGY),
    (Axis.SETUP, Phase.SETUP),
    (Axis.BUILD, Phase.BUILD),
)


_PhaseInput = Decimal | int | AxisProgress | None


def engagement_phase(progress_by_axis: Mapping[Axis, _PhaseInput] | Mapping[str, _PhaseInput]) -> Phase:
    """The engagement phase from per-axis percent done (0-100), see the rule above.

    Every axis (S, M, D) must be present; a value of None means the axis has no applicable items.
    ``AxisProgress`` values are accepted too (their exact fraction is used, never the rounded figure, so
    79.996 stays below a threshold of 80).
    """
    normalised: dict[Axis, Decimal | None] = {}
    for axis_value, value in progress_by_axis.items():
        try:
            axis = Axis(axis_value)
        except ValueError:
            raise ValueError(f"unknown axis {axis_value!r}") from None
        percent = value.exact_percent if isinstance(value, AxisProgress) else value
        if percent is not None:
            if isinstance(percent, bool) or not isinstance(percent, int | Decimal):
                raise ValueError(f"axis {axis.value}: percent must be a Decimal or int, got {percent!r}")
            percent = Decimal(percent)
            if not percent.is_finite() or not (0 <= percent <= _HUNDRED):
                raise ValueError(f"axis {axis.value}: percent must be between 0 and 100, got {percent}")
        normalised[axis] = percent
    missing = [axis.value for axis in Axis if axis not in normalised]
    if missing:
        raise ValueError(f"progress missing for axis {', '.join(missing)}")
    for axis, phase in _PHASE_BY_AXIS:
        percent = normalised[axis]
        if percent is not None and percent < PHASE_THRESHOLD:
            return phase
    return Phase.OPERATE
