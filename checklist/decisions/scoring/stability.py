"""Stability: the smallest single-weight change that overturns the matrix's recommendation.

Pure Python (no Django), exact arithmetic (Fraction for flip points). The sentence that states it is a
:class:`~core.messages.Message`; the edge renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from checklist.decisions.scoring.matrix import MatrixResult, matrix_score
from checklist.decisions.scoring.params import CriterionName, Listing, Number, OptionName
from core.messages import Message

__all__ = [
    "Direction",
    "StabilityResult",
    "StabilityStatus",
    "WeightFlip",
    "stability",
    "stability_sentence",
]


class StabilityStatus(StrEnum):
    FLIPPABLE = "flippable"  # some single-weight change overturns the recommendation
    STABLE = "stable"  # no single-weight change (weights staying >= 0) can overturn it
    TIED = "tied"  # there is no single recommendation to begin with
    SINGLE_OPTION = "single_option"  # nothing to compare against


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


@dataclass(frozen=True)
class WeightFlip:
    """Changing ``criterion``'s weight by ``delta`` (exact) makes ``challengers`` draw level with the leader.

    Convention: reaching a tie counts as a flip, because the matrix then no longer gives a single
    recommendation; any further change in the same direction (where the weight may still move) puts the
    challenger ahead. ``challengers`` lists every option that draws level at that point (usually one).
    """

    criterion: str
    direction: Direction
    current_weight: Decimal
    delta: Fraction  # signed: > 0 for an increase, < 0 for a decrease
    new_weight: Fraction
    challengers: tuple[str, ...]

    @property
    def magnitude(self) -> Fraction:
        return abs(self.delta)


@dataclass(frozen=True)
class StabilityResult:
    status: StabilityStatus
    leader: str | None
    runner_up: str | None  # the first option after the leader in the ranking
    margin: Decimal | None  # first minus second weighted total
    margin_normalised: Decimal | None  # the same on the 0-100 scale
    flip: WeightFlip | None  # the smallest flip, None unless FLIPPABLE
    flips: tuple[WeightFlip, ...]  # the smallest flip per (criterion, direction), smallest first

    @property
    def is_stable(self) -> bool:
        return self.status is StabilityStatus.STABLE


def _flips(result: MatrixResult) -> list[WeightFlip]:
    leader = result.recommendation
    assert leader is not None
    weights = {c: Fraction(w) for c, w in result.weights.items()}
    total_weight = sum(weights.values(), Fraction(0))
    totals = {o.key: Fraction(o.weighted_total) for o in result.options}
    best: dict[tuple[str, Direction], tuple[Fraction, list[str]]] = {}
    for criterion in result.criteria:
        leader_score = result.scores[leader][criterion]
        for option in result.ranking:
            if option == leader:
                continue
            slope = leader_score - result.scores[option][criterion]  # d(total difference)/d(weight)
            if slope == 0:
                continue
            difference = totals[leader] - totals[option]  # > 0: the leader is strictly ahead
            delta = -difference / slope
            new_weight = weights[criterion] + delta
            if new_weight < 0 or total_weight + delta <= 0:
                continue  # weights must stay >= 0 and not all zero
            direction = Direction.INCREASE if delta > 0 else Direction.DECREASE
            current = best.get((criterion, direction))
            if current is None or abs(delta) < abs(current[0]):
                best[(criterion, direction)] = (delta, [option])
            elif delta == current[0]:
                current[1].append(option)
    flips = [
        WeightFlip(
            criterion=criterion,
            direction=direction,
            current_weight=result.weights[criterion],
            delta=delta,
            new_weight=weights[criterion] + delta,
            challengers=tuple(challengers),
        )
        for (criterion, direction), (delta, challengers) in best.items()
    ]
    criterion_order = {c: i for i, c in enumerate(result.criteria)}
    flips.sort(key=lambda f: (f.magnitude, criterion_order[f.criterion], f.direction != Direction.INCREASE))
    return flips


def stability(
    weights: Mapping[str, Decimal | int], scores: Mapping[str, Mapping[str, int]]
) -> StabilityResult:
    """How far one criterion's weight must move (up or down, staying >= 0) to overturn the recommendation.

    For leader A and challenger B the total difference is D = sum_c w_c (s_Ac - s_Bc) > 0. Moving w_c by
    delta moves D by delta x (s_Ac - s_Bc), so A and B draw level at delta = -D / (s_Ac - s_Bc): a
    decrease when A outscores B on c (allowed only while the new weight stays >= 0), an increase when B
    outscores A. The minimum |delta| over every criterion and challenger is reported, exactly (Fraction).
    At that smallest delta no other option has overtaken the leader yet (each difference is linear in
    delta and still >= 0), so the named challengers are the ones that take over. A tie at the flip point
    counts as a flip (see WeightFlip). Raises ScoringError on invalid input.
    """
    result = matrix_score(weights, scores)

    def outcome(status: StabilityStatus, flips: tuple[WeightFlip, ...] = ()) -> StabilityResult:
        return StabilityResult(
            status=status,
            leader=result.recommendation,
            runner_up=result.ranking[1] if len(result.options) > 1 else None,
            margin=result.margin,
            margin_normalised=result.margin_normalised,
            flip=flips[0] if flips else None,
            flips=flips,
        )

    if len(result.options) == 1:
        return outcome(StabilityStatus.SINGLE_OPTION)
    if result.recommendation is None:
        return outcome(StabilityStatus.TIED)
    flips = tuple(_flips(result))
    return outcome(StabilityStatus.FLIPPABLE, flips) if flips else outcome(StabilityStatus.STABLE)


def stability_sentence(result: StabilityResult, names: Mapping[str, str] | None = None) -> Message:
    """What the stability result means, in one sentence; options are shown by ``names`` (then the default
    options' names, then their keys)."""
    if result.status is StabilityStatus.FLIPPABLE:
        flip = result.flip
        assert flip is not None
        return Message(
            f"checklist.decisions.stability.flip_{flip.direction.value}",
            {
                "criterion": CriterionName(flip.criterion),
                "change": Number(flip.magnitude),
                "current": Number(flip.current_weight),
                "new": Number(flip.new_weight),
                "challengers": Listing(tuple(OptionName(o, names) for o in flip.challengers), quoted=True),
            },
        )
    return Message(f"checklist.decisions.stability.{result.status.value}")
