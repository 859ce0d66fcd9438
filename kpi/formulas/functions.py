"""The whitelist of functions a formula may call.

Each implementation receives its already evaluated arguments, ``None`` standing for an undefined one
(missing input, division by zero, overflow), and runs inside the evaluator's decimal context.
Only ``coalesce`` looks at undefined arguments; every other function is undefined if any argument is.
There is deliberately no ``if_zero``/``safe_div``: ``coalesce(wins / meetings, 0)`` already says it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAX_ROUND_PLACES = 6

Args = Sequence[Decimal | None]


def _min(args: Args) -> Decimal | None:
    """min(a, b, ...): the smallest value, e.g. to cap a rate at 100."""
    if any(arg is None for arg in args):
        return None
    return min(arg for arg in args if arg is not None)


def _max(args: Args) -> Decimal | None:
    """max(a, b, ...): the largest value, e.g. max(0, pipeline_value - lost_amount) to floor at zero."""
    if any(arg is None for arg in args):
        return None
    return max(arg for arg in args if arg is not None)


def _abs(args: Args) -> Decimal | None:
    """abs(x): the size of a gap regardless of sign, e.g. abs(actual - target)."""
    (value,) = args
    return None if value is None else abs(value)


def _round(args: Args) -> Decimal | None:
    """round(x, n): round half away from zero to n (0-6) decimals, like Excel's ROUND that clients know."""
    value, places = args
    if value is None or places is None:
        return None
    exponent = -int(places)
    current = value.as_tuple().exponent
    if isinstance(current, int) and current >= exponent:
        return value  # nothing after the n-th decimal; quantizing could only add zeros (and overflow)
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def _coalesce(args: Args) -> Decimal | None:
    """coalesce(a, b, ...): the first defined argument; the explicit way to say "treat missing as 0"."""
    return next((arg for arg in args if arg is not None), None)


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None: no upper bound other than the formula's node limit
    apply: Callable[[Args], Decimal | None]

    @property
    def description(self) -> str:
        return (self.apply.__doc__ or "").strip()


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("min", 2, None, _min),
        FunctionSpec("max", 2, None, _max),
        FunctionSpec("abs", 1, 1, _abs),
        FunctionSpec("round", 2, 2, _round),
        FunctionSpec("coalesce", 2, None, _coalesce),
    )
}
