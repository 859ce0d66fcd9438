"""Behaviour of the KPI formula engine: catalogue formulas, undefined values, functions, errors, order."""

import dataclasses
import json
import pickle
from decimal import Decimal

import pytest
from django.utils import translation

from kpi.formulas import (
    MAX_LENGTH,
    EvaluationResult,
    Formula,
    FormulaError,
    UndefinedReason,
    dependency_order,
    evaluate,
    evaluate_all,
    evaluate_detailed,
    parse_formula,
    validate_formula,
)
from kpi.formulas.nodes import Binary, Call, Name, Negate, Number
from tests.kpi.rendering import en, in_language, ja, to_dict_in

D = Decimal


def calc(source: str, **values: Decimal | int | None) -> Decimal | None:
    return evaluate(parse_formula(source), values)


def error_of(source: str, **kwargs: object) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        if kwargs:
            validate_formula(source, **kwargs)  # type: ignore[arg-type]
        else:
            parse_formula(source)
    return caught.value


# --- the standard KPI catalogue (domain.md) -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("wins / meetings * 100", {"wins": D(20), "meetings": D(80)}, D("25")),
        ("meetings / appointments * 100", {"meetings": D(80), "appointments": D(160)}, D("50")),
        ("appointments / contacted_leads * 100", {"appointments": D(30), "contacted_leads": D(120)}, D("25")),
        ("won_amount / wins", {"won_amount": D(100_000_000), "wins": D(20)}, D(5_000_000)),
        ("renewals / renewals_due * 100", {"renewals": D(45), "renewals_due": D(50)}, D("90")),
        (
            "avg_deal_size * avg_retention_months",
            {"avg_deal_size": D(50_000), "avg_retention_months": D(18)},
            D(900_000),
        ),
        ("leads * appointment_rate / 100", {"leads": D(1200), "appointment_rate": D("12.5")}, D(150)),
        ("max(0, pipeline_value - lost_amount)", {"pipeline_value": D(300), "lost_amount": D(500)}, D(0)),
        ("max(0, pipeline_value - lost_amount)", {"pipeline_value": D(800), "lost_amount": D(500)}, D(300)),
        # seed 000: 1,200 leads x 30% x 20% = 72 wins a year
        (
            "leads * meeting_rate / 100 * win_rate / 100",
            {"leads": D(1200), "meeting_rate": D(30), "win_rate": D(20)},
            D(72),
        ),
        # seed 000: 100,000,000 JPY over 72 wins is an average deal of about 1,388,889 JPY
        ("round(kgi_revenue / wins, 0)", {"kgi_revenue": D(100_000_000), "wins": D(72)}, D(1_388_889)),
        # the multiplicative tree: revenue = leads x meeting rate x win rate x average deal
        (
            "leads * meeting_rate / 100 * win_rate / 100 * avg_deal_size",
            {"leads": D(1200), "meeting_rate": D(30), "win_rate": D(20), "avg_deal_size": D(1_388_889)},
            D(100_000_008),
        ),
    ],
)
def test_catalogue_formulas(source: str, values: dict[str, Decimal], expected: Decimal) -> None:
    result = evaluate(parse_formula(source), values)
    assert isinstance(result, Decimal)
    assert result == expected


def test_win_rate_is_exactly_25() -> None:
    formula = validate_formula("wins / meetings * 100", known_names={"wins", "meetings"})
    assert evaluate(formula, {"wins": D(20), "meetings": D(80)}) == D("25")


def test_reverse_calculation_of_seed_004_in_dependency_order() -> None:
    # KGI 100,000,000 JPY, average deal 5,000,000 -> 20 wins; win rate 25% -> 80 meetings;
    # meeting rate 50% -> 160 appointments.
    formulas = {
        "appointments_needed": parse_formula("meetings_needed / meeting_rate * 100"),
        "meetings_needed": parse_formula("wins_needed / win_rate * 100"),
        "wins_needed": parse_formula("kgi_revenue / avg_deal_size"),
    }
    base = {
        "kgi_revenue": D(100_000_000),
        "avg_deal_size": D(5_000_000),
        "win_rate": D(25),
        "meeting_rate": D(50),
    }
    assert dependency_order(formulas, set(base)) == ["wins_needed", "meetings_needed", "appointments_needed"]
    assert evaluate_all(formulas, base) == {
        "wins_needed": D(20),
        "meetings_needed": D(80),
        "appointments_needed": D(160),
    }


# --- arithmetic ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),
        ("100 / 10 / 2", D(5)),
        ("-2 * 3", D(-6)),
        ("+2 - -3", D(5)),
        ("--4", D(4)),
        ("-(1 + 2)", D(-3)),
        ("0.1 + 0.2", D("0.3")),  # literals are read as decimals, not floats
        ("1 / 3 * 3", D("0.9999999999999999999999999999")),  # 28 significant digits
        (".5 + 5.", D("5.5")),
        ("123456789012345678.123456 * 1", D("123456789012345678.123456")),
    ],
)
def test_arithmetic(source: str, expected: Decimal) -> None:
    assert calc(source) == expected


def test_negative_zero_is_reported_as_zero() -> None:
    result = calc("0 * -1")
    assert result == 0
    assert str(result) == "0"


def test_names_read_values() -> None:
    assert calc("a - b", a=D(5), b=D(7)) == D(-2)
    assert calc("-a", a=D(5)) == D(-5)


def test_int_and_float_inputs_are_converted_exactly() -> None:
    assert calc("a + b", a=3, b=0.1) == D("3.1")  # type: ignore[arg-type]


def test_unsupported_input_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        evaluate(parse_formula("a + 1"), {"a": "3"})  # type: ignore[dict-item]


# --- undefined values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source", ["wins / meetings * 100", "wins / meetings", "(wins + 1) / (meetings - 0)"]
)
def test_division_by_zero_is_undefined_not_zero(source: str) -> None:
    result = evaluate_detailed(parse_formula(source), {"wins": D(5), "meetings": D(0)})
    assert result == EvaluationResult(None, UndefinedReason.DIVISION_BY_ZERO)
    assert result.status == "undefined"


def test_zero_divided_by_zero_is_undefined() -> None:
    assert calc("a / b", a=D(0), b=D(0)) is None


def test_division_by_a_computed_zero_is_undefined() -> None:
    assert calc("a / (b - b)", a=D(1), b=D(3)) is None


@pytest.mark.parametrize("source", ["a / 0", "a / 0.0", "a / -0", "a / (0)", "a / +0.000"])
def test_division_by_a_literal_zero_is_rejected_when_parsing(source: str) -> None:
    error = error_of(source)
    assert error.code == "division_by_zero"
    assert error.column == 3
    assert en(error.message) == "column 3: division by zero"


@pytest.mark.parametrize(
    ("source", "values"),
    [
        ("wins / meetings", {"wins": D(5)}),  # key absent
        ("wins / meetings", {"wins": D(5), "meetings": None}),  # explicitly missing
        ("wins * 0", {"wins": None}),  # missing is not zero, even times zero
        ("-wins", {}),
        ("max(0, wins)", {}),
        ("min(wins, 100)", {}),
        ("abs(wins)", {}),
        ("round(wins, 2)", {}),
        ("round(wins, 2) + 1", {"wins": None}),
    ],
)
def test_missing_input_propagates(source: str, values: dict[str, Decimal | None]) -> None:
    result = evaluate_detailed(parse_formula(source), values)
    assert result.value is None
    assert result.reason is UndefinedReason.MISSING_INPUT
    assert evaluate(parse_formula(source), values) is None


def test_first_undefined_reason_is_reported() -> None:
    values = {"a": D(1), "b": D(0)}
    assert evaluate_detailed(parse_formula("a / b + c"), values).reason is UndefinedReason.DIVISION_BY_ZERO
    assert evaluate_detailed(parse_formula("c + a / b"), values).reason is UndefinedReason.MISSING_INPUT


def test_overflow_is_undefined() -> None:
    huge = {"a": D("9E+999999")}
    assert evaluate_detailed(parse_formula("a * 10"), huge).reason is UndefinedReason.OVERFLOW
    assert evaluate_detailed(parse_formula("a"), {"a": D("1E+1000000")}).reason is UndefinedReason.OVERFLOW
    assert calc("coalesce(a * 10, 0)", **huge) == 0


@pytest.mark.parametrize(
    "bad", [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), float("inf"), float("nan")]
)
def test_non_finite_inputs_are_undefined(bad: Decimal) -> None:
    result = evaluate_detailed(parse_formula("a + 1"), {"a": bad})
    assert result == EvaluationResult(None, UndefinedReason.INVALID_INPUT)


def test_ok_result_has_ok_status() -> None:
    result = evaluate_detailed(parse_formula("1 + 1"), {})
    assert result == EvaluationResult(D(2), None)
    assert result.status == "ok"


# --- functions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("min(a, b, 100)", {"a": D(120), "b": D(150)}, D(100)),
        ("min(a, b)", {"a": D(-1), "b": D(2)}, D(-1)),
        ("max(a, b, c)", {"a": D(1), "b": D(3), "c": D(2)}, D(3)),
        ("abs(actual - target)", {"actual": D(80), "target": D(100)}, D(20)),
        ("round(a, 2)", {"a": D("1.005")}, D("1.01")),  # decimal input: no binary 1.00499...
        ("round(a, 0)", {"a": D("2.5")}, D(3)),  # half away from zero, like Excel's ROUND
        ("round(a, 0)", {"a": D("-2.5")}, D(-3)),
        ("round(a, 0)", {"a": D("3.5")}, D(4)),
        ("round(a, 6)", {"a": D("0.1234565")}, D("0.123457")),
        ("round(a, 2)", {"a": D("7")}, D(7)),
        ("round(a, 2)", {"a": D("1E+30")}, D("1E+30")),  # too large to carry decimals: unchanged
        ("round(1 / 3 * 100, 1)", {}, D("33.3")),
        ("coalesce(renewals, 0)", {"renewals": None}, D(0)),
        ("coalesce(renewals, 0)", {"renewals": D(7)}, D(7)),
        ("coalesce(a, b, 5)", {"b": D(2)}, D(2)),
        ("coalesce(wins / meetings * 100, 0)", {"wins": D(3), "meetings": D(0)}, D(0)),
        ("max(0, pipeline_value - lost_amount)", {"pipeline_value": D(1), "lost_amount": D(1)}, D(0)),
    ],
)
def test_functions(source: str, values: dict[str, Decimal | None], expected: Decimal) -> None:
    assert evaluate(parse_formula(source), values) == expected


def test_functions_report_why_an_argument_was_undefined() -> None:
    values = {"a": D(1), "b": D(0)}
    result = evaluate_detailed(parse_formula("max(a / b, 1)"), values)
    assert result == EvaluationResult(None, UndefinedReason.DIVISION_BY_ZERO)


def test_coalesce_of_only_undefined_values_is_undefined() -> None:
    result = evaluate_detailed(parse_formula("coalesce(a, b / c)"), {"b": D(1), "c": D(0)})
    assert result == EvaluationResult(None, UndefinedReason.MISSING_INPUT)


def test_round_rejects_places_that_are_not_a_small_integer_literal() -> None:
    for source in ["round(a, 7)", "round(a, -1)", "round(a, 2.0)", "round(a, b)", "round(a, 1 + 1)"]:
        error = error_of(source)
        assert (error.code, error.detail, error.column) == ("bad_arguments", "round_places", 10), source


@pytest.mark.parametrize(
    ("source", "detail", "column"),
    [
        ("abs(a, b)", "exact", 1),
        ("abs()", "exact", 1),
        ("round(a)", "exact", 1),
        ("min(a)", "at_least", 1),
        ("1 + max()", "at_least", 5),
        ("coalesce(a)", "at_least", 1),
        ("max(a, b=1)", "keyword", 8),
        ("max(a, *b)", "star", 8),
        ("max(a, **b)", "star", 8),
    ],
)
def test_bad_arguments(source: str, detail: str, column: int) -> None:
    error = error_of(source)
    assert (error.code, error.detail, error.column) == ("bad_arguments", detail, column)


def test_argument_count_message() -> None:
    error = error_of("min(a)")
    assert error.params == {"function": "min", "expected": 2, "given": 1}
    assert ja(error.message) == "1文字目: 関数 'min' の引数は2個以上必要です（1個指定されています）"
    assert en(error.message) == "column 1: function 'min' takes at least 2 arguments (1 given)"


def test_unknown_function_lists_the_allowed_ones() -> None:
    error = error_of("1 + sqrt(a)")
    assert (error.code, error.column) == ("unknown_function", 5)
    assert error.params == {"name": "sqrt", "allowed": ["abs", "coalesce", "max", "min", "round"]}
    assert (
        en(error.message)
        == "column 5: function 'sqrt' is not allowed (available: abs, coalesce, max, min, round)"
    )


def test_function_name_used_as_a_value() -> None:
    error = error_of("wins + max")
    assert (error.code, error.detail, error.column) == ("bad_name", "function", 8)
    assert en(error.message) == "column 8: 'max' is a function; use it as max(...)"


# --- parsing and references ------------------------------------------------------------------------


def test_references_are_the_names_used() -> None:
    formula = parse_formula("max(0, pipeline_value - lost_amount) / pipeline_value")
    assert formula.references == frozenset({"pipeline_value", "lost_amount"})
    assert parse_formula("round(1 + 2, 0)").references == frozenset()


def test_formula_is_an_immutable_tree_of_our_own_nodes() -> None:
    formula = parse_formula("-(a + 1) * max(b, 2.5)")
    assert formula.source == "-(a + 1) * max(b, 2.5)"
    assert formula.tree == Binary(
        "*",
        Negate(Binary("+", Name("a", 3), Number(D(1), 7), 5), 1),
        Call("max", (Name("b", 16), Number(D("2.5"), 19)), 12),
        10,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        formula.source = "1"  # type: ignore[misc]
    assert hash(formula) == hash(parse_formula("-(a + 1) * max(b, 2.5)"))


def test_negative_literal_is_folded() -> None:
    assert parse_formula("-5").tree == Number(D(-5), 1)


@pytest.mark.parametrize("source", ["wins", "a1", "x_2_y", "a" * 63, "won_amount / wins"])
def test_valid_names(source: str) -> None:
    assert isinstance(parse_formula(source), Formula)


@pytest.mark.parametrize("name", ["Wins", "a" * 64, "_hidden", "__class__", "wIns"])
def test_invalid_names(name: str) -> None:
    error = error_of(f"1 + {name}")
    assert (error.code, error.column, error.params) == ("bad_name", 5, {"name": name})


def test_leading_and_trailing_spaces_are_allowed_and_counted_in_columns() -> None:
    assert calc("  1 + 2  ") == D(3)
    error = error_of("\t  a ** b")
    assert (error.code, error.column) == ("unsupported", 6)


def test_length_limit_is_inclusive() -> None:
    assert isinstance(parse_formula("1" + " " * (MAX_LENGTH - 1)), Formula)
    error = error_of("1" + " " * MAX_LENGTH)
    # The position is the first character past the limit.
    assert (error.code, error.column, error.params) == ("too_long", 257, {"length": 257, "limit": 256})


def test_depth_limit() -> None:
    assert calc("(" * 16 + "1" + ")" * 16) == 1
    error = error_of("(" * 17 + "1" + ")" * 17)
    assert (error.code, error.column, error.params) == ("too_deep", 17, {"limit": 16})
    assert error_of("abs(" * 17 + "1" + ")" * 17).code == "too_deep"


def test_node_limit() -> None:
    assert isinstance(parse_formula(" + ".join(["a"] * 32)), Formula)  # 32 names + 31 operations
    error = error_of(" + ".join(["a"] * 33))
    assert error.code == "too_complex"
    assert error.params == {"limit": 64}


@pytest.mark.parametrize(
    ("source", "accepted"),
    [
        ("123456789012345678", True),
        ("1234567890123456789", False),
        ("0.123456", True),
        ("0.1234567", False),
        ("1e3", False),
        ("1E3", False),
        ("0x1F", False),
        ("0o17", False),
        ("0b11", False),
        ("1_000", False),
        ("2j", False),
    ],
)
def test_number_literal_limits(source: str, accepted: bool) -> None:
    if accepted:
        assert calc(source) == D(source)
    else:
        error = error_of(f"a + {source}")
        assert (error.code, error.column, error.params["text"]) == ("bad_number", 5, source)


# --- validation against the catalogue --------------------------------------------------------------


def test_unknown_name_names_the_first_unknown_and_its_column() -> None:
    error = error_of("wins / meetngs * 100 + lost", known_names={"wins", "meetings"})
    assert (error.code, error.column, error.params) == ("unknown_name", 8, {"name": "meetngs"})
    assert ja(error.message) == "8文字目: 'meetngs' という指標はありません"
    assert en(error.message) == "column 8: unknown metric 'meetngs'"


def test_validate_accepts_known_names() -> None:
    formula = validate_formula("wins / meetings", known_names=frozenset({"wins", "meetings", "leads"}))
    assert formula.references == {"wins", "meetings"}


def test_validate_refuses_self_reference() -> None:
    error = error_of("win_rate * 2", known_names={"win_rate"}, key="win_rate")
    assert (error.code, error.column, error.params) == ("cycle", 1, {"path": ["win_rate", "win_rate"]})
    assert en(error.message) == "column 1: circular reference: win_rate -> win_rate"


# --- dependency order and cycles -------------------------------------------------------------------


def _formulas(**sources: str) -> dict[str, Formula]:
    return {key: parse_formula(source) for key, source in sources.items()}


def test_dependency_order_puts_every_formula_after_its_inputs() -> None:
    formulas = _formulas(
        revenue="leads * appointment_rate / 100 * meeting_rate / 100 * win_rate / 100 * avg_deal_size",
        win_rate="wins / meetings * 100",
        meeting_rate="meetings / appointments * 100",
        avg_deal_size="won_amount / wins",
        appointment_rate="appointments / leads * 100",
        gap="abs(revenue - kgi_revenue)",
    )
    base = {"leads", "appointments", "meetings", "wins", "won_amount", "kgi_revenue"}
    order = dependency_order(formulas, base)
    assert sorted(order) == sorted(formulas)
    for key, formula in formulas.items():
        for reference in formula.references & set(formulas):
            assert order.index(reference) < order.index(key)
    # deterministic: depth first from the alphabetically first key
    assert order == ["appointment_rate", "avg_deal_size", "meeting_rate", "win_rate", "revenue", "gap"]


def test_dependency_order_is_alphabetical_among_independent_keys() -> None:
    assert dependency_order(_formulas(b="x", a="x", c="a + b"), {"x"}) == ["a", "b", "c"]


def test_two_step_cycle_is_named() -> None:
    with pytest.raises(FormulaError) as caught:
        dependency_order(_formulas(a="b + 1", b="a * 2"), set())
    error = caught.value
    assert error.code == "cycle"
    assert error.params == {"path": ["a", "b", "a"]}
    assert error.column is None
    assert ja(error.message) == "循環参照があります: a → b → a"
    assert en(error.message) == "circular reference: a -> b -> a"


def test_longer_cycle_behind_an_acyclic_entry() -> None:
    formulas = _formulas(entry="x + 1", x="y", y="z * 2", z="x - base")
    with pytest.raises(FormulaError) as caught:
        dependency_order(formulas, {"base"})
    assert caught.value.params == {"path": ["x", "y", "z", "x"]}


def test_self_cycle() -> None:
    with pytest.raises(FormulaError) as caught:
        dependency_order(_formulas(a="a + 1"), set())
    assert caught.value.params == {"path": ["a", "a"]}


def test_dependency_order_refuses_unknown_references() -> None:
    with pytest.raises(FormulaError) as caught:
        dependency_order(_formulas(win_rate="wins / meetngs"), {"wins", "meetings"})
    error = caught.value
    assert (error.code, error.column, error.params) == (
        "unknown_name",
        8,
        {"name": "meetngs", "formula": "win_rate"},
    )
    assert en(error.message) == "column 8: unknown metric 'meetngs' in the formula of 'win_rate'"


def test_long_chain_does_not_hit_the_recursion_limit() -> None:
    formulas = {f"k{i}": parse_formula(f"k{i - 1} + 1") for i in range(1, 3000)}
    formulas["k0"] = parse_formula("base")
    order = dependency_order(formulas, {"base"})
    assert order == [f"k{i}" for i in range(3000)]
    assert evaluate_all(formulas, {"base": D(0)})["k2999"] == D(2999)


def test_evaluate_all_propagates_undefined_through_derived_keys() -> None:
    formulas = _formulas(win_rate="wins / meetings * 100", expected_wins="meetings * win_rate / 100")
    assert evaluate_all(formulas, {"wins": D(20), "meetings": D(80)}) == {
        "win_rate": D(25),
        "expected_wins": D(20),
    }
    assert evaluate_all(formulas, {"wins": D(20), "meetings": D(0)}) == {
        "win_rate": None,
        "expected_wins": None,
    }


def test_evaluate_all_with_a_catalogue_treats_absent_values_as_missing() -> None:
    formulas = _formulas(win_rate="wins / meetings * 100")
    with pytest.raises(FormulaError) as caught:
        evaluate_all(formulas, {"wins": D(20)})
    assert caught.value.code == "unknown_name"
    assert evaluate_all(formulas, {"wins": D(20)}, base_names={"wins", "meetings"}) == {"win_rate": None}


def test_formula_value_wins_over_a_base_value_with_the_same_key() -> None:
    formulas = _formulas(win_rate="wins / meetings * 100", double="win_rate * 2")
    result = evaluate_all(formulas, {"wins": D(1), "meetings": D(4), "win_rate": D(99)})
    assert result == {"win_rate": D(25), "double": D(50)}


# --- messages --------------------------------------------------------------------------------------


def test_operator_message_names_the_position() -> None:
    error = error_of("2 ** 3")
    assert (error.code, error.column, error.params) == ("unsupported", 3, {"operator": "**"})
    assert ja(error.message) == "3文字目: 使用できない演算子 '**' です"
    assert en(error.message) == "column 3: operator '**' is not allowed"
    assert error.message.render() == ja(error.message)  # Japanese first
    with translation.override("en"):
        assert str(error) == en(error.message)


def test_to_dict_is_json_ready() -> None:
    error = error_of("wins / meetngs", known_names={"wins"})
    assert to_dict_in(error, "en") == {
        "code": "unknown_name",
        "message": "column 8: unknown metric 'meetngs'",
        "column": 8,
        "params": {"name": "meetngs"},
    }
    assert json.loads(json.dumps(error.to_dict())) == to_dict_in(error, "ja")


# A language the product does not offer falls back to its default, Japanese (Django's fallback; the API
# never activates one: it negotiates between ja and en).
@pytest.mark.parametrize(("lang", "expected"), [("en-US", "en"), ("ja_JP", "ja"), ("JA", "ja"), ("fr", "ja")])
def test_language_fallback(lang: str, expected: str) -> None:
    error = error_of("")
    assert in_language(error.message, lang) == in_language(error.message, expected)


def test_refusals_about_the_whole_text_still_carry_a_position() -> None:
    """An empty formula points at its start, an incomplete one just past its end, an over-long one at the
    first character past the limit: a client can always put the cursor there."""
    assert (error_of("   ").column, ja(error_of("   ").message)) == (1, "1文字目: 式が空です")
    assert (error_of("wins +").column, en(error_of("wins +").message)) == (
        7,
        "column 7: the formula is incomplete",
    )
    assert error_of("meetings /").column == 11
    assert error_of("  wins *  ").column == 11
    assert error_of("x" * 300).column == 257


def test_message_without_a_position_has_no_prefix() -> None:
    """Only something that is not text at all has no position."""
    error = FormulaError("syntax", detail="not_text")
    assert error.column is None and en(error.message) == "the formula must be text"


@pytest.mark.parametrize(
    ("source", "ja", "en"),
    [
        ("(wins", "1文字目: 括弧 '(' が閉じられていません", "column 1: parenthesis '(' is never closed"),
        ("wins)", "5文字目: 対応する '(' のない ')' があります", "column 5: ')' has no matching '('"),
        (
            "wins meetings",
            "6文字目: 式の書き方が正しくありません",
            "column 6: the formula is not written correctly",
        ),
        (
            "wins ／ meetings",
            "6文字目: 全角文字 '／' (U+FF0F) は使用できません。半角の '/' を使ってください",
            "column 6: full-width character '／' (U+FF0F) is not allowed; type '/' instead",
        ),
        (
            "受注数",
            "1文字目: 使用できない文字 '受' (U+53D7) です",
            "column 1: character '受' (U+53D7) is not allowed",
        ),
        ("a\x00", "2文字目: 使用できない文字 U+0000 です", "column 2: character U+0000 is not allowed"),
        ("x.y", "1文字目: 属性参照 '.'は使用できません", "column 1: attribute access '.' is not allowed"),
        ("'a'", "1文字目: 文字列は使用できません", "column 1: a string is not allowed"),
        ("True", "1文字目: 定数 'True'は使用できません", "column 1: the constant 'True' is not allowed"),
        ("a < b", "3文字目: 使用できない演算子 '<' です", "column 3: operator '<' is not allowed"),
    ],
)
def test_messages(source: str, ja: str, en: str) -> None:
    error = error_of(source)
    assert in_language(error.message, "ja") == ja
    assert in_language(error.message, "en") == en


def test_error_survives_pickling() -> None:
    error = error_of("2 ** 3")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just produced
    assert isinstance(copy, FormulaError)
    assert to_dict_in(copy, "en") == to_dict_in(error, "en")
    assert copy.detail == "operator"


def test_message_never_fails_on_missing_params() -> None:
    assert en(FormulaError("too_long").message) == "the formula is too long (? characters, the limit is ?)"
    assert en(FormulaError("not_a_code", column=2).message) == "column 2: not_a_code"
