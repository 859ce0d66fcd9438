"""Read paths of checklists: visible templates, verification of items by their rules, progress and history.

Rules are evaluated once per read for every item at hand (``checklist_outcomes``), never stored: an item
flips back the moment the state its rule reads changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from checklist.checklists import catalog
from checklist.checklists.models import Checklist, ChecklistItem, ChecklistTemplate
from checklist.checklists.verification import RuleOutcome, rule_is_provable, rules_evaluate
from core.messages import Message
from tenants.models import AuditEvent, Workspace

Outcomes = Mapping[str, RuleOutcome | None]


def checklist_template_list(*, workspace: Workspace) -> QuerySet[ChecklistTemplate]:
    """Templates a workspace may see and adopt: the global ones and its firm's (never another firm's)."""
    return ChecklistTemplate.objects.visible_to_firms([workspace.firm_id]).order_by(
        "firm_id", "key", "version"
    )


def checklist_outcomes(
    *, workspace: Workspace, items: Iterable[ChecklistItem], as_of: dt.date | None = None
) -> dict[str, RuleOutcome | None]:
    """One evaluation of every rule the items name (one ``rules_evaluate`` call for the whole read)."""
    keys = sorted({item.rule for item in items if item.rule})
    if not keys:
        return {}
    return rules_evaluate(keys, workspace=workspace, as_of=as_of)


@dataclass(frozen=True)
class Verification:
    """What the product's own state says about one item, beside the person's manual status.

    ``message`` says what that means for the item; ``evidence`` is the rule's own finding (None when the rule
    cannot be evaluated); ``spec`` is the rule of the catalogue (its description), None for manual items.
    """

    rule: str | None
    message: Message
    spec: catalog.Rule | None = None
    provable: bool = False
    verified: bool | None = None
    evidence: Message | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    not_applicable: bool = False
    contradiction: bool = False


def _verification_message(name: str, **params: Any) -> Message:
    return Message(f"checklist.checklists.verification.{name}", params)


def item_verification(item: ChecklistItem, outcomes: Outcomes) -> Verification:
    if not item.rule:
        return Verification(rule=None, message=_verification_message("manual"))
    spec = catalog.RULES.get(item.rule)
    outcome = outcomes.get(item.rule)
    if outcome is None or not rule_is_provable(item.rule):
        return Verification(rule=item.rule, spec=spec, message=_verification_message("not_built"))
    contradiction = (
        item.status == ChecklistItem.Status.DONE and not outcome.verified and not outcome.not_applicable
    )
    if contradiction:
        message = _verification_message("contradicted", evidence=outcome.evidence)
    elif outcome.verified:
        message = _verification_message("verified")
    elif outcome.not_applicable:
        message = _verification_message("not_applicable")
    else:
        message = _verification_message("not_proven")
    return Verification(
        rule=item.rule,
        spec=spec,
        message=message,
        provable=True,
        verified=outcome.verified,
        evidence=outcome.evidence,
        facts=outcome.facts,
        not_applicable=outcome.not_applicable,
        contradiction=contradiction,
    )


def item_effective_status(item: ChecklistItem, outcomes: Outcomes) -> catalog.ItemStatus:
    """The status progress counts.

    * marked not applicable by a person -> not applicable (excluded from the denominator);
    * done when marked done by a person OR verified by its rule: the product's proof counts even if nobody
      ticked the box (and a manual done still counts; a contradicted one is flagged, not undone);
    * a rule that says it does not apply to this workspace -> not applicable;
    * otherwise the manual status.
    The stored manual status is never changed by this.
    """
    status = catalog.ItemStatus(item.status)
    if status is catalog.ItemStatus.NOT_APPLICABLE or status is catalog.ItemStatus.DONE:
        return status
    outcome = outcomes.get(item.rule) if item.rule else None
    if outcome is not None and outcome.verified:
        return catalog.ItemStatus.DONE
    if outcome is not None and outcome.not_applicable:
        return catalog.ItemStatus.NOT_APPLICABLE
    return status


def checklist_progress(items: Iterable[ChecklistItem], outcomes: Outcomes) -> catalog.ProgressResult:
    return catalog.progress_from_axes((item.axis, item_effective_status(item, outcomes)) for item in items)


@dataclass(frozen=True)
class ChecklistSummary:
    progress: catalog.ProgressResult
    verified: int
    contradictions: int


def checklist_summary(items: list[ChecklistItem], outcomes: Outcomes) -> ChecklistSummary:
    verifications = [item_verification(item, outcomes) for item in items]
    return ChecklistSummary(
        progress=checklist_progress(items, outcomes),
        verified=sum(1 for v in verifications if v.verified),
        contradictions=sum(1 for v in verifications if v.contradiction),
    )


def checklist_items_by_checklist(checklists: Iterable[Checklist]) -> dict[Any, list[ChecklistItem]]:
    ids = [c.id for c in checklists]
    grouped: dict[Any, list[ChecklistItem]] = {cid: [] for cid in ids}
    for item in ChecklistItem.objects.filter(checklist_id__in=ids).order_by("order"):
        grouped[item.checklist_id].append(item)
    return grouped


def checklist_item_history(*, item: ChecklistItem) -> QuerySet[AuditEvent]:
    """The item's audit events, oldest first (read from the workspace's audit trail)."""
    return AuditEvent.objects.filter(target_type="checklist_item", target_id=str(item.id)).order_by(
        "created_at", "id"
    )
