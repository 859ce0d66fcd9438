"""Templates: the global catalogue stored once, firm templates and their versions, and who sees which."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.forms.models import model_to_dict

from checklist.checklists import catalog
from checklist.checklists.services import checklist_template_catalogue_install
from checklist.models import ChecklistItem, ChecklistTemplate, ChecklistTemplateItem
from tenants.context import workspace_context
from tests.conftest import CANARY_B, World
from tests.isolation.walker import api_operations, fill

ITEMS = [
    {
        "key": "C01",
        "axis": "S",
        "text_ja": "KGIを数値で設定",
        "text_en": "KGI set as a number",
        "rule": "kgi_numeric",
    },
    {"key": "C02", "axis": "M", "text_ja": "入力ルールを合意", "text_en": "Input rules agreed"},
]


def url(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/checklist/{suffix}"


def test_catalogue_install_is_idempotent_and_matches_the_catalogue(world: World) -> None:
    before = ChecklistTemplateItem.objects.count()
    templates = checklist_template_catalogue_install()
    assert ChecklistTemplateItem.objects.count() == before
    assert [t.key for t in templates] == ["kpi_design", "sales_metrics"]
    kpi_design = templates[0]
    rows = list(kpi_design.items.order_by("order"))
    assert [(r.key, r.axis, r.text_ja, r.text_en, r.rule or None) for r in rows] == [
        (i.key, i.axis.value, i.text_ja, i.text_en, i.rule) for i in catalog.KPI_DESIGN.items
    ]
    assert kpi_design.version == catalog.CATALOG_VERSION and kpi_design.firm_id is None


def test_list_shows_global_and_own_firm_templates_only(world: World, client_as: Any) -> None:
    response = client_as("viewer").get(url(world, "templates/"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(r["key"], r["scope"]) for r in rows} == {
        ("kpi_design", "global"), ("sales_metrics", "global"), ("firm_onboarding", "firm"),
    }  # fmt: skip
    assert CANARY_B not in response.content.decode()
    own = next(r for r in rows if r["scope"] == "firm")
    assert own["id"] == str(world.a.extra["checklist_template"].id) and own["item_count"] == 2
    detail = client_as("viewer").get(url(world, f"templates/{own['id']}/")).json()
    assert [i["key"] for i in detail["items"]] == ["F01", "F02"]
    assert (
        client_as("viewer").get(url(world, "templates/?key=sales_metrics")).json()["results"][0]["item_count"]
        == 15
    )


def test_consultant_creates_a_firm_template_seen_by_the_firms_other_workspace(
    world: World, client_as: Any
) -> None:
    body = {"key": "crm_onboarding", "name_ja": "CRM導入", "name_en": "CRM onboarding", "items": ITEMS}
    response = client_as("consultant").post(url(world, "templates/"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["scope"] == "firm" and data["version"] == 1
    assert [(i["key"], i["rule"]) for i in data["items"]] == [("C01", "kgi_numeric"), ("C02", "")]
    template = ChecklistTemplate.objects.get(id=data["id"])
    assert template.firm_id == world.a.firm.id
    # A2 (same firm) sees it; B (another firm) does not.
    owner = client_as("firm_owner")
    a2 = owner.get(f"/api/v1/workspaces/{world.a2.id}/checklist/templates/{template.id}/")
    assert a2.status_code == 200
    b = client_as("consultant", side="b")
    assert (
        b.get(f"/api/v1/workspaces/{world.b.workspace.id}/checklist/templates/{template.id}/").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"key": "kpi_design"}, 409, "checklist.checklists.template_key_reserved"),
        ({"key": "firm_onboarding"}, 409, "checklist.checklists.template_key_taken"),
        ({"key": "Bad Key"}, 400, "invalid"),
        ({"items": []}, 400, "empty"),
        ({"items": [ITEMS[0], ITEMS[0]]}, 400, "checklist.checklists.duplicate_item_keys"),
        ({"items": [{**ITEMS[0], "axis": "X"}]}, 400, "invalid_choice"),
        ({"items": [{**ITEMS[0], "rule": "no_such_rule"}]}, 400, "invalid_choice"),
        ({"items": [{**ITEMS[0], "colour": "red"}]}, 400, "unknown_field"),
        ({"items": [{**ITEMS[0], "key": f"K{n}"} for n in range(101)]}, 400, "max_length"),
        ({"name_ja": ""}, 400, "blank"),
    ],
)
def test_template_bad_input(
    world: World, client_as: Any, change: dict[str, Any], status: int, code: str
) -> None:
    before = ChecklistTemplate.objects.count()
    body = {"key": "crm_onboarding", "name_ja": "CRM導入", "items": ITEMS, **change}
    response = client_as("consultant").post(url(world, "templates/"), body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert ChecklistTemplate.objects.count() == before


@pytest.mark.parametrize("actor", ["admin", "manager", "viewer", "api_key"])
def test_only_consultants_manage_templates(world: World, client_as: Any, actor: str) -> None:
    client = client_as(actor)
    body = {"key": "crm_onboarding", "name_ja": "CRM導入", "items": ITEMS}
    assert client.post(url(world, "templates/"), body, format="json").status_code == 403
    template = world.a.extra["checklist_template"]
    assert (
        client.post(
            url(world, f"templates/{template.id}/versions/"), {"items": ITEMS}, format="json"
        ).status_code
        == 403
    )


def test_a_new_version_never_rewrites_an_adopted_checklist(world: World, client_as: Any) -> None:
    consultant = client_as("consultant")
    template = world.a.extra["checklist_template"]
    adopted = consultant.post(url(world, "checklists/"), {"template": str(template.id)}, format="json").json()
    item_ids = [i["id"] for i in adopted["items"]]
    with workspace_context(world.a.workspace.id):
        before = [model_to_dict(i) for i in ChecklistItem.objects.filter(id__in=item_ids).order_by("order")]

    new_items = [
        {"key": "F01", "axis": "M", "text_ja": "キックオフ(改訂)", "text_en": "Kick-off (revised)"},
        *ITEMS,
    ]
    response = consultant.post(
        url(world, f"templates/{template.id}/versions/"), {"items": new_items}, format="json"
    )
    assert response.status_code == 201, response.content
    v2 = response.json()
    assert v2["version"] == 2 and v2["key"] == template.key and v2["id"] != str(template.id)
    assert [i["key"] for i in v2["items"]] == ["F01", "C01", "C02"]
    assert v2["name_ja"] == template.name_ja  # kept when not given

    # The adopted copy and the old version are as they were.
    with workspace_context(world.a.workspace.id):
        after = [model_to_dict(i) for i in ChecklistItem.objects.filter(id__in=item_ids).order_by("order")]
    assert after == before and after[0]["text_ja"] == f"{world.a.firm.name} キックオフ実施"
    checklist = consultant.get(url(world, f"checklists/{adopted['id']}/")).json()
    assert checklist["template_version"] == 1 and [i["key"] for i in checklist["items"]] == ["F01", "F02"]
    assert list(template.items.values_list("key", flat=True).order_by("order")) == ["F01", "F02"]
    # The same key cannot be adopted again at the new version.
    again = consultant.post(url(world, "checklists/"), {"template": v2["id"]}, format="json")
    assert again.status_code == 409
    # Publishing from an older version still numbers after the newest.
    v3 = consultant.post(
        url(world, f"templates/{template.id}/versions/"), {"items": ITEMS}, format="json"
    ).json()
    assert v3["version"] == 3


def test_global_templates_are_not_versioned_through_the_api(world: World, client_as: Any) -> None:
    kpi_design = ChecklistTemplate.objects.get(firm=None, key="kpi_design")
    response = client_as("consultant").post(url(world, f"templates/{kpi_design.id}/versions/"), {"items": ITEMS},
                                            format="json")  # fmt: skip
    assert (
        response.status_code == 400
        and response.json()["error"]["code"] == "checklist.checklists.template_global"
    )
    assert ChecklistTemplate.objects.filter(key="kpi_design").count() == 1


def _firm_rows(firm_id: Any) -> list[str]:
    rows = []
    for template in ChecklistTemplate.objects.filter(firm_id=firm_id).order_by("id"):
        rows.append(json.dumps(model_to_dict(template), default=str, sort_keys=True))
        rows += [
            json.dumps(model_to_dict(i), default=str, sort_keys=True) for i in template.items.order_by("id")
        ]
    return rows


@pytest.mark.parametrize("actor", ["consultant", "firm_owner", "admin", "api_key"])
def test_as_actors_never_see_or_change_bs_firm_template(world: World, client_as: Any, actor: str) -> None:
    """The walker's snapshot covers workspace rows; firm templates belong to a firm, so check them here."""
    client = client_as(actor)
    b_template = world.b.extra["checklist_template"]
    before = _firm_rows(world.b.firm.id)
    for op in api_operations():
        if "checklist/templates" not in op.path:
            continue
        urls = [fill(op, world.a.workspace, world.b.workspace)]
        for target in urls:
            for body in ({}, {"items": ITEMS}, {"key": "x", "name_ja": "x", "items": ITEMS}):
                response = client.generic(
                    op.method, target, data=json.dumps(body), content_type="application/json"
                )
                if "{id}" in op.path:
                    assert response.status_code in {403, 404}, (op, response.status_code)
                assert str(b_template.id) not in response.content.decode()
                assert CANARY_B not in response.content.decode()
    assert _firm_rows(world.b.firm.id) == before
    assert ChecklistTemplate.objects.filter(firm_id=world.b.firm.id).count() == 1
