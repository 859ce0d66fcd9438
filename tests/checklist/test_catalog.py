"""checklist/catalog.py: the two global templates, the rules, progress and the engagement phase."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checklist.checklists.catalog import (
    AXIS_LABELS,
    CATALOG_VERSION,
    KPI_DESIGN,
    PHASE_LABELS,
    PHASE_ORDER,
    RULES,
    SALES_METRICS,
    TEMPLATES,
    Axis,
    AxisProgress,
    ItemStatus,
    Phase,
    engagement_phase,
    get_item,
    get_template,
    progress,
    progress_from_axes,
)

S, M, D = Axis.STRATEGY, Axis.SETUP, Axis.BUILD
DONE, TODO, NA = ItemStatus.DONE, ItemStatus.TODO, ItemStatus.NOT_APPLICABLE

# domain.md's Checklist A table, axis by key.
A_AXES = {
    "A01": S,
    "A02": S,
    "A03": S,
    "A04": S,
    "A05": S,
    "A06": S,
    "A07": M,
    "A08": M,
    "A09": M,
    "A10": M,
    "A11": D,
    "A12": D,
    "A13": D,
    "A14": M,
    "A15": S,
    "A16": S,
    "A17": S,
    "A18": S,
    "A19": S,
    "A20": S,
}

# The rule-to-item mapping the brief names.
NAMED_RULES = {
    "A01": "kgi_numeric",
    "B01": "kgi_numeric",
    "A02": "ksf_under_kgi",
    "B02": "ksf_under_kgi",
    "A03": "kpis_under_ksfs",
    "A04": "all_kpis_smart",
    "B03": "all_kpis_smart",
    "A05": "kpi_count_guidance",
    "A06": "tree_exists",
    "B04": "tree_exists",
    "A18": "leading_and_lagging",
    "B15": "all_kpis_owned",
    "A16": "review_cadence_scheduled",
    "B09": "review_cadence_scheduled",
    "B10": "review_meetings_in_calendar",
    "A17": "quarterly_revision_cadence",
    "B14": "quarterly_revision_cadence",
    "A20": "action_plans_for_behind_kpis",
    "B11": "action_plans_for_behind_kpis",
    "A15": "definition_book_published",
    "B12": "definition_book_published",
    "A07": "crm_synced_24h",
    "B05": "crm_fields_mapped",
    "B06": "crm_kpis_computed",
    "A08": "dashboard_exists",
    "A09": "dashboard_exists",
    "B07": "dashboard_exists",
    "A10": "alert_rule_exists",
    "A14": "dashboard_roles_assigned",
    "B08": "dashboard_roles_assigned",
    "A11": "decision_matrix_scored",
    "A12": "decision_recorded",
    "A13": "scratch_requirements_when_needed",
}

UNAVAILABLE = {"dashboard_exists", "alert_rule_exists", "dashboard_roles_assigned"}


# ---- templates ---------------------------------------------------------------------------------


def test_templates_registered_and_versioned() -> None:
    assert set(TEMPLATES) == {"kpi_design", "sales_metrics"}
    assert get_template("kpi_design") is KPI_DESIGN
    assert get_template("sales_metrics") is SALES_METRICS
    assert KPI_DESIGN.version == SALES_METRICS.version == CATALOG_VERSION == 1
    with pytest.raises(KeyError):
        get_template("nope")


def test_checklist_a_has_twenty_items_with_domain_axes() -> None:
    assert KPI_DESIGN.keys == tuple(f"A{n:02d}" for n in range(1, 21))
    assert {item.key: item.axis for item in KPI_DESIGN.items} == A_AXES
    assert [item.order for item in KPI_DESIGN.items] == list(range(1, 21))


def test_checklist_b_has_fifteen_items_with_an_axis_each() -> None:
    assert SALES_METRICS.keys == tuple(f"B{n:02d}" for n in range(1, 16))
    assert all(isinstance(item.axis, Axis) for item in SALES_METRICS.items)
    # No B item is tool development; the data set-up and dashboard items are MA/SFA set-up.
    assert {item.key for item in SALES_METRICS.items if item.axis is M} == {"B05", "B06", "B07", "B08"}
    assert not [item for item in SALES_METRICS.items if item.axis is D]


def test_every_item_has_ja_and_en_text() -> None:
    for template in TEMPLATES.values():
        for item in template.items:
            assert item.text_ja.strip() and item.text_en.strip(), item.key
            assert item.text_ja != item.text_en
            assert item.text("ja") == item.text_ja and item.text("en") == item.text_en
    assert KPI_DESIGN.name("ja").startswith("KPI設計実装チェックリスト")


def test_japanese_texts_use_the_seed_wording() -> None:
    assert get_item("A01").text_ja == "KGI(最終目標)を定量的に設定済み"
    assert get_item("A05").text_ja == "組織全体で3〜5個、各部門で2〜3個程度にKPIを絞り込み済み"
    assert get_item("A20").text_ja == "KPI達成に向けたアクションプランを各部門で策定済み"
    assert get_item("B10").text_ja == "定例の振り返りミーティングがカレンダーに登録されている"
    assert get_item("B13").text_ja == "リード定義(MQL/SQL)が部門間で合意されている"
    assert get_item("B15").text_ja == "運用責任者が明確にアサインされている"


def test_item_keys_are_unique_across_templates() -> None:
    keys = [item.key for template in TEMPLATES.values() for item in template.items]
    assert len(keys) == len(set(keys)) == 35
    with pytest.raises(KeyError):
        get_item("C01")
    with pytest.raises(KeyError):
        KPI_DESIGN.item("B01")
    assert KPI_DESIGN.item("A07").rule == "crm_synced_24h"


# ---- rules -------------------------------------------------------------------------------------


def test_every_referenced_rule_exists() -> None:
    for template in TEMPLATES.values():
        for item in template.items:
            assert item.rule is None or item.rule in RULES, item.key


def test_rule_mapping_matches_the_named_items() -> None:
    for key, rule in NAMED_RULES.items():
        assert get_item(key).rule == rule, key


def test_items_without_rule_are_the_ones_the_product_cannot_prove() -> None:
    no_rule = {item.key for t in TEMPLATES.values() for item in t.items if item.rule is None}
    assert no_rule == {"A19", "B13"}


def test_rules_have_descriptions_and_availability() -> None:
    for key, rule in RULES.items():
        assert rule.key == key
        assert rule.description_ja.strip() and rule.description_en.strip()
    for key in UNAVAILABLE:
        assert RULES[key].available is False
    for key in (
        "kgi_numeric",
        "all_kpis_smart",
        "tree_exists",
        "decision_matrix_scored",
        "decision_recorded",
    ):
        assert RULES[key].available is True
    # Every declared rule is used by at least one item.
    used = {item.rule for t in TEMPLATES.values() for item in t.items}
    assert set(RULES) <= used


def test_labels() -> None:
    assert AXIS_LABELS[S] == ("戦略", "Strategy")
    assert AXIS_LABELS[M][0] == "MA/SFA設定"
    assert AXIS_LABELS[D][0] == "ツール開発"
    assert PHASE_ORDER == (Phase.STRATEGY, Phase.SETUP, Phase.BUILD, Phase.OPERATE)
    assert [PHASE_LABELS[p][0] for p in PHASE_ORDER] == ["戦略", "設定", "構築", "運用"]


# ---- progress ----------------------------------------------------------------------------------


def test_progress_excludes_not_applicable_from_the_denominator() -> None:
    # Checklist A: S has 12 items, M 5, D 3.
    status = {
        "A01": DONE,
        "A02": DONE,
        "A03": "done",
        "A04": ItemStatus.IN_PROGRESS,
        "A19": NA,  # S: 12 items, 1 n/a -> 11 applicable, 3 done -> 3/11 = 27.2727... -> 27.27%
        "A07": DONE,  # M: 5 applicable, 1 done -> 20.00%
        "A13": NA,
        "A12": NA,
        "A11": DONE,  # D: 3 items, 2 n/a -> 1 applicable, 1 done -> 100.00%
    }
    result = progress(status, "kpi_design")
    assert result.by_axis[S] == AxisProgress(S, total=12, done=3, not_applicable=1)
    assert result.by_axis[S].applicable == 11
    assert result.by_axis[S].percent == Decimal("27.27")
    assert result.by_axis[M].percent == Decimal("20.00")
    assert result.by_axis[D].percent == Decimal("100.00")
    assert result.by_axis[D].is_complete
    # Overall: 20 items, 3 n/a -> 17 applicable, 5 done -> 5/17 = 29.411... -> 29.41 (rounded down).
    assert result.overall == AxisProgress(None, total=20, done=5, not_applicable=3)
    assert result.overall.percent == Decimal("29.41")
    assert result.phase is Phase.STRATEGY


def test_progress_infers_the_template_and_counts_missing_items_as_todo() -> None:
    result = progress({"B05": DONE})
    assert result.overall.total == 15
    assert result.overall.done == 1
    # 1/15 = 6.666... -> 6.67: rounded half-up, as every percentage of the product.
    assert result.overall.percent == Decimal("6.67")
    assert result.by_axis[D].total == 0
    assert result.by_axis[D].percent is None


def test_progress_rounds_half_up_yet_one_short_is_never_100() -> None:
    status = dict.fromkeys(KPI_DESIGN.keys[:11], DONE) | {"A20": NA}
    assert progress(status, KPI_DESIGN).overall.percent == Decimal("57.89")  # 11/19 = 57.894...
    almost = dict.fromkeys(KPI_DESIGN.keys, DONE) | {"A20": TODO}
    assert progress(almost, KPI_DESIGN).overall.percent == Decimal("95.00")
    all_but_one = progress_from_axes([(S, DONE)] * 9999 + [(S, TODO)])
    assert all_but_one.overall.percent == Decimal("99.99")
    # 19999/20000 = 99.995 would round to 100.00: shown as 99.99 while an item is open.
    nearly = progress_from_axes([(S, DONE)] * 19999 + [(S, TODO)])
    assert nearly.overall.percent == Decimal("99.99") and nearly.overall.exact_percent == Decimal("99.995")
    assert progress_from_axes([(S, DONE)] * 8 + [(S, TODO)] * 3).overall.percent == Decimal(
        "72.73"
    )  # not 72.72


def test_the_phase_reads_the_exact_fraction_not_the_rounded_figure() -> None:
    # 19999 of 25000 = 79.996%: shown as 80.00, still below the 80% threshold of the strategy phase.
    result = progress_from_axes([(S, DONE)] * 19999 + [(S, TODO)] * 5001 + [(M, DONE), (D, DONE)])
    assert result.by_axis[S].percent == Decimal("80.00")
    assert result.phase == engagement_phase({"S": Decimal("79.996"), "M": 100, "D": 100})
    assert result.phase != engagement_phase({"S": 80, "M": 100, "D": 100})


def test_progress_all_not_applicable_axis_has_no_percent() -> None:
    status = {"A11": NA, "A12": NA, "A13": NA}
    result = progress(status, "kpi_design")
    assert result.by_axis[D].applicable == 0
    assert result.by_axis[D].percent is None


def test_progress_rejects_unknown_items_and_statuses() -> None:
    with pytest.raises(ValueError, match="B01"):
        progress({"B01": DONE}, "kpi_design")
    with pytest.raises(ValueError, match="status"):
        progress({"A01": "finished"}, "kpi_design")
    with pytest.raises(ValueError, match="infer"):
        progress({"A01": DONE, "B01": DONE})
    with pytest.raises(ValueError, match="infer"):
        progress({})
    with pytest.raises(ValueError, match="axis"):
        progress_from_axes([("X", DONE)])


def test_progress_from_axes_for_custom_items() -> None:
    result = progress_from_axes([("S", "done"), (S, NA), (M, TODO), (M, DONE)])
    assert result.by_axis[S].percent == Decimal("100.00")
    assert result.by_axis[M].percent == Decimal("50.00")
    assert result.by_axis[D].percent is None
    # S complete, M at 50 < 80 -> setup.
    assert result.phase is Phase.SETUP


# ---- engagement phase --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "m", "d", "phase"),
    [
        (Decimal(0), Decimal(0), Decimal(0), Phase.STRATEGY),
        (Decimal("79.99"), Decimal(100), Decimal(100), Phase.STRATEGY),
        (Decimal(80), Decimal(0), Decimal(0), Phase.SETUP),
        (Decimal(100), Decimal("79.99"), Decimal(100), Phase.SETUP),
        (Decimal(80), Decimal(80), Decimal(0), Phase.BUILD),
        (Decimal(80), Decimal(80), Decimal(80), Phase.OPERATE),
        (100, 100, 100, Phase.OPERATE),
        (Decimal(90), None, Decimal(10), Phase.BUILD),  # M has no applicable items: skipped
        (Decimal(90), Decimal(85), None, Phase.OPERATE),  # sales_metrics: no D items
        (None, None, None, Phase.OPERATE),
    ],
)
def test_engagement_phase_rule(s: Decimal | None, m: Decimal | None, d: Decimal | None, phase: Phase) -> None:
    assert engagement_phase({S: s, M: m, D: d}) is phase
    assert engagement_phase({"S": s, "M": m, "D": d}) is phase


def test_engagement_phase_from_real_progress() -> None:
    # 11 of 12 S items done = 91.67% >= 80 -> past strategy; M: 4 of 5 = 80% -> past setup;
    # D: 2 of 3 = 66.66% -> build.
    strategy_items = [k for k, axis in A_AXES.items() if axis is S]
    status = dict.fromkeys(strategy_items[:11], DONE) | {"A07": DONE, "A08": DONE, "A09": DONE, "A10": DONE}
    status |= {"A11": DONE, "A12": DONE}
    result = progress(status, KPI_DESIGN)
    assert result.by_axis[S].percent == Decimal("91.67")
    assert result.by_axis[M].percent == Decimal("80.00")
    assert result.phase is Phase.BUILD
    # A13 not applicable (package chosen): D becomes 2/2 -> operate.
    assert progress(status | {"A13": NA}, KPI_DESIGN).phase is Phase.OPERATE
    # AxisProgress values are accepted directly.
    assert engagement_phase(result.by_axis) is Phase.BUILD


def test_sales_metrics_goes_from_setup_to_operate() -> None:
    status = dict.fromkeys(SALES_METRICS.keys, DONE)
    assert progress(status, SALES_METRICS).phase is Phase.OPERATE
    status |= {"B05": TODO, "B06": TODO}  # M: 2 of 4 = 50%
    assert progress(status, SALES_METRICS).phase is Phase.SETUP


def test_engagement_phase_validates_input() -> None:
    with pytest.raises(ValueError, match="missing"):
        engagement_phase({S: Decimal(100), M: Decimal(100)})
    with pytest.raises(ValueError, match="between 0 and 100"):
        engagement_phase({S: Decimal(101), M: Decimal(0), D: Decimal(0)})
    with pytest.raises(ValueError, match="between 0 and 100"):
        engagement_phase({S: Decimal(-1), M: Decimal(0), D: Decimal(0)})
    with pytest.raises(ValueError, match="Decimal or int"):
        engagement_phase({S: 80.0, M: Decimal(0), D: Decimal(0)})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown axis"):
        engagement_phase({"X": Decimal(0), S: Decimal(0), M: Decimal(0), D: Decimal(0)})


def test_every_available_rule_has_an_evaluator_and_no_other() -> None:
    """catalog.Rule.available and the evaluator registry must say the same thing."""
    from checklist.checklists.catalog import RULES
    from checklist.checklists.verification import rule_is_provable

    assert {key for key, rule in RULES.items() if rule.available} == {k for k in RULES if rule_is_provable(k)}
