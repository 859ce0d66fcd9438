"""Demo checklists: the workspace adopts checklists A and B; a few hand-kept items carry realistic progress.

The KPI-provable items need nothing here: they show as verified from the demo plan (kpi.demo) on every read.
"""

from __future__ import annotations

import datetime as dt

from checklist.checklists.models import Checklist, ChecklistItem
from checklist.checklists.services import (
    checklist_adopt,
    checklist_item_update,
    checklist_template_catalogue_install,
)
from tenants.clock import workspace_today
from tenants.models import Membership, Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor

# The demo's words, shown as the examples of the checklists API (OpenAPI).
API_EXAMPLES = {
    "template": {
        "key": "crm_onboarding",
        "name_ja": "CRM導入チェックリスト",
        "name_en": "CRM onboarding checklist",
        "items": [
            {"key": "C01", "axis": "S", "text_ja": "KGIを数値で設定", "text_en": "KGI set as a number",
             "rule": "kgi_numeric"},
            {"key": "C02", "axis": "M", "text_ja": "営業担当者の入力ルールを合意", "text_en": "Input rules agreed"},
        ],
    },
    "item_done": {
        "status": "done",
        "evidence_note": "4月の経営会議で合意",
        "evidence_links": ["https://docs.example.com/kpi-definitions"],
    },
    "item_not_applicable": {"status": "not_applicable", "not_applicable_reason": "パッケージで要件を満たすため"},
}  # fmt: skip


def demo_checklists_seed(*, workspace: Workspace, actor: Actor) -> None:
    """Adopt A (kpi_design) and B (sales_metrics) once and mark the manual items; runs in the workspace's context."""
    templates = {t.key: t for t in checklist_template_catalogue_install()}
    adopted = set(Checklist.objects.values_list("template_key", flat=True))
    fresh = [key for key in ("kpi_design", "sales_metrics") if key not in adopted]
    for key in fresh:
        checklist_adopt(actor=actor, workspace=workspace, template=templates[key])
    if not fresh:
        return  # already seeded: leave whatever people changed since
    owners = {m.role: m for m in Membership.objects.filter(workspace=workspace)}
    manager, admin = owners.get(WorkspaceRole.MANAGER), owners.get(WorkspaceRole.ADMIN)
    consultant = owners.get(WorkspaceRole.CONSULTANT)
    today = workspace_today(workspace)
    changes = {
        # CRM connection being set up (its rule becomes provable once the integration lands).
        "A07": {"status": "in_progress", "owner": consultant, "due_date": today + dt.timedelta(days=21),
                "evidence_note": "HubSpotの商談・活動データの連携設定を進行中。項目マッピングの確認待ち。"},
        # KPIs per department: agreed in the kick-off, kept by hand (the product has no list of departments).
        "A19": {"status": "done", "owner": manager,
                "evidence_note": "営業部(アポ・商談・受注率)とマーケ部(リード・MQL)のKPIを定義し、キックオフで合意。",
                "evidence_links": ["https://docs.example.jp/kpi/kickoff-2026-04.pdf"]},
        # MQL/SQL agreement between marketing and sales: still being negotiated.
        "B13": {"status": "in_progress", "owner": admin, "due_date": today + dt.timedelta(days=14),
                "evidence_note": "MQLの定義(資料請求＋役職条件)は合意済み、SQLの条件を営業部と調整中。"},
        "B06": {"status": "todo", "owner": consultant, "due_date": today + dt.timedelta(days=45)},
    }  # fmt: skip
    items = {i.key: i for i in ChecklistItem.objects.filter(key__in=list(changes))}
    for key, fields in changes.items():
        item = items.get(key)
        if item is None:
            continue
        checklist_item_update(actor=actor, item=item, **{k: v for k, v in fields.items() if v is not None})
