"""The checklists part of the two-workspace world: a firm template per firm and an adopted checklist per workspace."""

from __future__ import annotations

from typing import Any

from checklist.checklists.services import (
    checklist_adopt,
    checklist_template_catalogue_install,
    checklist_template_create,
)
from checklist.models import ChecklistItem, ChecklistTemplate
from tenants.context import workspace_context
from tenants.services import Actor

FIRM_TEMPLATE_KEY = "firm_onboarding"


def seed(side: Any) -> None:
    """B's firm template carries B's firm name (the canary), so any leak of it shows in a response body."""
    actor = Actor.of(side.principal("consultant"))
    with workspace_context(side.workspace.id):
        checklist_template_catalogue_install()
        template = ChecklistTemplate.objects.filter(firm=side.firm, key=FIRM_TEMPLATE_KEY).first()
        if template is None:
            template = checklist_template_create(
                actor=actor,
                workspace=side.workspace,
                key=FIRM_TEMPLATE_KEY,
                name_ja=f"{side.firm.name} 導入チェックリスト",
                name_en=f"{side.firm.name} onboarding",
                items=[
                    {"key": "F01", "axis": "S", "text_ja": f"{side.firm.name} キックオフ実施", "rule": None},
                    {"key": "F02", "axis": "S", "text_ja": "KGIを数値で設定", "rule": "kgi_numeric"},
                ],
            )
        kpi_design = ChecklistTemplate.objects.get(firm=None, key="kpi_design", version=1)
        checklist = checklist_adopt(actor=actor, workspace=side.workspace, template=kpi_design)
        item = ChecklistItem.objects.filter(checklist=checklist).order_by("order").first()
    side.extra["checklist_template"] = template
    side.extra["checklist"] = checklist
    side.extra["checklist_item"] = item
