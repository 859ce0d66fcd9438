"""The decision matrix through its API, against hand-computed examples.

The worked example (used by most tests): weights initial_cost 2, lead_time 1, visualisation_flexibility 3,
the other six criteria 0 (total 6); every option scores 3 on the six zero-weight criteria, so only three
criteria matter:

    option (kind)        initial_cost  lead_time  visualisation   weighted total       normalised (x100/30)
    HubSpot (package)    5             4          2               2*5+1*4+3*2 = 20     66.67
    Scratch (scratch)    1             1          5               2*1+1*1+3*5 = 18     60.00
    Hybrid (hybrid)      3             3          4               2*3+1*3+3*4 = 21     70.00

Ranking Hybrid, HubSpot, Scratch; recommendation Hybrid, margin 21 - 20 = 1 (1 x 100 / 30 = 3.33).

Stability (leader Hybrid; moving weight w_c by d moves the gap to option o by d x (s_Hybrid,c - s_o,c)):
  vs HubSpot (gap 1): initial_cost slope 3-5 = -2 -> d = +1/2; lead_time slope -1 -> d = +1;
                      visualisation slope 4-2 = 2 -> d = -1/2.
  vs Scratch (gap 3): initial_cost slope 2 -> d = -3/2 (2 -> 1/2, allowed); lead_time slope 2 -> d = -3/2
                      (1 -> -1/2, not allowed); visualisation slope -1 -> d = +3.
Smallest |d| = 1/2, a tie between initial_cost up and visualisation down; the criterion order puts
initial_cost first: raising initial_cost from 2 to 2.5 makes HubSpot draw level (2.5*3+3+12 = 22.5 =
2.5*5+4+6).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from checklist.models import DecisionMatrix, MatrixOption
from tenants.context import workspace_context
from tenants.models import AuditEvent
from tests.conftest import World

ZERO = (
    "data_integration_freedom",
    "realtime",
    "custom_kpi_calculation",
    "maintenance_cost",
    "extensibility",
    "fit",
)
WEIGHTS = {"initial_cost": 2, "lead_time": 1, "visualisation_flexibility": 3, **dict.fromkeys(ZERO, 0)}
OPTIONS = (
    ("HubSpot", "package", {"initial_cost": 5, "lead_time": 4, "visualisation_flexibility": 2}),
    ("Scratch", "scratch", {"initial_cost": 1, "lead_time": 1, "visualisation_flexibility": 5}),
    ("Hybrid", "hybrid", {"initial_cost": 3, "lead_time": 3, "visualisation_flexibility": 4}),
)
ALL_NO = {
    "multi_source_kpi": False, "custom_dashboard": False, "realtime_speed": False,
    "business_specific_kpis": False, "advanced_analysis": False, "long_term_cost_extensibility": False,
}  # fmt: skip


def u(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/checklist/{suffix}"


def make_matrix(world: World, client: Any, name: str = "Worked example") -> tuple[str, dict[str, str]]:
    """The worked example through the API; returns the matrix id and option ids by name."""
    response = client.post(u(world, "matrices/"), {"name": name, "weights": WEIGHTS}, format="json")
    assert response.status_code == 201, response.content
    matrix = response.json()["id"]
    ids = {}
    for option_name, kind, scores in OPTIONS:
        body = {"matrix": matrix, "name": option_name, "kind": kind, "scores": {**dict.fromkeys(ZERO, 3), **scores},
                "rationales": {"initial_cost": f"{option_name} cost"}}  # fmt: skip
        created = client.post(u(world, "matrix-options/"), body, format="json")
        assert created.status_code == 201, created.content
        ids[option_name] = created.json()["id"]
    return matrix, ids


def test_totals_ranking_recommendation_and_stability_match_the_hand_computation(
    world: World, client_as: Any
) -> None:
    matrix, ids = make_matrix(world, client_as("consultant"))
    data = client_as("viewer").get(u(world, f"matrices/{matrix}/result/")).json()
    assert data["scored"] is True and data["problem"] is None and data["total_weight"] == 6
    totals = [(o["name"], o["weighted_total"], o["normalised"], o["rank"]) for o in data["options"]]
    assert totals == [("Hybrid", 21, 70, 1), ("HubSpot", 20, 66.67, 2), ("Scratch", 18, 60, 3)]
    assert data["recommendation"] == ids["Hybrid"]
    assert data["margin"] == 1 and data["margin_normalised"] == 3.33
    stab = data["stability"]
    assert (
        stab["status"] == "flippable"
        and stab["leader"] == ids["Hybrid"]
        and stab["runner_up"] == ids["HubSpot"]
    )
    flip = stab["flip"]
    assert (flip["criterion"], flip["direction"], flip["current_weight"]) == ("initial_cost", "increase", 2)
    assert (flip["delta"], flip["delta_exact"], flip["new_weight_exact"]) == (0.5, "1/2", "5/2")
    assert flip["challenger_names"] == ["HubSpot"]
    flips = [(f["criterion"], f["delta_exact"], f["challenger_names"]) for f in stab["flips"]]
    assert flips == [
        ("initial_cost", "1/2", ["HubSpot"]),
        ("visualisation_flexibility", "-1/2", ["HubSpot"]),
        ("lead_time", "1", ["HubSpot"]),
        ("initial_cost", "-3/2", ["Scratch"]),
        ("visualisation_flexibility", "3", ["Scratch"]),
    ]
    assert stab["sentence_ja"] == (
        "「初期コスト」の重みを0.5上げると(2→2.5)、「HubSpot」が首位と並び、推奨が入れ替わります。"
    )
    assert stab["sentence_en"] == (
        "Raising the weight of 'Initial cost' by 0.5 (2 -> 2.5) brings 'HubSpot' level with the leader and "
        "overturns the recommendation."
    )


def test_moving_a_weight_by_the_reported_flip_ties_the_top(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    response = client.patch(
        u(world, f"matrices/{matrix}/"), {"weights": {"initial_cost": 2.5}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["weights"]["initial_cost"] == 2.5
    data = client.get(u(world, f"matrices/{matrix}/result/")).json()
    # 2.5*5+4+6 = 22.5 = 2.5*3+3+12: HubSpot and Hybrid tie (input order: HubSpot first).
    assert data["recommendation"] is None and data["tied"] == [ids["HubSpot"], ids["Hybrid"]]
    assert data["options"][0]["weighted_total"] == 22.5 and data["stability"]["status"] == "tied"
    # One more tenth: 2.6*5+10 = 23 > 2.6*3+15 = 22.8, HubSpot leads.
    client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"initial_cost": "2.6"}}, format="json")
    data = client.get(u(world, f"matrices/{matrix}/result/")).json()
    assert data["recommendation"] == ids["HubSpot"] and data["margin"] == 0.2


def test_signals_feed_the_final_recommendation(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    signals = u(world, f"matrices/{matrix}/signals/")

    def final() -> dict[str, Any]:
        return client.get(u(world, f"matrices/{matrix}/result/")).json()["final"]

    # 0 yes -> package; the matrix leads with the hybrid (adjacent): recommend it, consider the package.
    assert client.put(signals, {"answers": ALL_NO}, format="json").status_code == 200
    assert final()["agreement"] == "consider_alternative" and final()["option"] == ids["Hybrid"]
    # 2 yes -> hybrid: consistent.
    two = {**ALL_NO, "multi_source_kpi": True, "custom_dashboard": True}
    data = client.put(signals, {"answers": two}, format="json").json()
    assert data["yes_count"] == 2 and data["implication"] == "hybrid" and data["complete"] is True
    assert final()["agreement"] == "consistent" and "一致" in final()["explanation_ja"]
    # initial_cost 3: HubSpot 3*5+4+6 = 25 > Hybrid 3*3+3+12 = 24 > Scratch 3+1+15 = 19: a package leads.
    client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"initial_cost": 3}}, format="json")
    four = {**two, "realtime_speed": True, "advanced_analysis": True}
    client.put(signals, {"answers": four}, format="json")
    result = final()
    # 4 yes -> scratch against a package leader: a conflict, no recommendation.
    assert result["agreement"] == "conflict" and result["option"] is None
    assert result["matrix_option"] == ids["HubSpot"] and result["signals_implication"] == "scratch"
    client.put(signals, {"answers": ALL_NO}, format="json")
    assert final()["agreement"] == "consistent" and final()["option"] == ids["HubSpot"]
    # A null answer is unanswered.
    data = client.put(signals, {"answers": {**ALL_NO, "realtime_speed": None}}, format="json").json()
    assert data["complete"] is False and data["questions"][2]["answer"] is None


def test_a_new_matrix_can_be_prefilled_from_the_templates(world: World, client_as: Any) -> None:
    body = {
        "name": "From templates",
        "templates": ["hubspot", "salesforce", "kintone", "full_scratch", "hybrid"],
    }
    created = client_as("consultant").post(
        u(world, "matrices/"), body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert created.status_code == 201, created.content
    matrix = created.json()
    assert sum(matrix["weights"].values()) == 100 and matrix["weights"]["visualisation_flexibility"] == 15
    assert [o["name"] for o in matrix["options"]] == [
        "HubSpot", "Salesforce", "kintone", "Full-scratch build", "Hybrid (package + custom dashboard)"]  # fmt: skip
    assert all(o["complete"] for o in matrix["options"])
    data = client_as("viewer").get(u(world, f"matrices/{matrix['id']}/result/")).json()
    # Default weights (10 each, 15 for visualisation and data integration):
    # package 40+40+30+45+30+20+50+20+30 = 305; scratch 10+10+75+75+50+50+10+50+30 = 360;
    # hybrid 30+30+75+60+30+40+30+40+30 = 365.
    totals = {o["name"]: o["weighted_total"] for o in data["options"]}
    assert totals["Hybrid (package + custom dashboard)"] == 365 and totals["Full-scratch build"] == 360
    assert totals["HubSpot"] == totals["Salesforce"] == totals["kintone"] == 305
    assert data["options"][0]["kind"] == "hybrid" and data["margin"] == 5
    empty = client_as("consultant").post(u(world, "matrices/"), {"name": "Empty"}, format="json").json()
    assert empty["options"] == []
    result = client_as("viewer").get(u(world, f"matrices/{empty['id']}/result/")).json()
    assert result["scored"] is False and result["problem"]["code"] == "checklist.decisions.no_options"


def _audit(world: World, action: str, target_id: str) -> list[AuditEvent]:
    with workspace_context(world.a.workspace.id):
        return list(AuditEvent.objects.filter(action=action, target_id=target_id).order_by("created_at"))


def test_decision_is_recorded_with_who_when_why_audited_and_locks_the_matrix(
    world: World, client_as: Any
) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    decision_url = u(world, f"matrices/{matrix}/decision/")
    assert client.get(decision_url).json()["decided"] is False
    body = {
        "option": ids["Hybrid"],
        "reason": "独自KPIの可視化が必要なため",
        "requirements": "https://example.jp/req",
    }
    response = client.post(decision_url, body, format="json")
    assert response.status_code == 201, response.content
    data = client_as("viewer").get(decision_url).json()
    consultant = world.a.users["consultant"]
    assert data["decided"] is True and data["option"] == ids["Hybrid"] and data["option_kind"] == "hybrid"
    assert data["decided_by"] == consultant.full_name and data["reason"] == "独自KPIの可視化が必要なため"
    assert data["decided_by_membership"] == str(world.a.memberships["consultant"].id)
    assert data["decided_at"] and data["requirements"] == "https://example.jp/req"
    (event,) = _audit(world, "checklist.matrix.decision_recorded", matrix)
    assert event.actor_user == consultant and event.target_id == matrix
    assert event.changes["option_name"] == "Hybrid" and event.changes["reason"] == body["reason"]
    assert (
        event.changes["matrix_recommendation"] == ids["Hybrid"]
        and event.changes["totals"][ids["Hybrid"]] == "21"
    )

    # Locked: weights, options and signals are refused with 409 and nothing changes.
    refused = [
        client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"lead_time": 5}}, format="json"),
        client.patch(u(world, f"matrix-options/{ids['HubSpot']}/"), {"scores": {"fit": 5}}, format="json"),
        client.post(u(world, "matrix-options/"), {"matrix": matrix, "template": "kintone"}, format="json"),
        client.delete(u(world, f"matrix-options/{ids['Scratch']}/")),
        client.put(u(world, f"matrices/{matrix}/signals/"), {"answers": ALL_NO}, format="json"),
        client.post(decision_url, {"option": ids["HubSpot"], "reason": "again"}, format="json"),
    ]
    assert [r.status_code for r in refused] == [409] * 6
    assert {r.json()["error"]["code"] for r in refused} == {"checklist.decisions.matrix_decided"}
    with workspace_context(world.a.workspace.id):
        assert DecisionMatrix.objects.get(id=matrix).weights["lead_time"] == "1"
        assert MatrixOption.objects.filter(matrix_id=matrix).count() == 3
    # The name and the plan stay editable.
    assert (
        client.patch(u(world, f"matrices/{matrix}/"), {"name": "Renamed"}, format="json").status_code == 200
    )
    patched = client.patch(decision_url, {"development_plan": "Q3 MVP"}, format="json").json()
    assert patched["development_plan"] == "Q3 MVP" and patched["requirements"] == "https://example.jp/req"

    # Reopen: the decision is withdrawn (the audit trail keeps it) and changes are allowed again.
    reopened = client.post(
        u(world, f"matrices/{matrix}/reopen/"), {"reason": "new requirements"}, format="json"
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["decision"]["decided"] is False
    (event,) = _audit(world, "checklist.matrix.decision_reopened", matrix)
    assert event.changes["previous"]["option"] == ids["Hybrid"]
    ok = client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"lead_time": 5}}, format="json")
    assert ok.status_code == 200 and ok.json()["weights"]["lead_time"] == 5
    assert client.post(u(world, f"matrices/{matrix}/reopen/"), {}, format="json").status_code == 409


def test_markdown_export_in_japanese_and_english(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    client.put(u(world, f"matrices/{matrix}/signals/"), {"answers": ALL_NO}, format="json")
    client.post(u(world, f"matrices/{matrix}/decision/"), {"option": ids["Hybrid"], "reason": "可視化が決め手"},
                format="json")  # fmt: skip
    viewer = client_as("viewer")
    ja = viewer.get(u(world, f"matrices/{matrix}/export/markdown/"))
    assert ja.status_code == 200 and ja["Content-Type"].startswith("text/markdown")
    text = ja.content.decode()
    assert text.startswith("# 判断マトリクス") and "マトリクス: Worked example" in text
    assert "| 評価基準 | 重み | HubSpot | Scratch | Hybrid |" in text
    assert "| 加重合計 |  | 20 | 18 | 21 |" in text
    assert "**Hybrid** を推奨します" in text and "## 最終判断の記録" in text
    assert "可視化が決め手" in text and world.a.users["consultant"].full_name in text
    en = viewer.get(u(world, f"matrices/{matrix}/export/markdown/?lang=en")).content.decode()
    assert "| Criterion | Weight | HubSpot | Scratch | Hybrid |" in en and "## Recorded decision" in en
    assert "**Hybrid** is recommended" in en and "| Weighted total |  | 20 | 18 | 21 |" in en
    by_header = viewer.get(
        u(world, f"matrices/{matrix}/export/markdown/"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "## Recorded decision" in by_header
    bad = viewer.get(u(world, f"matrices/{matrix}/export/markdown/?lang=fr"))
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["lang"]


def test_export_of_an_unscored_matrix_is_a_clear_400(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix = client.post(u(world, "matrices/"), {"name": "Draft"}, format="json").json()["id"]
    client.post(u(world, "matrix-options/"), {"matrix": matrix, "name": "X", "kind": "package",
                                              "scores": {"fit": 3}}, format="json")  # fmt: skip
    response = client.get(u(world, f"matrices/{matrix}/export/markdown/"))
    assert (
        response.status_code == 400
        and response.json()["error"]["code"] == "checklist.decisions.score_missing"
    )


@pytest.mark.parametrize(
    ("actor", "can_read", "can_manage"),
    [
        ("viewer", True, False),
        ("sales_rep", True, False),
        ("manager", True, False),
        ("admin", True, False),
        ("api_key", True, False),  # a key with every scope, checklist:write included, cannot manage
        ("consultant", True, True),
        ("firm_owner", True, True),
        ("anonymous", False, False),
    ],
)
def test_role_matrix(world: World, client_as: Any, actor: str, can_read: bool, can_manage: bool) -> None:
    matrix, ids = make_matrix(world, client_as("consultant"))
    client = client_as(actor)
    denied = {401, 403} if actor == "anonymous" else {403}
    for url in (u(world, "matrices/"), u(world, f"matrices/{matrix}/result/"), u(world, f"matrices/{matrix}/signals/"),
                u(world, f"matrices/{matrix}/decision/"), u(world, f"matrices/{matrix}/export/markdown/"),
                u(world, f"matrix-options/?matrix={matrix}")):  # fmt: skip
        assert (client.get(url).status_code == 200) is can_read, url
    writes = [
        ("post", u(world, "matrices/"), {"name": f"new {actor}"}, 201),
        ("patch", u(world, f"matrices/{matrix}/"), {"weights": {"lead_time": 2}}, 200),
        ("post", u(world, "matrix-options/"), {"matrix": matrix, "template": "kintone"}, 201),
        ("patch", u(world, f"matrix-options/{ids['Scratch']}/"), {"scores": {"fit": 4}}, 200),
        ("put", u(world, f"matrices/{matrix}/signals/"), {"answers": ALL_NO}, 200),
        ("delete", u(world, f"matrix-options/{ids['Scratch']}/"), None, 204),
        ("post", u(world, f"matrices/{matrix}/decision/"), {"option": ids["Hybrid"], "reason": "why"}, 201),
        ("patch", u(world, f"matrices/{matrix}/decision/"), {"development_plan": "plan"}, 200),
        ("post", u(world, f"matrices/{matrix}/reopen/"), {}, 200),
    ]
    for method, url, body, success in writes:
        response = getattr(client, method)(url, body, format="json")
        expected = {success} if can_manage else denied
        assert response.status_code in expected, (method, url, response.content)


def test_scoped_api_keys(world: World, key_client: Any) -> None:
    matrix = world.a.extra["decision_matrix"]
    writer = key_client("checklist:write")
    assert writer.get(u(world, f"matrices/{matrix.id}/result/")).status_code == 200
    assert writer.post(u(world, "matrices/"), {"name": "by key"}, format="json").status_code == 403
    assert key_client("kpi:read").get(u(world, "matrices/")).status_code == 403


def _state(world: World) -> tuple[Any, ...]:
    with workspace_context(world.a.workspace.id):
        return (
            json.dumps(list(DecisionMatrix.objects.order_by("id").values()), default=str),
            json.dumps(list(MatrixOption.objects.order_by("id").values()), default=str),
            AuditEvent.objects.count(),
        )


@pytest.mark.parametrize(
    ("target", "body", "code", "field"),
    [
        (
            "matrix",
            {"weights": {"lead_time": -1}},
            "checklist.decisions.weight_negative",
            "weights.lead_time",
        ),
        ("matrix", {"weights": dict.fromkeys(WEIGHTS, 0)}, "checklist.decisions.weights_all_zero", "weights"),
        ("matrix", {"weights": {"price": 10}}, "checklist.decisions.criterion_unknown", "weights.price"),
        (
            "matrix",
            {"weights": {"lead_time": "ten"}},
            "checklist.decisions.weight_not_number",
            "weights.lead_time",
        ),
        (
            "matrix",
            {"weights": {"lead_time": True}},
            "checklist.decisions.weight_not_number",
            "weights.lead_time",
        ),
        (
            "matrix",
            {"weights": {"lead_time": "NaN"}},
            "checklist.decisions.weight_not_finite",
            "weights.lead_time",
        ),
        (
            "matrix",
            {"weights": {"lead_time": 1e9}},
            "checklist.decisions.weight_out_of_bounds",
            "weights.lead_time",
        ),
        ("matrix", {"status": "decided"}, "invalid_choice", "status"),
        ("matrix", {"colour": "red"}, "unknown_field", "colour"),
        ("option", {"scores": {"fit": 0}}, "checklist.decisions.score_out_of_range", "scores.fit"),
        ("option", {"scores": {"fit": 6}}, "checklist.decisions.score_out_of_range", "scores.fit"),
        ("option", {"scores": {"fit": 2.5}}, "checklist.decisions.score_not_integer", "scores.fit"),
        ("option", {"scores": {"fit": "3"}}, "checklist.decisions.score_not_integer", "scores.fit"),
        ("option", {"scores": {"fit": True}}, "checklist.decisions.score_not_integer", "scores.fit"),
        ("option", {"scores": {"price": 3}}, "checklist.decisions.criterion_unknown", "scores.price"),
        (
            "option",
            {"rationales": {"price": "x"}},
            "checklist.decisions.criterion_unknown",
            "rationales.price",
        ),
        ("option", {"name": "hybrid"}, "checklist.decisions.option_name_taken", "name"),
        ("option", {"kind": "saas"}, "invalid_choice", "kind"),
        ("signals", {"answers": {"price": True}}, "checklist.decisions.signal_unknown", "answers"),
        ("signals", {"answers": {"realtime_speed": "yes"}}, "checklist.decisions.signal_not_bool", "answers"),
        (
            "decision",
            {"option": "OTHER", "reason": "why"},
            "checklist.decisions.option_not_in_matrix",
            "option",
        ),
        ("decision", {"option": "HubSpot", "reason": "   "}, "blank", "reason"),
        (
            "create_option",
            {"name": "HubSpot", "kind": "package"},
            "checklist.decisions.option_name_taken",
            "name",
        ),
        ("create_option", {"name": "New"}, "checklist.decisions.kind_required", "kind"),
        ("create_option", {"template": "oracle"}, "invalid_choice", "template"),
        ("create_matrix", {"name": "Worked example"}, "checklist.decisions.matrix_name_taken", "name"),
        (
            "create_matrix",
            {"name": "T", "weights": {"fit": -2}},
            "checklist.decisions.weight_negative",
            "weights.fit",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    world: World, client_as: Any, target: str, body: dict[str, Any], code: str, field: str
) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    other_matrix = world.a.extra["decision_matrix"]
    body = {k: ({"OTHER": str(world.a.extra["matrix_option"].id)} | ids).get(v, v) if k == "option" else v
            for k, v in body.items()}  # fmt: skip
    before = _state(world)
    url, method = {
        "matrix": (u(world, f"matrices/{matrix}/"), "patch"),
        "option": (u(world, f"matrix-options/{ids['HubSpot']}/"), "patch"),
        "signals": (u(world, f"matrices/{matrix}/signals/"), "put"),
        "decision": (u(world, f"matrices/{matrix}/decision/"), "post"),
        "create_option": (u(world, "matrix-options/"), "post"),
        "create_matrix": (u(world, "matrices/"), "post"),
    }[target]
    if target == "create_option":
        body = {"matrix": matrix, **body}
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"], error
    assert _state(world) == before
    assert other_matrix.status == "decided"
