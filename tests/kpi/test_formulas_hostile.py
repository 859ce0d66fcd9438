"""Hostile input: every payload must be refused with a FormulaError, quickly, and never run anything."""

import ast
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

import kpi.formulas
from kpi.formulas import FormulaError, evaluate, parse_formula, validate_formula
from tests.kpi.rendering import en, in_language, to_dict_in

KNOWN = {"wins", "meetings", "won_amount"}
TIME_LIMIT_SECONDS = 0.5

# (id, source, expected code)
CORPUS: list[tuple[str, str, str]] = [
    # resource exhaustion
    ("parens-1000", "(" * 1000 + "1" + ")" * 1000, "too_long"),
    ("parens-100", "(" * 100 + "1" + ")" * 100, "too_deep"),
    ("brackets-100", "[" * 100 + "]" * 100, "too_deep"),
    ("calls-nested", "abs(" * 40 + "1" + ")" * 40, "too_deep"),
    ("unary-minus-10000", "-" * 10000 + "1", "too_long"),
    ("unary-minus-255", "-" * 255 + "1", "too_complex"),
    ("long-sum", "+".join(["wins"] * 50), "too_complex"),
    ("many-args", "max(" + ",".join(["1"] * 120) + ")", "too_complex"),
    ("power-tower", "9**9**9**9", "unsupported"),
    ("big-power", "2**100000", "unsupported"),
    ("power-of-names", "wins ** meetings", "unsupported"),
    ("shift", "1 << 10000000", "unsupported"),
    ("huge-exponent", "1e999999", "bad_number"),
    ("exponent-upper", "1E5", "bad_number"),
    ("negative-exponent", "1e-999999", "bad_number"),
    ("too-many-digits", "9" * 19, "bad_number"),
    ("too-many-decimals", "0.0000001", "bad_number"),
    ("digits-past-length", "9" * 5000, "too_long"),
    ("hex", "0xFFFFFFFF", "bad_number"),
    ("octal", "0o777", "bad_number"),
    ("binary", "0b101", "bad_number"),
    ("underscore-digits", "1_000_000", "bad_number"),
    ("complex", "1j", "bad_number"),
    ("complex-sum", "wins + 2J", "bad_number"),
    ("very-long-200k", "wins+" * 40_000 + "wins", "too_long"),
    ("very-long-1m", "1" * 1_000_000, "too_long"),
    # escapes known from "safe eval" sandboxes
    ("subclasses", "().__class__.__bases__[0].__subclasses__()", "unsupported"),
    ("import-system", "__import__('os').system('x')", "unsupported"),
    ("import", "__import__('os')", "unknown_function"),
    ("open", "open('x')", "unknown_function"),
    ("eval", "eval('1')", "unknown_function"),
    ("exec", "exec('import os')", "unknown_function"),
    ("compile", "compile('1', 'x', 'eval')", "unknown_function"),
    ("getattr", "getattr(wins, 'real')", "unknown_function"),
    ("globals", "globals()", "unknown_function"),
    ("breakpoint", "breakpoint()", "unknown_function"),
    ("builtins-name", "__builtins__", "bad_name"),
    ("dunder-name", "__class__", "bad_name"),
    ("underscore", "_", "bad_name"),
    ("attribute", "wins.__class__", "unsupported"),
    ("attribute-real", "wins.real", "unsupported"),
    ("format-field-path", "'{0.__class__.__bases__}'.format(wins)", "unsupported"),
    ("generator-frame", "(x for x in ()).gi_frame.f_globals", "unsupported"),
    ("reduce", "wins.__reduce__()", "unsupported"),
    ("lambda", "lambda: 1", "unsupported"),
    ("lambda-call", "(lambda: __import__('os'))()", "unsupported"),
    ("list-comprehension", "[x for x in range(10)]", "unsupported"),
    ("set-comprehension", "{x for x in wins}", "unsupported"),
    ("dict-comprehension", "{x: 1 for x in wins}", "unsupported"),
    ("generator", "(x for x in wins)", "unsupported"),
    ("sum-generator", "max(x for x in wins)", "unsupported"),
    ("string", "'abc'", "unsupported"),
    ("string-repeat", "'a' * 1000000000", "unsupported"),
    ("bytes", "b'abc'", "unsupported"),
    ("fstring", "f'{wins}'", "unsupported"),
    ("fstring-width", "f'{wins:>{10**9}}'", "unsupported"),
    ("walrus", "(wins := 1)", "unsupported"),
    ("walrus-bare", "wins := 1", "syntax"),
    ("conditional", "wins if meetings else 0", "unsupported"),
    ("comparison", "wins > meetings", "unsupported"),
    ("chained-comparison", "0 < wins < 10", "unsupported"),
    ("equality", "wins == 1", "unsupported"),
    ("boolean-and", "wins and meetings", "unsupported"),
    ("boolean-not", "not wins", "unsupported"),
    ("invert", "~wins", "unsupported"),
    ("modulo", "wins % meetings", "unsupported"),
    ("floor-division", "wins // meetings", "unsupported"),
    ("matmul", "wins @ meetings", "unsupported"),
    ("bit-or", "wins | meetings", "unsupported"),
    ("subscript", "wins[0]", "unsupported"),
    ("slice", "wins[::-1]", "unsupported"),
    ("tuple", "wins, meetings", "unsupported"),
    ("empty-tuple", "()", "unsupported"),
    ("list", "[wins]", "unsupported"),
    ("dict", "{'a': 1}", "unsupported"),
    ("true", "True", "unsupported"),
    ("none", "None", "unsupported"),
    ("ellipsis", "...", "unsupported"),
    ("await", "await wins", "unsupported"),
    ("yield", "yield wins", "syntax"),
    ("import-statement", "import os", "syntax"),
    ("assignment", "wins = 1", "syntax"),
    ("call-a-number", "1(2)", "unsupported"),
    ("call-a-metric", "wins(1)", "unknown_function"),
    ("keyword-args", "max(wins, key=meetings)", "bad_arguments"),
    ("keyword-round", "round(wins, ndigits=2)", "bad_arguments"),
    ("star-args", "max(*wins)", "bad_arguments"),
    ("double-star-args", "max(**wins)", "bad_arguments"),
    ("round-huge-places", "round(wins, 100000)", "bad_arguments"),
    ("round-exponent-places", "round(wins, 1e9)", "bad_number"),
    ("divide-by-literal-zero", "wins / 0", "division_by_zero"),
    # names and characters
    ("unknown-name", "wins / meetngs", "unknown_name"),
    ("unknown-name-late", "wins + meetings + lost_amount", "unknown_name"),
    ("uppercase", "Wins", "bad_name"),
    ("name-too-long", "w" * 64, "bad_name"),
    ("fullwidth-letters", "\uff57\uff49\uff4e\uff53", "bad_character"),  # full-width "wins"
    ("mathematical-bold", "\U0001d430\U0001d422\U0001d427\U0001d42c", "bad_character"),  # NFKC is "wins"
    ("cyrillic-i", "w\u0456ns", "bad_character"),
    ("fullwidth-digits", "\uff11\uff10\uff10", "bad_character"),
    ("arabic-indic-digits", "\u0661\u0662", "bad_character"),
    ("superscript-two", "wins\u00b2", "bad_character"),
    ("japanese-name", "受注数 / 商談数", "bad_character"),
    ("ideographic-space", "wins\u3000+ meetings", "bad_character"),
    ("zero-width-space", "wins\u200b", "bad_character"),
    ("bidi-override", "\u202ewins", "bad_character"),
    ("byte-order-mark", "\ufeffwins", "bad_character"),
    ("lone-surrogate", "wins\ud800", "bad_character"),
    ("null-byte", "wins\x00", "bad_character"),
    ("only-null", "\x00", "bad_character"),
    ("escape-char", "wins\x1b[2J", "bad_character"),
    ("delete-char", "wins\x7f", "bad_character"),
    ("newline", "wins\n+ 1", "bad_character"),
    ("multiple-lines", "1\n2", "bad_character"),
    ("carriage-return", "wins\r", "bad_character"),
    ("line-continuation", "wins \\\n+ 1", "bad_character"),
    ("comment", "wins # + __import__('os')", "bad_character"),
    ("backslash", "wins \\ 1", "syntax"),
    # shape
    ("empty", "", "empty"),
    ("spaces", "   ", "empty"),
    ("tabs", "\t\t", "empty"),
    ("only-newline", "\n", "empty"),
    ("trailing-garbage", "wins / meetings )", "syntax"),
    ("trailing-name", "wins meetings", "syntax"),
    ("trailing-operator", "wins /", "syntax"),
    ("leading-operator", "* wins", "syntax"),
    ("unclosed", "max(wins, 1", "syntax"),
    ("semicolon", "1;2", "syntax"),
    ("semicolon-statement", "wins; import os", "syntax"),
    ("backticks", "`wins`", "syntax"),
    ("python2-not-equal", "wins <> meetings", "syntax"),
    ("dollar", "$wins", "syntax"),
    ("question-mark", "wins?", "syntax"),
]


@pytest.mark.parametrize(
    ("source", "code"), [(source, code) for _, source, code in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_hostile_formula_is_refused_quickly(source: str, code: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FormulaError) as caught:
        validate_formula(source, known_names=KNOWN)
    elapsed = time.perf_counter() - started
    error = caught.value
    assert error.code == code, en(error.message)
    assert elapsed < TIME_LIMIT_SECONDS
    # The error itself must be safe to show and to serialise, whatever the input was.
    for lang in ("ja", "en"):
        message = in_language(error.message, lang)
        assert message
        assert "{" not in message.replace("{...}", "")
        json.dumps(to_dict_in(error, lang))
    # Every refusal carries a position: a column of the text, or just past its end (incomplete or empty).
    assert error.column is not None and 1 <= error.column <= len(source) + 1, error


@pytest.mark.parametrize("value", [None, b"wins", 42, Decimal(1), ["wins"], {"formula": "wins"}])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(value)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.detail) == ("syntax", "not_text")


@pytest.mark.parametrize(
    "value",
    [
        Decimal("9E+999999"),
        Decimal("-9E+999999"),
        Decimal("1E-999999"),
        Decimal("1E+999999999999"),
        Decimal("1E-999999999999"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        10**5000,
        Decimal("1" * 200),
    ],
    ids=lambda value: "int-5001-digits" if isinstance(value, int) else str(value)[:30],
)
def test_hostile_values_never_raise(value: Decimal | int) -> None:
    started = time.perf_counter()
    for source in [
        "wins * wins * wins * wins * wins * wins * wins * wins",
        "wins / wins",
        "1 / wins",
        "round(wins, 6)",
        "coalesce(wins * wins, 0)",
        "max(wins, -wins)",
        "abs(wins) - wins",
    ]:
        result = evaluate(parse_formula(source), {"wins": value})
        assert result is None or result.is_finite()
    assert time.perf_counter() - started < TIME_LIMIT_SECONDS


def test_engine_source_never_runs_code() -> None:
    # A guard against a future "quick fix": the package must not call eval, exec, compile or import
    # anything dynamically.
    forbidden = {"eval", "exec", "compile", "__import__", "getattr", "setattr", "globals", "locals", "vars"}
    package = Path(kpi.formulas.__file__).parent
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden, f"{path.name}:{node.lineno} calls {node.func.id}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                assert not any(
                    name.startswith(("django", "importlib", "os", "subprocess")) for name in modules
                )
