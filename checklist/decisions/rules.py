"""Rule evaluators over the decision matrix (checklist items A11-A13).

* ``decision_matrix_scored`` (A11): some matrix (not archived) has at least two options, every option scored
  on every criterion, and all six "package falls short" signals answered -- that answer sheet is the list of
  needs a package cannot cover.
* ``decision_recorded`` (A12): a final decision is recorded with who, when and why.
* ``scratch_requirements_when_needed`` (A13): when the latest decision chose a full-scratch or hybrid option,
  its requirements and development plan are recorded; not applicable when a package alone was chosen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from checklist.decisions import scoring
from checklist.decisions.models import DecisionMatrix
from checklist.decisions.scoring.params import Listing
from checklist.decisions.selectors import matrix_evaluate, matrix_latest_decided, matrix_list
from core.messages import Message

MIN_OPTIONS = 2


@dataclass(frozen=True)
class _Moment:
    """When a decision was recorded: shown in the workspace's time zone to the minute, answered in ISO."""

    value: dt.datetime

    def display(self) -> str:
        return timezone.localtime(self.value).strftime("%Y-%m-%d %H:%M")

    def to_json(self) -> Any:
        return self.value.isoformat()


def _outcome(
    verified: bool, evidence: Message, facts: Mapping[str, Any] | None = None, *, not_applicable: bool = False
) -> RuleOutcome:
    """The one place this module builds a RuleOutcome: the evidence is a message (a code and parameters)."""
    return RuleOutcome(verified, evidence, dict(facts or {}), not_applicable=not_applicable)


def _matrices(context: RuleContext) -> list[DecisionMatrix]:
    return context.memo("decision_matrices", lambda: list(matrix_list(include_archived=False)))


@rule_evaluator("decision_matrix_scored")
def decision_matrix_scored(context: RuleContext) -> RuleOutcome:
    matrices = _matrices(context)
    if not matrices:
        return _outcome(False, Message("checklist.decisions.rule.no_matrix"), {"matrices": 0})
    evaluations = [matrix_evaluate(m) for m in matrices]  # newest first
    for evaluation in evaluations:
        if evaluation.complete:
            matrix = evaluation.matrix
            n = len(evaluation.inputs.options)
            yes = evaluation.signals.yes_count
            return _outcome(
                True,
                Message(
                    "checklist.decisions.rule.matrix_scored",
                    {"matrix": matrix.name, "options": n, "criteria": len(scoring.CRITERIA), "yes": yes},
                ),
                {"matrix": str(matrix.id), "options": n, "signals_yes": yes},
            )
    latest = evaluations[0]
    matrix, n = latest.matrix, len(latest.inputs.options)
    gaps: list[Message] = []
    if n < MIN_OPTIONS:
        gaps.append(Message("checklist.decisions.rule.gap_options", {"options": n}))
    if latest.missing:
        options = len({o.id for o, _ in latest.missing})
        gaps.append(
            Message(
                "checklist.decisions.rule.gap_scores", {"missing": len(latest.missing), "options": options}
            )
        )
    elif latest.error is not None and n:
        gaps.append(latest.error.message)
    if latest.signals.unanswered:
        gaps.append(
            Message("checklist.decisions.rule.gap_signals", {"count": len(latest.signals.unanswered)})
        )
    return _outcome(
        False,
        Message(
            "checklist.decisions.rule.matrix_incomplete",
            {"matrix": matrix.name, "gaps": Listing(tuple(gaps), join="checklist.decisions.join.semicolon")},
        ),
        {
            "matrix": str(matrix.id),
            "options": n,
            "missing_scores": len(latest.missing),
            "unanswered_signals": len(latest.signals.unanswered),
        },
    )


@rule_evaluator("decision_recorded")
def decision_recorded(context: RuleContext) -> RuleOutcome:
    matrix = context.memo("decision_latest", matrix_latest_decided)
    if matrix is None or matrix.decided_option is None or not matrix.decision_reason.strip():
        return _outcome(False, Message("checklist.decisions.rule.no_decision"))
    option = matrix.decided_option
    assert matrix.decided_at is not None
    return _outcome(
        True,
        Message(
            "checklist.decisions.rule.decision_recorded",
            {
                "matrix": matrix.name,
                "option": option.name,
                "decided_by": matrix.decided_by_label,
                "decided_at": _Moment(matrix.decided_at),
                "reason": matrix.decision_reason,
            },
        ),
        {
            "matrix": str(matrix.id),
            "option": str(option.id),
            "kind": option.kind,
            "decided_by": matrix.decided_by_label,
            "decided_at": matrix.decided_at.isoformat() if matrix.decided_at else None,
        },
    )


@rule_evaluator("scratch_requirements_when_needed")
def scratch_requirements_when_needed(context: RuleContext) -> RuleOutcome:
    matrix = context.memo("decision_latest", matrix_latest_decided)
    if matrix is None or matrix.decided_option is None:
        return _outcome(False, Message("checklist.decisions.rule.requirements_undecided"))
    option = matrix.decided_option
    facts = {"matrix": str(matrix.id), "option": str(option.id), "kind": option.kind}
    named = {"option": option.name}
    if option.kind == scoring.OptionKind.PACKAGE:
        return _outcome(
            False, Message("checklist.decisions.rule.package_chosen", named), facts, not_applicable=True
        )
    has_requirements = bool(matrix.requirements.strip())
    has_plan = bool(matrix.development_plan.strip())
    facts |= {"requirements": has_requirements, "development_plan": has_plan}
    if has_requirements and has_plan:
        return _outcome(True, Message("checklist.decisions.rule.requirements_recorded", named), facts)
    if not has_requirements and not has_plan:
        code = "checklist.decisions.rule.requirements_missing_both"
    elif not has_requirements:
        code = "checklist.decisions.rule.requirements_missing"
    else:
        code = "checklist.decisions.rule.plan_missing"
    return _outcome(False, Message(code, named), facts)
