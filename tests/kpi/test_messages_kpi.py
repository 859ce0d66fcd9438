"""The KPI engine on the message layer: codes with parameters, rendered in Japanese and English at the edge."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from core.errors import ServiceError
from core.messages import Message, message_codes
from kpi import services as kpi_services
from kpi.formulas import FormulaError, validate_formula
from kpi.formulas.errors import CONSTRUCTS, PARAMS
from kpi.models import Metric
from kpi.params import ContentName, Joined, Term
from kpi.planning.calendar import periods_in
from kpi.planning.sensitivity import Driver, sensitivity_analyse
from kpi.planning.smart import plan_check
from kpi.selectors import kpi_statuses
from kpi.units import ApproxYen, Quantity
from tenants.context import workspace_context
from tests.conftest import World
from tests.kpi.rendering import en, ja

D = Decimal


def u(world: World, suffix: str) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/kpi/{suffix}"


# --- The catalogue -------------------------------------------------------------------------------------


def test_every_formula_error_has_a_message() -> None:
    codes = message_codes()
    assert {f"kpi.formula.{key}" for key in PARAMS} <= codes
    assert {f"kpi.formula.construct.{name}" for name in CONSTRUCTS} <= codes
    assert {"kpi.formula.column", "kpi.formula.path_separator", "kpi.formula.unrecognised"} <= codes


def test_a_literal_percent_renders_once_in_both_languages() -> None:
    method = Message("kpi.sensitivity.method")
    assert "（率は%）" in ja(method) and "(rates in %)" in en(method)
    assert (ja(Term("kpi.book.unit.percent")), en(Term("kpi.book.unit.percent"))) == ("%", "%")


# --- Representative texts, exactly as before -----------------------------------------------------------


def test_formula_error_texts() -> None:
    with pytest.raises(FormulaError) as caught:
        validate_formula("wins / meetngs", known_names={"wins"})
    message = caught.value.message
    assert message.code == "kpi.formula.unknown_name"
    assert ja(message) == "8文字目: 'meetngs' という指標はありません"
    assert en(message) == "column 8: unknown metric 'meetngs'"
    assert message.as_json()["params"] == {"column": 8, "name": "meetngs"}


def test_period_labels() -> None:
    months = periods_in(2026, 4, "month")
    halves = periods_in(2026, 4, "half")
    assert [ja(p.label) for p in (months[0], months[-1], halves[1])] == [
        "2026年4月",
        "2027年3月",
        "FY2026 下期",
    ]
    assert [en(p.label) for p in (months[0], months[-1], halves[1])] == ["Apr 2026", "Mar 2027", "FY2026 H2"]
    assert months[0].label.as_json()["params"] == {"year": 2026}


def test_sensitivity_summary_and_its_params() -> None:
    result = sensitivity_analyse(drivers=[
        Driver.from_catalog("leads", plan=D(1000), actual=D(900)),
        Driver.from_catalog("meeting_rate", plan=D(50), actual=D(35)),
        Driver.from_catalog("avg_deal_size", plan=D(2000000), actual=D(2000000)),
    ])  # fmt: skip
    assert ja(result.summary) == (
        "最大のボトルネックは商談化率です。計画50%に対し実績35%（達成率70%）。"
        "計画値まで改善すると売上見込みが約2億7,000万円増えます。"
    )
    assert en(result.summary) == (
        "The biggest bottleneck is Meeting rate: plan 50%, actual 35% (70% of plan). "
        "Bringing it up to plan would raise projected revenue by about JPY 270,000,000."
    )
    body = result.summary.as_json()
    assert body["code"] == "kpi.sensitivity.summary.bottleneck.plan.uplift"
    assert body["params"]["driver"] == "meeting_rate" and body["params"]["plan"] == "50"
    json.dumps(body)


def test_plan_findings_keep_their_short_codes() -> None:
    result = plan_check([], kgi_target=None)
    assert [(f.code, f.message.code) for f in result.findings] == [
        ("kgi_target_missing", "kpi.smart.kgi_target_missing"),
        ("no_kpis", "kpi.smart.no_kpis"),
    ]
    assert (
        ja(result.findings[1].message)
        == "KPIが1つもありません。KGIをKSFに分解し、KSFごとにKPIを設計してください。"
    )


def test_status_sentence(world: World) -> None:
    with workspace_context(world.a.workspace.id):
        kpi_services.actual_record(metric=Metric.objects.get(key="meetings"), date=dt.date(2026, 5, 7),
                                   value=D(12))  # fmt: skip
        status = next(s for s in kpi_statuses(plan=world.a.plan, as_of=dt.date(2026, 5, 20))
                      if s.node.key == "win_rate")  # fmt: skip
    assert ja(status.message) == "受注率: 実績 25% / 想定 25%（順調）"
    assert (
        en(status.message) == "受注率: actual 25% against 25% expected to date (on track)"
    )  # no English name
    assert status.message.as_json()["params"] == {
        "node": "win_rate",
        "actual": "25.00",
        "expected": "25.0000",
        "status": "on_track",
    }  # exact values


# --- Parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "shown_ja", "shown_en"),
    [
        ("5000000", "jpy", "5,000,000円", "JPY 5,000,000"),
        ("1388888.5", "jpy", "1,388,889円", "JPY 1,388,889"),
        ("72.727272", "percent", "72.73%", "72.73%"),  # rounded, not cut
        ("33.33333", "percent", "33.33%", "33.33%"),
        ("1234", "count", "1,234件", "1,234"),
        ("2.5", "count", "2.5件", "2.5"),
        ("3", "months", "3か月", "3 months"),
        ("100000000", "widgets", "100,000,000件", "100,000,000"),  # an unknown unit shows as a count
    ],
)
def test_quantity_displays_for_people_and_answers_the_exact_value(
    value: str, unit: str, shown_ja: str, shown_en: str
) -> None:
    quantity = Quantity(D(value), unit)
    assert (ja(quantity), en(quantity)) == (shown_ja, shown_en)
    assert quantity.to_json() == value


def test_quantity_edge_cases() -> None:
    assert ja(Quantity(None, "jpy")) == "—" and Quantity(None, "jpy").to_json() is None
    assert ja(Quantity(D("66.666"), "percent", places=1)) == "66.7%"
    assert Quantity(D("1E+8"), "jpy").to_json() == "100000000"  # plain notation, never 1E+8
    assert Message("kpi.unit.jpy", {"number": "1"}).render()  # a registered code


@pytest.mark.parametrize(
    ("amount", "shown_ja", "shown_en"),
    [
        (27_216_000, "約2,722万円", "JPY 27,216,000"),
        (123_456_789, "約1億2,346万円", "JPY 123,456,789"),
        (200_000_000, "約2億円", "JPY 200,000,000"),
        (9_800, "9,800円", "JPY 9,800"),
        (-27_216_000, "約-2,722万円", "JPY -27,216,000"),
    ],
)
def test_approximate_yen(amount: int, shown_ja: str, shown_en: str) -> None:
    assert (ja(ApproxYen(D(amount))), en(ApproxYen(D(amount)))) == (shown_ja, shown_en)


def test_names_people_gave_follow_the_language() -> None:
    name = ContentName("win_rate", "受注率", "Win rate")
    assert (ja(name), en(name), name.to_json()) == ("受注率", "Win rate", "win_rate")
    assert en(ContentName("x", "受注率")) == "受注率"  # no English name: the Japanese one
    path = Joined(("a", "b", "a"), "kpi.formula.path_separator")
    assert (ja(path), en(path), path.to_json()) == ("a → b → a", "a -> b -> a", ["a", "b", "a"])


# --- The API: codes, params with the position, messages in the request's language ----------------------


def _node(world: World, **fields: Any) -> dict[str, Any]:
    return {"plan": str(world.a.plan.id), "kind": "kpi", "name_ja": "テスト", "parent": str(world.a.ksf.id),
            **fields}  # fmt: skip


def test_a_formula_refusal_answers_its_code_position_and_message(world: World, client_as: Any) -> None:
    client = client_as("admin")
    for language, message in (("ja", "8文字目: 'ghosts' という指標はありません"),
                              ("en", "column 8: unknown metric 'ghosts'")):  # fmt: skip
        response = client.post(u(world, "nodes/"), _node(world, key="k", formula="wins / ghosts"), format="json",
                               HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert response.status_code == 400
        assert response.json()["error"] == {
            "code": "kpi.formula.unknown_name",
            "params": {"column": 8, "name": "ghosts"},
            "message": message,
            "fields": {"formula": [message]},
        }


def test_a_cycle_through_other_formulas_has_no_position(world: World, client_as: Any) -> None:
    client = client_as("admin")
    a = client.post(u(world, "nodes/"), _node(world, key="aa", formula="wins"), format="json").json()
    assert (
        client.post(u(world, "nodes/"), _node(world, key="bb", formula="aa + 1"), format="json").status_code
        == 201
    )
    error = client.patch(u(world, f"nodes/{a['id']}/"), {"formula": "bb * 2"}, format="json").json()["error"]
    assert error["code"] == "kpi.formula.cycle"
    assert error["params"] == {"column": None, "path": ["aa", "bb", "aa"]}
    assert error["message"] == "循環参照があります: aa → bb → aa"


def test_a_duplicate_node_key_says_so(world: World, client_as: Any) -> None:
    """It answered 「この方はすでにメンバーです。」, the membership's message, through a shared msgid."""
    client = client_as("admin")
    for language, message in (("ja", "このキーはこの計画ですでに使われています。"),
                              ("en", "This key is already used in the plan.")):  # fmt: skip
        response = client.post(u(world, "nodes/"), _node(world, key="win_rate"), format="json",
                               HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["params"], error["message"]) == ("kpi.node.key_taken", {"key": "win_rate"},
                                                                      message)  # fmt: skip
        assert error["fields"] == {"key": [message]}


def test_a_duplicate_metric_key_says_so(world: World, client_as: Any) -> None:
    response = client_as("consultant").post(
        u(world, "metrics/"), {"key": "wins", "name_ja": "受注"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("kpi.metric.key_taken", "このキーはすでに使われています。")


def test_an_owner_from_another_workspace_is_named_as_the_owner(world: World) -> None:
    """It answered the consultant-assignment message of the control plane (another shared msgid)."""
    with workspace_context(world.a.workspace.id), pytest.raises(ServiceError) as caught:
        kpi_services.actual_record(metric=Metric.objects.get(key="wins"), date=dt.date(2026, 5, 7), value=D(1),
                                   owner=world.b.memberships["manager"])  # fmt: skip
    assert (caught.value.code, caught.value.field) == ("kpi.owner_not_member", "owner")
    with translation.override("ja"):
        assert caught.value.message == "責任者はこのワークスペースのメンバーである必要があります。"
    with translation.override("en"):
        assert caught.value.message == "The owner must be a member of this workspace."


def test_a_cascade_refusal_carries_its_numbers(world: World, client_as: Any) -> None:
    response = client_as("consultant").post(u(world, f"nodes/{world.a.kgi.id}/cascade/"),
                                            {"mode": "weights", "weights": ["1"] * 3}, format="json",
                                            HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    error = response.json()["error"]
    assert error["code"] == "kpi.cascade.weights_length_mismatch"
    assert error["params"] == {"given": 3, "expected": 12}
    assert error["message"] == "Got 3 weights for 12 periods; give exactly one weight per period."


# --- Purity ----------------------------------------------------------------------------------------------


def test_the_pure_modules_import_no_django_and_call_no_gettext() -> None:
    """They name codes; only a parameter's ``display()`` reads the active language, when the edge renders."""
    import ast
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    paths = [*(root / "kpi/planning").glob("*.py"), *(root / "kpi/formulas").glob("*.py"),
             root / "kpi/params.py", root / "kpi/units.py"]  # fmt: skip
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), (path, names)
        called = {
            n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert not called & {"gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "_"}, path
