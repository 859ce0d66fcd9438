"""The standard metric catalogue, as plain data (no Django).

Two layers:

``BASE_METRICS``
    Counts and amounts that a CRM/SFA/MA tool, the accounting system or a person provides directly
    (leads, meetings, wins, won amount, ...).  They are the only names a formula may use.

``STANDARD_KPIS``
    The KPI catalogue of seed 004's phase table (lead -> appointment -> meeting -> won -> retention), the
    MQL count and the opportunity rate (案件化率) named in seed 000, the activity and executive measures
    of seed 004's role dashboards (calls, pipeline value, won amount) and the revenue KGI.  Each KPI has a
    ``formula`` over base metric keys using only numbers, names, ``+ - * /`` and parentheses; a KPI that
    *is* a base metric has the metric key as its formula.

``EXAMPLE_BENCHMARKS``
    The example rates quoted in seed 000 (win rate 25%, opportunity rate 50%, meeting rate 20%).  The
    seed itself says they are a company blog's assumption with no public backing: they are offered only as
    editable starting values, never as facts or official statistics.

Definitions of the opportunity rate (案件化率) vary between firms.  The catalogue uses "opportunities /
meetings x 100" (the share of meetings that became a qualified opportunity with need and budget
confirmed); a workspace that defines it differently edits its own copy of the KPI.
"""

# Japanese text legitimately uses full-width punctuation such as "（" and "："; the ambiguous-character
# rules are aimed at look-alike identifiers, not at Japanese prose.

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "BASE_METRICS",
    "BENCHMARK_DISCLAIMER_EN",
    "BENCHMARK_DISCLAIMER_JA",
    "CADENCES",
    "DIRECTIONS",
    "EXAMPLE_BENCHMARKS",
    "INDICATORS",
    "PHASES",
    "STANDARD_KPIS",
    "UNITS",
    "BaseMetric",
    "Cadence",
    "Direction",
    "ExampleBenchmark",
    "Indicator",
    "Phase",
    "StandardKpi",
    "Unit",
    "formula_identifiers",
    "kpis_in_phase",
]

Unit = Literal["count", "percent", "jpy", "months"]
Phase = Literal["lead", "appointment", "meeting", "won", "retention", "revenue"]
Direction = Literal["higher_is_better", "lower_is_better"]
Indicator = Literal["leading", "lagging"]
Cadence = Literal["daily", "weekly", "monthly", "quarterly"]
MetricSource = Literal["ma", "sfa", "accounting", "manual"]

UNITS: Final[tuple[Unit, ...]] = ("count", "percent", "jpy", "months")
PHASES: Final[tuple[Phase, ...]] = ("lead", "appointment", "meeting", "won", "retention", "revenue")
DIRECTIONS: Final[tuple[Direction, ...]] = ("higher_is_better", "lower_is_better")
INDICATORS: Final[tuple[Indicator, ...]] = ("leading", "lagging")
CADENCES: Final[tuple[Cadence, ...]] = ("daily", "weekly", "monthly", "quarterly")

_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class BaseMetric:
    """A raw count or amount provided by a system or a person; formulas are written over these keys."""

    key: str
    name_ja: str
    name_en: str
    definition_ja: str
    definition_en: str
    unit: Unit
    typical_source: MetricSource

    @property
    def definition(self) -> str:
        """What a workspace's copy of the metric starts with: ``Metric.definition`` holds one text, in
        Japanese, the product's first language."""
        return self.definition_ja


@dataclass(frozen=True, slots=True)
class StandardKpi:
    """One catalogue KPI.  ``formula`` references base metric keys only (see ``formula_identifiers``)."""

    key: str
    name_ja: str
    name_en: str
    definition_ja: str
    definition_en: str
    formula: str
    unit: Unit
    phase: Phase
    direction: Direction
    indicator: Indicator
    default_cadence: Cadence
    source: str

    @property
    def metric_keys(self) -> tuple[str, ...]:
        """The base metric keys the formula uses, in order of first appearance."""
        return formula_identifiers(self.formula)


@dataclass(frozen=True, slots=True)
class ExampleBenchmark:
    """An *example* default quoted in a seed article.  Editable; never an official statistic."""

    kpi_key: str
    value: Decimal
    unit: Unit
    label_ja: str
    label_en: str
    note_ja: str
    note_en: str
    source: str
    is_official_statistic: bool = False
    editable: bool = True


def formula_identifiers(formula: str) -> tuple[str, ...]:
    """Names used in a catalogue formula, deduplicated, in order of first appearance.

    >>> formula_identifiers("wins / meetings * 100")
    ('wins', 'meetings')
    """
    seen: dict[str, None] = {}
    for match in _IDENTIFIER.finditer(formula):
        seen.setdefault(match.group(0), None)
    return tuple(seen)


def _metrics(*items: BaseMetric) -> Mapping[str, BaseMetric]:
    by_key: dict[str, BaseMetric] = {}
    for item in items:
        if item.key in by_key:
            raise ValueError(f"duplicate base metric key {item.key!r}")
        by_key[item.key] = item
    return MappingProxyType(by_key)


def _kpis(*items: StandardKpi) -> Mapping[str, StandardKpi]:
    by_key: dict[str, StandardKpi] = {}
    for item in items:
        if item.key in by_key:
            raise ValueError(f"duplicate KPI key {item.key!r}")
        by_key[item.key] = item
    return MappingProxyType(by_key)


BASE_METRICS: Final[Mapping[str, BaseMetric]] = _metrics(
    BaseMetric(
        key="leads",
        name_ja="リード数",
        name_en="Leads",
        definition_ja="期間内に獲得した見込み顧客の件数",
        definition_en="Prospects acquired in the period",
        unit="count",
        typical_source="ma",
    ),
    BaseMetric(
        key="contacted_leads",
        name_ja="接触リード数",
        name_en="Contacted leads",
        definition_ja="期間内に営業・インサイドセールスが接触できたリードの件数",
        definition_en="Leads that sales or inside sales reached in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="document_requests",
        name_ja="資料請求数",
        name_en="Document requests",
        definition_ja="期間内の資料ダウンロード・資料請求の件数",
        definition_en="Document downloads and requests in the period",
        unit="count",
        typical_source="ma",
    ),
    BaseMetric(
        key="seminar_signups",
        name_ja="セミナー申込数",
        name_en="Seminar sign-ups",
        definition_ja="期間内のセミナー・ウェビナーへの申込件数",
        definition_en="Seminar and webinar registrations in the period",
        unit="count",
        typical_source="ma",
    ),
    BaseMetric(
        key="mqls",
        name_ja="MQL数",
        name_en="MQLs",
        definition_ja="マーケティング部門が合意済みの基準で「商談可能性が高い」と判定したリードの件数",
        definition_en="Leads marketing judged likely to convert, by the criteria agreed with sales",
        unit="count",
        typical_source="ma",
    ),
    BaseMetric(
        key="sqls",
        name_ja="SQL数",
        name_en="SQLs",
        definition_ja="営業部門が合意済みの基準で営業対象として受け入れたリードの件数",
        definition_en="Leads sales accepted for follow-up, by the criteria agreed with marketing",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="calls",
        name_ja="架電数",
        name_en="Calls",
        definition_ja="期間内に営業担当者が発信した電話の件数",
        definition_en="Outbound calls made by sales reps in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="emails",
        name_ja="メール送信数",
        name_en="E-mails",
        definition_ja="期間内に営業担当者が顧客に送信したメールの件数（CRMの活動記録）",
        definition_en="E-mails sales reps sent to customers in the period (CRM activity records)",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="appointments",
        name_ja="アポ獲得数",
        name_en="Appointments",
        definition_ja="期間内に商談の日程設定に至った件数",
        definition_en="Sales meetings scheduled (appointments obtained) in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="meetings",
        name_ja="商談数",
        name_en="Meetings",
        definition_ja="期間内に実施した商談の件数",
        definition_en="Sales meetings held in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="meetings_held",
        name_ja="商談実施数（活動記録）",
        name_en="Meetings held (activities)",
        definition_ja="期間内に実施済みとして記録された商談・面談の活動の件数",
        definition_en="Meeting activities recorded as held (completed) in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="opportunities",
        name_ja="案件数",
        name_en="Opportunities",
        definition_ja="期間内に商談からニーズと予算が確認され案件化した件数",
        definition_en=(
            "Meetings that became a qualified opportunity (need and budget confirmed) in the period"
        ),
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="proposals",
        name_ja="提案数",
        name_en="Proposals",
        definition_ja="期間内に提案段階に到達した案件の件数",
        definition_en="Deals that reached the proposal stage in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="wins",
        name_ja="受注件数",
        name_en="Wins",
        definition_ja="期間内に成約に至った件数",
        definition_en="Deals won in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="won_amount",
        name_ja="受注金額",
        name_en="Won amount",
        definition_ja="期間内に成約した案件の受注金額の合計（円）",
        definition_en="Total amount of the deals won in the period (JPY)",
        unit="jpy",
        typical_source="sfa",
    ),
    BaseMetric(
        key="lost_deals",
        name_ja="失注件数",
        name_en="Lost deals",
        definition_ja="期間内に失注が確定した件数",
        definition_en="Deals lost in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="pipeline_value",
        name_ja="パイプライン額",
        name_en="Pipeline value",
        definition_ja="期末時点で進行中の案件の見込み金額の合計（円）",
        definition_en="Total expected amount of the open opportunities at the end of the period (JPY)",
        unit="jpy",
        typical_source="sfa",
    ),
    BaseMetric(
        key="renewals",
        name_ja="契約更新件数",
        name_en="Renewals",
        definition_ja="期間内に更新された契約の件数",
        definition_en="Contracts renewed in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="contracts_up_for_renewal",
        name_ja="更新対象件数",
        name_en="Contracts up for renewal",
        definition_ja="期間内に更新時期を迎えた契約の件数",
        definition_en="Contracts whose renewal date fell in the period",
        unit="count",
        typical_source="sfa",
    ),
    BaseMetric(
        key="existing_revenue_start",
        name_ja="期首既存顧客売上",
        name_en="Existing-customer revenue at start",
        definition_ja="期首時点の既存顧客からの売上（月額換算、円）",
        definition_en="Recurring revenue from existing customers at the start of the period (monthly, JPY)",
        unit="jpy",
        typical_source="accounting",
    ),
    BaseMetric(
        key="existing_revenue_end",
        name_ja="期末既存顧客売上",
        name_en="Existing-customer revenue at end",
        definition_ja="期首時点で既存だった顧客からの期末時点の売上（拡大・縮小・解約を反映、新規顧客は含めない、月額換算、円）",
        definition_en=(
            "Recurring revenue at the end of the period from the customers who existed at its start "
            "(after expansion, contraction and churn; new customers excluded; monthly, JPY)"
        ),
        unit="jpy",
        typical_source="accounting",
    ),
    BaseMetric(
        key="average_monthly_unit_price",
        name_ja="平均月額単価",
        name_en="Average monthly unit price",
        definition_ja="顧客1社あたりの平均月額売上（円）",
        definition_en="Average monthly revenue per customer (JPY)",
        unit="jpy",
        typical_source="accounting",
    ),
    BaseMetric(
        key="average_retention_months",
        name_ja="平均継続期間",
        name_en="Average retention period",
        definition_ja="顧客が契約を継続する平均期間（月）",
        definition_en="Average number of months a customer stays under contract",
        unit="months",
        typical_source="manual",
    ),
    BaseMetric(
        key="revenue",
        name_ja="売上高",
        name_en="Revenue",
        definition_ja="期間内に計上した売上高（円）",
        definition_en="Revenue recognised in the period (JPY)",
        unit="jpy",
        typical_source="accounting",
    ),
)

_SEED_004_TABLE = "seed_004_phase_table"
_SEED_004_ROLES = "seed_004_role_dashboards"
_SEED_000 = "seed_000"

STANDARD_KPIS: Final[Mapping[str, StandardKpi]] = _kpis(
    # --- lead -------------------------------------------------------------------------------------------
    StandardKpi(
        key="leads",
        name_ja="リード数",
        name_en="Leads",
        definition_ja="期間内に獲得した見込み顧客の件数",
        definition_en="Number of prospects acquired in the period",
        formula="leads",
        unit="count",
        phase="lead",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="document_requests",
        name_ja="資料請求数",
        name_en="Document requests",
        definition_ja="期間内の資料ダウンロード・資料請求の件数",
        definition_en="Number of document downloads and requests in the period",
        formula="document_requests",
        unit="count",
        phase="lead",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="seminar_signups",
        name_ja="セミナー申込数",
        name_en="Seminar sign-ups",
        definition_ja="期間内のセミナー・ウェビナーへの申込件数",
        definition_en="Number of seminar and webinar registrations in the period",
        formula="seminar_signups",
        unit="count",
        phase="lead",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="mqls",
        name_ja="MQL数",
        name_en="MQLs",
        definition_ja="マーケティング部門と営業部門で合意した基準を満たしたリードの件数",
        definition_en="Number of leads meeting the MQL criteria agreed between marketing and sales",
        formula="mqls",
        unit="count",
        phase="lead",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_000,
    ),
    # --- appointment ------------------------------------------------------------------------------------
    StandardKpi(
        key="calls",
        name_ja="架電数",
        name_en="Calls",
        definition_ja="期間内に営業担当者が発信した電話の件数（日次の行動指標）",
        definition_en="Number of outbound calls made by sales reps in the period (a daily activity measure)",
        formula="calls",
        unit="count",
        phase="appointment",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="daily",
        source=_SEED_004_ROLES,
    ),
    StandardKpi(
        key="appointments",
        name_ja="アポ獲得数",
        name_en="Appointments",
        definition_ja="期間内に商談の日程設定に至った件数",
        definition_en="Number of sales meetings scheduled (appointments obtained) in the period",
        formula="appointments",
        unit="count",
        phase="appointment",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="daily",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="appointment_rate",
        name_ja="アポ獲得率",
        name_en="Appointment rate",
        definition_ja="接触できたリードのうちアポ獲得に至った割合（%）。アポ獲得数 ÷ 接触リード数 × 100",
        definition_en=(
            "Share of contacted leads that gave an appointment (%): appointments / contacted leads x 100"
        ),
        formula="appointments / contacted_leads * 100",
        unit="percent",
        phase="appointment",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    # --- meeting ----------------------------------------------------------------------------------------
    StandardKpi(
        key="meetings",
        name_ja="商談数",
        name_en="Meetings",
        definition_ja="期間内に実施した商談の件数",
        definition_en="Number of sales meetings held in the period",
        formula="meetings",
        unit="count",
        phase="meeting",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="meeting_rate",
        name_ja="商談化率",
        name_en="Meeting rate",
        definition_ja="獲得したアポのうち商談の実施に至った割合（%）。商談数 ÷ アポ獲得数 × 100",
        definition_en="Share of appointments that became a held meeting (%): meetings / appointments x 100",
        formula="meetings / appointments * 100",
        unit="percent",
        phase="meeting",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="opportunity_rate",
        name_ja="案件化率",
        name_en="Opportunity rate",
        definition_ja="実施した商談のうちニーズと予算が確認され案件化した割合（%）。案件数 ÷ 商談数 × 100",
        definition_en=(
            "Share of held meetings that became a qualified opportunity (%): opportunities / meetings x 100"
        ),
        formula="opportunities / meetings * 100",
        unit="percent",
        phase="meeting",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="weekly",
        source=_SEED_000,
    ),
    StandardKpi(
        key="pipeline_value",
        name_ja="パイプライン額",
        name_en="Pipeline value",
        definition_ja="期末時点で進行中の案件の見込み金額の合計（円）",
        definition_en="Total expected amount of the open opportunities at the end of the period (JPY)",
        formula="pipeline_value",
        unit="jpy",
        phase="meeting",
        direction="higher_is_better",
        indicator="leading",
        default_cadence="monthly",
        source=_SEED_004_ROLES,
    ),
    # --- won --------------------------------------------------------------------------------------------
    StandardKpi(
        key="wins",
        name_ja="受注件数",
        name_en="Wins",
        definition_ja="期間内に成約に至った件数",
        definition_en="Number of deals won in the period",
        formula="wins",
        unit="count",
        phase="won",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="win_rate",
        name_ja="受注率",
        name_en="Win rate",
        definition_ja="実施した商談のうち受注に至った割合（%）。受注件数 ÷ 商談数 × 100",
        definition_en="Share of held meetings that were won (%): wins / meetings x 100",
        formula="wins / meetings * 100",
        unit="percent",
        phase="won",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="weekly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="avg_deal_size",
        name_ja="平均受注単価",
        name_en="Average deal size",
        definition_ja="受注1件あたりの平均受注金額（円）。受注金額合計 ÷ 受注件数",
        definition_en="Average amount per won deal (JPY): won amount / wins",
        formula="won_amount / wins",
        unit="jpy",
        phase="won",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="monthly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="won_amount",
        name_ja="受注金額",
        name_en="Won amount",
        definition_ja="期間内に成約した案件の受注金額の合計（円）",
        definition_en="Total amount of the deals won in the period (JPY)",
        formula="won_amount",
        unit="jpy",
        phase="won",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="monthly",
        source=_SEED_004_ROLES,
    ),
    # --- retention --------------------------------------------------------------------------------------
    StandardKpi(
        key="renewal_rate",
        name_ja="継続率",
        name_en="Renewal rate",
        definition_ja="更新時期を迎えた契約のうち更新された割合（%）。契約更新件数 ÷ 更新対象件数 × 100",
        definition_en=(
            "Share of contracts up for renewal that renewed (%): renewals / contracts up for renewal x 100"
        ),
        formula="renewals / contracts_up_for_renewal * 100",
        unit="percent",
        phase="retention",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="monthly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="nrr",
        name_ja="NRR（売上維持率）",
        name_en="NRR (net revenue retention)",
        definition_ja=(
            "既存顧客からの売上がどれだけ維持・拡大されたかを示す割合（%）。"
            "期首既存顧客の期末売上 ÷ 期首既存顧客売上 × 100（新規顧客は含めない）"
        ),
        definition_en=(
            "How much revenue from existing customers was kept and grown (%): end-of-period revenue from "
            "the customers existing at the start / their revenue at the start x 100 (new customers excluded)"
        ),
        formula="existing_revenue_end / existing_revenue_start * 100",
        unit="percent",
        phase="retention",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="monthly",
        source=_SEED_004_TABLE,
    ),
    StandardKpi(
        key="ltv",
        name_ja="LTV（顧客生涯価値）",
        name_en="LTV (customer lifetime value)",
        definition_ja="顧客1社が契約期間全体でもたらす売上（円）。平均月額単価 × 平均継続期間（月）",
        definition_en=(
            "Revenue one customer brings over its whole contract life (JPY): "
            "average monthly unit price x average retention period in months"
        ),
        formula="average_monthly_unit_price * average_retention_months",
        unit="jpy",
        phase="retention",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="quarterly",
        source=_SEED_004_TABLE,
    ),
    # --- revenue (the usual KGI) ------------------------------------------------------------------------
    StandardKpi(
        key="revenue",
        name_ja="売上高",
        name_en="Revenue",
        definition_ja="期間内に計上した売上高（円）。多くの場合KGIとして設定する",
        definition_en="Revenue recognised in the period (JPY); usually set as the KGI",
        formula="revenue",
        unit="jpy",
        phase="revenue",
        direction="higher_is_better",
        indicator="lagging",
        default_cadence="monthly",
        source=_SEED_004_ROLES,
    ),
)

BENCHMARK_DISCLAIMER_JA: Final = (
    "編集可能な例示値です。seed 000 の記事が引用する企業ブログの仮定例であり、公的統計ではありません"
    "（日本のBtoB平均値としての公式統計は存在しません）。業界・商材により大きく異なるため、"
    "自社の過去実績で検証してから使ってください。"
)
BENCHMARK_DISCLAIMER_EN: Final = (
    "Editable example value. It is a company blog's assumption quoted in seed 000, not an official "
    "statistic (no official Japanese B2B average exists). It varies widely by industry and product; "
    "check it against your own history before using it."
)

EXAMPLE_BENCHMARKS: Final[Mapping[str, ExampleBenchmark]] = MappingProxyType(
    {
        item.kpi_key: item
        for item in (
            ExampleBenchmark(
                kpi_key="win_rate",
                value=Decimal("25"),
                unit="percent",
                label_ja="受注率 25%（例示値・公的統計ではありません）",
                label_en="Win rate 25% (example value, not an official statistic)",
                note_ja=BENCHMARK_DISCLAIMER_JA,
                note_en=BENCHMARK_DISCLAIMER_EN,
                source=_SEED_000,
            ),
            ExampleBenchmark(
                kpi_key="opportunity_rate",
                value=Decimal("50"),
                unit="percent",
                label_ja="案件化率 50%（例示値・公的統計ではありません）",
                label_en="Opportunity rate 50% (example value, not an official statistic)",
                note_ja=BENCHMARK_DISCLAIMER_JA,
                note_en=BENCHMARK_DISCLAIMER_EN,
                source=_SEED_000,
            ),
            ExampleBenchmark(
                kpi_key="meeting_rate",
                value=Decimal("20"),
                unit="percent",
                label_ja="商談化率 20%（例示値・公的統計ではありません）",
                label_en="Meeting rate 20% (example value, not an official statistic)",
                note_ja=BENCHMARK_DISCLAIMER_JA,
                note_en=BENCHMARK_DISCLAIMER_EN,
                source=_SEED_000,
            ),
        )
    }
)


def kpis_in_phase(phase: Phase) -> tuple[StandardKpi, ...]:
    """Catalogue KPIs of one funnel phase, in catalogue order."""
    return tuple(kpi for kpi in STANDARD_KPIS.values() if kpi.phase == phase)
