"""Matrix scoring: weighted totals, normalised scores, ranking and the recommendation.

Pure Python (no Django), exact arithmetic (Decimal for weights and totals). A weighted total is
``sum(weight x score)``; the normalised score is ``weighted total / (5 x sum of weights) x 100`` (so an
option scored 1 everywhere gets 20, not 0). Scores run 1-5, where 5 is always best for the client
(``checklist.decisions.criteria``). Invalid input raises :class:`ScoringError` with a code and parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType

from checklist.decisions.scoring.errors import ScoringError
from checklist.decisions.scoring.params import CriterionName, OptionName

__all__ = ["MAX_SCORE", "MIN_SCORE", "MatrixResult", "OptionResult", "matrix_score", "share"]

MIN_SCORE = 1
MAX_SCORE = 5

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class OptionResult:
    key: str
    weighted_total: Decimal
    normalised: Decimal  # 0-100, rounded half-up to 0.01
    rank: int  # competition ranking: equal totals share a rank (1, 1, 3)


@dataclass(frozen=True)
class MatrixResult:
    criteria: tuple[str, ...]
    weights: Mapping[str, Decimal]
    scores: Mapping[str, Mapping[str, int]]
    options: tuple[OptionResult, ...]  # best first; equal totals keep the input order
    total_weight: Decimal
    recommendation: str | None  # None when the top is tied
    tied: tuple[str, ...]  # the options sharing first place when there is a tie, else ()
    margin: Decimal | None  # first minus second weighted total; None with a single option

    @property
    def is_tie(self) -> bool:
        return bool(self.tied)

    @property
    def ranking(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options)

    def option(self, key: str) -> OptionResult:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)

    @property
    def margin_normalised(self) -> Decimal | None:
        if self.margin is None:
            return None
        return _normalise(self.margin, self.total_weight)


def _normalise(total: Decimal, total_weight: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        value = total * _HUNDRED / (MAX_SCORE * total_weight)
        return value.quantize(_CENT, ROUND_HALF_UP)


def share(weight: Decimal, total_weight: Decimal) -> Decimal:
    """weight / total x 100, rounded half-up to 0.01."""
    with localcontext() as ctx:
        ctx.prec = 50
        return (weight * _HUNDRED / total_weight).quantize(_CENT, ROUND_HALF_UP)


def _validate_weights(criteria_weights: Mapping[str, Decimal | int]) -> dict[str, Decimal]:
    if not criteria_weights:
        raise ScoringError("checklist.decisions.no_criteria")
    weights: dict[str, Decimal] = {}
    for key, weight in criteria_weights.items():
        criterion = CriterionName(key)
        if isinstance(weight, bool) or not isinstance(weight, Decimal | int):
            raise ScoringError(
                "checklist.decisions.weight_type",
                {"criterion": criterion, "value": repr(weight)},
                criterion=key,
            )
        value = Decimal(weight)
        if not value.is_finite():
            raise ScoringError(
                "checklist.decisions.weight_not_finite",
                {"criterion": criterion, "value": repr(weight)},
                criterion=key,
            )
        if value < 0:
            raise ScoringError(
                "checklist.decisions.weight_negative",
                {"criterion": criterion, "weight": value},
                criterion=key,
            )
        weights[key] = value
    if not any(weights.values()):
        raise ScoringError("checklist.decisions.weights_all_zero")
    return weights


def _validate_scores(
    criteria: tuple[str, ...], scores: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    if not scores:
        raise ScoringError("checklist.decisions.no_options")
    checked: dict[str, dict[str, int]] = {}
    for option, row in scores.items():
        named = OptionName(option, defaults=False)
        if not isinstance(row, Mapping):
            raise ScoringError("checklist.decisions.scores_invalid", {"option": named}, option=option)
        for criterion in row:
            if criterion not in criteria:
                raise ScoringError(
                    "checklist.decisions.score_unknown_criterion",
                    {"option": named, "criterion": criterion},
                    option=option,
                    criterion=criterion,
                )
        checked_row: dict[str, int] = {}
        for criterion in criteria:
            where = {"option": named, "criterion": CriterionName(criterion)}
            if criterion not in row:
                raise ScoringError(
                    "checklist.decisions.score_missing", where, option=option, criterion=criterion
                )
            score = row[criterion]
            if isinstance(score, bool) or not isinstance(score, int):
                raise ScoringError(
                    "checklist.decisions.score_not_integer",
                    {**where, "value": repr(score)},
                    option=option,
                    criterion=criterion,
                )
            if not MIN_SCORE <= score <= MAX_SCORE:
                raise ScoringError(
                    "checklist.decisions.score_out_of_range",
                    {**where, "score": score, "min": MIN_SCORE, "max": MAX_SCORE},
                    option=option,
                    criterion=criterion,
                )
            checked_row[criterion] = score
        checked[option] = checked_row
    return checked


def matrix_score(
    criteria_weights: Mapping[str, Decimal | int], scores: Mapping[str, Mapping[str, int]]
) -> MatrixResult:
    """Weighted totals, normalised scores, ranking and recommendation.

    The criteria are the keys of ``criteria_weights`` (in that order); every option in ``scores`` must
    be scored 1-5 (int) on each of them and on nothing else. Weights are Decimal or int, >= 0, not all
    zero. A tie for first place gives ``recommendation=None`` and lists the tied options in ``tied``.
    Raises ScoringError.
    """
    weights = _validate_weights(criteria_weights)
    criteria = tuple(weights)
    checked = _validate_scores(criteria, scores)
    total_weight = sum(weights.values(), Decimal(0))

    totals: dict[str, Decimal] = {}
    with localcontext() as ctx:
        ctx.prec = 50
        for option, row in checked.items():
            totals[option] = sum((weights[c] * row[c] for c in criteria), Decimal(0))

    order = sorted(totals, key=lambda option: -totals[option])  # stable: ties keep the input order
    ranked: list[OptionResult] = []
    for position, option in enumerate(order):
        rank = position + 1
        if position and totals[option] == totals[order[position - 1]]:
            rank = ranked[-1].rank
        ranked.append(OptionResult(option, totals[option], _normalise(totals[option], total_weight), rank))

    top = [option.key for option in ranked if option.rank == 1]
    return MatrixResult(
        criteria=criteria,
        weights=MappingProxyType(weights),
        scores=MappingProxyType({option: MappingProxyType(row) for option, row in checked.items()}),
        options=tuple(ranked),
        total_weight=total_weight,
        recommendation=top[0] if len(top) == 1 else None,
        tied=tuple(top) if len(top) > 1 else (),
        margin=ranked[0].weighted_total - ranked[1].weighted_total if len(ranked) > 1 else None,
    )
