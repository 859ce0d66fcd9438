"""Reads of the decision matrix. Every number comes from ``checklist.decisions.scoring``; this module only gathers inputs.

Options are keyed by their id (as a string) when handed to scoring, with their names and kinds passed
alongside, so any option (not only the templates) can be scored, ranked and named.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from checklist.decisions import scoring
from checklist.decisions.models import DecisionMatrix, MatrixOption


@dataclass(frozen=True)
class MatrixInputs:
    """What scoring needs, read from one matrix."""

    weights: dict[str, Decimal]
    options: list[MatrixOption]
    scores: dict[str, dict[str, int]]
    names: dict[str, str]
    kinds: dict[str, str]
    rationales: dict[str, dict[str, str]]


@dataclass(frozen=True)
class MatrixEvaluation:
    """A matrix as scoring reads it. ``result`` is None until every option is scored on every criterion."""

    matrix: DecisionMatrix
    inputs: MatrixInputs
    missing: list[tuple[MatrixOption, str]]  # (option, criterion) pairs with no score
    signals: scoring.SignalsResult
    result: scoring.MatrixResult | None = None
    error: scoring.ScoringError | None = None
    stability: scoring.StabilityResult | None = None
    final: scoring.FinalRecommendation | None = None

    @property
    def scored(self) -> bool:
        """Every option scored on every criterion (and the matrix valid): the totals exist."""
        return self.result is not None

    @property
    def complete(self) -> bool:
        """Scored, at least two options to compare, and every signal answered."""
        return self.scored and len(self.inputs.options) >= 2 and self.signals.complete


def matrix_list(*, include_archived: bool = True) -> QuerySet[DecisionMatrix]:
    queryset = DecisionMatrix.objects.select_related("decided_option").prefetch_related(
        Prefetch("options", queryset=MatrixOption.objects.order_by("position", "created_at"))
    )
    if not include_archived:
        queryset = queryset.exclude(status=DecisionMatrix.Status.ARCHIVED)
    return queryset.order_by("-created_at", "-id")


def matrix_weights(matrix: DecisionMatrix) -> dict[str, Decimal]:
    """The stored weights in criterion order (a criterion never given a weight has its default)."""
    stored = matrix.weights or {}
    return {
        c.key: Decimal(str(stored[c.key])) if c.key in stored else Decimal(c.default_weight)
        for c in scoring.CRITERIA
    }


def matrix_options(matrix: DecisionMatrix) -> list[MatrixOption]:
    cache = getattr(matrix, "_prefetched_objects_cache", {})
    if "options" in cache:
        return list(cache["options"])
    return list(MatrixOption.objects.filter(matrix=matrix).order_by("position", "created_at"))


def matrix_inputs(matrix: DecisionMatrix) -> MatrixInputs:
    options = matrix_options(matrix)
    return MatrixInputs(
        weights=matrix_weights(matrix),
        options=options,
        scores={str(o.id): dict(o.scores or {}) for o in options},
        names={str(o.id): o.name for o in options},
        kinds={str(o.id): o.kind for o in options},
        rationales={str(o.id): dict(o.rationales or {}) for o in options},
    )


def matrix_evaluate(matrix: DecisionMatrix) -> MatrixEvaluation:
    """Totals, ranking, recommendation, stability, the signals' reading and the combined recommendation."""
    inputs = matrix_inputs(matrix)
    missing = [
        (option, c.key)
        for option in inputs.options
        for c in scoring.CRITERIA
        if c.key not in (option.scores or {})
    ]
    signals = scoring.signals_assess(matrix.signal_answers or {})
    try:
        result = scoring.matrix_score(inputs.weights, inputs.scores)
        stab = scoring.stability(inputs.weights, inputs.scores)
        final = scoring.final_recommendation(
            result, signals, inputs.kinds, stability_result=stab, option_names=inputs.names
        )
    except scoring.ScoringError as exc:
        # Scoring knows the options by id; the message names them as people know them.
        error = exc.named(inputs.names)
        return MatrixEvaluation(matrix=matrix, inputs=inputs, missing=missing, signals=signals, error=error)
    return MatrixEvaluation(
        matrix=matrix,
        inputs=inputs,
        missing=missing,
        signals=signals,
        result=result,
        stability=stab,
        final=final,
    )


def matrix_markdown_render(matrix: DecisionMatrix, *, lang: scoring.Lang) -> str:
    """The client report in Markdown (raises ScoringError while the matrix cannot be scored)."""
    evaluation = matrix_evaluate(matrix)
    if evaluation.result is None:
        assert evaluation.error is not None
        raise evaluation.error
    inputs = evaluation.inputs
    decision = None
    if matrix.is_decided and matrix.decided_option_id is not None:
        decision = scoring.RecordedDecision(
            option=str(matrix.decided_option_id),
            decided_by=matrix.decided_by_label,
            decided_at=matrix.decided_at,  # type: ignore[arg-type]
            reason=matrix.decision_reason,
        )
    return scoring.matrix_markdown(
        evaluation.result,
        lang=lang,
        option_names=inputs.names,
        rationales={k: v for k, v in inputs.rationales.items() if v},
        signals=evaluation.signals if matrix.signal_answers else None,
        option_kinds=inputs.kinds,
        decision=decision,
        matrix_name=matrix.name,
        requirements=matrix.requirements,
        development_plan=matrix.development_plan,
    )


def matrix_latest_decided() -> DecisionMatrix | None:
    """The matrix whose decision was recorded last (in the workspace in context)."""
    return (
        DecisionMatrix.objects.select_related("decided_option")
        .filter(status=DecisionMatrix.Status.DECIDED, decided_at__isnull=False)
        .order_by("-decided_at", "-id")
        .first()
    )
