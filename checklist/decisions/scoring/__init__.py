"""The weighted decision matrix: MA/SFA package versus full-scratch build (seed 000's comparison table).

One module per concern; this package re-exports them, so ``from checklist.decisions import scoring`` and
``scoring.X`` keep working:

* ``checklist.decisions.criteria`` -- the catalogue data: criteria, option kinds, default options;
* ``matrix`` -- weighted totals, normalised scores, ranking and the recommendation (pure, Decimal);
* ``stability`` -- the smallest single-weight change that overturns it (pure, Fraction);
* ``signals`` -- the six "package falls short" questions and their reading (pure);
* ``recommendation`` -- the matrix read together with the signals (pure);
* ``export`` -- the Markdown report (a Django template rendered in the requested language; no ORM);
* ``errors`` and ``params`` -- the error (a code with parameters) and the display parameters of the
  messages (``checklist.decisions.messages``).

``export`` (the one module that needs Django's templates) is imported on first use of its names, so
importing a pure module of the package does not load the template machinery.

The pure modules say everything as :class:`core.messages.Message` (a code and its parameters); text is made
at the edge, in the reader's language.
"""

from typing import Any

from checklist.decisions.criteria import (
    CRITERIA,
    CRITERIA_BY_KEY,
    DEFAULT_OPTIONS,
    DEFAULT_OPTIONS_BY_KEY,
    DEFAULT_WEIGHTS,
    DEFAULTS_NOTE_EN,
    DEFAULTS_NOTE_JA,
    KIND_ORDER,
    Criterion,
    Lang,
    OptionKind,
    OptionTemplate,
    criterion_name,
    default_rationales,
    default_scores,
    default_weights,
    template_name,
)
from checklist.decisions.scoring.errors import ScoringError
from checklist.decisions.scoring.matrix import MAX_SCORE, MIN_SCORE, MatrixResult, OptionResult, matrix_score
from checklist.decisions.scoring.params import active_language, format_number
from checklist.decisions.scoring.recommendation import Agreement, FinalRecommendation, final_recommendation
from checklist.decisions.scoring.signals import (
    HYBRID_FROM,
    SCRATCH_FROM,
    SIGNALS,
    Signal,
    SignalsResult,
    signals_assess,
)
from checklist.decisions.scoring.stability import (
    Direction,
    StabilityResult,
    StabilityStatus,
    WeightFlip,
    stability,
    stability_sentence,
)

_EXPORT = ("RecordedDecision", "matrix_markdown")


def __getattr__(name: str) -> Any:
    if name in _EXPORT:
        from checklist.decisions.scoring import export

        return getattr(export, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CRITERIA",
    "CRITERIA_BY_KEY",
    "DEFAULTS_NOTE_EN",
    "DEFAULTS_NOTE_JA",
    "DEFAULT_OPTIONS",
    "DEFAULT_OPTIONS_BY_KEY",
    "DEFAULT_WEIGHTS",
    "HYBRID_FROM",
    "KIND_ORDER",
    "MAX_SCORE",
    "MIN_SCORE",
    "SCRATCH_FROM",
    "SIGNALS",
    "Agreement",
    "Criterion",
    "Direction",
    "FinalRecommendation",
    "Lang",
    "MatrixResult",
    "OptionKind",
    "OptionResult",
    "OptionTemplate",
    "RecordedDecision",
    "ScoringError",
    "Signal",
    "SignalsResult",
    "StabilityResult",
    "StabilityStatus",
    "WeightFlip",
    "active_language",
    "criterion_name",
    "default_rationales",
    "default_scores",
    "default_weights",
    "final_recommendation",
    "format_number",
    "matrix_markdown",
    "matrix_score",
    "signals_assess",
    "stability",
    "stability_sentence",
    "template_name",
]
