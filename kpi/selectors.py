"""Read paths of the KPI engine: the tree, KPI values from actuals, and the plan check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Max, Sum

from core.errors import ServiceError
from core.messages import Message
from kpi.feeds import metrics_as_of
from kpi.formulas import Formula, FormulaError, dependency_order, evaluate_all, parse_formula
from kpi.formulas.nodes import Binary, Name, Number
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from kpi.params import ContentName, Term
from kpi.planning.calendar import fiscal_year_of, fiscal_year_range, period_containing, periods_in
from kpi.planning.pacing import evaluate_pace, period_progress
from kpi.planning.sensitivity import Driver, SensitivityResult, sensitivity_analyse
from kpi.planning.smart import KpiSpec, PlanCheckResult, plan_check
from kpi.units import Quantity, value_is_ratio
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
    nodes = _nodes_in_tree_order(plan)
    children: dict[Any, list[KpiNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def build(node: KpiNode) -> dict[str, Any]:
        return {"id": str(node.id), "kind": node.kind, "key": node.key, "name_ja": node.name_ja,
                "name_en": node.name_en, "formula": node.formula, "unit": node.unit,
                "target_value": node.target_value, "children": [build(c) for c in children[node.id]]}  # fmt: skip

    return [build(root) for root in children[None]]


@dataclass(frozen=True)
class PlanShape:
    """What every read of a plan computes from, read once per request (two queries): its nodes in tree
    order, their parsed formulas, the workspace's base metrics and the unit of every key."""

    plan: KpiPlan
    nodes: tuple[KpiNode, ...]
    metric_keys: tuple[str, ...]
    formulas: dict[str, Formula]
    order: tuple[str, ...]  # the formulas' evaluation order
    units: dict[str, str]  # node units win over metric units for the same key


# Parsing is pure and a Formula is immutable, so a plan's formulas are parsed once per process, not per read.
_formula_parse = lru_cache(maxsize=4096)(parse_formula)


def _nodes_in_tree_order(plan: KpiPlan) -> tuple[KpiNode, ...]:
    return tuple(KpiNode.objects.filter(plan=plan).order_by("position", "created_at"))


def plan_shape(plan: KpiPlan) -> PlanShape:
    nodes = _nodes_in_tree_order(plan)
    metric_units = dict(Metric.objects.values_list("key", "unit"))
    formulas = {}
    for node in nodes:
        if not node.formula or (node.key in metric_units and node.formula == node.key):
            continue
        try:
            formulas[node.key] = _formula_parse(node.formula)
        except FormulaError:
            continue  # refused at save time; an old row never breaks a read
    units = {**metric_units, **{node.key: node.unit for node in nodes}}
    order = tuple(dependency_order(formulas, set(metric_units)))
    return PlanShape(plan, nodes, tuple(metric_units), formulas, order, units)


@dataclass(frozen=True)
class MetricTotals:
    """Sums of every base metric over a period, and which metrics had any actual in it."""

    sums: dict[str, Decimal]
    reported: frozenset[str]


def metric_totals(
    *, metric_keys: tuple[str, ...], start: dt.date, end: dt.date, owner_id: Any = None
) -> MetricTotals:
    """One aggregate over [start, end] (the whole workspace, or one owner); a metric is reported when it has a
    row in the period (its group exists), even one summing to zero."""
    sums = dict.fromkeys(metric_keys, Decimal(0))
    rows = _actuals(start=start, end=end, owner_id=owner_id).values("metric__key").annotate(t=Sum("value"))
    for row in rows:
        sums[row["metric__key"]] = row["t"]
    return MetricTotals(sums, frozenset(row["metric__key"] for row in rows))


def formula_names_known(*, plan: KpiPlan | None = None) -> set[str]:
    """The names a formula may read: the workspace's base metrics, and the plan's node keys given a plan."""
    known = set(Metric.objects.values_list("key", flat=True))
    if plan is not None:
        known |= set(KpiNode.objects.filter(plan=plan).values_list("key", flat=True))
    return known


def _actuals(*, start: dt.date, end: dt.date, owner_id: Any = None) -> Any:
    actuals = MetricActual.objects.filter(date__gte=start, date__lte=end)
    return actuals.filter(owner_id=owner_id) if owner_id else actuals


def _evaluate(shape: PlanShape, totals: dict[str, Decimal]) -> dict[str, Decimal | None]:
    values: dict[str, Decimal | None] = dict(totals)
    values.update(evaluate_all(shape.formulas, totals, order=shape.order))
    return values


def kpi_values(
    *, plan: KpiPlan, start: dt.date, end: dt.date, owner_id: Any = None, shape: PlanShape | None = None
) -> dict[str, Decimal | None]:
    """Every node's value over the period: formulas over summed base metrics (ratios of sums, never averages).
    ``shape`` is the plan's, when the caller has already read it."""
    shape = shape or plan_shape(plan)
    totals = metric_totals(metric_keys=shape.metric_keys, start=start, end=end, owner_id=owner_id)
    return _evaluate(shape, totals.sums)


MAX_DAYS_IN_DAILY_SERIES = 93


@dataclass(frozen=True)
class SeriesPoint:
    label: Message
    start: dt.date
    end: dt.date
    values: dict[str, Decimal | None]


def kpi_series(
    *, plan: KpiPlan, period_kind: str, start: dt.date | None = None, end: dt.date | None = None,
    owner_id: Any = None, shape: PlanShape | None = None,
) -> list[SeriesPoint]:  # fmt: skip
    """Every node's value per day, week, month, quarter, half or fiscal year of the plan's fiscal year.

    One query reads the daily sums; each period's values are computed from its own summed parts, so a
    quarter's win rate is wins / meetings of the quarter, never the mean of three monthly rates.
    ``start``/``end`` narrow the periods (a period is kept when it overlaps); a daily series is limited to
    ``MAX_DAYS_IN_DAILY_SERIES`` days. Three queries however many periods (the shape and the daily sums).
    """
    start_month = plan.workspace.fiscal_year_start_month
    fy_start, fy_end = fiscal_year_range(plan.fiscal_year, start_month)
    start, end = max(start or fy_start, fy_start), min(end or fy_end, fy_end)
    if period_kind == "day":
        if (end - start).days >= MAX_DAYS_IN_DAILY_SERIES:
            raise ServiceError(
                "kpi.series.range_too_long", params={"days": MAX_DAYS_IN_DAILY_SERIES}, field="end"
            )
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        periods = [(Message("kpi.period.day", {"date": d}), d, d) for d in days]
    else:
        periods = [
            (p.label, p.start, p.end)
            for p in periods_in(plan.fiscal_year, start_month, period_kind)
            if p.end >= start and p.start <= end
        ]
    shape = shape or plan_shape(plan)
    daily: dict[dt.date, dict[str, Decimal]] = defaultdict(dict)
    if periods:
        rows = (
            _actuals(start=periods[0][1], end=periods[-1][2], owner_id=owner_id)
            .values("date", "metric__key")
            .annotate(t=Sum("value"))
        )
        for row in rows:
            daily[row["date"]][row["metric__key"]] = row["t"]
    points = []
    for label, p_start, p_end in periods:
        totals = dict.fromkeys(shape.metric_keys, Decimal(0))
        for day, sums in daily.items():
            if p_start <= day <= p_end:
                for key, value in sums.items():
                    totals[key] += value
        points.append(SeriesPoint(label, p_start, p_end, _evaluate(shape, totals)))
    return points


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


# --- Pacing and sensitivity ------------------------------------------------------------------

STATUSES = ("on_track", "at_risk", "behind", "no_target", "no_data")
STATUS_LABELS = {status: Message(f"kpi.status.{status}") for status in STATUSES}


@dataclass(frozen=True)
class KpiStatus:
    """Where one node stands in the period containing ``as_of``: actual to date against the pro-rated target."""

    node: KpiNode
    status: str  # on_track | at_risk | behind | no_target | no_data
    actual: Decimal | None
    expected: Decimal | None
    target: Decimal | None
    attainment: Decimal | None
    period_start: dt.date
    period_end: dt.date
    message: Message
    # The CRM feeds a base metric the node reads; its figures are as of the oldest last successful sync of those
    # sources (None while one never finished a sync, or when nothing is fed).
    fed_by_crm: bool = False
    data_as_of: dt.datetime | None = None


def _freshness(references: set[str], as_of: dict[str, dt.datetime | None]) -> tuple[bool, dt.datetime | None]:
    fed = [as_of[key] for key in references if key in as_of]
    if not fed:
        return False, None
    return True, None if None in fed else min(w for w in fed if w is not None)


def _base_references(key: str, formulas: dict[str, Formula], base: set[str]) -> set[str]:
    """The base metrics a node reads, through other nodes' formulas."""
    seen: set[str] = set()
    stack = [key]
    found: set[str] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in formulas:
            stack.extend(formulas[current].references)
        elif current in base:
            found.add(current)
    return found


def _status_sentence(node: KpiNode, status: str, actual: Decimal | None, expected: Decimal | None) -> Message:
    name = ContentName(node.key, node.name_ja, node.name_en)
    if status in {"no_target", "no_data"}:
        return Message(f"kpi.status.sentence.{status}", {"node": name})
    return Message(
        "kpi.status.sentence",
        {"node": name, "actual": Quantity(actual, node.unit), "expected": Quantity(expected, node.unit),
         "status": Term(f"kpi.status.{status}", status)},
    )  # fmt: skip


def kpi_statuses(
    *, plan: KpiPlan, as_of: dt.date, period_kind: str = "month", owner_id: Any = None,
    kinds: tuple[str, ...] = (KpiNode.Kind.KPI,), shape: PlanShape | None = None,
) -> list[KpiStatus]:  # fmt: skip
    """Status of each node of ``kinds`` in the ``period_kind`` period containing ``as_of``.

    Expected to date is the period's target pro-rated by working days on the Japanese calendar (rates and
    per-unit amounts are not pro-rated); thresholds are the workspace's. ``as_of`` outside the plan's fiscal
    year is clamped to it. A node without a target row for the period is ``no_target``; one whose base
    metrics have no actual in the period so far is ``no_data``.
    """
    workspace = plan.workspace
    start_month = workspace.fiscal_year_start_month
    fy_start, fy_end = fiscal_year_range(plan.fiscal_year, start_month)
    day = min(max(as_of, fy_start), fy_end)
    period = period_containing(day, period_kind, start_month)
    shape = shape or plan_shape(plan)
    nodes = [n for n in shape.nodes if n.kind in kinds]
    targets = {
        t.node_id: t.value
        for t in KpiTarget.objects.filter(node__plan=plan, period_kind=period_kind, period_start=period.start)
    }
    to_date = min(day, period.end)
    totals = metric_totals(metric_keys=shape.metric_keys, start=period.start, end=to_date, owner_id=owner_id)
    values = _evaluate(shape, totals.sums)
    base = set(shape.metric_keys)
    freshness = metrics_as_of()
    statuses = []
    for node in nodes:
        target = targets.get(node.id)
        references = _base_references(node.key, shape.formulas, base)
        has_data = bool(references & totals.reported)
        actual = values.get(node.key) if has_data else None
        expected = attainment = None
        if target is None:
            status = "no_target"
        else:
            pace = evaluate_pace(
                target,
                actual,
                period,
                day,
                aggregation="ratio" if value_is_ratio(node.unit, node.formula) else "sum",
                direction=node.direction,
                at_risk_threshold=workspace.pace_at_risk_threshold,
                behind_threshold=workspace.pace_behind_threshold,
            )
            status, expected, attainment = pace.status.value, pace.expected, pace.attainment
        message = _status_sentence(node, status, actual, expected)
        fed, data_as_of = _freshness(references, freshness)
        status_row = KpiStatus(node, status, actual, expected, target, attainment, period.start, period.end,
                               message, fed, data_as_of)  # fmt: skip
        statuses.append(status_row)
    return statuses


def _name_of(node: Formula | None) -> str | None:
    return node.tree.key if node is not None and isinstance(node.tree, Name) else None


def _division(formula: Formula | None, *, scaled: bool) -> tuple[str, str] | None:
    """(numerator, denominator) of ``a / b`` (``scaled=False``) or ``a / b * 100`` (``scaled=True``)."""
    if formula is None:
        return None
    tree = formula.tree
    if scaled:
        if not (isinstance(tree, Binary) and tree.operator == "*" and isinstance(tree.right, Number)
                and tree.right.value == 100):  # fmt: skip
            return None
        tree = tree.left
    if (
        isinstance(tree, Binary)
        and tree.operator == "/"
        and isinstance(tree.left, Name)
        and isinstance(tree.right, Name)
    ):
        return tree.left.key, tree.right.key
    return None


def plan_driver_chain(plan: KpiPlan, *, shape: PlanShape | None = None) -> list[KpiNode] | None:
    """The plan's funnel as KGI drivers: top volume x each conversion rate x amount per deal.

    Read from the KPI formulas: rates ``a / b * 100`` link stage b to stage a, the per-deal amount
    ``amount / deals`` closes the chain at ``deals``, and the top stage is a count KPI (seed 004:
    appointments x meeting rate x win rate x average deal size). None when the tree holds no such chain.
    """
    shape = shape or plan_shape(plan)
    nodes = [n for n in shape.nodes if n.kind == KpiNode.Kind.KPI and n.target_value is not None]
    parsed: dict[str, Formula | None] = {}
    for n in nodes:
        try:
            parsed[n.key] = _formula_parse(n.formula) if n.formula else None
        except FormulaError:
            parsed[n.key] = None
    amount = next((n for n in nodes if n.unit == "jpy" and _division(parsed[n.key], scaled=False)), None)
    if amount is None:
        return None
    rate_into = {}  # stage key -> the rate node that converts into it
    for n in nodes:
        link = _division(parsed[n.key], scaled=True) if n.unit == "percent" else None
        if link:
            rate_into[link[0]] = (n, link[1])
    volumes = {(_name_of(parsed[n.key]) or n.key): n for n in nodes if n.unit == "count"}
    chain: list[KpiNode] = [amount]
    stage = _division(parsed[amount.key], scaled=False)[1]  # type: ignore[index]
    while stage in rate_into and len(chain) <= len(nodes):
        rate, stage = rate_into[stage]
        chain.append(rate)
    if stage not in volumes or len(chain) < 2:
        return None
    chain.append(volumes[stage])
    return list(reversed(chain))


_DRIVER_KIND = {"count": "volume", "percent": "rate", "jpy": "amount"}


def plan_sensitivity(
    *, plan: KpiPlan, as_of: dt.date, improvement_pct: Decimal = Decimal(10), shape: PlanShape | None = None
) -> SensitivityResult | None:
    """Sensitivity and bottleneck of the KGI for the plan's driver chain and its actuals to ``as_of``.

    Volume actuals are the fiscal year to date, compared with the annual plan pro-rated by working days
    elapsed; rates and amounts compare as they stand. None when the tree holds no driver chain.
    """
    shape = shape or plan_shape(plan)
    chain = plan_driver_chain(plan, shape=shape)
    if chain is None:
        return None
    start_month = plan.workspace.fiscal_year_start_month
    fy_start, fy_end = fiscal_year_range(plan.fiscal_year, start_month)
    day = min(max(as_of, fy_start), fy_end)
    fiscal_year = periods_in(plan.fiscal_year, start_month, "fiscal_year")[0]
    progress = period_progress(fiscal_year, day)
    values = kpi_values(plan=plan, start=fy_start, end=day, shape=shape)
    drivers = [
        Driver(key=n.key, kind=_DRIVER_KIND[n.unit], plan=n.target_value, actual=values.get(n.key),  # type: ignore[arg-type]
               name_ja=n.name_ja, name_en=n.name("en"))
        for n in chain
    ]  # fmt: skip
    kgi = next((n for n in shape.nodes if n.kind == KpiNode.Kind.KGI), None)
    return sensitivity_analyse(
        drivers=drivers,
        improvement_pct=improvement_pct,
        elapsed_fraction=progress.fraction if progress.elapsed else None,
        **({"kgi_name": ContentName(kgi.key, kgi.name_ja, kgi.name_en)} if kgi else {}),
    )
