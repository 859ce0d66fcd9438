"""Write paths of the KPI design engine. Each runs in the workspace in context and owns its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from core.changes import fields_apply
from core.errors import ConflictError, ServiceError
from kpi.catalog import BASE_METRICS
from kpi.feeds import metrics_fed
from kpi.formulas import FormulaError, dependency_order, parse_formula, validate_formula
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from kpi.planning.calendar import PlanningError, periods_in
from kpi.planning.cascade import cascade_fiscal_year, weekly_targets
from kpi.selectors import plan_check_run
from kpi.units import value_is_ratio
from tenants.context import require_workspace_id
from tenants.db import uuid7
from tenants.models import Membership, Workspace
from tenants.services import Actor, audit_event_record

NODE_FIELDS = (
    "key", "name_ja", "name_en", "definition", "formula", "unit", "direction", "indicator", "department",
    "owner", "cadence", "data_source", "target_value", "position", "parent",
)  # fmt: skip
ALLOWED_PARENT = {
    KpiNode.Kind.KSF: {KpiNode.Kind.KGI},
    KpiNode.Kind.KPI: {KpiNode.Kind.KSF, KpiNode.Kind.KPI},
}


def _formula_error(exc: FormulaError, field: str = "formula") -> ServiceError:
    """``kpi.formula.<code>[.<detail>]`` with the position (``column``) among the params."""
    message = exc.message
    return ServiceError(message.code, params=message.params, field=field)


# --- Metrics ---------------------------------------------------------------------------------


def metric_catalogue_install() -> int:
    """Give the workspace in context the standard base metrics it does not have yet."""
    existing = set(Metric.objects.values_list("key", flat=True))
    created = [
        Metric(
            key=m.key,
            name_ja=m.name_ja,
            name_en=m.name_en,
            unit=m.unit,
            definition=m.definition,
            from_catalogue=True,
            workspace_id=require_workspace_id(),
        )
        for m in BASE_METRICS.values()
        if m.key not in existing
    ]
    for metric in created:
        metric.save()
    return len(created)


@transaction.atomic
def metric_create(*, actor: Actor, key: str, name_ja: str, name_en: str = "", unit: str = "count",
                  definition: str = "", allows_negative: bool = False) -> Metric:  # fmt: skip
    if Metric.objects.filter(key=key).exists():
        raise ServiceError("kpi.metric.key_taken", params={"key": key}, field="key")
    metric = Metric.objects.create(
        key=key, name_ja=name_ja, name_en=name_en, unit=unit, definition=definition,
        allows_negative=allows_negative,
    )  # fmt: skip
    audit_event_record(actor=actor, action="metric.created", target_type="metric", target_id=metric.id,
                       changes={"key": key, "allows_negative": allows_negative})  # fmt: skip
    return metric


# --- Plans -----------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Actor, fiscal_year: int, name: str) -> KpiPlan:
    # Versions are numbered per fiscal year: serialise plan creation in the workspace so two never collide.
    Workspace.objects.select_for_update().filter(id=require_workspace_id()).first()
    metric_catalogue_install()
    last = KpiPlan.objects.filter(fiscal_year=fiscal_year).aggregate(v=Max("version"))["v"] or 0
    plan = KpiPlan.objects.create(fiscal_year=fiscal_year, version=last + 1, name=name)
    audit_event_record(actor=actor, action="kpi_plan.created", target_type="kpi_plan", target_id=plan.id,
                       changes={"fiscal_year": fiscal_year, "version": plan.version})  # fmt: skip
    return plan


@transaction.atomic
def plan_activate(*, actor: Actor, plan: KpiPlan, confirm: bool = False) -> KpiPlan:
    """Make the version the fiscal year's active plan; the running one (if any) is archived.

    A draft or an archived version may be activated (going back to an earlier version is a re-activation).
    A version whose plan check has errors is activated only with ``confirm``: otherwise
    ``kpi.plan.check_failed`` (409) names the failing checks and nothing changes.
    """
    # Serialise activations of the workspace, so two never leave a fiscal year with no or two active plans.
    Workspace.objects.select_for_update().filter(id=require_workspace_id()).first()
    plan = KpiPlan.objects.select_for_update().get(id=plan.id)
    failing = sorted({f.code for f in plan_check_run(plan=plan).errors})
    if failing and not confirm:
        raise ConflictError("kpi.plan.check_failed", params={"codes": failing, "count": len(failing)})
    previous = list(
        KpiPlan.objects.select_for_update()
        .filter(fiscal_year=plan.fiscal_year, status=KpiPlan.Status.ACTIVE)
        .exclude(id=plan.id)
        .values_list("id", flat=True)
    )
    KpiPlan.objects.filter(id__in=previous).update(status=KpiPlan.Status.ARCHIVED)
    from_status = plan.status
    plan.status = KpiPlan.Status.ACTIVE
    plan.save(update_fields=["status", "updated_at"])
    audit_event_record(actor=actor, action="kpi_plan.activated", target_type="kpi_plan", target_id=plan.id,
                       changes={"from_status": from_status, "archived": [str(i) for i in previous],
                                "check_failed": failing, "confirmed": bool(failing)})  # fmt: skip
    return plan


@transaction.atomic
def plan_replan(*, actor: Actor, plan: KpiPlan, name: str | None = None) -> KpiPlan:
    """A new draft version with a copy of the tree and targets; the old version stays readable as it was."""
    source = KpiPlan.objects.select_for_update().get(id=plan.id)
    new = plan_create(actor=actor, fiscal_year=source.fiscal_year, name=name or source.name)
    new.replaces = source
    new.save(update_fields=["replaces", "updated_at"])
    copies: dict[Any, KpiNode] = {}
    for node in KpiNode.objects.filter(plan=source).order_by("created_at"):
        old_id, parent_id = node.id, node.parent_id
        node.id = uuid7()  # a new row with the same fields
        node._state.adding = True
        node.plan = new
        node.parent = copies[parent_id] if parent_id else None
        node.save()
        copies[old_id] = node
    for target in KpiTarget.objects.filter(node__plan=source):
        KpiTarget.objects.create(
            node=copies[target.node_id],
            period_kind=target.period_kind,
            period_start=target.period_start,
            period_end=target.period_end,
            value=target.value,
        )
    audit_event_record(actor=actor, action="kpi_plan.replanned", target_type="kpi_plan", target_id=new.id,
                       changes={"from_version": source.version, "to_version": new.version})  # fmt: skip
    return new


# --- Tree ------------------------------------------------------------------------------------


def _locked_plan(plan: KpiPlan) -> KpiPlan:
    """Edits of one plan are serialised: the plan row is locked for the transaction."""
    locked = KpiPlan.objects.select_for_update().get(id=plan.id)
    if not locked.is_editable:
        raise ServiceError("kpi.plan.archived")
    return locked


def _check_tree(*, node: KpiNode, plan: KpiPlan) -> None:
    if node.kind == KpiNode.Kind.KGI:
        if node.parent_id is not None:
            raise ServiceError("kpi.tree.kgi_has_parent", field="parent")
        if KpiNode.objects.filter(plan=plan, kind=KpiNode.Kind.KGI).exclude(id=node.id).exists():
            raise ServiceError("kpi.tree.second_kgi", field="kind")
        return
    parent = node.parent
    if parent is None:
        raise ServiceError("kpi.tree.parent_required", field="parent")
    if parent.plan_id != plan.id:
        raise ServiceError("kpi.tree.parent_other_plan", field="parent")
    if parent.kind not in ALLOWED_PARENT[KpiNode.Kind(node.kind)]:
        raise ServiceError(
            "kpi.tree.parent_kind", params={"kind": node.kind, "parent": parent.kind}, field="parent"
        )
    # No cycles: walking up from the new parent must never meet the node itself. The parents are read
    # afresh under the plan lock: the parent object came from the request, before the lock, and a
    # concurrent move committed since would otherwise go unseen.
    parent_of = dict(KpiNode.objects.filter(plan=plan).values_list("id", "parent_id"))
    if parent.id not in parent_of:
        raise ServiceError("kpi.tree.parent_gone", field="parent")
    seen = {node.id}
    ancestor_id: Any = parent.id
    while ancestor_id is not None:
        if ancestor_id in seen:
            raise ServiceError("kpi.tree.cycle", field="parent")
        seen.add(ancestor_id)
        ancestor_id = parent_of.get(ancestor_id)


def _check_formula(*, node: KpiNode, plan: KpiPlan) -> None:
    if not node.formula:
        return
    metric_keys = set(Metric.objects.values_list("key", flat=True))
    # A KPI named after a base metric (``appointments``) reads that metric: its own key is not a cycle.
    reads_metric = node.key in metric_keys
    others = {n.key: n for n in KpiNode.objects.filter(plan=plan).exclude(id=node.id).exclude(formula="")}
    known = metric_keys | set(
        KpiNode.objects.filter(plan=plan).exclude(id=node.id).values_list("key", flat=True)
    )
    if not reads_metric:
        known.discard(node.key)
    try:
        formula = validate_formula(node.formula, known_names=known, key=None if reads_metric else node.key)
        formulas = {k: parse_formula(n.formula) for k, n in others.items() if k not in metric_keys}
        if not reads_metric:
            formulas[node.key] = formula
        dependency_order(formulas, metric_keys | (known - set(formulas)))
    except FormulaError as exc:
        raise _formula_error(exc) from exc


def _owner_check(owner: Membership | None) -> None:
    if owner is not None and owner.workspace_id != require_workspace_id():
        raise ServiceError("kpi.owner_not_member", field="owner")


@transaction.atomic
def node_create(*, actor: Actor, plan: KpiPlan, kind: str, **fields: Any) -> KpiNode:
    plan = _locked_plan(plan)
    if KpiNode.objects.filter(plan=plan, key=fields.get("key")).exists():
        raise ServiceError("kpi.node.key_taken", params={"key": fields.get("key")}, field="key")
    node = KpiNode(plan=plan, kind=kind, **fields)
    _owner_check(node.owner)
    _check_tree(node=node, plan=plan)
    _check_formula(node=node, plan=plan)
    node.save()
    audit_event_record(actor=actor, action="kpi_node.created", target_type="kpi_node", target_id=node.id,
                       changes={"key": node.key, "kind": kind})  # fmt: skip
    return node


@transaction.atomic
def node_update(*, actor: Actor, node: KpiNode, **changes: Any) -> KpiNode:
    plan = _locked_plan(node.plan)
    node = KpiNode.objects.select_related("parent").get(id=node.id)
    diff = fields_apply(node, changes)
    if not diff:
        return node
    if "key" in diff and KpiNode.objects.filter(plan=plan, key=node.key).exclude(id=node.id).exists():
        raise ServiceError("kpi.node.key_taken", params={"key": node.key}, field="key")
    _owner_check(node.owner)
    _check_tree(node=node, plan=plan)
    _check_formula(node=node, plan=plan)
    node.save()
    audit_event_record(actor=actor, action="kpi_node.updated", target_type="kpi_node", target_id=node.id,
                       changes=diff)  # fmt: skip
    return node


@transaction.atomic
def node_delete(*, actor: Actor, node: KpiNode) -> None:
    _locked_plan(node.plan)
    referenced_by = [
        n.key for n in KpiNode.objects.filter(plan=node.plan).exclude(id=node.id).exclude(formula="")
        if node.key in parse_formula(n.formula).references
    ]  # fmt: skip
    if referenced_by:
        raise ServiceError("kpi.node.in_use", params={"key": node.key, "keys": referenced_by})
    audit_event_record(actor=actor, action="kpi_node.deleted", target_type="kpi_node", target_id=node.id,
                       changes={"key": node.key})  # fmt: skip
    node.delete()


# --- Targets ---------------------------------------------------------------------------------


@transaction.atomic
def target_cascade(
    *,
    actor: Actor,
    node: KpiNode,
    workspace: Workspace,
    mode: str = "even",
    weights: Sequence[Decimal] | None = None,
) -> list[KpiTarget]:
    """Write the node's targets for the fiscal year, its halves, quarters, months and weeks.

    Sums (counts, yen) are split over the months by ``mode`` with largest-remainder rounding, each month
    over its weeks by working days; halves and quarters are the sums of their months, so every level sums
    back exactly. Rates and per-unit amounts keep the annual value in every period. Replaces the node's
    previous targets.
    """
    _locked_plan(node.plan)
    if node.target_value is None:
        raise ServiceError("kpi.target.no_annual_target", field="target_value")
    fiscal_year, start_month = node.plan.fiscal_year, workspace.fiscal_year_start_month
    rows: list[tuple[str, dt.date, dt.date, Decimal]] = []
    try:
        if value_is_ratio(node.unit, node.formula):
            for kind in KpiTarget.PeriodKind.values:
                rows += [
                    (kind, p.start, p.end, node.target_value)
                    for p in periods_in(fiscal_year, start_month, kind)
                ]
        else:
            quantum = Decimal(1) if node.unit in {"count", "jpy"} else Decimal("0.01")
            year = cascade_fiscal_year(node.target_value, fiscal_year, mode, start_month=start_month,
                                       weights=weights, quantum=quantum)  # fmt: skip
            rows.append(("fiscal_year", year.period.start, year.period.end, year.value))
            months = [(m.period.start, m.period.end, m.value) for m in year.children]
            for kind, size in (("half", 6), ("quarter", 3)):
                for i in range(0, 12, size):
                    block = months[i : i + size]
                    rows.append((kind, block[0][0], block[-1][1], sum((m[2] for m in block), Decimal(0))))
            rows += [("month", *m) for m in months]
            rows += [("week", w.period.start, w.period.end, w.value) for w in weekly_targets(year)]
    except PlanningError as exc:
        raise ServiceError(exc.message.code, params=exc.message.params, field="weights") from exc
    KpiTarget.objects.filter(node=node).delete()
    targets = KpiTarget.objects.bulk_create(
        KpiTarget(node=node, period_kind=kind, period_start=start, period_end=end, value=value,
                  workspace_id=require_workspace_id())
        for kind, start, end, value in rows
    )  # fmt: skip
    audit_event_record(actor=actor, action="kpi_target.cascaded", target_type="kpi_node", target_id=node.id,
                       changes={"mode": mode, "annual": str(node.target_value)})  # fmt: skip
    return targets


# --- Actuals ---------------------------------------------------------------------------------


def actual_value_check(*, metric: Metric, value: Decimal) -> None:
    """Counts and amounts are never negative unless the metric says so (``Metric.allows_negative``)."""
    if value < 0 and not metric.allows_negative:
        raise ServiceError(
            "kpi.actual.negative", params={"metric": metric.key, "value": value}, field="value"
        )


@transaction.atomic
def actual_record(
    *,
    metric: Metric,
    date: dt.date,
    value: Decimal,
    owner: Membership | None = None,
    source: str = MetricActual.Source.MANUAL,
) -> tuple[MetricActual, bool]:
    """Idempotent by (metric, date, owner): writing the same key again replaces the value.

    Not audited: actuals arrive by the thousand from syncs; ``source`` and ``updated_at`` say where from.
    """
    actual_value_check(metric=metric, value=value)
    if source != MetricActual.Source.CRM:
        actual_fed_check(metric=metric)
    _owner_check(owner)
    actual, created = MetricActual.objects.select_for_update().update_or_create(
        metric=metric, date=date, owner=owner, defaults={"value": value, "source": source}
    )
    return actual, created


def actual_fed_check(*, metric: Metric) -> None:
    """A metric a connection feeds takes its values from the CRM only (a typed value would be overwritten by
    the next sync, or counted twice)."""
    if metric.key in metrics_fed():
        raise ServiceError("kpi.actual.fed_by_crm", params={"metric": metric.key}, field="metric")


@transaction.atomic
def actual_delete(*, actor: Actor, actual: MetricActual) -> None:
    """Remove one day's value (a mistaken entry); the audit event keeps what it was."""
    actual = MetricActual.objects.select_for_update().select_related("metric").get(id=actual.id)
    if actual.source == MetricActual.Source.CRM:
        actual_fed_check(metric=actual.metric)
    audit_event_record(actor=actor, action="kpi_actual.deleted", target_type="metric_actual", target_id=actual.id,
                       changes={"metric": actual.metric.key, "date": actual.date.isoformat(),
                                "owner": str(actual.owner_id) if actual.owner_id else None,
                                "value": format(actual.value.normalize(), "f"), "source": actual.source})  # fmt: skip
    actual.delete()
