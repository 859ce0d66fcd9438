"""Properties of the formula engine over generated input (hypothesis)."""

import json
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.formulas import FUNCTIONS, Formula, FormulaError, evaluate, parse_formula
from tests.kpi.rendering import en, in_language, to_dict_in

NAMES = ("a", "b", "c", "wins", "meetings")
LIMIT_CODES = {"too_long", "too_complex", "too_deep", "division_by_zero"}
FAST = settings(max_examples=300, deadline=None)


def check_parse(text: str) -> Formula | None:
    """Parse, asserting that the only possible failure is a well-formed FormulaError."""
    try:
        return parse_formula(text)
    except FormulaError as error:
        for lang in ("ja", "en"):
            assert in_language(error.message, lang)
            json.dumps(to_dict_in(error, lang))
        # Every refusal of text says where: a column of the text, or just past its end (incomplete).
        assert error.column is not None and 1 <= error.column <= len(text) + 1, error
        return None


# --- formula text strategies -----------------------------------------------------------------------

literals = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False).map(
        lambda value: format(value, "f")
    ),
)
leaves = st.one_of(literals, st.sampled_from(NAMES))


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(" ".join),
        children.map(lambda child: f"-{child}"),
        children.map(lambda child: f"({child})"),
        children.map(lambda child: f"abs({child})"),
        st.tuples(children, st.integers(min_value=0, max_value=6)).map(lambda t: f"round({t[0]}, {t[1]})"),
        st.tuples(
            st.sampled_from(["min", "max", "coalesce"]), st.lists(children, min_size=2, max_size=3)
        ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
    )


valid_formulas = st.recursive(leaves, _extend, max_leaves=12)

# Valid formulas with a few wrong tokens spliced in, to exercise the error paths past the parser.
junk = st.sampled_from(
    ["**", "%", "//", ".", "[0]", "'s'", "lambda:", "(", ")", ",", "1e9", "0x1", "_x", "A", "=="]
)
valid_ish_formulas = st.tuples(
    valid_formulas, st.lists(st.tuples(st.integers(0, 200), junk), max_size=3)
).map(lambda t: _splice(*t))


def _splice(text: str, insertions: list[tuple[int, str]]) -> str:
    for position, token in insertions:
        position = min(position, len(text))
        text = text[:position] + token + text[position:]
    return text


any_values = st.one_of(
    st.none(),
    st.decimals(),  # NaN, infinities and extreme exponents included
    st.decimals(min_value=-(10**9), max_value=10**9, places=4),
)
value_maps = st.dictionaries(st.sampled_from(NAMES), any_values)


# --- properties ------------------------------------------------------------------------------------


@FAST
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_formula_error(text: str) -> None:
    check_parse(text)


@FAST
@given(st.text(alphabet="ab_(),.+-*/%<=! 019eExj'\"[]:#\t", max_size=60))
def test_formula_like_text_parses_or_raises_formula_error(text: str) -> None:
    check_parse(text)


@FAST
@given(valid_ish_formulas)
def test_spliced_formulas_parse_or_raise_formula_error(text: str) -> None:
    check_parse(text)


@FAST
@given(valid_formulas, value_maps)
def test_valid_formula_evaluates_to_a_finite_decimal_or_none(
    text: str, values: dict[str, Decimal | None]
) -> None:
    try:
        formula = parse_formula(text)
    except FormulaError as error:
        assert error.code in LIMIT_CODES, (text, en(error.message))
        return
    names_in_text = set(re.findall(r"[a-z_][a-z0-9_]*", text)) - set(FUNCTIONS)
    assert formula.references == names_in_text
    result = evaluate(formula, values)
    assert result is None or (isinstance(result, Decimal) and result.is_finite())


finite = st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False, allow_infinity=False)


@FAST
@given(finite, st.one_of(st.sampled_from([Decimal(0), Decimal("-0"), Decimal("0.000")]), finite))
def test_division_is_undefined_exactly_when_the_divisor_is_zero(a: Decimal, b: Decimal) -> None:
    result = evaluate(parse_formula("a / b"), {"a": a, "b": b})
    assert (result is None) == (b == 0)
    if result is not None:
        exact = Fraction(a) / Fraction(b)
        assert abs(Fraction(result) - exact) <= abs(exact) * Fraction(1, 10**26)


# --- differential test against exact rational arithmetic -------------------------------------------

Env = dict[str, Fraction | None]
Expr = tuple[str, Callable[[Env], Fraction | None]]
EXACT_NAMES = ("a", "b", "c", "d")


def _name(key: str) -> Expr:
    return key, lambda env: env[key]


def _literal(number: int) -> Expr:
    return str(number), lambda env: Fraction(number)


def _both(
    left: Fraction | None, right: Fraction | None, op: Callable[[Fraction, Fraction], Fraction]
) -> Fraction | None:
    return None if left is None or right is None else op(left, right)


def _binary(parts: tuple[Expr, str, Expr]) -> Expr:
    (left_text, left), symbol, (right_text, right) = parts
    ops: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
    }
    return f"({left_text}) {symbol} ({right_text})", lambda env: _both(left(env), right(env), ops[symbol])


def _divide(parts: tuple[Expr, Expr]) -> Expr:
    # The divisor is a leaf so that whether it is zero is exact; a computed divisor may be 1e-28
    # in Decimal where the rational value is 0.
    (left_text, left), (right_text, right) = parts

    def run(env: Env) -> Fraction | None:
        divisor = right(env)
        return None if divisor == 0 else _both(left(env), divisor, lambda x, y: x / y)

    return f"({left_text}) / {right_text}", run


def _negate(expr: Expr) -> Expr:
    text, inner = expr
    return f"-({text})", lambda env: _both(inner(env), Fraction(-1), lambda x, y: x * y)


def _function(parts: tuple[str, list[Expr]]) -> Expr:
    name, args = parts

    def run(env: Env) -> Fraction | None:
        values = [run_arg(env) for _, run_arg in args]
        if name == "coalesce":
            return next((value for value in values if value is not None), None)
        if any(value is None for value in values):
            return None
        present = [value for value in values if value is not None]
        return min(present) if name == "min" else max(present)

    return f"{name}({', '.join(text for text, _ in args)})", run


exact_leaves = st.one_of(
    st.sampled_from(EXACT_NAMES).map(_name),
    st.integers(min_value=0, max_value=100).map(_literal),
)
divisor_leaves = st.one_of(
    st.sampled_from(EXACT_NAMES).map(_name),
    st.integers(min_value=1, max_value=100).map(_literal),
)


def _exact_extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(_binary),
        st.tuples(children, divisor_leaves).map(_divide),
        children.map(_negate),
        st.tuples(
            st.sampled_from(["min", "max", "coalesce"]), st.lists(children, min_size=2, max_size=3)
        ).map(_function),
    )


exact_expressions = st.recursive(exact_leaves, _exact_extend, max_leaves=8)
exact_envs = st.fixed_dictionaries(
    {key: st.one_of(st.none(), st.integers(min_value=-100, max_value=100)) for key in EXACT_NAMES}
)


@FAST
@given(exact_expressions, exact_envs)
def test_matches_exact_rational_arithmetic(expr: Expr, env: dict[str, int | None]) -> None:
    text, reference = expr
    try:
        formula = parse_formula(text)
    except FormulaError as error:
        assert error.code in LIMIT_CODES - {"division_by_zero"}, (text, en(error.message))
        return
    values = {key: None if value is None else Decimal(value) for key, value in env.items()}
    expected = reference({key: None if value is None else Fraction(value) for key, value in env.items()})
    result = evaluate(formula, values)
    if expected is None:
        assert result is None, text
    else:
        assert result is not None, text
        # Leaves are at most 100 in size and at most 8, so magnitudes stay below 1e16 and the
        # rounding of 28-digit division stays far below this tolerance.
        assert abs(Fraction(result) - expected) <= Fraction(1, 10**6), text
