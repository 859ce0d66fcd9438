"""The KPI engine's system text, pinned in Japanese and English (golden files under ``tests/kpi/golden``).

Every sentence the pure modules make (formula errors, planning refusals, period labels, reverse-calculation
notes and rounding rules, the sensitivity summary, SMART reasons and plan findings) and every message the
API answers (status, check, sensitivity, series labels, the tools, refusals) was recorded from the code as
it was before the message layer. The texts must stay exactly as they were, or get better on purpose (the
golden file then changes in the same commit and says why).

``KPI_GOLDEN_WRITE=1`` rewrites the files instead of comparing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from kpi import services as kpi_services
from kpi.demo import demo_plan_seed
from kpi.formulas import FormulaError, dependency_order, parse_formula, validate_formula
from kpi.models import KpiPlan, Metric
from kpi.planning import calendar, cascade, pacing, reverse, sensitivity, smart
from kpi.units import ApproxYen
from tenants.context import workspace_context
from tenants.services import Actor
from tests.conftest import World
from tests.kpi.rendering import in_language

GOLDEN = Path(__file__).parent / "golden"
WRITE = bool(os.environ.get("KPI_GOLDEN_WRITE"))
D = Decimal


def _compare(name: str, data: Any) -> None:
    path = GOLDEN / name
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    expected = json.loads(path.read_text(encoding="utf-8"))
    actual = json.loads(text)
    assert actual.keys() == expected.keys()
    for key in expected:
        assert actual[key] == expected[key], key


# --- How each outcome gives its text (the only part that follows the code's shape) -------------------------


def both(message: Any) -> dict[str, str]:
    return {"ja": in_language(message, "ja"), "en": in_language(message, "en")}


def formula_error_text(error: FormulaError) -> dict[str, str]:
    return both(error.message)


def planning_error_text(error: calendar.PlanningError) -> dict[str, str]:
    return both(error.message)


def reason_text(reason: Any) -> dict[str, str] | None:
    return None if reason is None else both(reason)


def period_text(period: calendar.Period) -> dict[str, str]:
    return both(period.label)


def rule_text(result: Any) -> dict[str, str]:
    return both(result.rounding_rule)


def summary_text(result: sensitivity.SensitivityResult) -> dict[str, str]:
    return both(result.summary)


def method_text(result: sensitivity.SensitivityResult) -> dict[str, str]:
    return both(result.method)


def check_text(check: Any) -> dict[str, str]:
    return both(check.message)


def approx_yen(amount: Decimal) -> str:
    return in_language(ApproxYen(amount), "ja")


def to_dict(error: FormulaError, language: str) -> dict[str, Any]:
    with translation.override(language):
        return error.to_dict()


# --- The pure modules ------------------------------------------------------------------------------------

FORMULAS = [
    "", "   ", "wins +", "(wins", "wins)", "wins meetings", "wins ／ meetings", "受注数", "a\x00", "x.y", "'a'",
    "True", "None", "...", "a < b", "2 ** 3", "wins % 2", "wins // 2", "not wins", "wins and meetings",
    "wins if meetings else 0", "(wins, meetings)", "[wins]", "{wins}", "{1: 2}", "lambda: 1", "x[0]",
    "f'{wins}'", "b'x'", "(y := 1)", "[x for x in y]", "wins.__class__()", "wins()", "meetings / 0",
    "min(wins)", "abs(wins, meetings)", "round(wins, 7)", "round(wins, meetings)", "min(x=1, y=2)", "max(*a)",
    "sqrt(wins)", "max + 1", "Wins", "1e5", "0x10", "1_000", "1234567890123456789", "1.1234567", "wins # c",
    "wins\nmeetings", "x" * 257, "(" * 17 + "1" + ")" * 17, " + ".join(["a"] * 40), "~wins", "-wins", "1j",
    "await x", "wins; import os", "`wins`", "$wins", "wins?", "wins <> meetings", 42,
]  # fmt: skip


def _formula_texts() -> dict[str, Any]:
    texts: dict[str, Any] = {}
    for source in FORMULAS:
        try:
            validate_formula(source, known_names={"wins", "meetings", "a", "b", "x", "y"})  # type: ignore[arg-type]
        except FormulaError as error:
            texts[repr(source)] = {"code": error.code, "column": error.column, **formula_error_text(error)}
        else:
            texts[repr(source)] = None
    for source, known, key in (
        ("wins / meetngs", {"wins"}, None),
        ("win_rate * 2", {"win_rate"}, "win_rate"),
    ):
        try:
            validate_formula(source, known_names=known, key=key)
        except FormulaError as error:
            texts[f"validate {source}"] = formula_error_text(error)
    formulas = {"a": parse_formula("b + 1"), "b": parse_formula("a * 2")}
    for name, (given, base) in {
        "cycle": (formulas, set()),
        "unknown_in_formula": ({"win_rate": parse_formula("wins / meetngs")}, {"wins"}),
    }.items():
        try:
            dependency_order(given, base)
        except FormulaError as error:
            texts[name] = formula_error_text(error)
    texts["missing params"] = formula_error_text(FormulaError("too_long"))
    texts["unknown code"] = formula_error_text(FormulaError("not_a_code", column=2))
    texts["to_dict"] = {
        "ja": to_dict(FormulaError("empty"), "ja"),
        "en": to_dict(FormulaError("empty"), "en"),
    }
    return texts


def _refusal(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(calendar.PlanningError) as caught:
        call()
    return {"code": caught.value.code, **planning_error_text(caught.value)}


def _planning_texts() -> dict[str, Any]:
    months = calendar.periods_in(2026, 4, "month")
    texts: dict[str, Any] = {
        "labels": {
            f"{kind} {start}": [period_text(p) for p in calendar.periods_in(2026, start, kind)][:14]
            for kind in ("fiscal_year", "half", "quarter", "month", "week")
            for start in (1, 4, 10)
        },
        "refusals": {
            "start_month": _refusal(lambda: calendar.fiscal_year_of(dt.date(2026, 4, 1), 13)),
            "fiscal_year": _refusal(lambda: calendar.fiscal_year_range(0)),
            "period_kind": _refusal(lambda: calendar.periods_in(2026, 4, "fortnight")),
            "period": _refusal(lambda: calendar.Period("month", dt.date(2026, 5, 1), dt.date(2026, 4, 1))),
            "holidays": _refusal(lambda: calendar.is_national_holiday(dt.date(2200, 1, 1))),
            "number": _refusal(lambda: cascade.cascade(1.5, months, "even")),  # type: ignore[arg-type]
            "finite": _refusal(lambda: cascade.cascade(D("NaN"), months, "even")),
            "quantum": _refusal(lambda: cascade.cascade(D(12), months, "even", quantum=D(0))),
            "ratio": _refusal(lambda: cascade.cascade(D(12), months, "even", unit_kind="percent")),
            "mode": _refusal(lambda: cascade.cascade(D(12), months, "biggest")),
            "no_periods": _refusal(lambda: cascade.cascade(D(12), [], "even")),
            "apportion_empty": _refusal(lambda: cascade.apportion(D(12), [])),
            "length": _refusal(lambda: cascade.cascade(D(12), months, "weights", weights=[1] * 11)),
            "negative": _refusal(lambda: cascade.cascade(D(12), months, "weights", weights=[1] * 11 + [-1])),
            "weight_nan": _refusal(
                lambda: cascade.cascade(D(12), months, "weights", weights=[1] * 11 + [D("NaN")])
            ),
            "zero": _refusal(lambda: cascade.cascade(D(12), months, "weights", weights=[0] * 12)),
            "multiple": _refusal(lambda: cascade.cascade(D("12.5"), months, "even")),
            "unexpected": _refusal(lambda: cascade.cascade(D(12), months, "even", weights=[1] * 12)),
            "required": _refusal(lambda: cascade.cascade(D(12), months, "weights")),
            "required_quarters": _refusal(lambda: cascade.cascade_to_quarters(D(12), 2026, "weights")),
            "child": _refusal(
                lambda: cascade.subdivide(cascade.cascade(D(12), months, "even")[0], months[1:2], "even")
            ),
            "pace_basis": _refusal(lambda: pacing.period_progress(months[0], dt.date(2026, 4, 2), basis="x")),
            "pace_aggregation": _refusal(
                lambda: pacing.expected_to_date(D(1), months[0], dt.date(2026, 4, 2), aggregation="mean")
            ),
            "pace_direction": _refusal(lambda: pacing.pace_status(D(1), D(1), direction="up")),
            "pace_number": _refusal(lambda: pacing.pace_status(D(1), 1.5)),  # type: ignore[arg-type]
            "pace_finite": _refusal(lambda: pacing.pace_status(D(1), D("Infinity"))),
            "pace_thresholds": _refusal(
                lambda: pacing.pace_status(D(1), D(1), at_risk_threshold=D("0.5"), behind_threshold=D("0.6"))
            ),
        },
    }
    return texts


def _reverse_texts() -> dict[str, Any]:
    stages = [
        reverse.Stage("meetings", "win_rate", D(25), "wins"),
        reverse.Stage("appointments", "meeting_rate", D(50), "meetings"),
    ]
    texts: dict[str, Any] = {}
    seed = reverse.reverse_calculate(kgi_target=D(100_000_000), avg_deal_size=D(5_000_000), stages=stages,
                                     periods=12)  # fmt: skip
    texts["seed"] = {
        "rule": rule_text(seed),
        "names": [{"ja": level.name_ja, "en": level.name_en} for level in seed.levels],
    }
    zero_rate = [stages[0], reverse.Stage("appointments", "meeting_rate", D(0), "meetings")]
    for name, kwargs in {
        "zero_rate": {"kgi_target": D(100), "avg_deal_size": D(10), "stages": zero_rate},
        "zero_deal": {"kgi_target": D(100), "avg_deal_size": D(0), "stages": stages},
        "indeterminate": {"kgi_target": D(0), "avg_deal_size": D(0), "stages": stages},
        "unknown_key": {"kgi_target": D(100), "avg_deal_size": D(10),
                        "stages": [reverse.Stage("calls", "call_rate", D(0), "wins")]},
    }.items():  # fmt: skip
        texts[name] = reason_text(reverse.reverse_calculate(**kwargs).undefined_reason)  # type: ignore[arg-type]
    refusals = {
        "float": lambda: reverse.reverse_calculate(kgi_target=1.5, avg_deal_size=D(1), stages=[]),
        "nan": lambda: reverse.reverse_calculate(kgi_target=D("NaN"), avg_deal_size=D(1), stages=[]),
        "negative": lambda: reverse.reverse_calculate(kgi_target=D(-1), avg_deal_size=D(1), stages=[]),
        "broken": lambda: reverse.reverse_calculate(kgi_target=D(1), avg_deal_size=D(1), stages=stages[1:]),
        "cycle": lambda: reverse.reverse_calculate(
            kgi_target=D(1), avg_deal_size=D(1),
            stages=[reverse.Stage("wins", "r", D(1), "wins")]),
        "periods": lambda: reverse.reverse_calculate(kgi_target=D(1), avg_deal_size=D(1), stages=[], periods=0),
        "no_unknown": lambda: reverse.solve_missing(revenue=D(1), top_volume=D(1), rates=[D(1)], avg_deal_size=D(1)),
        "too_many": lambda: reverse.solve_missing(revenue=None, top_volume=D(1), rates=[None], avg_deal_size=D(1)),
    }  # fmt: skip
    texts["refusals"] = {name: _refusal(call) for name, call in refusals.items()}
    solves = {
        "revenue": {"revenue": None, "top_volume": D(1200), "rates": [D(30), D(20)], "avg_deal_size": D(1000)},
        "top_volume": {"revenue": D(1000), "top_volume": None, "rates": [D(30)], "avg_deal_size": D(10)},
        "rate": {"revenue": D(1000), "top_volume": D(100), "rates": [None, D(50)], "avg_deal_size": D(10)},
        "avg_deal_size": {"revenue": D(100_000_000), "top_volume": D(1200), "rates": [D(30), D(20)],
                          "avg_deal_size": None},
        "division": {"revenue": D(100_000_000), "top_volume": D(0), "rates": [D(0), None], "avg_deal_size": D(10)},
        "indeterminate": {"revenue": D(0), "top_volume": D(0), "rates": [None], "avg_deal_size": D(10)},
        "deal_zero": {"revenue": D(5), "top_volume": None, "rates": [D(10)], "avg_deal_size": D(0)},
    }  # fmt: skip
    for name, kwargs in solves.items():
        result = reverse.solve_missing(**kwargs)  # type: ignore[arg-type]
        texts[f"solve {name}"] = {"rule": rule_text(result), "reason": reason_text(result.undefined_reason)}
    texts["approx"] = [
        approx_yen(D(v)) for v in (0, 9800, 9999.5, 10_000, 27_216_000, 123_456_789, 200_000_000, -27_216_000)
    ]
    return texts


def _sensitivity_texts() -> dict[str, Any]:
    def run(drivers: list[sensitivity.Driver], **kwargs: Any) -> dict[str, Any]:
        result = sensitivity.sensitivity_analyse(drivers=drivers, **kwargs)
        return {
            "summary": summary_text(result),
            "method": method_text(result),
            "notes": [reason_text(note) for note in result.notes],
            "rows": [reason_text(row.note) for row in result.rows],
        }

    catalog = sensitivity.Driver.from_catalog
    texts = {
        "example": run([catalog("leads", plan=D(1000), actual=D(900)),
                        catalog("appointment_rate", plan=D(40), actual=D(40)),
                        catalog("meeting_rate", plan=D(50), actual=D(35)),
                        catalog("win_rate", plan=D(25), actual=D(24)),
                        catalog("avg_deal_size", plan=D(2000000), actual=D(2100000))]),
        "no_actuals": run([catalog("leads", plan=D(1000)), catalog("win_rate", plan=D(25))]),
        "missing_and_zero": run([
            sensitivity.Driver("leads", "volume", plan=D(0), actual=D(10), name_ja="リード数", name_en="Leads"),
            catalog("win_rate", plan=D(25)), catalog("avg_deal_size", plan=D(1000), actual=D(900))]),
        "zero_other": run([
            sensitivity.Driver("leads", "volume", plan=D(100), actual=D(0), name_ja="リード数", name_en="Leads"),
            sensitivity.Driver("win_rate", "rate", plan=D(20), actual=D(0), name_ja="受注率", name_en="Win rate"),
            sensitivity.Driver("avg_deal_size", "amount", plan=D(1000000), actual=D(500000), name_ja="平均受注単価")]),
        "on_plan": run([sensitivity.Driver("leads", "volume", plan=D(100), actual=D(120)),
                        sensitivity.Driver("win_rate", "rate", plan=D(20), actual=D(20)),
                        sensitivity.Driver("avg_deal_size", "amount", plan=D(1000000), actual=D(1000000))]),
        "pro_rated": run([catalog("leads", plan=D(1200), actual=D(270)),
                          catalog("win_rate", plan=D(20), actual=D(19)),
                          catalog("avg_deal_size", plan=D(1000000), actual=D(1000000))],
                         elapsed_fraction=D("0.25")),
        "amount": run([catalog("wins", plan=D(20), actual=D(20)),
                       catalog("avg_deal_size", plan=D(5000000), actual=D("4000000.4"))]),
        "fractions": run([catalog("leads", plan=D(1000), actual=D("333.333")),
                          catalog("win_rate", plan=D("33.333"), actual=D("12.345"))]),
    }  # fmt: skip
    refusals = {
        "not_a_driver": lambda: catalog("no_such_kpi", plan=D(1)),
        "none": lambda: sensitivity.sensitivity_analyse(drivers=[]),
        "duplicate": lambda: sensitivity.sensitivity_analyse(
            drivers=[sensitivity.Driver("a", "volume", D(1)), sensitivity.Driver("a", "rate", D(1))]),
        "kind": lambda: sensitivity.sensitivity_analyse(drivers=[sensitivity.Driver("a", "mass", D(1))]),  # type: ignore[arg-type]
        "fraction": lambda: sensitivity.sensitivity_analyse(
            drivers=[sensitivity.Driver("a", "volume", D(1))], elapsed_fraction=D(2)),
        "plan_float": lambda: sensitivity.sensitivity_analyse(drivers=[sensitivity.Driver("a", "volume", 1.5)]),  # type: ignore[arg-type]
    }  # fmt: skip
    texts["refusals"] = {name: _refusal(call) for name, call in refusals.items()}
    return texts


def _smart_texts() -> dict[str, Any]:
    base = smart.KpiSpec(
        key="leads", name="リード数", definition="期間内に獲得した見込み顧客の件数", formula="leads", unit="count",
        target=D(100), direction="higher_is_better", indicator="leading", is_on_path_to_kgi=True,
        cadence="monthly", target_period="FY2026", owner_id="user-1", department=None,
        data_source="HubSpot contacts", best_recent_actual=D(90),
    )  # fmt: skip
    variants = {
        "good": {},
        "empty": {"definition": "", "unit": None, "target": None, "formula": "", "data_source": None,
                  "is_on_path_to_kgi": False, "cadence": None, "target_period": None},
        "short": {"definition": "あ" * 9, "unit": "widgets", "cadence": "hourly"},
        "too_high": {"target": D(151), "best_recent_actual": D(100)},
        "too_high_fraction": {"target": D("1234.567"), "best_recent_actual": D("333.3")},
        "too_low": {"direction": "lower_is_better", "target": D(40), "best_recent_actual": D(100)},
        "no_history": {"best_recent_actual": None},
        "no_usable": {"best_recent_actual": D(0)},
        "direction": {"direction": "sideways"},
    }  # fmt: skip
    texts: dict[str, Any] = {
        name: [check_text(c) for c in smart.check_kpi(replace(base, **changes)).checks]
        for name, changes in variants.items()
    }

    def findings(kpis: list[smart.KpiSpec], kgi: Any) -> list[dict[str, Any]]:
        return [{"code": f.code, **check_text(f)} for f in smart.plan_check(kpis, kgi_target=kgi).findings]

    many = [replace(base, key=f"k{i}", indicator="lagging") for i in range(6)]
    department = [replace(base, key=f"d{i}", department="Inside sales", owner_id=None) for i in range(4)]
    texts["plan empty"] = findings([], None)
    texts["plan many"] = findings(many, D(1))
    texts["plan department"] = findings([*department, replace(base, key="x", indicator="odd")], 1.5)
    texts["plan duplicate"] = findings([base, base, replace(base, key="o", department="営業部")], D(0))
    texts["plan good"] = findings([replace(base, key=f"g{i}", indicator=ind) for i, ind in
                                   enumerate(["leading", "lagging", "lagging"])], D(100))  # fmt: skip
    return texts


def test_pure_module_texts_are_unchanged() -> None:
    _compare("pure.json", {"formulas": _formula_texts(), "planning": _planning_texts(),
                           "reverse": _reverse_texts(), "sensitivity": _sensitivity_texts(),
                           "smart": _smart_texts()})  # fmt: skip


# --- The API ---------------------------------------------------------------------------------------------

FY = 2027


def _record(world: World, day: dt.date, **values: int) -> None:
    with workspace_context(world.a.workspace.id):
        for key, value in values.items():
            kpi_services.actual_record(metric=Metric.objects.get(key=key), date=day, value=Decimal(value))


def _error(response: Any) -> dict[str, Any]:
    """A refusal without its code (codes are namespaced by the message layer; the texts must not move)."""
    body = response.json()["error"]
    return {"status": response.status_code, "message": body["message"], "fields": body["fields"]}


def _api_texts(world: World, client: Any, demo: KpiPlan, archived: dict[str, Any]) -> dict[str, Any]:
    base = f"/api/v1/workspaces/{world.a.workspace.id}/kpi/"
    plan, own = f"{base}plans/{demo.id}/", f"{base}plans/{world.a.plan.id}/"

    def get(url: str) -> Any:
        response = client.get(url)
        assert response.status_code == 200, response.content
        return response.json()

    def post(url: str, body: Any) -> Any:
        return client.post(url, body, format="json")

    texts: dict[str, Any] = {}
    for query in ("as_of=2027-04-30", "as_of=2027-05-20&period_kind=week", "as_of=2027-04-01"):
        texts[f"status {query}"] = [
            {k: n[k] for k in ("key", "name", "status", "status_label", "message")}
            for n in get(f"{plan}status/?{query}")["nodes"]
        ]
    texts["status own"] = [
        {k: n[k] for k in ("key", "name", "status_label", "message")}
        for n in get(f"{own}status/?as_of=2026-05-20")["nodes"]
    ]
    for name, url in (("check demo", f"{plan}check/"), ("check own", f"{own}check/")):
        data = get(url)
        texts[name] = {"findings": [(f["code"], f["message"]) for f in data["findings"]],
                       "kpis": [[c["reason"] for c in k["checks"]] for k in data["kpis"]]}  # fmt: skip
    for as_of in ("2027-06-30", "2028-03-31"):
        data = get(f"{plan}sensitivity/?as_of={as_of}")
        texts[f"sensitivity {as_of}"] = {
            "summary": data["summary"], "method": data["method"], "notes": data["notes"],
            "drivers": [(d["name"], d["note"]) for d in data["drivers"]],
        }  # fmt: skip
    texts["sensitivity unavailable"] = get(f"{own}sensitivity/?as_of=2026-06-01")["reason"]
    for kind in ("fiscal_year", "half", "quarter", "month", "week"):
        periods = get(f"{plan}series/?period_kind={kind}")["periods"]
        texts[f"series {kind}"] = [p["label"] for p in periods][:6]
    texts["series day"] = [
        p["label"] for p in get(f"{plan}series/?period_kind=day&start=2027-04-01&end=2027-04-03")["periods"]
    ]
    texts["series too long"] = _error(client.get(f"{plan}series/?period_kind=day"))

    stages = [{"from_key": "meetings", "rate_key": "win_rate", "rate": "25", "to_key": "wins"},
              {"from_key": "appointments", "rate_key": "meeting_rate", "rate": "50", "to_key": "meetings"}]  # fmt: skip
    for name, body in {
        "seed": {"kgi_target": "100000000", "avg_deal_size": "5000000", "stages": stages, "periods": 12},
        "zero_rate": {"kgi_target": "100", "avg_deal_size": "10", "stages": [{**stages[0], "rate": "0"}]},
        "indeterminate": {"kgi_target": "0", "avg_deal_size": "0", "stages": stages},
    }.items():
        data = post(f"{base}tools/reverse-calculate/", body).json()
        texts[f"reverse {name}"] = {"names": [lv["name"] for lv in data["levels"]],
                                    "reason": data["undefined_reason"], "rule": data["rounding_rule"]}  # fmt: skip
    texts["reverse broken"] = _error(post(f"{base}tools/reverse-calculate/", {**{
        "kgi_target": "1", "avg_deal_size": "1"}, "stages": stages[1:]}))  # fmt: skip
    for name, body in {
        "deal": {"revenue": "100000000", "top_volume": "1200", "rates": ["30", "20"], "avg_deal_size": None},
        "rate": {"revenue": "1000", "top_volume": "100", "rates": [None, "50"], "avg_deal_size": "10"},
        "volume": {"revenue": "1000", "top_volume": None, "rates": ["30"], "avg_deal_size": "10"},
        "division": {"revenue": "100000000", "top_volume": "0", "rates": ["0", None], "avg_deal_size": "10"},
        "indeterminate": {"revenue": "0", "top_volume": "0", "rates": [None], "avg_deal_size": "10"},
    }.items():
        data = post(f"{base}tools/solve/", body).json()
        texts[f"solve {name}"] = {"reason": data["undefined_reason"], "rule": data["rounding_rule"]}
    for name, body in {
        "two": {"revenue": None, "top_volume": "1200", "rates": ["30", None], "avg_deal_size": "5000000"},
        "none": {"revenue": "1", "top_volume": "1200", "rates": ["30"], "avg_deal_size": "5000000"},
    }.items():
        texts[f"solve refused {name}"] = _error(post(f"{base}tools/solve/", body))
    for formula in ("wins ** 2", "wins / nothing", "", "wins +", "(wins", "受注", "x.y", "min(wins)"):
        data = post(f"{base}tools/validate-formula/", {"formula": formula}).json()
        texts[f"validate {formula!r}"] = data["error"]["message"] if not data["valid"] else None

    ids = {"KGI": str(world.a.kgi.id), "KSF": str(world.a.ksf.id), "KPI": str(world.a.kpi.id)}
    node = {"plan": str(world.a.plan.id), "kind": "kpi", "name_ja": "テスト"}
    for name, fields in {
        "second_kgi": {"kind": "kgi", "key": "profit"},
        "kgi_parent": {"kind": "kgi", "key": "profit", "parent": "KSF"},
        "parent_required": {"key": "orphan"},
        "parent_kind": {"kind": "ksf", "key": "k2", "parent": "KPI"},
        "unsupported": {"key": "k3", "parent": "KSF", "formula": "wins ** 2"},
        "unknown": {"key": "k4", "parent": "KSF", "formula": "wins / ghosts"},
        "self": {"key": "k5", "parent": "KSF", "formula": "k5 + 1"},
        "syntax": {"key": "k6", "parent": "KSF", "formula": "wins +"},
        "fullwidth": {"key": "k7", "parent": "KSF", "formula": "wins ＋ 1"},
        "round": {"key": "k8", "parent": "KSF", "formula": "round(wins, 9)"},
        "key_taken": {"key": "win_rate", "parent": "KSF"},
    }.items():
        body = {**node, **fields}
        if "parent" in body:
            body["parent"] = ids[body["parent"]]
        texts[f"node {name}"] = _error(post(f"{base}nodes/", body))
    texts["node tree_cycle"] = _error(client.patch(f"{base}nodes/{ids['KSF']}/", {"parent": ids["KPI"]},
                                                   format="json"))  # fmt: skip
    texts["node cycle"] = _error(client.patch(f"{base}nodes/{archived['aa']}/", {"formula": "bb * 2"},
                                              format="json"))  # fmt: skip
    texts["node in use"] = _error(client.delete(f"{base}nodes/{archived['aa']}/"))
    texts["metric key_taken"] = _error(post(f"{base}metrics/", {"key": "wins", "name_ja": "受注"}))
    texts["cascade no target"] = _error(post(f"{base}nodes/{ids['KSF']}/cascade/", {}))
    for name, weights in (("length", ["1"] * 3), ("zero", ["0"] * 12)):
        texts[f"cascade {name}"] = _error(post(f"{base}nodes/{ids['KGI']}/cascade/",
                                               {"mode": "weights", "weights": weights}))  # fmt: skip
    texts["archived edit"] = _error(client.patch(f"{base}nodes/{archived['node']}/", {"name_ja": "x"},
                                                 format="json"))  # fmt: skip
    texts["failing activate"] = _error(post(f"{base}plans/{archived['plan']}/activate/", {}))
    return texts


def _archived_plan(world: World) -> dict[str, Any]:
    """An archived plan version with a node, and two nodes of the world's plan where one reads the other."""
    actor = Actor.of(world.a.principal("admin"))
    with workspace_context(world.a.workspace.id):
        old = kpi_services.plan_create(actor=actor, fiscal_year=2028, name="old")
        node = kpi_services.node_create(actor=actor, plan=old, kind="kgi", key="revenue", name_ja="売上")
        kpi_services.plan_activate(actor=actor, plan=old, confirm=True)
        new = kpi_services.plan_replan(actor=actor, plan=old)
        kpi_services.plan_activate(actor=actor, plan=new, confirm=True)
        aa = kpi_services.node_create(actor=actor, plan=world.a.plan, kind="kpi", key="aa", name_ja="AA",
                                      parent=world.a.ksf, formula="wins")  # fmt: skip
        kpi_services.node_create(actor=actor, plan=world.a.plan, kind="kpi", key="bb", name_ja="BB",
                                 parent=world.a.ksf, formula="aa + 1")  # fmt: skip
    return {"plan": str(old.id), "node": str(node.id), "aa": str(aa.id)}


def test_api_texts_are_unchanged(world: World, client_as: Any) -> None:
    with workspace_context(world.a.workspace.id):
        demo = demo_plan_seed(workspace=world.a.workspace, actor=Actor.of(world.a.principal("admin")),
                              fiscal_year=FY)  # fmt: skip
    _record(world, dt.date(2027, 4, 8), appointments=30, meetings=9, wins=2, won_amount=9_000_000)
    _record(world, dt.date(2027, 5, 13), appointments=12, meetings=5, wins=1, won_amount=5_000_000)
    archived = _archived_plan(world)
    texts = {}
    for language in ("ja", "en"):
        client = client_as("consultant")
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        texts[language] = _api_texts(world, client, demo, archived)
    _compare("api.json", texts)


# --- The definition book, byte for byte ------------------------------------------------------------------


@pytest.mark.parametrize("document", ["markdown", "csv"])
def test_definition_book_is_byte_identical(world: World, client_as: Any, document: str) -> None:
    with workspace_context(world.a.workspace.id):
        demo = demo_plan_seed(workspace=world.a.workspace, actor=Actor.of(world.a.principal("admin")),
                              fiscal_year=FY)  # fmt: skip
    client = client_as("viewer")
    for name, plan in (("world", world.a.plan), ("demo", demo)):
        for language in ("ja", "en"):
            url = f"/api/v1/workspaces/{world.a.workspace.id}/kpi/plans/{plan.id}/definition-book/{document}/"
            response = client.get(f"{url}?lang={language}")
            assert response.status_code == 200
            path = GOLDEN / f"definition-book-{name}-{language}.{'md' if document == 'markdown' else 'csv'}"
            if WRITE:
                GOLDEN.mkdir(exist_ok=True)
                path.write_bytes(response.content)
            else:
                assert response.content == path.read_bytes(), path.name
