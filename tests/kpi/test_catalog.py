"""The standard metric catalogue: shape, uniqueness, formulas over base metrics, labelled benchmarks."""

import re
from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from kpi.catalog import (
    BASE_METRICS,
    CADENCES,
    DIRECTIONS,
    EXAMPLE_BENCHMARKS,
    INDICATORS,
    PHASES,
    STANDARD_KPIS,
    UNITS,
    formula_identifiers,
    kpis_in_phase,
)

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FORMULA_CHARS = re.compile(r"[A-Za-z0-9_ .+\-*/()]+")

# domain.md's catalogue (seed 004's phase table) plus seed 000's MQL count and opportunity rate, and revenue.
REQUIRED_KPIS = {
    "leads": "lead",
    "document_requests": "lead",
    "seminar_signups": "lead",
    "mqls": "lead",
    "appointments": "appointment",
    "appointment_rate": "appointment",
    "meetings": "meeting",
    "meeting_rate": "meeting",
    "opportunity_rate": "meeting",
    "wins": "won",
    "win_rate": "won",
    "avg_deal_size": "won",
    "renewal_rate": "retention",
    "nrr": "retention",
    "ltv": "retention",
    "revenue": "revenue",
}


def test_required_kpis_are_present_in_their_phase() -> None:
    for key, phase in REQUIRED_KPIS.items():
        assert key in STANDARD_KPIS, key
        assert STANDARD_KPIS[key].phase == phase, key


def test_required_base_metrics_are_present() -> None:
    for key in (
        "leads",
        "contacted_leads",
        "document_requests",
        "seminar_signups",
        "mqls",
        "sqls",
        "appointments",
        "meetings",
        "wins",
        "won_amount",
        "lost_deals",
        "calls",
        "renewals",
        "contracts_up_for_renewal",
        "pipeline_value",
        "existing_revenue_start",
        "existing_revenue_end",
        "average_retention_months",
    ):
        assert key in BASE_METRICS, key


def test_dict_keys_match_entry_keys() -> None:
    assert all(key == kpi.key for key, kpi in STANDARD_KPIS.items())
    assert all(key == metric.key for key, metric in BASE_METRICS.items())


def test_keys_are_unique_snake_case() -> None:
    keys = [kpi.key for kpi in STANDARD_KPIS.values()]
    assert len(keys) == len(set(keys))
    for key in [*keys, *BASE_METRICS]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key


def test_every_formula_references_base_metrics_only() -> None:
    for kpi in STANDARD_KPIS.values():
        assert FORMULA_CHARS.fullmatch(kpi.formula), kpi.formula
        names = IDENTIFIER.findall(kpi.formula)
        assert names, kpi.key
        for name in names:
            assert name in BASE_METRICS, f"{kpi.key}: {name}"
        assert kpi.formula.count("(") == kpi.formula.count(")")


def test_seed_formulas() -> None:
    assert STANDARD_KPIS["appointment_rate"].formula == "appointments / contacted_leads * 100"
    assert STANDARD_KPIS["meeting_rate"].formula == "meetings / appointments * 100"
    assert STANDARD_KPIS["win_rate"].formula == "wins / meetings * 100"
    assert STANDARD_KPIS["avg_deal_size"].formula == "won_amount / wins"
    assert STANDARD_KPIS["renewal_rate"].formula == "renewals / contracts_up_for_renewal * 100"
    assert STANDARD_KPIS["ltv"].metric_keys == ("average_monthly_unit_price", "average_retention_months")
    assert STANDARD_KPIS["nrr"].metric_keys == ("existing_revenue_end", "existing_revenue_start")


def test_base_metric_kpis_use_their_own_key_as_formula() -> None:
    for key in ("leads", "document_requests", "seminar_signups", "mqls", "appointments", "meetings", "wins"):
        assert STANDARD_KPIS[key].formula == key


def test_names_definitions_and_enums() -> None:
    for kpi in STANDARD_KPIS.values():
        assert kpi.name_ja.strip() and kpi.name_en.strip(), kpi.key
        assert kpi.definition_ja.strip() and kpi.definition_en.strip(), kpi.key
        assert kpi.unit in UNITS
        assert kpi.phase in PHASES
        assert kpi.direction in DIRECTIONS
        assert kpi.indicator in INDICATORS
        assert kpi.default_cadence in CADENCES
    for metric in BASE_METRICS.values():
        assert metric.name_ja.strip() and metric.name_en.strip(), metric.key
        assert metric.definition_ja.strip() and metric.definition_en.strip(), metric.key
        assert metric.unit in UNITS


def test_rates_are_percent_and_amounts_jpy() -> None:
    for key in ("appointment_rate", "meeting_rate", "opportunity_rate", "win_rate", "renewal_rate", "nrr"):
        assert STANDARD_KPIS[key].unit == "percent"
        assert STANDARD_KPIS[key].formula.endswith("* 100")
    for key in ("avg_deal_size", "ltv", "revenue"):
        assert STANDARD_KPIS[key].unit == "jpy"


def test_leading_and_lagging_follow_the_seed() -> None:
    # seed 004: reps watch activity (leading) daily; executives watch final results (lagging) monthly.
    assert STANDARD_KPIS["calls"].indicator == "leading"
    assert STANDARD_KPIS["calls"].default_cadence == "daily"
    assert STANDARD_KPIS["appointments"].indicator == "leading"
    assert STANDARD_KPIS["revenue"].indicator == "lagging"
    assert STANDARD_KPIS["wins"].indicator == "lagging"


def test_catalogue_is_immutable() -> None:
    with pytest.raises(TypeError):
        STANDARD_KPIS["leads"] = STANDARD_KPIS["wins"]  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        STANDARD_KPIS["leads"].formula = "calls"  # type: ignore[misc]


def test_example_benchmarks_are_labelled_as_examples() -> None:
    assert {key: b.value for key, b in EXAMPLE_BENCHMARKS.items()} == {
        "win_rate": Decimal("25"),
        "opportunity_rate": Decimal("50"),
        "meeting_rate": Decimal("20"),
    }
    for benchmark in EXAMPLE_BENCHMARKS.values():
        assert benchmark.kpi_key in STANDARD_KPIS
        assert benchmark.unit == "percent"
        assert benchmark.is_official_statistic is False
        assert benchmark.editable is True
        assert benchmark.source == "seed_000"
        assert "公的統計ではありません" in benchmark.label_ja
        assert "not an official statistic" in benchmark.label_en
        assert benchmark.note_ja and benchmark.note_en


def test_formula_identifiers_and_phase_lookup() -> None:
    assert formula_identifiers("(wins + wins) / meetings * 100") == ("wins", "meetings")
    assert formula_identifiers("100") == ()
    assert [k.key for k in kpis_in_phase("retention")] == ["renewal_rate", "nrr", "ltv"]
