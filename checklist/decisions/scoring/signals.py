"""The six "package falls short" signals (seed 000) as yes/no questions, and the heuristic that reads them.

Pure Python (no Django). The questions and the reading are :class:`~core.messages.Message`s; the edge
renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from checklist.decisions.criteria import OptionKind
from checklist.decisions.scoring.errors import ScoringError
from checklist.decisions.scoring.params import sentences
from core.messages import Message

__all__ = ["HYBRID_FROM", "SCRATCH_FROM", "SIGNALS", "Signal", "SignalsResult", "signals_assess"]


@dataclass(frozen=True)
class Signal:
    key: str

    @property
    def question(self) -> Message:
        return Message(f"checklist.decisions.signal.{self.key}")


SIGNALS: tuple[Signal, ...] = (
    Signal("multi_source_kpi"),
    Signal("custom_dashboard"),
    Signal("realtime_speed"),
    Signal("business_specific_kpis"),
    Signal("advanced_analysis"),
    Signal("long_term_cost_extensibility"),
)

_SIGNALS_BY_KEY: Mapping[str, Signal] = MappingProxyType({s.key: s for s in SIGNALS})

# The product's heuristic for reading the signals (not from the seeds, which only list them):
# 0-1 yes -> a package will do; 2-3 yes -> a hybrid (package + custom dashboard) is worth considering;
# 4-6 yes -> a full-scratch build is likely needed. One yes alone is usually met by a package's
# extension points; from four, most of what a package offers is being worked around.
HYBRID_FROM = 2
SCRATCH_FROM = 4


@dataclass(frozen=True)
class SignalsResult:
    yes: tuple[str, ...]
    no: tuple[str, ...]
    unanswered: tuple[str, ...]
    implication: OptionKind

    @property
    def yes_count(self) -> int:
        return len(self.yes)

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def summary(self) -> Message:
        """The reading: how many signals are yes, what that points to, and whether it may still change."""
        reading = Message(
            f"checklist.decisions.signals.reading.{self.implication.value}",
            {"yes": self.yes_count, "total": len(SIGNALS)},
        )
        if not self.unanswered:
            return reading
        return sentences(
            reading, Message("checklist.decisions.signals.unanswered", {"count": len(self.unanswered)})
        )


def signals_assess(answers: Mapping[str, bool]) -> SignalsResult:
    """Count the yes answers and read them with the thresholds above. Missing keys are unanswered."""
    for key, value in answers.items():
        if key not in _SIGNALS_BY_KEY:
            raise ScoringError("checklist.decisions.signal_unknown", {"signal": key})
        if not isinstance(value, bool):
            raise ScoringError("checklist.decisions.signal_not_bool", {"signal": key, "value": repr(value)})
    yes = tuple(s.key for s in SIGNALS if answers.get(s.key) is True)
    no = tuple(s.key for s in SIGNALS if answers.get(s.key) is False)
    unanswered = tuple(s.key for s in SIGNALS if s.key not in answers)
    if len(yes) >= SCRATCH_FROM:
        implication = OptionKind.SCRATCH
    elif len(yes) >= HYBRID_FROM:
        implication = OptionKind.HYBRID
    else:
        implication = OptionKind.PACKAGE
    return SignalsResult(yes=yes, no=no, unanswered=unanswered, implication=implication)
