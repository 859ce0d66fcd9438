"""Read paths of the KPI engine: the tree, KPI values from actuals, and the plan check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum

from kpi.formulas import FormulaError, evaluate_all, parse_formula
from kpi.models import KpiNode, KpiPlan, Metric, MetricActual
from kpi.planning.calendar import fiscal_year_of
from kpi.planning.smart import KpiSpec, PlanCheckResult, plan_check
from tenants.models import Workspace


def plan_current(*, workspace: Workspace, as_of: dt.date) -> KpiPlan | None:
    """The plan a workspace works to on ``as_of``: the active version of that fiscal year, else the latest
    active version, else the newest draft (a plan still being designed). Archived versions never count."""
    fiscal_year = fiscal_year_of(as_of, workspace.fiscal_year_start_month)
    plans = KpiPlan.objects.exclude(status=KpiPlan.Status.ARCHIVED)
    return (
        plans.filter(status=KpiPlan.Status.ACTIVE, fiscal_year=fiscal_year).first()
        or plans.filter(status=KpiPlan.Status.ACTIVE).order_by("-fiscal_year").first()
        or plans.filter(status=KpiPlan.Status.DRAFT).order_by("-fiscal_year", "-version").first()
    )


def plan_nodes(plan: KpiPlan) -> list[KpiNode]:
    return list(
        KpiNode.objects.filter(plan=plan).select_related("owner__user").order_by("position", "created_at")
    )


def plan_tree(plan: KpiPlan) -> list[dict[str, Any]]:
    """The tree as nested dicts, root first."""
    nodes = plan_nodes(plan)
    children: dict[Any, list[KpiNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def build(node: KpiNode) -> dict[str, Any]:
        return {"id": str(node.id), "kind": node.kind, "key": node.key, "name_ja": node.name_ja,
                "name_en": node.name_en, "formula": node.formula, "unit": node.unit,
                "target_value": node.target_value, "children": [build(c) for c in children[node.id]]}  # fmt: skip

    return [build(root) for root in children[None]]


def metric_totals(*, start: dt.date, end: dt.date, owner_id: Any = None) -> dict[str, Decimal]:
    """Sums of every base metric over [start, end] (the whole workspace, or one owner)."""
    actuals = MetricActual.objects.filter(date__gte=start, date__lte=end)
    actuals = actuals.filter(owner_id=owner_id) if owner_id else actuals
    totals = {m: Decimal(0) for m in Metric.objects.values_list("key", flat=True)}
    for row in actuals.values("metric__key").annotate(total=Sum("value")):
        totals[row["metric__key"]] = row["total"]
    return totals


def kpi_values(
    *, plan: KpiPlan, start: dt.date, end: dt.date, owner_id: Any = None
) -> dict[str, Decimal | None]:
    """Every node's value over the period: formulas over summed base metrics (ratios of sums, never averages)."""
    totals = metric_totals(start=start, end=end, owner_id=owner_id)
    formulas = {}
    for node in KpiNode.objects.filter(plan=plan).exclude(formula=""):
        if node.key in totals and node.formula == node.key:
            continue
        try:
            formulas[node.key] = parse_formula(node.formula)
        except FormulaError:
            continue  # refused at save time; an old row never breaks a read
    values: dict[str, Decimal | None] = dict(totals)
    values.update(evaluate_all(formulas, totals, base_names=set(totals)))
    return values


def _on_path_to_kgi(node: KpiNode, by_id: dict[Any, KpiNode]) -> bool:
    current: KpiNode | None = node
    while current is not None and current.parent_id is not None:
        current = by_id.get(current.parent_id)
    return current is not None and current.kind == KpiNode.Kind.KGI


def plan_check_run(*, plan: KpiPlan) -> PlanCheckResult:
    nodes = plan_nodes(plan)
    by_id = {n.id: n for n in nodes}
    kgi = next((n for n in nodes if n.kind == KpiNode.Kind.KGI), None)
    best = _best_recent_monthly(plan)
    specs = [
        KpiSpec(
            key=n.key, name=n.name_ja, definition=n.definition, formula=n.formula, unit=n.unit, target=n.target_value,
            direction=n.direction, indicator=n.indicator, is_on_path_to_kgi=_on_path_to_kgi(n, by_id),
            cadence=n.cadence, target_period=f"FY{plan.fiscal_year}", owner_id=str(n.owner_id) if n.owner_id else None,
            department=n.department or None, data_source=n.data_source or None, best_recent_actual=best.get(n.key),
        )
        for n in nodes
        if n.kind == KpiNode.Kind.KPI
    ]  # fmt: skip
    return plan_check(specs, kgi_target=kgi.target_value if kgi else None)


def _best_recent_monthly(plan: KpiPlan) -> dict[str, Decimal]:
    """The best month of the last twelve for base-metric KPIs, annualised, for the Achievable check."""
    latest = MetricActual.objects.aggregate(d=Max("date"))["d"]
    if latest is None:
        return {}
    start = latest.replace(day=1) - dt.timedelta(days=365)
    best: dict[str, Decimal] = {}
    rows = (
        MetricActual.objects.filter(date__gte=start)
        .values("metric__key", "date__year", "date__month")
        .annotate(total=Sum("value"))
    )
    for row in rows:
        key = row["metric__key"]
        best[key] = max(best.get(key, Decimal(0)), row["total"] * 12)
    return best
