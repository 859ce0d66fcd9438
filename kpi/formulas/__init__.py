"""Safe KPI formulas: a whitelist parser and a Decimal evaluator, independent of Django.

Typical use::

    formula = validate_formula("wins / meetings * 100", known_names={"wins", "meetings"})
    evaluate(formula, {"wins": Decimal(20), "meetings": Decimal(80)})  # Decimal("25")
"""

from .dependencies import dependency_order
from .errors import FormulaError
from .evaluator import EvaluationResult, UndefinedReason, evaluate, evaluate_all, evaluate_detailed
from .functions import FUNCTIONS
from .parser import (
    MAX_DEPTH,
    MAX_FRACTION_DIGITS,
    MAX_INTEGER_DIGITS,
    MAX_LENGTH,
    MAX_NODES,
    NAME_PATTERN,
    Formula,
    parse_formula,
    validate_formula,
)

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "MAX_LENGTH",
    "MAX_NODES",
    "NAME_PATTERN",
    "EvaluationResult",
    "Formula",
    "FormulaError",
    "UndefinedReason",
    "dependency_order",
    "evaluate",
    "evaluate_all",
    "evaluate_detailed",
    "parse_formula",
    "validate_formula",
]
