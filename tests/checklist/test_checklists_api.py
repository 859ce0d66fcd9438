"""Workspace checklists through the API: adopting, updating items (audited history), roles and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from checklist.models import Checklist, ChecklistItem, ChecklistTemplate
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tests.conftest import World


def url(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/checklist/{suffix}"


def item_of(world: World, key: str = "A01") -> ChecklistItem:
    with workspace_context(world.a.workspace.id):
        return ChecklistItem.objects.get(key=key)


def sales_metrics() -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(firm=None, key="sales_metrics", version=1)


def snapshot(item: ChecklistItem) -> tuple[Any, ...]:
    with workspace_context(item.workspace_id):
        fresh = ChecklistItem.objects.get(id=item.id)
    return (fresh.status, fresh.not_applicable_reason, fresh.owner_id, fresh.due_date, fresh.evidence_note,
            fresh.evidence_links, fresh.updated_at)  # fmt: skip


def audit_count(world: World) -> int:
    with workspace_context(world.a.workspace.id):
        return AuditEvent.objects.count()


# --- Adopting ----------------------------------------------------------------------------------------


def test_consultant_adopts_b_with_items_copied_at_its_version(world: World, client_as: Any) -> None:
    response = client_as("consultant").post(
        url(world, "checklists/"), {"template": str(sales_metrics().id)}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["template_key"] == "sales_metrics" and data["template_version"] == 1
    assert [i["key"] for i in data["items"]] == [f"B{n:02d}" for n in range(1, 16)]
    b15 = data["items"][-1]
    assert b15["text"] == "運用責任者が明確にアサインされている" and b15["axis"] == "S"
    assert b15["text_en"] == "An owner responsible for operation assigned"
    assert data["progress"]["overall"]["total"] == 15
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.get(action="checklist.adopted", target_id=data["id"])
    assert event.changes == {"template": "sales_metrics", "version": 1, "items": 15}


def test_adopting_the_same_template_twice_is_a_conflict(world: World, client_as: Any) -> None:
    kpi_design = ChecklistTemplate.objects.get(firm=None, key="kpi_design")
    with workspace_context(world.a.workspace.id):
        before = Checklist.objects.count()
    response = client_as("consultant").post(
        url(world, "checklists/"), {"template": str(kpi_design.id)}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "checklist.checklists.template_already_adopted"
    with workspace_context(world.a.workspace.id):
        assert Checklist.objects.count() == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"template": "not-a-uuid"}, "invalid"),
        ({"template": "00000000-0000-0000-0000-000000000000"}, "does_not_exist"),
        ({"template": "TEMPLATE", "extra": 1}, "unknown_field"),
    ],
)
def test_adopt_bad_input(world: World, client_as: Any, body: dict[str, Any], code: str) -> None:
    body = {k: (str(sales_metrics().id) if v == "TEMPLATE" else v) for k, v in body.items()}
    response = client_as("consultant").post(url(world, "checklists/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_another_firms_template_cannot_be_adopted(world: World, client_as: Any) -> None:
    b_template = world.b.extra["checklist_template"]
    response = client_as("consultant").post(
        url(world, "checklists/"), {"template": str(b_template.id)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "does_not_exist"


def test_own_firm_template_can_be_adopted(world: World, client_as: Any) -> None:
    template = world.a.extra["checklist_template"]
    response = client_as("firm_owner").post(
        url(world, "checklists/"), {"template": str(template.id)}, format="json"
    )
    assert response.status_code == 201
    assert [i["key"] for i in response.json()["items"]] == ["F01", "F02"]


# --- Items -----------------------------------------------------------------------------------------


def test_manager_updates_an_item_and_the_history_lists_every_change(world: World, client_as: Any) -> None:
    item = item_of(world, "A19")
    client = client_as("manager")
    owner = world.a.memberships["sales_rep"]
    body = {
        "status": "in_progress", "owner": str(owner.id), "due_date": "2026-12-15",
        "evidence_note": "  部門ごとのKPIを整理中  ", "evidence_links": ["https://docs.example.jp/kpi.pdf"],
    }  # fmt: skip
    response = client.patch(url(world, f"items/{item.id}/"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "in_progress" and data["owner"] == str(owner.id)
    assert data["owner_name"] == world.a.users["sales_rep"].full_name
    assert data["due_date"] == "2026-12-15" and data["evidence_note"] == "部門ごとのKPIを整理中"
    assert data["evidence_links"] == ["https://docs.example.jp/kpi.pdf"]

    client.patch(url(world, f"items/{item.id}/"), {"status": "done"}, format="json")
    client.patch(url(world, f"items/{item.id}/"), {"status": "done"}, format="json")  # no change, no event
    history = client_as("viewer").get(url(world, f"items/{item.id}/history/"))
    assert history.status_code == 200
    events = history.json()
    assert [e["action"] for e in events] == ["checklist.item_updated", "checklist.item_updated"]
    assert events[0]["changes"]["status"] == {"from": "todo", "to": "in_progress"}
    assert events[0]["changes"]["owner"] == {"from": None, "to": str(owner.id)}
    assert events[0]["changes"]["due_date"] == {"from": None, "to": "2026-12-15"}
    assert events[1]["changes"] == {"key": "A19", "status": {"from": "in_progress", "to": "done"}}
    assert events[1]["actor"] == world.a.users["manager"].email
    # Another item's history is not mixed in.
    assert client.get(url(world, f"items/{item_of(world, 'A01').id}/history/")).json() == []


def test_not_applicable_requires_a_reason_and_nothing_changes(world: World, client_as: Any) -> None:
    item = item_of(world, "A13")
    before, events = snapshot(item), audit_count(world)
    client = client_as("manager")
    for body in ({"status": "not_applicable"}, {"status": "not_applicable", "not_applicable_reason": "   "},
                 {"status": "not_applicable", "evidence_note": "x", "not_applicable_reason": ""}):  # fmt: skip
        response = client.patch(url(world, f"items/{item.id}/"), body, format="json")
        assert response.status_code == 400, body
        error = response.json()["error"]
        assert (
            error["code"] == "checklist.checklists.reason_required"
            and "not_applicable_reason" in error["fields"]
        )
    assert snapshot(item) == before and audit_count(world) == events

    body = {"status": "not_applicable", "not_applicable_reason": "パッケージで要件を満たすため"}
    data = client.patch(url(world, f"items/{item.id}/"), body, format="json").json()
    assert data["status"] == "not_applicable" and data["effective_status"] == "not_applicable"
    # Back to todo: the reason goes (and the history says so).
    data = client.patch(url(world, f"items/{item.id}/"), {"status": "todo"}, format="json").json()
    assert data["not_applicable_reason"] == ""
    last = client.get(url(world, f"items/{item.id}/history/")).json()[-1]
    assert last["changes"]["not_applicable_reason"] == {"from": "パッケージで要件を満たすため", "to": ""}


def test_owner_from_another_workspace_is_refused(world: World, client_as: Any) -> None:
    item = item_of(world)
    before = snapshot(item)
    foreign = world.b.memberships["manager"]
    response = client_as("manager").patch(
        url(world, f"items/{item.id}/"), {"owner": str(foreign.id)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "does_not_exist"
    assert snapshot(item) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"evidence_links": ["ftp://files.example.jp/a"]}, "evidence_links"),
        ({"evidence_links": ["javascript:alert(1)"]}, "evidence_links"),
        ({"evidence_links": "https://example.jp"}, "evidence_links"),
        ({"evidence_links": [f"https://example.jp/{n}" for n in range(21)]}, "evidence_links"),
        ({"evidence_note": "x" * 5001}, "evidence_note"),
        ({"not_applicable_reason": "理由だけ"}, "not_applicable_reason"),
        ({"key": "Z99"}, "key"),
        ({"owner": "not-a-uuid"}, "owner"),
    ],
)
def test_item_bad_input_is_a_400_with_nothing_changed(
    world: World, client_as: Any, body: dict[str, Any], field: str
) -> None:
    item = item_of(world)
    before, events = snapshot(item), audit_count(world)
    response = client_as("manager").patch(url(world, f"items/{item.id}/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert snapshot(item) == before and audit_count(world) == events


def test_item_filters(world: World, client_as: Any) -> None:
    checklist = world.a.extra["checklist"]
    client = client_as("viewer")
    client_as("manager").patch(
        url(world, f"items/{item_of(world, 'A08').id}/"), {"status": "in_progress"}, format="json"
    )
    data = client.get(url(world, f"items/?checklist={checklist.id}&axis=M")).json()["results"]
    assert [i["key"] for i in data] == ["A07", "A08", "A09", "A10", "A14"]
    data = client.get(url(world, "items/?status=in_progress")).json()["results"]
    assert [i["key"] for i in data] == ["A08"]
    for query in ("checklist=nope", "status=finished", "axis=X"):
        response = client.get(url(world, f"items/?{query}"))
        assert response.status_code == 400, query


def test_list_items_only_of_this_workspace(world: World, client_as: Any) -> None:
    data = client_as("viewer").get(url(world, "items/?page_size=200")).json()["results"]
    assert len(data) == 20
    ids = {i["id"] for i in data}
    assert str(world.b.extra["checklist_item"].id) not in ids


# --- Roles ---------------------------------------------------------------------------------------------

READERS = ("viewer", "sales_rep", "manager", "admin", "consultant", "firm_owner", "api_key")


@pytest.mark.parametrize("actor", READERS)
def test_everyone_with_checklist_read_reads(world: World, client_as: Any, actor: str) -> None:
    client = client_as(actor)
    item = item_of(world)
    for suffix in ("templates/", "checklists/", f"checklists/{world.a.extra['checklist'].id}/", "items/",
                   f"items/{item.id}/", f"items/{item.id}/history/", f"templates/{sales_metrics().id}/"):  # fmt: skip
        assert client.get(url(world, suffix)).status_code == 200, (actor, suffix)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("manager", 200), ("admin", 200), ("consultant", 200), ("firm_owner", 200), ("api_key", 200),
     ("viewer", 403), ("sales_rep", 403), ("anonymous", 401)],
)  # fmt: skip
def test_checklist_write_updates_items(world: World, client_as: Any, actor: str, expected: int) -> None:
    item = item_of(world)
    response = client_as(actor).patch(
        url(world, f"items/{item.id}/"), {"status": "in_progress"}, format="json"
    )
    assert response.status_code == expected
    assert snapshot(item)[0] == ("in_progress" if expected == 200 else "todo")


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("consultant", 201), ("firm_owner", 201), ("admin", 403), ("manager", 403), ("viewer", 403),
     ("api_key", 403)],
)  # fmt: skip
def test_only_consultants_adopt(world: World, client_as: Any, actor: str, expected: int) -> None:
    response = client_as(actor).post(
        url(world, "checklists/"), {"template": str(sales_metrics().id)}, format="json"
    )
    assert response.status_code == expected


def test_api_key_scopes(world: World, key_client: Any) -> None:
    item = item_of(world)
    read = key_client("checklist:read")
    assert read.get(url(world, "checklists/")).status_code == 200
    assert read.patch(url(world, f"items/{item.id}/"), {"status": "done"}, format="json").status_code == 403
    write = key_client("checklist:write")
    assert write.patch(url(world, f"items/{item.id}/"), {"status": "done"}, format="json").status_code == 200
    assert (
        write.post(
            url(world, "checklists/"), {"template": str(sales_metrics().id)}, format="json"
        ).status_code
        == 403
    )
    kpi_only = key_client("kpi:read")
    assert kpi_only.get(url(world, "checklists/")).status_code == 403
    assert kpi_only.get(url(world, "templates/")).status_code == 403
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.filter(action="checklist.item_updated").last()
    assert event is not None and event.actor_api_key_prefix
