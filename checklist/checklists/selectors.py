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
    """What the product's own state says about one item, beside the person's manual status."""

    rule: str | None
    description_ja: str = ""
    description_en: str = ""
    provable: bool = False
    verified: bool | None = None
    evidence_ja: str = ""
    evidence_en: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    not_applicable: bool = False
    contradiction: bool = False
    message_ja: str = ""
    message_en: str = ""


def item_verification(item: ChecklistItem, outcomes: Outcomes) -> Verification:
    if not item.rule:
        return Verification(
            rule=None,
            message_ja="この項目は製品の状態から確認できないため、手動で更新します。",
            message_en="The product holds no state that proves this item; it is ticked by hand.",
        )
    rule = catalog.RULES.get(item.rule)
    description = (rule.description_ja, rule.description_en) if rule else ("", "")
    outcome = outcomes.get(item.rule)
    if outcome is None or not rule_is_provable(item.rule):
        return Verification(
            rule=item.rule,
            description_ja=description[0],
            description_en=description[1],
            message_ja="この項目を確認する機能はまだ提供されていません。提供後に自動で確認されます。",
            message_en="The capability that proves this item is not built yet; it will be verified "
            "automatically once it is.",
        )
    contradiction = (
        item.status == ChecklistItem.Status.DONE and not outcome.verified and not outcome.not_applicable
    )
    if contradiction:
        message = (
            f"手動で「完了」にされていますが、製品の状態はこれを裏付けていません: {outcome.evidence_ja}",
            f"Marked done by hand, but the product's evidence does not confirm it: {outcome.evidence_en}",
        )
    elif outcome.verified:
        message = ("製品の状態により確認済みです。", "Verified from the product's own state.")
    elif outcome.not_applicable:
        message = ("このワークスペースには該当しません。", "This does not apply to this workspace.")
    else:
        message = ("製品の状態ではまだ確認できません。", "The product's state does not prove it yet.")
    return Verification(
        rule=item.rule,
        description_ja=description[0],
        description_en=description[1],
        provable=True,
        verified=outcome.verified,
        evidence_ja=outcome.evidence_ja,
        evidence_en=outcome.evidence_en,
        facts=outcome.facts,
        not_applicable=outcome.not_applicable,
        contradiction=contradiction,
        message_ja=message[0],
        message_en=message[1],
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
