"""Demo data of the decisions capability: a filled package-versus-scratch matrix with a recorded decision."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from checklist.decisions import services
from checklist.decisions.models import DecisionMatrix, MatrixOption
from tenants.services import Actor

DEMO_MATRIX_NAME = "2026年度 KPI可視化基盤の選定"

# Per-client adjustments on top of the templates' columns (the templates do not compare vendors).
_ADJUST: dict[str, tuple[dict[str, int], dict[str, str]]] = {
    "hubspot": (
        {"fit": 4},
        {"fit": "営業・マーケティング部門が既にMarketing Hubを利用しており、定着が早い"},
    ),
    "salesforce": (
        {"initial_cost": 3, "data_integration_freedom": 4},
        {
            "initial_cost": "必要エディションのライセンス費用が高め",
            "data_integration_freedom": "AppExchangeと標準APIで基幹システム連携の選択肢が多い",
        },
    ),
    "kintone": (
        {"custom_kpi_calculation": 3, "fit": 2},
        {
            "custom_kpi_calculation": "計算フィールドとプラグインで一部の独自KPIに対応可能",
            "fit": "MA機能がなく、マーケティング側のKPIは別ツールが必要",
        },
    ),
}
_SIGNALS = {
    "multi_source_kpi": True,
    "custom_dashboard": True,
    "realtime_speed": False,
    "business_specific_kpis": True,
    "advanced_analysis": False,
    "long_term_cost_extensibility": False,
}


def demo_decisions_seed(*, workspace: Any, actor: Actor) -> None:
    """HubSpot, Salesforce, kintone, full scratch and a hybrid scored with rationales, the six signals
    answered, and the hybrid recorded as the decision with its reason, requirements and plan.

    Runs inside ``workspace_context(workspace.id)``; does nothing if the demo matrix already exists.
    """
    if DecisionMatrix.objects.filter(name=DEMO_MATRIX_NAME).exists():
        return
    with translation.override("ja"):
        matrix = services.matrix_create(
            actor=actor,
            name=DEMO_MATRIX_NAME,
            templates=["hubspot", "salesforce", "kintone", "full_scratch", "hybrid"],
        )
        options = {o.template_key: o for o in MatrixOption.objects.filter(matrix=matrix)}
        for key, (scores, rationales) in _ADJUST.items():
            services.option_update(actor=actor, option=options[key], scores=scores, rationales=rationales)
        services.matrix_signals_answer(actor=actor, matrix=matrix, answers=_SIGNALS)
        services.decision_record(
            actor=actor,
            matrix=matrix,
            option=options["hybrid"],
            reason=(
                "複数データソースを統合した独自KPI(商談化率・LTV)の計算とカスタムダッシュボードが必要。"
                "CRMはHubSpotを継続利用し、可視化層のみ開発することで初期費用と期間を抑える。"
            ),
            requirements=(
                "要件定義書 v1: HubSpot(商談・活動)と会計システム(売上)を日次で統合し、"
                "KGI→KSF→KPIツリーを部門別に表示する。"
            ),
            development_plan="7月: データ連携 / 8月: ダッシュボードMVP / 9月: 部門展開と運用定着",
        )
