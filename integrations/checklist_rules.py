"""Checklist rules the CRM integration proves (A07, B05, B06): a recent successful sync, the CRM-sourced KPIs'
metrics fed by confirmed mappings, and those KPIs computed from synced records.

A KPI is *CRM-sourced* when its formula reads a base metric that a rule of ``integrations.rollups.rules`` counts
from CRM records: derived from the plan and the rules, not from the free-text ``data_source``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from checklist.checklists.params import joined
from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from core.messages import Message
from integrations.actuals import feeding_connections, sources_fed
from integrations.models import ActivityTypeMapping, Connection, LeadDefinition, StageMapping
from integrations.rollups.rules import MetricRule, Source
from integrations.selectors import metric_rules_effective
from kpi.formulas import FormulaError, parse_formula
from kpi.models import KpiNode, Metric
from kpi.selectors import plan_nodes
from tenants.clock import workspace_zone

WINDOW = dt.timedelta(hours=24)
_MAPPINGS: dict[Source, Any] = {
    Source.DEALS: StageMapping,
    Source.ACTIVITIES: ActivityTypeMapping,
    Source.CONTACTS: LeadDefinition,
}


def _evidence(code: str, **params: Any) -> Message:
    return Message(f"integrations.evidence.{code}", params)


def _reference_instant(ctx: RuleContext) -> dt.datetime:
    """Now, or the end of the day the checklist is read for when that day is past."""
    end_of_day = dt.datetime.combine(
        ctx.as_of + dt.timedelta(days=1), dt.time(), workspace_zone(ctx.workspace)
    )
    return min(timezone.now(), end_of_day)


def _connections(ctx: RuleContext) -> list[Connection]:
    return ctx.memo("integrations.connections", feeding_connections)


def _rules(ctx: RuleContext) -> dict[str, MetricRule]:
    return ctx.memo("integrations.rules", lambda: {r.metric: r for r in metric_rules_effective()})


def _crm_kpis(ctx: RuleContext) -> list[tuple[KpiNode, set[str]]]:
    """The plan's KPIs (and KGI) whose formula reads a CRM-fed metric, with the base metrics each reads."""

    def compute() -> list[tuple[KpiNode, set[str]]]:
        metric_keys = set(Metric.objects.values_list("key", flat=True))
        rules, found = _rules(ctx), []
        nodes = ctx.memo("kpi.plan_nodes", lambda: plan_nodes(ctx.plan))
        for node in nodes:
            if node.kind == KpiNode.Kind.KSF or not node.formula.strip():
                continue
            try:
                reads = set(parse_formula(node.formula).references) & metric_keys
            except FormulaError:
                continue
            if reads & set(rules):
                found.append((node, reads))
        return found

    return ctx.memo("integrations.crm_kpis", compute)


def _local(instant: dt.datetime, ctx: RuleContext) -> str:
    return timezone.localtime(instant, workspace_zone(ctx.workspace)).strftime("%Y-%m-%d %H:%M")


@rule_evaluator("crm_synced_24h")
def crm_synced_24h(ctx: RuleContext) -> RuleOutcome:
    connections = [c for c in _connections(ctx) if c.provider != Connection.Provider.CSV or c.last_success_at]
    if not connections:
        return RuleOutcome(False, _evidence("no_connection"), {"connections": 0})
    reference = _reference_instant(ctx)
    recent = [
        c for c in connections if c.last_success_at and reference - WINDOW <= c.last_success_at <= reference
    ]
    facts = {"connections": len(connections), "synced_in_24h": [str(c.id) for c in recent]}
    if recent:
        latest = max(recent, key=lambda c: c.last_success_at)
        return RuleOutcome(True, _evidence("synced", name=latest.display_name,
                                           when=_local(latest.last_success_at, ctx)), facts)  # fmt: skip
    synced = [c for c in connections if c.last_success_at]
    if not synced:
        return RuleOutcome(False, _evidence("never_synced", names=joined([c.display_name for c in connections])),
                           facts)  # fmt: skip
    latest = max(synced, key=lambda c: c.last_success_at)
    return RuleOutcome(False, _evidence("sync_stale", name=latest.display_name,
                                        when=_local(latest.last_success_at, ctx)), facts)  # fmt: skip


def _no_crm_kpis(ctx: RuleContext) -> RuleOutcome | None:
    if ctx.plan is None:
        return RuleOutcome(False, Message("checklist.checklists.evidence.no_plan"), {"plan": None})
    if not _crm_kpis(ctx):
        return RuleOutcome(False, _evidence("no_crm_kpis"), {"crm_kpis": []})
    if not _connections(ctx):
        return RuleOutcome(False, _evidence("no_connection"), {"connections": 0})
    return None


@rule_evaluator("crm_fields_mapped")
def crm_fields_mapped(ctx: RuleContext) -> RuleOutcome:
    refused = _no_crm_kpis(ctx)
    if refused is not None:
        return refused
    rules, kpis = _rules(ctx), _crm_kpis(ctx)
    unfed = sorted({metric for _node, reads in kpis for metric in reads if metric not in rules})
    facts: dict[str, Any] = {"crm_kpis": [n.key for n, _ in kpis], "metrics_not_fed": unfed}
    if unfed:
        return RuleOutcome(False, _evidence("metrics_not_fed", metrics=unfed), facts)
    needed = {rules[metric].source for _node, reads in kpis for metric in reads}
    unconfirmed = []
    for connection in _connections(ctx):
        for source in needed & sources_fed(connection):
            mapping = _MAPPINGS[source].objects.filter(connection=connection)
            if not mapping.exists() or mapping.filter(confirmed_at__isnull=True).exists():
                unconfirmed.append(
                    Message(f"integrations.evidence.mapping.{source}", {"name": connection.display_name})
                )
    facts["unconfirmed_mappings"] = len(unconfirmed)
    if unconfirmed:
        return RuleOutcome(False, _evidence("mappings_unconfirmed", mappings=joined(unconfirmed)), facts)
    return RuleOutcome(True, _evidence("kpis_mapped", count=len(kpis), kpis=[n.key for n, _ in kpis]), facts)


@rule_evaluator("crm_kpis_computed")
def crm_kpis_computed(ctx: RuleContext) -> RuleOutcome:
    refused = _no_crm_kpis(ctx)
    if refused is not None:
        return refused
    rules, kpis = _rules(ctx), _crm_kpis(ctx)
    synced: set[Source] = set()
    for connection in _connections(ctx):
        if connection.last_success_at is not None:
            synced |= sources_fed(connection)
    pending = [
        n.key for n, reads in kpis if any(m not in rules or rules[m].source not in synced for m in reads)
    ]
    facts = {"crm_kpis": [n.key for n, _ in kpis], "not_computed": pending}
    if pending:
        return RuleOutcome(False, _evidence("kpis_not_computed", kpis=pending), facts)
    return RuleOutcome(
        True, _evidence("kpis_computed", count=len(kpis), kpis=[n.key for n, _ in kpis]), facts
    )
