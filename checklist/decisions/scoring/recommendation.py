"""The final recommendation: the matrix's leader read together with the signals.

Pure Python (no Django). The explanation is a :class:`~core.messages.Message`; the edge renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from checklist.decisions.criteria import DEFAULT_OPTIONS, KIND_ORDER, OptionKind
from checklist.decisions.scoring.errors import ScoringError
from checklist.decisions.scoring.matrix import MatrixResult
from checklist.decisions.scoring.params import KindName, Listing, OptionName, sentences
from checklist.decisions.scoring.signals import SIGNALS, SignalsResult
from checklist.decisions.scoring.stability import StabilityResult, StabilityStatus, stability_sentence
from core.messages import Message

__all__ = ["Agreement", "FinalRecommendation", "final_recommendation"]


class Agreement(StrEnum):
    CONSISTENT = "consistent"  # the matrix's option is of the kind the signals point to
    CONSIDER_ALTERNATIVE = "consider_alternative"  # adjacent kinds (package/hybrid, hybrid/scratch)
    CONFLICT = "conflict"  # package against scratch: review the weights before deciding
    TIE = "tie"  # the matrix gives no single recommendation


@dataclass(frozen=True)
class FinalRecommendation:
    """``option`` is the recommended option, or None on a tie or a conflict (the consultant reviews)."""

    option: str | None
    agreement: Agreement
    matrix_option: str | None
    matrix_kind: OptionKind | None
    signals_implication: OptionKind
    explanation: Message


def _kinds(option_kinds: Mapping[str, OptionKind | str] | None) -> dict[str, OptionKind]:
    kinds = {o.key: o.kind for o in DEFAULT_OPTIONS}
    for key, kind in (option_kinds or {}).items():
        try:
            kinds[key] = OptionKind(kind)
        except ValueError:
            raise ScoringError(
                "checklist.decisions.option_kind_invalid",
                {"option": OptionName(key, defaults=False), "kind": str(kind)},
                option=key,
            ) from None
    return kinds


def _kind_of(option: str, kinds: Mapping[str, OptionKind]) -> OptionKind:
    if option not in kinds:
        raise ScoringError(
            "checklist.decisions.option_kind_missing",
            {"option": OptionName(option, defaults=False)},
            option=option,
        )
    return kinds[option]


def final_recommendation(
    matrix: MatrixResult,
    signals: SignalsResult,
    option_kinds: Mapping[str, OptionKind | str] | None = None,
    *,
    stability_result: StabilityResult | None = None,
    option_names: Mapping[str, str] | None = None,
) -> FinalRecommendation:
    """Combine the matrix with the signals into the recommendation and a message saying why.

    Each option has a kind (package, hybrid, scratch); the default options' kinds are known and
    ``option_kinds`` adds or overrides others. Reading:

    * the matrix's option is of the kind the signals point to -> CONSISTENT, recommend it;
    * adjacent kinds (package vs hybrid, hybrid vs scratch) -> CONSIDER_ALTERNATIVE: recommend the
      matrix's option and name the alternative worth considering;
    * package vs scratch (e.g. the matrix picks a package while 4+ signals are yes) -> CONFLICT: no
      recommendation, the consultant should review the weights and scores;
    * a tie at the top of the matrix -> TIE: no recommendation; the explanation says which tied options
      are of the kind the signals point to.

    With ``stability_result`` the explanation also states the smallest weight change that overturns it.
    ``option_names`` shows options by name (then the default options' names, then their keys).
    """
    kinds = _kinds(option_kinds)
    implication = signals.implication
    leader = matrix.recommendation
    kind = _kind_of(leader, kinds) if leader is not None else None

    def names(options: tuple[str, ...] | list[str]) -> Listing:
        return Listing(tuple(OptionName(o, option_names) for o in options), quoted=True)

    reading = {"yes": signals.yes_count, "total": len(SIGNALS), "implication": KindName(implication)}
    parts: list[Message]
    option: str | None
    if leader is None or kind is None:
        agreement, option = Agreement.TIE, None
        parts = [Message("checklist.decisions.final.tie", {"tied": names(matrix.tied), **reading})]
        matching = [o for o in matrix.tied if kinds.get(o) is implication]
        if matching:
            many = "many" if len(matching) > 1 else "one"
            parts.append(
                Message(f"checklist.decisions.final.tie_matching_{many}", {"options": names(matching)})
            )
        parts.append(Message("checklist.decisions.final.consultant_decides"))
    else:
        said = {"option": OptionName(leader, option_names), "kind": KindName(kind, short=True), **reading}
        distance = abs(KIND_ORDER[kind] - KIND_ORDER[implication])
        if distance == 0:
            agreement, option, code = Agreement.CONSISTENT, leader, "consistent"
        elif distance == 1:
            agreement, option = Agreement.CONSIDER_ALTERNATIVE, leader
            code = "consider_heavier" if KIND_ORDER[implication] > KIND_ORDER[kind] else "consider_lighter"
        else:
            agreement, option, code = Agreement.CONFLICT, None, "conflict"
        parts = [Message(f"checklist.decisions.final.{code}", said)]
    if signals.unanswered:
        parts.append(Message("checklist.decisions.final.unanswered", {"count": len(signals.unanswered)}))
    if stability_result is not None and stability_result.status in (
        StabilityStatus.FLIPPABLE,
        StabilityStatus.STABLE,
    ):
        parts.append(stability_sentence(stability_result, option_names))
    return FinalRecommendation(
        option=option,
        agreement=agreement,
        matrix_option=leader,
        matrix_kind=kind,
        signals_implication=implication,
        explanation=sentences(*parts),
    )
