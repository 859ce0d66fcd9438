"""Self-verifying checklist items: one evaluator per rule key of ``checklist.checklists.catalog.RULES``.

An evaluator reads the workspace's own state and says whether it proves the rule, with evidence a person
can read: a :class:`~core.messages.Message` (a code of the catalogue and its parameters), rendered in the
reader's language at the edge. Outcomes are computed when asked (on every read), never stored, so an item
flips back the moment the state it reads changes. Evaluators register with :func:`rule_evaluator`; the modules
that hold them (``checklist.checklists.rules``, ``checklist.decisions.rules``, ``checklist.reviews.rules``) are
imported by ``ChecklistConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from checklist.checklists.catalog import RULES
from core.messages import Message
from tenants.clock import workspace_today
from tenants.models import Workspace

T = TypeVar("T")


@dataclass(frozen=True)
class RuleOutcome:
    """What the product's state says about one rule.

    ``verified`` is True when the state proves the rule. ``not_applicable`` is for rules that do not apply
    to this workspace (a full-scratch requirement when a package was chosen). ``facts`` are machine-readable
    details (counts, keys) shown with the evidence.
    """

    verified: bool
    evidence: Message
    facts: Mapping[str, Any] = field(default_factory=dict)
    not_applicable: bool = False


class RuleContext:
    """The workspace (already in tenant context) and a memo so evaluators share expensive reads."""

    def __init__(self, workspace: Workspace, as_of: dt.date) -> None:
        self.workspace = workspace
        self.as_of = as_of
        self._memo: dict[str, Any] = {}

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    @property
    def plan(self) -> Any:
        """The plan the checklist speaks about (``kpi.selectors.plan_current``), or None."""
        from kpi.selectors import plan_current

        return self.memo("plan", lambda: plan_current(workspace=self.workspace, as_of=self.as_of))


Evaluator = Callable[[RuleContext], RuleOutcome]
_EVALUATORS: dict[str, Evaluator] = {}


def rule_evaluator(key: str) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of one rule. A key outside the catalogue, or registered twice, is a bug."""
    if key not in RULES:
        raise KeyError(f"{key!r} is not a rule of checklist.checklists.catalog.RULES")

    def register(func: Evaluator) -> Evaluator:
        if key in _EVALUATORS:
            raise KeyError(f"rule {key!r} already has an evaluator")
        _EVALUATORS[key] = func
        return func

    return register


def rule_is_provable(key: str) -> bool:
    return key in _EVALUATORS


def rules_evaluate(
    keys: Iterable[str], *, workspace: Workspace, as_of: dt.date | None = None
) -> dict[str, RuleOutcome | None]:
    """Outcome per rule key; None where no evaluator exists yet (the capability is not built).

    Must run inside ``workspace_context(workspace.id)``.
    """
    context = RuleContext(workspace, as_of or workspace_today(workspace))
    outcomes: dict[str, RuleOutcome | None] = {}
    for key in dict.fromkeys(keys):
        evaluator = _EVALUATORS.get(key)
        outcomes[key] = evaluator(context) if evaluator else None
    return outcomes
