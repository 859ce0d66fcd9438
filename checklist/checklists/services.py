"""Write paths of checklists: the global catalogue, firm templates and their versions, adoption, item updates.

Every change of a workspace's checklist writes an audit event (the item's history). Templates are control-plane
rows and immutable once written: a change is a new version, and adopting copies the items, so nothing a
workspace adopted is ever rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max

from checklist.checklists import catalog
from checklist.checklists.models import Checklist, ChecklistItem, ChecklistTemplate, ChecklistTemplateItem
from core.changes import fields_apply
from core.errors import ConflictError, ServiceError
from tenants.context import require_workspace_id
from tenants.models import Firm, Workspace
from tenants.services import Actor, audit_event_record

MAX_TEMPLATE_ITEMS = 100
MAX_EVIDENCE_LINKS = 20
MAX_LINK_LENGTH = 500
ITEM_UPDATE_FIELDS = (
    "status",
    "not_applicable_reason",
    "owner",
    "due_date",
    "evidence_note",
    "evidence_links",
)
_http_url = URLValidator(schemes=["http", "https"])


def _error(name: str, *, conflict: bool = False, field: str | None = None, **params: Any) -> ServiceError:
    """A refusal of ``checklist.checklists.messages`` (``checklist.checklists.<name>``)."""
    error = ConflictError if conflict else ServiceError
    return error(f"checklist.checklists.{name}", params=params, field=field)


# --- Templates ---------------------------------------------------------------------------------


def checklist_template_catalogue_install() -> list[ChecklistTemplate]:
    """Store the global templates of ``checklist.checklists.catalog`` at its version, once (idempotent, race-safe).

    A new ``CATALOG_VERSION`` adds new rows beside the old ones; rows already written are never changed.
    """
    installed = list(
        ChecklistTemplate.objects.filter(
            firm__isnull=True, key__in=list(catalog.TEMPLATES), version=catalog.CATALOG_VERSION
        )
    )
    if len(installed) == len(catalog.TEMPLATES):
        return sorted(installed, key=lambda t: t.key)
    result = []
    for spec in catalog.TEMPLATES.values():
        try:
            with transaction.atomic():
                template, created = ChecklistTemplate.objects.get_or_create(
                    firm=None,
                    key=spec.key,
                    version=spec.version,
                    defaults={"name_ja": spec.name_ja, "name_en": spec.name_en, "source": spec.source},
                )
                if created:
                    ChecklistTemplateItem.objects.bulk_create(
                        ChecklistTemplateItem(
                            template=template,
                            key=item.key,
                            axis=item.axis.value,
                            text_ja=item.text_ja,
                            text_en=item.text_en,
                            rule=item.rule or "",
                            order=item.order,
                        )
                        for item in spec.items
                    )
        except IntegrityError:  # another transaction installed it at the same moment
            template = ChecklistTemplate.objects.get(firm=None, key=spec.key, version=spec.version)
        result.append(template)
    return sorted(result, key=lambda t: t.key)


def _items_validate(items: Sequence[dict[str, Any]]) -> None:
    if not items:
        raise _error("items_required", field="items")
    if len(items) > MAX_TEMPLATE_ITEMS:
        raise _error("too_many_items", field="items", max=MAX_TEMPLATE_ITEMS)
    keys = [item["key"] for item in items]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise _error("duplicate_item_keys", field="items", keys=duplicates)
    for item in items:
        if item.get("axis") not in {axis.value for axis in catalog.Axis}:
            raise _error("invalid_axis", field="items")
        rule = item.get("rule") or ""
        if rule and rule not in catalog.RULES:
            raise _error("unknown_rule", field="items", rule=rule)


def _template_write(
    *, firm: Firm, key: str, version: int, name_ja: str, name_en: str, items: Sequence[dict[str, Any]]
) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(
        firm=firm, key=key, version=version, name_ja=name_ja, name_en=name_en, source=firm.name[:100]
    )
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(
            template=template,
            key=item["key"],
            axis=item["axis"],
            text_ja=item["text_ja"],
            text_en=item.get("text_en", ""),
            rule=item.get("rule") or "",
            order=position,
        )
        for position, item in enumerate(items, start=1)
    )
    return template


def _firm_locked(firm_id: Any) -> Firm:
    """Template versions are numbered per firm: serialise writers on the firm row."""
    return Firm.objects.select_for_update().get(id=firm_id)


@transaction.atomic
def checklist_template_create(
    *,
    actor: Actor,
    workspace: Workspace,
    key: str,
    name_ja: str,
    name_en: str = "",
    items: Sequence[dict[str, Any]],
) -> ChecklistTemplate:
    """A firm's own template (version 1), visible to every workspace of the workspace's firm."""
    firm = _firm_locked(workspace.firm_id)
    if key in catalog.TEMPLATES:
        raise _error("template_key_reserved", conflict=True, field="key")
    if ChecklistTemplate.objects.filter(firm=firm, key=key).exists():
        raise _error("template_key_taken", conflict=True, field="key")
    _items_validate(items)
    template = _template_write(firm=firm, key=key, version=1, name_ja=name_ja, name_en=name_en, items=items)
    audit_event_record(
        actor=actor,
        action="checklist.template_created",
        target_type="checklist_template",
        target_id=template.id,
        changes={"key": key, "version": 1, "items": [item["key"] for item in items]},
    )
    return template


@transaction.atomic
def checklist_template_version_publish(
    *,
    actor: Actor,
    template: ChecklistTemplate,
    items: Sequence[dict[str, Any]],
    name_ja: str | None = None,
    name_en: str | None = None,
) -> ChecklistTemplate:
    """A new version of a firm template. Earlier versions, and every checklist adopted from them, stay as they are."""
    if template.firm_id is None:
        raise _error("template_global")
    firm = _firm_locked(template.firm_id)
    _items_validate(items)
    latest = ChecklistTemplate.objects.filter(firm=firm, key=template.key).order_by("-version").first()
    assert latest is not None
    version = (
        ChecklistTemplate.objects.filter(firm=firm, key=template.key).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    new = _template_write(
        firm=firm,
        key=template.key,
        version=version,
        name_ja=name_ja or latest.name_ja,
        name_en=latest.name_en if name_en is None else name_en,
        items=items,
    )
    audit_event_record(
        actor=actor,
        action="checklist.template_version_published",
        target_type="checklist_template",
        target_id=new.id,
        changes={"key": new.key, "from_version": latest.version, "to_version": version},
    )
    return new


# --- Adoption ------------------------------------------------------------------------------------


@transaction.atomic
def checklist_adopt(*, actor: Actor, workspace: Workspace, template: ChecklistTemplate) -> Checklist:
    """Copy a template version into the workspace (items with keys, axes, texts and rules)."""
    if workspace.id != require_workspace_id():
        raise _error("wrong_workspace")
    if not ChecklistTemplate.objects.visible_to_firms([workspace.firm_id]).filter(id=template.id).exists():
        raise _error("template_not_found", field="template")
    # Serialise adoptions in the workspace so the same key is never adopted twice.
    Workspace.objects.select_for_update().filter(id=workspace.id).first()
    existing = Checklist.objects.filter(template_key=template.key).first()
    if existing is not None:
        raise _error(
            "template_already_adopted",
            conflict=True,
            field="template",
            template=template.key,
            version=existing.template_version,
        )
    checklist = Checklist.objects.create(
        template=template,
        template_key=template.key,
        template_version=template.version,
        name_ja=template.name_ja,
        name_en=template.name_en,
    )
    items = [
        ChecklistItem(
            checklist=checklist,
            key=item.key,
            axis=item.axis,
            text_ja=item.text_ja,
            text_en=item.text_en,
            rule=item.rule,
            order=item.order,
            workspace_id=workspace.id,
        )
        for item in ChecklistTemplateItem.objects.filter(template=template).order_by("order")
    ]
    ChecklistItem.objects.bulk_create(items)
    audit_event_record(
        actor=actor,
        action="checklist.adopted",
        target_type="checklist",
        target_id=checklist.id,
        changes={"template": template.key, "version": template.version, "items": len(items)},
    )
    return checklist


# --- Items ---------------------------------------------------------------------------------------


def _links_clean(links: Any) -> list[str]:
    if not isinstance(links, list | tuple):
        raise _error("invalid_links", field="evidence_links")
    if len(links) > MAX_EVIDENCE_LINKS:
        raise _error("too_many_links", field="evidence_links", max=MAX_EVIDENCE_LINKS)
    cleaned = []
    for link in links:
        try:
            if not isinstance(link, str) or len(link) > MAX_LINK_LENGTH:
                raise DjangoValidationError("bad")
            _http_url(link)
        except DjangoValidationError:
            raise _error("invalid_link", field="evidence_links") from None
        cleaned.append(link)
    return cleaned


@transaction.atomic
def checklist_item_update(*, actor: Actor, item: ChecklistItem, **changes: Any) -> ChecklistItem:
    """Change an item's status, owner, due date or evidence; one audit event with the before/after of each field.

    ``not_applicable`` needs a reason; leaving it clears the reason (recorded in the history). The manual
    status is the person's statement and is stored as given, whatever the product's own evidence says.
    """
    unknown = set(changes) - set(ITEM_UPDATE_FIELDS)
    if unknown:
        raise _error("unknown_field", field=sorted(unknown)[0])
    item = ChecklistItem.objects.select_for_update().get(id=item.id)
    if "status" in changes and changes["status"] not in ChecklistItem.Status.values:
        raise _error("invalid_status", field="status")
    if "evidence_links" in changes:
        changes["evidence_links"] = _links_clean(changes["evidence_links"])
    for text_field in ("not_applicable_reason", "evidence_note"):
        if text_field in changes:
            changes[text_field] = (changes[text_field] or "").strip()
    owner = changes.get("owner")
    if owner is not None and owner.workspace_id != item.workspace_id:
        raise _error("owner_not_member", field="owner")
    new_status = changes.get("status", item.status)
    if new_status == ChecklistItem.Status.NOT_APPLICABLE:
        reason = changes.get("not_applicable_reason", item.not_applicable_reason)
        if not reason:
            raise _error("reason_required", field="not_applicable_reason")
    elif changes.get("not_applicable_reason"):
        raise _error("reason_only_when_not_applicable", field="not_applicable_reason")
    elif item.not_applicable_reason:
        changes["not_applicable_reason"] = ""  # leaving not applicable: the old reason goes, in the history
    diff = fields_apply(item, changes)
    if not diff:
        return item
    item.save()
    audit_event_record(
        actor=actor,
        action="checklist.item_updated",
        target_type="checklist_item",
        target_id=item.id,
        changes={"key": item.key, **diff},
    )
    return item
