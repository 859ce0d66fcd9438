"""Consultants' admin pages for checklists: scoped to their workspaces; item edits go through the service."""

from __future__ import annotations

from django.test import Client

from checklist.models import ChecklistItem
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tests.conftest import CANARY_B, World


def test_consultant_sees_own_checklists_items_and_templates_only(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    templates = client.get("/admin/checklist/checklisttemplate/")
    assert templates.status_code == 200
    body = templates.content.decode()
    assert "kpi_design" in body and "firm_onboarding" in body and CANARY_B not in body
    b_template = world.b.extra["checklist_template"]
    assert client.get(f"/admin/checklist/checklisttemplate/{b_template.id}/change/").status_code == 302
    a_template = world.a.extra["checklist_template"]
    assert client.get(f"/admin/checklist/checklisttemplate/{a_template.id}/change/").status_code == 200
    checklists = client.get("/admin/checklist/checklist/")
    assert checklists.status_code == 200 and CANARY_B not in checklists.content.decode()
    items = client.get("/admin/checklist/checklistitem/")
    assert items.status_code == 200
    assert "A01" in items.content.decode() and CANARY_B not in items.content.decode()
    b_item = world.b.extra["checklist_item"]
    assert client.get(f"/admin/checklist/checklistitem/{b_item.id}/change/").status_code == 302


def test_consultant_edits_an_item_in_the_admin_and_it_is_audited(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    item = world.a.extra["checklist_item"]
    page = f"/admin/checklist/checklistitem/{item.id}/change/"
    assert client.get(page).status_code == 200
    form = {
        "status": "done",
        "not_applicable_reason": "",
        "due_date": "2026-12-01",
        "evidence_note": "経営会議で確認",
    }
    response = client.post(page, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    with workspace_context(world.a.workspace.id):
        fresh = ChecklistItem.objects.get(id=item.id)
    assert fresh.status == "done" and fresh.evidence_note == "経営会議で確認"
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.get(action="checklist.item_updated", target_id=str(item.id))
    assert event.changes["status"] == {"from": "todo", "to": "done"}
    assert event.actor_label == world.a.users["consultant"].email
