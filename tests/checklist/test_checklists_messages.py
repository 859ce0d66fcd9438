"""The checklists' system text in Japanese and English, pinned (tests/checklist/golden/checklists_messages.json).

Pinned before the capability moved to the message layer (codes with parameters, rendered at the edge), so the
move is proven to keep every sentence: the rule evidence of the KPI rules over several plans, the verification
block of every item through the API, and the services' refusals. ``GOLDEN_UPDATE=1`` rewrites the file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation

from checklist.checklists import services
from checklist.checklists.messages import LIST, QUOTED
from checklist.checklists.params import Amount, Named, joined
from checklist.checklists.verification import RuleOutcome, rules_evaluate
from checklist.models import ChecklistItem, ChecklistTemplate
from core.errors import ServiceError
from core.messages import Message
from kpi import services as kpi_services
from tenants.context import workspace_context
from tenants.models import Workspace
from tenants.services import Actor
from tests.checklist.pinned import assert_pinned
from tests.checklist.test_checklists_verification import (
    KPI_RULES,
    adopt_both,
    build_demo_like_plan,
    clear_other_capabilities,
    items_of,
    url,
)
from tests.conftest import World

GOLDEN = "checklists_messages.json"


def evidence(outcome: RuleOutcome) -> list[str]:
    """The evidence in Japanese, then English."""
    return [render(outcome.evidence, "ja"), render(outcome.evidence, "en")]


def render(message: Message, language: str) -> str:
    with translation.override(language):
        return message.render()


def _evaluate(workspace: Workspace) -> dict[str, list[str]]:
    with workspace_context(workspace.id):
        outcomes = rules_evaluate(sorted(KPI_RULES), workspace=workspace)
    return {key: evidence(o) for key, o in outcomes.items() if o is not None}


def _update(world: World, node: Any, **changes: Any) -> None:
    with workspace_context(world.a.workspace.id):
        kpi_services.node_update(actor=Actor.of(world.a.principal("admin")), node=node, **changes)


def test_kpi_rule_evidence(world: World) -> None:
    found: dict[str, Any] = {}
    found["no plan"] = _evaluate(world.a2)
    found["the world's plan (one KPI, SMART fails)"] = _evaluate(world.a.workspace)
    nodes = build_demo_like_plan(world)
    found["a plan like the demo's"] = _evaluate(world.a.workspace)
    _update(world, nodes["win_rate"], owner=None)
    for key in ("win_rate", "avg_deal_size"):
        _update(world, nodes[key], indicator="leading")
    _update(world, nodes["meetings"], data_source="")
    found["an owner gone, no lagging, a data source gone"] = _evaluate(world.a.workspace)
    actor = Actor.of(world.a.principal("admin"))
    with workspace_context(world.a.workspace.id):
        for key in ("leads", "wins"):
            kpi_services.node_create(actor=actor, plan=nodes["kgi"].plan, kind="kpi", key=key, name_ja=key,
                                     parent=nodes["ksf"], formula=key)  # fmt: skip
    found["six company-wide KPIs"] = _evaluate(world.a.workspace)

    # A2: a plan growing from nothing.
    a2, a2_actor = world.a2, Actor.system("test")
    with workspace_context(a2.id):
        plan = kpi_services.plan_create(actor=a2_actor, fiscal_year=dt.date.today().year, name="A2 計画")
        kpi_services.plan_activate(actor=a2_actor, plan=plan, confirm=True)
    found["an empty plan"] = _evaluate(a2)
    with workspace_context(a2.id):
        kgi = kpi_services.node_create(actor=a2_actor, plan=plan, kind="kgi", key="revenue", name_ja="売上",
                                       name_en="Revenue", formula="won_amount", unit="jpy")  # fmt: skip
    found["a KGI without a target"] = _evaluate(a2)
    with workspace_context(a2.id):
        kpi_services.node_update(actor=a2_actor, node=kgi, target_value=Decimal(50_000_000))
        kpi_services.node_create(actor=a2_actor, plan=plan, kind="ksf", key="ksf1", name_ja="既存深耕",
                                 parent=kgi)  # fmt: skip
        kpi_services.node_create(actor=a2_actor, plan=plan, kind="ksf", key="ksf2", name_ja="新規開拓",
                                 name_en="New accounts", parent=kgi)  # fmt: skip
    found["two KSFs without KPIs"] = _evaluate(a2)
    assert_pinned(GOLDEN, "rule_evidence", found)


def _verification_blocks(world: World, client: Any, checklist: Any, language: str) -> dict[str, Any]:
    response = client.get(url(world, f"checklist/checklists/{checklist.id}/"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.json()
    items = {
        item["key"]: {
            "axis_label": item["axis_label"],
            **{k: v for k, v in item["verification"].items() if k not in {"facts"}},
        }
        for item in body["items"]
    }
    return {"phase_label": body["progress"]["phase_label"], "items": items}


def test_verification_blocks_through_the_api(world: World, client_as: Any) -> None:
    clear_other_capabilities(world)
    build_demo_like_plan(world)
    checklists = adopt_both(world)
    manager = client_as("manager")
    with workspace_context(world.a.workspace.id):
        a05 = ChecklistItem.objects.get(checklist=checklists["kpi_design"], key="A05")
        a19 = ChecklistItem.objects.get(checklist=checklists["kpi_design"], key="A19")
    # A contradiction (done by hand, disproved), a verified item marked done, a manual not-applicable.
    admin = client_as("admin")
    for key, name in (("leads", "リード数"), ("wins", "受注数")):  # six company-wide KPIs: A05 disproved
        body = {"plan": _plan_id(world), "kind": "kpi", "key": key, "name_ja": name, "parent": _ksf_id(world),
                "formula": key}  # fmt: skip
        assert admin.post(url(world, "kpi/nodes/"), body, format="json").status_code == 201
    assert (
        manager.patch(url(world, f"checklist/items/{a05.id}/"), {"status": "done"}, format="json").status_code
        == 200
    )
    body = {"status": "not_applicable", "not_applicable_reason": "部門が1つだけのため"}
    assert manager.patch(url(world, f"checklist/items/{a19.id}/"), body, format="json").status_code == 200
    viewer = client_as("viewer")
    found = {
        f"{key} {language}": _verification_blocks(world, viewer, checklist, language)
        for key, checklist in sorted(checklists.items())
        for language in ("ja", "en")
    }
    assert items_of(viewer, world, checklists["kpi_design"])["A05"]["verification"]["contradiction"] is True
    assert_pinned(GOLDEN, "verification", found)


def _plan_id(world: World) -> str:
    from kpi.models import KpiPlan

    with workspace_context(world.a.workspace.id):
        return str(KpiPlan.objects.get(fiscal_year=2027).id)


def _ksf_id(world: World) -> str:
    from kpi.models import KpiNode

    with workspace_context(world.a.workspace.id):
        return str(KpiNode.objects.get(plan__fiscal_year=2027, key="new_business").id)


def _refusal(call: Any) -> dict[str, Any]:
    texts = []
    for language in ("ja", "en"):
        with translation.override(language):
            try:
                call()
            except ServiceError as exc:
                texts.append(str(exc))
                field = exc.field
            else:  # pragma: no cover - the pinned calls all refuse
                raise AssertionError("no refusal")
    return {"field": field, "message": texts}


def test_service_refusals(world: World) -> None:
    side = world.a
    actor = Actor.of(side.principal("consultant"))
    item = side.extra["checklist_item"]
    firm_template = side.extra["checklist_template"]
    good = {"key": "X1", "axis": "S", "text_ja": "項目"}

    def create(**changes: Any) -> Any:
        fields = {"key": "new_template", "name_ja": "新テンプレート", "items": [good], **changes}
        return lambda: services.checklist_template_create(actor=actor, workspace=side.workspace, **fields)

    def update(**changes: Any) -> Any:
        return lambda: services.checklist_item_update(actor=actor, item=item, **changes)

    with workspace_context(side.workspace.id):
        standard = ChecklistTemplate.objects.get(firm=None, key="kpi_design", version=1)
        other_firm = world.b.extra["checklist_template"]
        calls = {
            "no items": create(items=[]),
            "too many items": create(items=[{**good, "key": f"X{n}"} for n in range(101)]),
            "duplicate keys": create(items=[good, good, {**good, "key": "X2"}, {**good, "key": "X2"}]),
            "bad axis": create(items=[{**good, "axis": "Q"}]),
            "unknown rule": create(items=[{**good, "rule": "no_such_rule"}]),
            "reserved key": create(key="kpi_design"),
            "key taken": create(key=firm_template.key),
            "standard template version": lambda: services.checklist_template_version_publish(
                actor=actor, template=standard, items=[good]
            ),
            "already adopted": lambda: services.checklist_adopt(
                actor=actor, workspace=side.workspace, template=standard
            ),
            "another firm's template": lambda: services.checklist_adopt(
                actor=actor, workspace=side.workspace, template=other_firm
            ),
            "unknown field": update(colour="red"),
            "unknown status": update(status="finished"),
            "links not a list": update(evidence_links="https://example.jp"),
            "too many links": update(evidence_links=[f"https://example.jp/{n}" for n in range(21)]),
            "not an http link": update(evidence_links=["ftp://example.jp/a"]),
            "owner of another workspace": update(owner=world.b.memberships["manager"]),
            "not applicable without a reason": update(status="not_applicable"),
            "reason without not applicable": update(not_applicable_reason="理由"),
        }
        found = {name: _refusal(call) for name, call in calls.items()}
    with workspace_context(world.b.workspace.id):
        found["adopting into another workspace"] = _refusal(
            lambda: services.checklist_adopt(actor=actor, workspace=side.workspace, template=standard)
        )
    assert_pinned(GOLDEN, "refusals", found)


def test_adopt_input_refusal_through_the_api(world: World, client_as: Any) -> None:
    other_firm = world.b.extra["checklist_template"]
    found = {}
    for language in ("ja", "en"):
        response = client_as("consultant").post(
            url(world, "checklist/checklists/"), {"template": str(other_firm.id)}, format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )  # fmt: skip
        assert response.status_code == 400
        found[language] = response.json()["error"]["fields"]
    assert_pinned(GOLDEN, "adopt_input", found)


def _both(message: Message) -> list[str]:
    return [render(message, "ja"), render(message, "en")]


def test_representative_messages_read_as_before() -> None:
    """A few sentences written out, in the words the code used before the message layer."""
    kgi = Named("年間売上", "Annual revenue")
    target = Message(
        "checklist.checklists.evidence.kgi_target",
        {"kgi": kgi, "target": Amount(Decimal(100_000_000), "jpy")},
    )
    assert _both(target) == [
        "KGI「年間売上」目標 100,000,000円",
        "KGI 'Annual revenue': target JPY 100,000,000",
    ]
    ksfs = joined(
        [
            Message(QUOTED, {"name": Named("既存深耕")}),
            Message(QUOTED, {"name": Named("新規開拓", "New accounts")}),
        ],
        LIST,
    )
    assert _both(Message("checklist.checklists.evidence.ksfs_under_kgi", {"count": 2, "ksfs": ksfs})) == [
        "KGIの下にKSFが2個あります: 「既存深耕」、「新規開拓」",
        "2 KSF(s) under the KGI: '既存深耕', 'New accounts'",
    ]
    contradicted = Message("checklist.checklists.verification.contradicted", {"evidence": target})
    assert _both(contradicted) == [
        "手動で「完了」にされていますが、製品の状態はこれを裏付けていません: KGI「年間売上」目標 100,000,000円",
        "Marked done by hand, but the product's evidence does not confirm it: KGI 'Annual revenue': target JPY "
        "100,000,000",
    ]
    adopted = Message(
        "checklist.checklists.template_already_adopted", {"template": "kpi_design", "version": 1}
    )
    assert _both(adopted) == [
        "テンプレート kpi_design は既に採用されています(バージョン1)。",
        "Template kpi_design is already adopted (version 1).",
    ]


def test_a_refusal_answers_its_code_and_params(world: World, client_as: Any) -> None:
    item = world.a.extra["checklist_item"]
    links = [f"https://example.jp/{n}" for n in range(21)]
    with workspace_context(world.a.workspace.id):
        try:
            services.checklist_item_update(actor=Actor.system("test"), item=item, evidence_links=links)
        except ServiceError as exc:
            error = exc
    assert error.code == "checklist.checklists.too_many_links" and error.field == "evidence_links"
    with translation.override("en"):
        assert error.as_json() == {"code": "checklist.checklists.too_many_links", "params": {"max": 20},
                                   "message": "At most 20 links."}  # fmt: skip
    response = client_as("consultant").post(
        url(world, "checklist/templates/"),
        {"key": "kpi_design", "name_ja": "x", "items": [{"key": "X1", "axis": "S", "text_ja": "x"}]},
        format="json",
    )
    body = response.json()["error"]
    assert response.status_code == 409 and body["code"] == "checklist.checklists.template_key_reserved"
    assert (
        body["fields"] == {"key": ["このキーは標準テンプレートで使われています。"]} and body["params"] == {}
    )
