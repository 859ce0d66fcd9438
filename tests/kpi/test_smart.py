"""SMART checks of single KPIs and the design checks of a whole KPI plan: every rule's pass and fail."""

from dataclasses import replace
from decimal import Decimal

import pytest

from kpi.planning.smart import (
    CRITERIA,
    KpiSpec,
    SmartConfig,
    check_kpi,
    plan_check,
)
from tests.kpi.rendering import en, ja

D = Decimal


def spec(**overrides: object) -> KpiSpec:
    base = KpiSpec(
        key="leads",
        name="リード数",
        definition="期間内に獲得した見込み顧客の件数",
        formula="leads",
        unit="count",
        target=D(100),
        direction="higher_is_better",
        indicator="leading",
        is_on_path_to_kgi=True,
        cadence="monthly",
        target_period="FY2026",
        owner_id="user-1",
        department=None,
        data_source="HubSpot contacts",
        best_recent_actual=D(90),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def codes(kpi: KpiSpec, criterion: str, config: SmartConfig | None = None) -> tuple[bool, tuple[str, ...]]:
    result = check_kpi(kpi, config) if config else check_kpi(kpi)
    check = result.check(criterion)  # type: ignore[arg-type]
    return check.passed, check.codes


def test_a_good_kpi_passes_all_five() -> None:
    result = check_kpi(spec())
    assert result.passed and result.failed_criteria == ()
    assert [check.criterion for check in result.checks] == list(CRITERIA)
    assert [check.code for check in result.checks] == [
        "specific_ok",
        "measurable_ok",
        "achievable_ok",
        "relevant_ok",
        "time_bound_ok",
    ]
    for check in result.checks:
        assert ja(check.message) and en(check.message)


# --- S ---------------------------------------------------------------------------------------------------


def test_specific_definition_missing() -> None:
    assert codes(spec(definition="   "), "S") == (False, ("specific_definition_missing",))


def test_specific_definition_length_boundary() -> None:
    assert codes(spec(definition="あ" * 9), "S") == (False, ("specific_definition_too_short",))
    assert codes(spec(definition="あ" * 10), "S") == (True, ("specific_ok",))
    assert codes(spec(definition="あ" * 10), "S", SmartConfig(min_definition_chars=20))[0] is False


def test_specific_unit_missing_or_unknown() -> None:
    assert codes(spec(unit=None), "S") == (False, ("specific_unit_missing",))
    assert codes(spec(unit="widgets"), "S") == (False, ("specific_unit_unknown",))


def test_specific_needs_a_numeric_target() -> None:
    assert codes(spec(target=None), "S") == (False, ("specific_target_missing",))


def test_specific_lists_every_failure() -> None:
    result = check_kpi(spec(definition="", unit=None, target=None))
    check = result.check("S")
    assert check.codes == ("specific_definition_missing", "specific_unit_missing", "specific_target_missing")
    assert check.code == "specific_definition_missing"
    assert "単位" in ja(check.message) and "unit" in en(check.message)


# --- M ---------------------------------------------------------------------------------------------------


def test_measurable_rules() -> None:
    assert codes(spec(formula=""), "M") == (False, ("measurable_formula_missing",))
    assert codes(spec(data_source=None), "M") == (False, ("measurable_data_source_missing",))
    assert codes(spec(formula=" ", data_source=""), "M") == (
        False,
        ("measurable_formula_missing", "measurable_data_source_missing"),
    )


# --- A ---------------------------------------------------------------------------------------------------


def test_achievable_higher_is_better_limit() -> None:
    assert codes(spec(target=D(150), best_recent_actual=D(100)), "A") == (True, ("achievable_ok",))
    assert codes(spec(target=D(151), best_recent_actual=D(100)), "A") == (
        False,
        ("achievable_target_too_high",),
    )
    result = check_kpi(spec(target=D(151), best_recent_actual=D(100)))
    assert "151%" in en(result.check("A").message) and "150%" in ja(result.check("A").message)


def test_achievable_limit_is_configurable() -> None:
    config = SmartConfig(max_target_pct_of_best=D(120))
    assert codes(spec(target=D(121), best_recent_actual=D(100)), "A", config)[0] is False
    assert codes(spec(target=D(120), best_recent_actual=D(100)), "A", config)[0] is True


def test_achievable_lower_is_better_limit() -> None:
    lower = {"direction": "lower_is_better", "best_recent_actual": D(100)}
    assert codes(spec(target=D(50), **lower), "A") == (True, ("achievable_ok",))
    assert codes(spec(target=D(49), **lower), "A") == (False, ("achievable_target_too_low",))
    assert codes(spec(target=D(500), **lower), "A") == (True, ("achievable_ok",))


def test_achievable_without_history_passes_with_a_note() -> None:
    assert codes(spec(best_recent_actual=None), "A") == (True, ("achievable_no_history",))
    assert codes(spec(best_recent_actual=D(0), target=D(10)), "A") == (
        True,
        ("achievable_no_usable_history",),
    )


def test_achievable_fails_without_target_or_direction() -> None:
    assert codes(spec(target=None), "A") == (False, ("achievable_no_target",))
    assert codes(spec(direction="sideways"), "A") == (False, ("achievable_unknown_direction",))


# --- R ---------------------------------------------------------------------------------------------------


def test_relevant_rule() -> None:
    assert codes(spec(is_on_path_to_kgi=True), "R") == (True, ("relevant_ok",))
    assert codes(spec(is_on_path_to_kgi=False), "R") == (False, ("relevant_not_on_kgi_path",))


# --- T ---------------------------------------------------------------------------------------------------


def test_time_bound_rules() -> None:
    assert codes(spec(cadence="weekly", target_period=None), "T") == (True, ("time_bound_ok",))
    assert codes(spec(cadence=None, target_period="2026-09"), "T") == (True, ("time_bound_ok",))
    assert codes(spec(cadence=None, target_period=" "), "T") == (False, ("time_bound_missing",))
    assert codes(spec(cadence="someday"), "T") == (False, ("time_bound_unknown_cadence",))


def test_failed_criteria_lists_the_failures() -> None:
    result = check_kpi(spec(is_on_path_to_kgi=False, cadence=None, target_period=None))
    assert not result.passed
    assert result.failed_criteria == ("R", "T")
    with pytest.raises(KeyError):
        result.check("X")  # type: ignore[arg-type]


# --- plan_check ------------------------------------------------------------------------------------------


def good_plan() -> list[KpiSpec]:
    return [
        spec(key="leads", indicator="leading"),
        spec(key="meetings", indicator="leading", owner_id="user-2"),
        spec(key="revenue", indicator="lagging", unit="jpy", target=D(100000000), best_recent_actual=None),
        spec(key="calls", indicator="leading", department="Inside sales"),
        spec(key="appointments", indicator="leading", department="Inside sales"),
    ]


def levels(result: object) -> dict[str, str]:
    return {f.code: f.level for f in result.findings}  # type: ignore[attr-defined]


def test_a_good_plan_has_no_errors_or_warnings() -> None:
    result = plan_check(good_plan(), kgi_target=D(100000000))
    assert not result.has_errors and result.warnings == ()
    assert levels(result) == {
        "kgi_target_ok": "ok",
        "company_kpi_count_ok": "ok",
        "department_kpi_count_ok": "ok",
        "leading_lagging_ok": "ok",
        "kpi_owners_ok": "ok",
        "smart_all_passed": "ok",
    }
    assert len(result.smart_results) == 5
    for finding in result.findings:
        assert ja(finding.message) and en(finding.message)


@pytest.mark.parametrize(
    ("kgi", "code"),
    [(None, "kgi_target_missing"), (D(0), "kgi_target_not_positive"), (1.0e8, "kgi_target_invalid")],
)
def test_kgi_target_must_be_a_positive_number(kgi: object, code: str) -> None:
    result = plan_check(good_plan(), kgi_target=kgi)  # type: ignore[arg-type]
    assert levels(result)[code] == "error"
    assert plan_check(good_plan(), kgi_target=100_000_000).by_code("kgi_target_ok")


def test_company_kpi_count_outside_range_is_a_warning() -> None:
    few = plan_check(good_plan()[1:], kgi_target=D(1))
    assert levels(few)["company_kpi_count_low"] == "warning"
    assert few.by_code("company_kpi_count_low")[0].kpi_keys == ("meetings", "revenue")
    many = good_plan() + [spec(key=f"extra_{i}") for i in range(3)]
    result = plan_check(many, kgi_target=D(1))
    assert levels(result)["company_kpi_count_high"] == "warning"
    assert "多いほど成果が出るわけではありません" in ja(result.by_code("company_kpi_count_high")[0].message)
    assert not result.has_errors


def test_department_kpi_count_outside_range_is_a_warning() -> None:
    one = [k for k in good_plan() if k.key != "calls"]
    result = plan_check(one, kgi_target=D(1))
    finding = result.by_code("department_kpi_count_low")[0]
    assert finding.level == "warning" and finding.kpi_keys == ("appointments",)
    assert "Inside sales" in ja(finding.message)
    four = good_plan() + [spec(key=f"dept_{i}", department="Inside sales") for i in range(2)]
    assert levels(plan_check(four, kgi_target=D(1)))["department_kpi_count_high"] == "warning"


def test_leading_and_lagging_must_both_be_present() -> None:
    only_leading = [k for k in good_plan() if k.indicator == "leading"]
    result = plan_check(only_leading, kgi_target=D(1))
    assert levels(result)["no_lagging_kpi"] == "error"
    only_lagging = [replace(k, indicator="lagging") for k in good_plan()]
    assert levels(plan_check(only_lagging, kgi_target=D(1)))["no_leading_kpi"] == "error"
    soft = plan_check(only_leading, kgi_target=D(1), config=SmartConfig(leading_lagging_level="warning"))
    assert levels(soft)["no_lagging_kpi"] == "warning"


def test_unknown_indicator_is_flagged() -> None:
    plan = [*good_plan(), spec(key="odd", indicator="sideways")]
    assert plan_check(plan, kgi_target=D(1)).by_code("indicator_unknown")[0].kpi_keys == ("odd",)


def test_every_kpi_needs_an_owner() -> None:
    plan = good_plan()
    plan[1] = replace(plan[1], owner_id=None)
    plan[3] = replace(plan[3], owner_id="  ")
    finding = plan_check(plan, kgi_target=D(1)).by_code("kpi_owner_missing")[0]
    assert finding.level == "error" and finding.kpi_keys == ("meetings", "calls")


def test_smart_failures_are_an_error_listing_the_kpis() -> None:
    plan = good_plan()
    plan[2] = replace(plan[2], is_on_path_to_kgi=False)
    result = plan_check(plan, kgi_target=D(1))
    finding = result.by_code("smart_failed")[0]
    assert finding.level == "error" and finding.kpi_keys == ("revenue",)


def test_empty_plan_and_duplicates() -> None:
    empty = plan_check([], kgi_target=D(1))
    assert [f.code for f in empty.findings] == ["kgi_target_ok", "no_kpis"]
    assert empty.has_errors
    duplicated = [*good_plan(), spec(key="leads")]
    assert plan_check(duplicated, kgi_target=D(1)).by_code("duplicate_kpi_keys")[0].kpi_keys == ("leads",)
