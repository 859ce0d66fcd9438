"""Turn KPI formula text into a validated, immutable :class:`Formula`.

The grammar is a whitelist over Python's expression syntax: decimal literals, metric names,
binary ``+ - * /``, unary ``+ -``, parentheses and the calls in :data:`FUNCTIONS`. Everything else
is rejected with a :class:`FormulaError`. Python's ``ast`` is used only to parse (never to compile
or run anything); the result is translated into our own node types.
"""

import ast
import re
import unicodedata
import warnings
from collections.abc import Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from .errors import FormulaError
from .functions import FUNCTIONS, MAX_ROUND_PLACES
from .nodes import Binary, Call, Name, Negate, Node, Number, iter_names

MAX_LENGTH = 256
MAX_NODES = 64  # numbers, names, operations and calls together
MAX_DEPTH = 16  # nesting of parentheses (a function call's parentheses included)
MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 6
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,62}")

_BINARY_OPERATORS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}

# Written as the user typed them, for the error message.
_REJECTED_OPERATORS: dict[type[ast.AST], str] = {
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
    ast.And: "and",
    ast.Or: "or",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}

_REJECTED_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute",
    ast.Subscript: "subscript",
    ast.Slice: "subscript",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.JoinedStr: "fstring",
    ast.FormattedValue: "fstring",
    ast.NamedExpr: "walrus",
    ast.IfExp: "conditional",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Set: "set_or_dict",
    ast.Dict: "set_or_dict",
    ast.Await: "await",
}


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula that passed every syntactic check; ``references`` are the metric keys it reads."""

    source: str
    tree: Node
    references: frozenset[str]


def parse_formula(source: str) -> Formula:
    """Parse and check ``source``; raise :class:`FormulaError` for anything outside the grammar."""
    _check_characters(source)
    # ast.parse rejects leading spaces as an indent, so parse without them and shift columns back.
    text = source.lstrip(" \t")
    lead = len(source) - len(text)
    expression = _parse(text, lead)
    tree = _Translator(text, lead).translate(expression.body)
    return Formula(source=source, tree=tree, references=frozenset(name.key for name in iter_names(tree)))


def validate_formula(source: str, *, known_names: Set[str], key: str | None = None) -> Formula:
    """Parse ``source`` and refuse names outside ``known_names`` (and, given ``key``, self-reference)."""
    formula = parse_formula(source)
    for name in iter_names(formula.tree):
        if name.key == key:
            raise FormulaError("cycle", column=name.column, params={"path": [key, key]})
        if name.key not in known_names:
            raise FormulaError("unknown_name", column=name.column, params={"name": name.key})
    return formula


def _check_characters(source: str) -> None:
    """Cheap checks before the parser sees the text: type, length, character set, nesting depth.

    Only printable ASCII (plus tab) gets through, so ``ast`` column offsets (UTF-8 bytes) equal
    character positions, and Python's NFKC folding of identifiers (full-width letters
    spelling ``wins`` would parse as ``wins``)
    can never alias a metric.
    """
    if not isinstance(source, str):
        raise FormulaError("syntax", detail="not_text")
    if len(source) > MAX_LENGTH:
        # Points at the first character past the limit.
        raise FormulaError(
            "too_long", column=MAX_LENGTH + 1, params={"length": len(source), "limit": MAX_LENGTH}
        )
    if not source.strip():
        raise FormulaError("empty", column=1)
    depth = 0
    for index, char in enumerate(source):
        column = index + 1
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FormulaError("too_deep", column=column, params={"limit": MAX_DEPTH})
        elif char in ")]}":
            depth -= 1
        elif char == "#":
            raise FormulaError("bad_character", column=column, params=_char_params(char), detail="comment")
        elif char in "\r\n":
            raise FormulaError("bad_character", column=column, params=_char_params(char), detail="newline")
        elif not (char == "\t" or " " <= char <= "~"):
            suggestion = unicodedata.normalize("NFKC", char)
            if len(suggestion) == 1 and " " <= suggestion <= "~":
                params = {**_char_params(char), "suggestion": suggestion}
                raise FormulaError("bad_character", column=column, params=params, detail="fullwidth")
            raise FormulaError("bad_character", column=column, params=_char_params(char))


def _char_params(char: str) -> dict[str, str]:
    return {"char": char, "codepoint": f"U+{ord(char):04X}"}


def _parse(text: str, lead: int) -> ast.Expression:
    try:
        # Odd literals such as "1if" make the parser emit SyntaxWarning; they are rejected anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise _diagnose_syntax_error(text, lead, error) from error
    except (ValueError, RecursionError, MemoryError, OverflowError) as error:
        raise FormulaError("syntax", column=lead + 1) from error


def _diagnose_syntax_error(text: str, lead: int, error: SyntaxError) -> FormulaError:
    open_columns: list[int] = []
    for index, char in enumerate(text):
        if char == "(":
            open_columns.append(lead + index + 1)
        elif char == ")":
            if not open_columns:
                return FormulaError("syntax", column=lead + index + 1, detail="unopened")
            open_columns.pop()
    if open_columns:
        return FormulaError("syntax", column=open_columns[-1], detail="unclosed")
    if not isinstance(error.offset, int) or not 1 <= error.offset <= len(text):
        # The parser ran out of text ("wins +"): the position is just past the end, where more was expected.
        return FormulaError("syntax", column=lead + len(text) + 1, detail="incomplete")
    return FormulaError("syntax", column=lead + error.offset)


class _Translator:
    """Translate a Python expression AST into our nodes, enforcing the whitelist and the node limit."""

    def __init__(self, text: str, lead: int) -> None:
        self.text = text
        self.lead = lead
        self.count = 0

    def column(self, node: ast.expr | ast.keyword) -> int:
        return self.lead + node.col_offset + 1

    def translate(self, node: ast.expr) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            self.fail("too_complex", node, limit=MAX_NODES)
        match node:
            case ast.Constant():
                return self.number(node)
            case ast.Name():
                return self.name(node)
            case ast.UnaryOp():
                return self.unary(node)
            case ast.BinOp():
                return self.binary(node)
            case ast.Call():
                return self.call(node)
            case ast.BoolOp():
                self.reject_operator(node.op, node.values[0], node.values[1])
            case ast.Compare():
                self.reject_operator(node.ops[0], node.left, node.comparators[0])
        self.reject_construct(node)

    def number(self, node: ast.Constant) -> Number:
        value = node.value
        if isinstance(value, str):
            self.reject_construct(node, "string")
        if isinstance(value, bytes):
            self.reject_construct(node, "bytes")
        if value is None or value is Ellipsis or isinstance(value, bool):
            self.reject_construct(node, "constant")
        # The value Python computed is ignored: the digits are re-read from the text as a Decimal,
        # so 0.1 stays exactly 0.1 and forms like 1e999, 0x10, 1_000 or 1j are refused.
        text = self.segment(node)
        integer, _, fraction = text.partition(".")
        if (
            not isinstance(value, int | float)
            or not text
            or any(char not in "0123456789." for char in text)
            or len(integer) > MAX_INTEGER_DIGITS
            or len(fraction) > MAX_FRACTION_DIGITS
        ):
            self.fail(
                "bad_number",
                node,
                text=text,
                max_integer_digits=MAX_INTEGER_DIGITS,
                max_fraction_digits=MAX_FRACTION_DIGITS,
            )
        return Number(Decimal(text), self.column(node))

    def name(self, node: ast.Name) -> Name:
        if node.id in FUNCTIONS:
            self.fail("bad_name", node, detail="function", name=node.id)
        if not NAME_PATTERN.fullmatch(node.id):
            self.fail("bad_name", node, name=node.id)
        return Name(node.id, self.column(node))

    def unary(self, node: ast.UnaryOp) -> Node:
        if isinstance(node.op, ast.UAdd):
            return self.translate(node.operand)
        if not isinstance(node.op, ast.USub):
            self.fail("unsupported", node, detail="operator", operator=_REJECTED_OPERATORS[type(node.op)])
        operand = self.translate(node.operand)
        if isinstance(operand, Number):
            return Number(operand.value.copy_negate(), self.column(node))
        return Negate(operand, self.column(node))

    def binary(self, node: ast.BinOp) -> Binary:
        operator = _BINARY_OPERATORS.get(type(node.op))
        if operator is None:
            self.reject_operator(node.op, node.left, node.right)
        left = self.translate(node.left)
        right = self.translate(node.right)
        column = self.operator_column(operator, node.left, node.right)
        if operator == "/" and isinstance(right, Number) and right.value == 0:
            raise FormulaError("division_by_zero", column=column)
        return Binary(operator, left, right, column)

    def call(self, node: ast.Call) -> Call:
        if not isinstance(node.func, ast.Name):
            if type(node.func) in _REJECTED_CONSTRUCTS:
                self.reject_construct(node.func)  # e.g. x.__class__() reports the attribute access
            self.reject_construct(node, "call")
        name = node.func.id
        spec = FUNCTIONS.get(name)
        if spec is None:
            self.fail("unknown_function", node, name=name, allowed=sorted(FUNCTIONS))
        for keyword in node.keywords:
            detail = "star" if keyword.arg is None else "keyword"
            self.fail("bad_arguments", keyword, detail=detail, function=name)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail("bad_arguments", arg, detail="star", function=name)
        args = tuple(self.translate(arg) for arg in node.args)
        given = len(args)
        if given < spec.min_args or (spec.max_args is not None and given > spec.max_args):
            detail = "exact" if spec.min_args == spec.max_args else "at_least"
            self.fail(
                "bad_arguments", node, detail=detail, function=name, expected=spec.min_args, given=given
            )
        if name == "round":
            places = node.args[1]
            if not (
                isinstance(places, ast.Constant)
                and type(places.value) is int
                and 0 <= places.value <= MAX_ROUND_PLACES
            ):
                self.fail("bad_arguments", places, detail="round_places", function=name)
        return Call(name, args, self.column(node))

    def operator_column(self, token: str, left: ast.expr, right: ast.expr) -> int:
        """Column of the operator written between ``left`` and ``right`` (the ast does not record it)."""
        start = left.end_col_offset or left.col_offset
        found = self.text.find(token, start, right.col_offset)
        return self.lead + found + 1 if found >= 0 else self.column(left)

    def reject_operator(self, op: ast.AST, left: ast.expr, right: ast.expr) -> NoReturn:
        token = _REJECTED_OPERATORS.get(type(op), type(op).__name__)
        column = self.operator_column(token, left, right)
        raise FormulaError("unsupported", column=column, params={"operator": token}, detail="operator")

    def reject_construct(self, node: ast.expr, construct: str | None = None) -> NoReturn:
        if construct is None:
            construct = _REJECTED_CONSTRUCTS.get(type(node), "other")
        if construct == "constant":
            self.fail("unsupported", node, detail="construct", construct=construct, token=self.segment(node))
        if construct == "other":
            self.fail("unsupported", node, detail="construct", construct=construct, token=type(node).__name__)
        self.fail("unsupported", node, detail="construct", construct=construct)

    def fail(
        self, code: str, node: ast.expr | ast.keyword, *, detail: str | None = None, **params: Any
    ) -> NoReturn:
        raise FormulaError(code, column=self.column(node), params=params, detail=detail)

    def segment(self, node: ast.expr) -> str:
        return ast.get_source_segment(self.text, node) or ""
