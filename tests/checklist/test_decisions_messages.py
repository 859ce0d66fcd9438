"""The decision matrix's system text, pinned in Japanese and English (tests/checklist/golden/messages.json).

The file was written from the texts as they were before they moved to the message layer (codes with
parameters, the catalogue in checklist/decisions/messages.py): the error messages the API answers, the
sentences of the result and signals endpoints, the scoring errors and the checklist evidence. Moving the
text must not change a byte of it (a deliberate improvement rewrites the file: ``GOLDEN_UPDATE=1``).

Three texts changed on purpose when they moved: an unscored matrix's error names the option by its name
(it showed the option's id), in the export's 400 and the result's ``problem``; and the A13 evidence says
"a development plan is not recorded yet" (it said "are").
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from checklist.checklists.verification import rules_evaluate
from checklist.decisions import scoring, services
from checklist.models import DecisionMatrix
from tenants.context import workspace_context
from tenants.services import Actor
from tests.checklist.test_decisions_api import ALL_NO, make_matrix, u
from tests.conftest import World

GOLDEN = Path(__file__).parent / "golden" / "messages.json"
D = Decimal
LANGS = ("ja", "en")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _stable(value: Any, world: World | None) -> Any:
    """Ids and the world's random names replaced, so the pinned texts do not depend on the run."""
    text = UUID.sub("<id>", json.dumps(value, ensure_ascii=False))
    if world is not None:
        text = text.replace(world.a.users["consultant"].full_name, "<consultant>")
    return json.loads(text)


def assert_pinned(section: str, found: dict[str, Any], world: World | None = None) -> None:
    found = _stable(found, world)
    pinned = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if os.environ.get("GOLDEN_UPDATE"):
        pinned[section] = found
        GOLDEN.write_text(json.dumps(pinned, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    assert found == pinned[section]


# ---- the API's error messages --------------------------------------------------------------------

BAD_INPUT = [
    ("matrix", {"weights": {"lead_time": -1}}),
    ("matrix", {"weights": dict.fromkeys(("initial_cost", "lead_time", "visualisation_flexibility",
                                          "data_integration_freedom", "realtime", "custom_kpi_calculation",
                                          "maintenance_cost", "extensibility", "fit"), 0)}),
    ("matrix", {"weights": {"price": 10}}),
    ("matrix", {"weights": {"lead_time": "ten"}}),
    ("matrix", {"weights": {"lead_time": True}}),
    ("matrix", {"weights": {"lead_time": "NaN"}}),
    ("matrix", {"weights": {"lead_time": 1e9}}),
    ("matrix", {"weights": {"lead_time": "0.00001"}}),
    ("option", {"scores": {"fit": 0}}),
    ("option", {"scores": {"fit": 6}}),
    ("option", {"scores": {"fit": 2.5}}),
    ("option", {"scores": {"fit": "3"}}),
    ("option", {"scores": {"price": 3}}),
    ("option", {"rationales": {"price": "x"}}),
    ("option", {"rationales": {"fit": "x" * 2001}}),
    ("option", {"rationales": {"fit": 3}}),
    ("option", {"name": "hybrid"}),
    ("signals", {"answers": {"price": True}}),
    ("signals", {"answers": {"realtime_speed": "yes"}}),
    ("decision", {"option": "OTHER", "reason": "why"}),
    ("create_option", {"name": "HubSpot", "kind": "package"}),
    ("create_option", {"name": "New"}),
    ("create_option", {"kind": "package"}),
    ("create_matrix", {"name": "Worked example"}),
    ("create_matrix", {"name": "T", "weights": {"fit": -2}}),
]  # fmt: skip


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code in (400, 409), response.content
    error = response.json()["error"]
    return {"message": error["message"], "fields": error["fields"]}


def test_api_error_messages(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    found: dict[str, Any] = {}
    for number, (target, body) in enumerate(BAD_INPUT):
        label = f"{number:02d} {target} {json.dumps(body)[:60]}"
        body = {k: ({"OTHER": str(world.a.extra["matrix_option"].id)} | ids).get(v, v) if k == "option" else v
                for k, v in body.items()}  # fmt: skip
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
        for lang in LANGS:
            response = getattr(client, method)(url, body, format="json", HTTP_ACCEPT_LANGUAGE=lang)
            found[f"{label} {lang}"] = _error(response)
    # The state errors: a decided matrix, no decision, an archived matrix, an unscored export.
    decision = u(world, f"matrices/{matrix}/decision/")
    for lang in LANGS:
        found[f"no_decision {lang}"] = _error(client.patch(decision, {"requirements": "x"}, format="json",
                                                           HTTP_ACCEPT_LANGUAGE=lang))  # fmt: skip
    client.post(decision, {"option": ids["Hybrid"], "reason": "why"}, format="json")
    for lang in LANGS:
        found[f"decided {lang}"] = _error(
            client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"fit": 1}}, format="json",
                         HTTP_ACCEPT_LANGUAGE=lang)
        )  # fmt: skip
    client.post(u(world, f"matrices/{matrix}/reopen/"), {}, format="json")
    client.patch(u(world, f"matrices/{matrix}/"), {"status": "archived"}, format="json")
    for lang in LANGS:
        found[f"archived {lang}"] = _error(
            client.put(u(world, f"matrices/{matrix}/signals/"), {"answers": ALL_NO}, format="json",
                       HTTP_ACCEPT_LANGUAGE=lang)
        )  # fmt: skip
    draft = client.post(u(world, "matrices/"), {"name": "Draft"}, format="json").json()["id"]
    client.post(u(world, "matrix-options/"), {"matrix": draft, "name": "X", "kind": "package",
                                              "scores": {"fit": 3}}, format="json")  # fmt: skip
    for lang in LANGS:
        found[f"export unscored {lang}"] = _error(
            client.get(u(world, f"matrices/{draft}/export/markdown/?lang={lang}"), HTTP_ACCEPT_LANGUAGE=lang)
        )
    assert_pinned("api_errors", found, world)


# ---- the sentences of the result and signals endpoints -------------------------------------------


def _texts(data: dict[str, Any], signals: dict[str, Any]) -> dict[str, Any]:
    stab, final = data["stability"] or {}, data["final"] or {}
    return {
        "criteria": [(c["name_ja"], c["name_en"]) for c in data["criteria"]],
        "problem": data["problem"] and {k: v for k, v in data["problem"].items() if k.startswith("message")},
        "stability": [stab.get("sentence_ja"), stab.get("sentence_en")],
        "summary": [data["signals"]["summary_ja"], data["signals"]["summary_en"]],
        "final": [final.get("explanation_ja"), final.get("explanation_en")],
        "questions": [(q["question_ja"], q["question_en"]) for q in signals["questions"]],
        "signals_summary": [signals["summary_ja"], signals["summary_en"]],
    }


def test_result_and_signals_sentences(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix, _ids = make_matrix(world, client)
    found: dict[str, Any] = {}

    def read(name: str, matrix_id: str = matrix) -> None:
        data = client.get(u(world, f"matrices/{matrix_id}/result/")).json()
        found[name] = _texts(data, client.get(u(world, f"matrices/{matrix_id}/signals/")).json())

    read("worked example, unanswered")
    signals = u(world, f"matrices/{matrix}/signals/")
    client.put(signals, {"answers": ALL_NO}, format="json")
    read("worked example, all no")
    client.put(
        signals, {"answers": {**ALL_NO, "multi_source_kpi": True, "custom_dashboard": True}}, format="json"
    )
    read("worked example, two yes")
    client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"initial_cost": 3}}, format="json")
    client.put(signals, {"answers": dict.fromkeys(ALL_NO, True) | {"realtime_speed": None}}, format="json")
    read("package leads, five yes, one unanswered")
    client.patch(u(world, f"matrices/{matrix}/"), {"weights": {"initial_cost": "2.5"}}, format="json")
    read("tie")
    empty = client.post(u(world, "matrices/"), {"name": "Empty"}, format="json").json()["id"]
    read("no options", empty)
    draft = client.post(u(world, "matrices/"), {"name": "Draft"}, format="json").json()["id"]
    client.post(u(world, "matrix-options/"), {"matrix": draft, "name": "X", "kind": "package",
                                              "scores": {"fit": 3}}, format="json")  # fmt: skip
    read("unscored", draft)
    single = client.post(u(world, "matrices/"), {"name": "Single", "templates": ["kintone"]}, format="json")
    read("single option", single.json()["id"])
    assert_pinned("result_sentences", found, world)


# ---- scoring's errors ----------------------------------------------------------------------------

W = {"initial_cost": D(1), "realtime": D(1)}
SCORING_ERRORS: list[tuple[Any, ...]] = [
    ({}, {"A": {}}),
    (W, {}),
    ({"initial_cost": D(-1), "realtime": D(2)}, {}),
    ({"initial_cost": D(0), "realtime": D(0)}, {}),
    ({"initial_cost": 1.5, "realtime": D(1)}, {}),
    ({"initial_cost": D("NaN"), "realtime": D(1)}, {}),
    ({"security": D("-0.5")}, {}),
    (W, {"A": {"initial_cost": 3}}),
    (W, {"A": {"initial_cost": 3, "realtime": 0}}),
    (W, {"A": {"initial_cost": 3.0, "realtime": 3}}),
    (W, {"A": {"initial_cost": 3, "realtime": 3, "fit": 3}}),
    (W, {"A": [3, 3]}),
]


def _scoring_error(call: Any) -> dict[str, str]:
    with pytest.raises(scoring.ScoringError) as caught:
        call()
    texts = {}
    for lang in LANGS:
        with translation.override(lang):
            texts[lang] = caught.value.message.render()
    return texts


def test_scoring_error_messages() -> None:
    found = {
        f"matrix {i:02d}": _scoring_error(lambda w=w, s=s: scoring.matrix_score(w, s))
        for i, (w, s) in enumerate(SCORING_ERRORS)
    }
    found["signal unknown"] = _scoring_error(lambda: scoring.signals_assess({"crystal_ball": True}))
    found["signal not bool"] = _scoring_error(lambda: scoring.signals_assess({"realtime_speed": 1}))  # type: ignore[dict-item]
    matrix = scoring.matrix_score(W, {"inhouse": {"initial_cost": 5, "realtime": 5}})
    signals = scoring.signals_assess({})
    found["kind missing"] = _scoring_error(lambda: scoring.final_recommendation(matrix, signals))
    found["kind invalid"] = _scoring_error(
        lambda: scoring.final_recommendation(matrix, signals, {"inhouse": "bespoke"})
    )
    assert_pinned("scoring_errors", found)


# ---- the checklist's evidence (A11-A13) ----------------------------------------------------------


def _evidence(outcome: Any) -> list[str]:
    """The evidence in ja and en."""
    texts = []
    for lang in LANGS:
        with translation.override(lang):
            texts.append(outcome.evidence.render())
    return texts


def test_rule_evidence(world: World) -> None:
    side = world.a
    actor = Actor.of(side.principal("consultant"))
    rules = ("decision_matrix_scored", "decision_recorded", "scratch_requirements_when_needed")
    found: dict[str, Any] = {}

    def read(name: str) -> None:
        with workspace_context(side.workspace.id):
            outcomes = rules_evaluate(rules, workspace=side.workspace)
        found[name] = {key: _evidence(o) for key, o in outcomes.items() if o is not None}

    with workspace_context(side.workspace.id):
        DecisionMatrix.objects.all().delete()
    read("nothing")
    with workspace_context(side.workspace.id):
        matrix = services.matrix_create(actor=actor, name="M", templates=["full_scratch"])
        services.option_create(actor=actor, matrix=matrix, name="Blank", kind="hybrid", scores={"fit": 2})
    read("one complete option, one blank")
    with workspace_context(side.workspace.id):
        blank = matrix.options.get(name="Blank")
        services.option_update(actor=actor, option=blank, scores=dict.fromkeys(
            (c.key for c in scoring.CRITERIA), 3))  # fmt: skip
        services.matrix_signals_answer(actor=actor, matrix=matrix, answers=ALL_NO)
    read("scored")
    with workspace_context(side.workspace.id):
        scratch = matrix.options.get(template_key="full_scratch")
        matrix = services.decision_record(actor=actor, matrix=matrix, option=scratch, reason="独自KPI")
        DecisionMatrix.objects.filter(id=matrix.id).update(decided_at="2026-03-02T01:30:00Z")
    read("scratch decided, nothing recorded")
    with workspace_context(side.workspace.id):
        services.decision_update(actor=actor, matrix=matrix, requirements="要件 v1")
    read("scratch decided, requirements only")
    with workspace_context(side.workspace.id):
        services.decision_update(actor=actor, matrix=matrix, requirements="", development_plan="Q3")
    read("scratch decided, plan only")
    with workspace_context(side.workspace.id):
        services.decision_update(actor=actor, matrix=matrix, requirements="要件 v1")
    read("scratch decided, both")
    with workspace_context(side.workspace.id):
        matrix = services.decision_reopen(actor=actor, matrix=matrix)
        hybrid = matrix.options.get(name="Blank")
        services.decision_record(actor=actor, matrix=matrix, option=hybrid, reason="r")
        services.decision_reopen(actor=actor, matrix=matrix)
        services.option_create(actor=actor, matrix=matrix, template="kintone")
        kintone = matrix.options.get(template_key="kintone")
        services.decision_record(actor=actor, matrix=matrix, option=kintone, reason="標準で足りる")
        DecisionMatrix.objects.filter(id=matrix.id).update(decided_at="2026-03-02T01:30:00Z")
    read("package decided")
    with workspace_context(side.workspace.id):
        matrix = services.decision_reopen(actor=actor, matrix=matrix)
        services.option_update(actor=actor, option=kintone, scores={"fit": None, "realtime": None})
        services.matrix_signals_answer(actor=actor, matrix=matrix, answers={"realtime_speed": True})
    read("reopened, two scores missing, five unanswered")
    with translation.override("en"):
        read("reopened, under English")
    assert_pinned("rule_evidence", found, world)


# ---- the catalogue ------------------------------------------------------------------------------


def test_every_code_has_its_japanese() -> None:
    """A code whose Japanese is missing (or under the wrong msgctxt) would answer English to Japanese users."""
    from checklist.decisions.messages import MESSAGES
    from core.messages import message_template

    same = {"checklist.decisions.sentences"}  # "%(sentences)s" is the same in every language
    for code in MESSAGES:
        texts = {}
        for lang in LANGS:
            with translation.override(lang):
                texts[lang] = str(message_template(code))
        assert (texts["ja"] == texts["en"]) == (code in same), (code, texts)


def test_errors_answer_their_code_and_machine_params(world: World, client_as: Any) -> None:
    client = client_as("consultant")
    matrix, ids = make_matrix(world, client)
    error = client.patch(
        u(world, f"matrices/{matrix}/"), {"weights": {"lead_time": -1}}, format="json"
    ).json()
    assert error["error"]["code"] == "checklist.decisions.weight_negative"
    assert error["error"]["params"] == {"criterion": "lead_time", "weight": "-1"}
    assert (
        error["error"]["message"] == "評価基準「導入期間」の重みが負の値です(-1)。重みは0以上にしてください。"
    )
    client.patch(u(world, f"matrix-options/{ids['HubSpot']}/"), {"scores": {"fit": None}}, format="json")
    problem = client.get(u(world, f"matrices/{matrix}/result/"), HTTP_ACCEPT_LANGUAGE="en").json()["problem"]
    assert problem == {
        "code": "checklist.decisions.score_missing",
        "params": {"option": ids["HubSpot"], "criterion": "fit"},
        "message_ja": "オプション「HubSpot」の評価基準「適している企業(適合度)」が未採点です。",
        "message_en": "Option 'HubSpot' has no score for criterion 'Fit with the client (suits)'.",
    }


def test_sentences_carry_machine_params() -> None:
    """The stability sentence and the final reading as partners could read them: keys and exact numbers."""
    weights = {"initial_cost": D(1), "lead_time": D(5), "realtime": D(2)}
    scores = {"P": {"initial_cost": 3, "lead_time": 5, "realtime": 2},
              "R": {"initial_cost": 5, "lead_time": 3, "realtime": 5}}  # fmt: skip
    stab = scoring.stability(weights, scores)
    sentence = scoring.stability_sentence(stab, {"R": "Hybrid"}).as_json()
    assert sentence["code"] == "checklist.decisions.stability.flip_increase"
    assert sentence["params"] == {"criterion": "realtime", "change": "2/3", "current": "2", "new": "8/3",
                                  "challengers": ["R"]}  # fmt: skip
    final = scoring.final_recommendation(
        scoring.matrix_score(weights, scores), scoring.signals_assess({"realtime_speed": True}),
        {"P": "package", "R": "hybrid"}, stability_result=stab,
    ).explanation  # fmt: skip
    assert final.code == "checklist.decisions.sentences"
    parts = final.as_json()["params"]["sentences"]
    assert [p["code"] for p in parts] == [
        "checklist.decisions.final.consistent",
        "checklist.decisions.final.unanswered",
        "checklist.decisions.stability.flip_increase",
    ]
    with translation.override("en"):
        assert final.render() == (
            "The matrix recommends 'P' (package). 1 of 6 \"package falls short\" signals are yes, which points to "
            "an MA/SFA package. The two agree. 5 signal question(s) are unanswered. Raising the weight of "
            "'Real-time capability' by ≈0.67 (2 -> ≈2.67) brings 'R' level with the leader and overturns the "
            "recommendation."
        )
    with translation.override("ja"):
        assert final.render() == (
            "判断マトリクスは「P」(パッケージ)を推奨しています。「パッケージでは不足する」シグナルは6項目中1項目が"
            "「はい」で、MA/SFAパッケージを示しています。両者は一致しています。シグナルの未回答が5項目あります。"
            "「リアルタイム性」の重みを≈0.67上げると(2→≈2.67)、「R」が首位と並び、推奨が入れ替わります。"
        )
