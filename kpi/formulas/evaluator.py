"""Evaluate parsed formulas with ``decimal.Decimal``.

Semantics (a product decision, shown to users as "n/a" rather than a number):

* a missing input (absent key or ``None``) makes the result undefined, never 0;
* division by zero is undefined, like a spreadsheet's ``#DIV/0!`` or SQL's ``a / NULLIF(b, 0)``;
* a result outside the decimal context (magnitude of 10**1000000 or more) is undefined too;
* undefined propagates through every operator and function except ``coalesce``.

Undefined is reported as ``None`` by :func:`evaluate`, with its reason by :func:`evaluate_detailed`.
Evaluation never raises for a formula produced by the parser and values of the documented types.
"""

import operator
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum

from .dependencies import dependency_order
from .functions import FUNCTIONS
from .nodes import Binary, Call, Name, Negate, Node, Number
from .parser import Formula

Value = Decimal | int | float | None

_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    flags=[],
    traps=[InvalidOperation, Overflow, DivisionByZero],
)

_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


class UndefinedReason(StrEnum):
    MISSING_INPUT = "missing_input"
    INVALID_INPUT = "invalid_input"  # NaN or infinity handed in as a value
    DIVISION_BY_ZERO = "division_by_zero"
    OVERFLOW = "overflow"


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    value: Decimal | None
    reason: UndefinedReason | None = None

    @property
    def status(self) -> str:
        return "ok" if self.value is not None else "undefined"


class _Undefined(Exception):
    """Unwinds evaluation when a value is undefined; never leaves this module."""

    def __init__(self, reason: UndefinedReason) -> None:
        super().__init__(reason)
        self.reason = reason


def evaluate(formula: Formula, values: Mapping[str, Value]) -> Decimal | None:
    """The formula's value for ``values``, or ``None`` when it is undefined."""
    return evaluate_detailed(formula, values).value


def evaluate_detailed(formula: Formula, values: Mapping[str, Value]) -> EvaluationResult:
    """Like :func:`evaluate`, but says why a result is undefined."""
    with localcontext(_CONTEXT):
        try:
            value = _evaluate(formula.tree, values)
        except _Undefined as undefined:
            return EvaluationResult(None, undefined.reason)
    if value.is_zero():
        value = value.copy_abs()  # never show "-0" on a dashboard
    return EvaluationResult(value)


def evaluate_all(
    formulas: Mapping[str, Formula],
    base_values: Mapping[str, Value],
    *,
    base_names: Set[str] | None = None,
    order: Sequence[str] | None = None,
) -> dict[str, Decimal | None]:
    """Evaluate every derived key in dependency order; returns the derived values only.

    ``base_names`` defaults to the keys of ``base_values``; pass the full metric catalogue to let
    metrics without a value count as missing (undefined) rather than unknown.
    A key that has a formula is always computed from it, even if ``base_values`` also holds it.
    ``order`` is ``dependency_order(formulas, base_names)`` when the caller evaluates the same formulas
    over many periods and has computed it once.
    """
    if order is None:
        order = dependency_order(formulas, set(base_values) if base_names is None else set(base_names))
    known: dict[str, Value] = dict(base_values)
    results: dict[str, Decimal | None] = {}
    for key in order:
        known[key] = results[key] = evaluate(formulas[key], known)
    return results


def _evaluate(node: Node, values: Mapping[str, Value]) -> Decimal:
    match node:
        case Number(value=value):
            return value
        case Name(key=key):
            return _input(values, key)
        case Negate(operand=operand):
            return _evaluate(operand, values).copy_negate()
        case Binary(operator=symbol, left=left, right=right):
            return _arithmetic(symbol, _evaluate(left, values), _evaluate(right, values))
        case Call(function=function, args=args):
            return _call(function, args, values)
    raise TypeError(f"not a formula node: {node!r}")


def _input(values: Mapping[str, Value], key: str) -> Decimal:
    raw = values.get(key)
    if raw is None:
        raise _Undefined(UndefinedReason.MISSING_INPUT)
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))  # the shortest repr, not the binary expansion of the float
    else:
        raise TypeError(f"value of {key!r} must be a Decimal, int, float or None, not {type(raw).__name__}")
    if not value.is_finite():
        raise _Undefined(UndefinedReason.INVALID_INPUT)
    try:
        return +value  # round to the context's precision
    except DecimalException:
        raise _Undefined(UndefinedReason.OVERFLOW) from None


def _arithmetic(symbol: str, left: Decimal, right: Decimal) -> Decimal:
    if symbol == "/" and right.is_zero():
        raise _Undefined(UndefinedReason.DIVISION_BY_ZERO)
    try:
        return _ARITHMETIC[symbol](left, right)
    except DecimalException:
        raise _Undefined(UndefinedReason.OVERFLOW) from None


def _call(function: str, arg_nodes: tuple[Node, ...], values: Mapping[str, Value]) -> Decimal:
    args: list[Decimal | None] = []
    first_reason: UndefinedReason | None = None
    for node in arg_nodes:
        try:
            args.append(_evaluate(node, values))
        except _Undefined as undefined:
            args.append(None)
            first_reason = first_reason or undefined.reason
    try:
        result = FUNCTIONS[function].apply(args)
    except DecimalException:
        raise _Undefined(UndefinedReason.OVERFLOW) from None
    if result is None:
        raise _Undefined(first_reason or UndefinedReason.MISSING_INPUT)
    return result
