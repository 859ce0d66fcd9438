"""Rule evaluators over the KPI engine's state: the plan the workspace works to and its KGI -> KSF -> KPI tree.

Every evaluator reads the plan of ``ctx.plan`` (``kpi.selectors.plan_current``); the nodes and the plan check
(``kpi.selectors.plan_check_run``, SMART per KPI, counts, leading/lagging, owners) are read once per
evaluation through ``ctx.memo`` because several rules need them. Evidence names things by their keys and
names so a consultant can see what the product found; it is a Message of ``checklist.checklists.messages``.
"""

from __future__ import annotations

from typing import Any

from checklist.checklists import kpi_texts
from checklist.checklists.messages import LIST, QUOTED
from checklist.checklists.params import Amount, Named, joined
from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from core.messages import Message
from kpi.models import KpiNode
from kpi.planning.smart import PlanCheckResult
from kpi.selectors import plan_check_run, plan_nodes

_COUNT_CODES = (
    "company_kpi_count_low",
    "company_kpi_count_high",
    "company_kpi_count_ok",
    "department_kpi_count_low",
    "department_kpi_count_high",
    "department_kpi_count_ok",
)


def _evidence(name: str, **params: Any) -> Message:
    return Message(f"checklist.checklists.evidence.{name}", params)


def _nodes(ctx: RuleContext) -> list[KpiNode]:
    return ctx.memo("kpi.plan_nodes", lambda: plan_nodes(ctx.plan))


def _check(ctx: RuleContext) -> PlanCheckResult:
    return ctx.memo("kpi.plan_check_run", lambda: plan_check_run(plan=ctx.plan))


def _of_kind(ctx: RuleContext, kind: str) -> list[KpiNode]:
    return [node for node in _nodes(ctx) if node.kind == kind]


def _no_plan() -> RuleOutcome:
    return RuleOutcome(verified=False, evidence=_evidence("no_plan"), facts={"plan": None})


def _plan_facts(ctx: RuleContext, **facts: Any) -> dict[str, Any]:
    plan = ctx.plan
    return {"plan": {"id": str(plan.id), "name": plan.name, "version": plan.version}, **facts}


def _keys(nodes: list[KpiNode]) -> list[str]:
    return [node.key for node in nodes]


@rule_evaluator("kgi_numeric")
def kgi_numeric(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kgis = _of_kind(ctx, KpiNode.Kind.KGI)
    if not kgis:
        return RuleOutcome(
            False, _evidence("plan_without_kgi", plan=ctx.plan.name), _plan_facts(ctx, kgi=None)
        )
    kgi = kgis[0]
    target = kgi.target_value
    if target is None or target <= 0:
        return RuleOutcome(
            False,
            _evidence("kgi_without_target", kgi=Named.of(kgi)),
            _plan_facts(ctx, kgi=kgi.key, target=None if target is None else str(target)),
        )
    return RuleOutcome(
        True,
        _evidence("kgi_target", kgi=Named.of(kgi), target=Amount(target, kgi.unit)),
        _plan_facts(ctx, kgi=kgi.key, target=str(target), unit=kgi.unit),
    )


@rule_evaluator("ksf_under_kgi")
def ksf_under_kgi(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kgi = next(iter(_of_kind(ctx, KpiNode.Kind.KGI)), None)
    ksfs = [n for n in _of_kind(ctx, KpiNode.Kind.KSF) if kgi is not None and n.parent_id == kgi.id]
    if not ksfs:
        return RuleOutcome(False, _evidence("no_ksf"), _plan_facts(ctx, ksfs=[]))
    names = joined([Message(QUOTED, {"name": Named.of(n)}) for n in ksfs], LIST)
    return RuleOutcome(
        True, _evidence("ksfs_under_kgi", count=len(ksfs), ksfs=names), _plan_facts(ctx, ksfs=_keys(ksfs))
    )


@rule_evaluator("kpis_under_ksfs")
def kpis_under_ksfs(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    ksfs = _of_kind(ctx, KpiNode.Kind.KSF)
    if not ksfs:
        return RuleOutcome(False, _evidence("no_ksf_for_kpis"), _plan_facts(ctx, ksfs_without_kpis=[]))
    # A KPI under another KPI still hangs from a KPI that is directly under the KSF, so direct children
    # are enough.
    with_kpi = {n.parent_id for n in _of_kind(ctx, KpiNode.Kind.KPI)}
    missing = [n.key for n in ksfs if n.id not in with_kpi]
    if missing:
        return RuleOutcome(
            False, _evidence("ksfs_without_kpis", ksfs=missing), _plan_facts(ctx, ksfs_without_kpis=missing)
        )
    return RuleOutcome(
        True, _evidence("every_ksf_has_kpis", count=len(ksfs)), _plan_facts(ctx, ksfs_without_kpis=[])
    )


def _no_kpis(ctx: RuleContext) -> RuleOutcome:
    return RuleOutcome(False, _evidence("no_kpis"), _plan_facts(ctx, kpis=0))


@rule_evaluator("all_kpis_smart")
def all_kpis_smart(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    results = _check(ctx).smart_results
    if not results:
        return _no_kpis(ctx)
    failing = {r.key: list(r.failed_criteria) for r in results if not r.passed}
    if failing:
        listed = [f"{key}({'/'.join(criteria)})" for key, criteria in failing.items()]
        return RuleOutcome(
            False,
            _evidence("kpis_not_smart", count=len(failing), total=len(results), failing=listed),
            _plan_facts(ctx, kpis=len(results), failing=failing),
        )
    return RuleOutcome(
        True,
        _evidence("all_kpis_smart", count=len(results)),
        _plan_facts(ctx, kpis=len(results), failing={}),
    )


@rule_evaluator("kpi_count_guidance")
def kpi_count_guidance(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    check = _check(ctx)
    if not check.smart_results:
        return _no_kpis(ctx)
    # The plan check's own counting (company-wide = KPIs with no department; 2-3 per department).
    findings = [f for f in check.findings if f.code in _COUNT_CODES]
    warnings = [f for f in findings if f.level != "ok"]
    facts = _plan_facts(
        ctx,
        kpis=len(check.smart_results),
        findings=[{"code": f.code, "kpis": list(f.kpi_keys)} for f in findings],
    )
    shown = joined([kpi_texts.finding_message(f) for f in warnings or findings])
    return RuleOutcome(not warnings, _evidence("kpi_count", findings=shown), facts)


@rule_evaluator("tree_exists")
def tree_exists(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kgis, ksfs, kpis = (
        _of_kind(ctx, kind) for kind in (KpiNode.Kind.KGI, KpiNode.Kind.KSF, KpiNode.Kind.KPI)
    )
    counts = {"kgi": len(kgis), "ksf": len(ksfs), "kpi": len(kpis)}
    if not (kgis and ksfs and kpis):
        return RuleOutcome(
            False, _evidence("tree_incomplete", **counts), _plan_facts(ctx, counts=counts, unlinked=[])
        )
    unlinked = [r.key for r in _check(ctx).smart_results if not r.check("R").passed]
    if unlinked:
        return RuleOutcome(
            False,
            _evidence("kpis_unlinked", kpis=unlinked),
            _plan_facts(ctx, counts=counts, unlinked=unlinked),
        )
    return RuleOutcome(
        True,
        _evidence("tree_complete", plan=ctx.plan.name, ksf=len(ksfs), kpi=len(kpis)),
        _plan_facts(ctx, counts=counts, unlinked=[]),
    )


@rule_evaluator("leading_and_lagging")
def leading_and_lagging(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kpis = _of_kind(ctx, KpiNode.Kind.KPI)
    if not kpis:
        return _no_kpis(ctx)
    leading = [n.key for n in kpis if n.indicator == "leading"]
    lagging = [n.key for n in kpis if n.indicator == "lagging"]
    facts = _plan_facts(ctx, leading=leading, lagging=lagging)
    if leading and lagging:
        return RuleOutcome(True, _evidence("leading_and_lagging", leading=leading, lagging=lagging), facts)
    findings = [f for f in _check(ctx).findings if f.code in {"no_leading_kpi", "no_lagging_kpi"}]
    if not findings:
        return RuleOutcome(False, _evidence("indicators_needed"), facts)
    shown = joined([kpi_texts.finding_message(f) for f in findings])
    return RuleOutcome(False, _evidence("indicators_missing", findings=shown), facts)


@rule_evaluator("all_kpis_owned")
def all_kpis_owned(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kpis = _of_kind(ctx, KpiNode.Kind.KPI)
    if not kpis:
        return _no_kpis(ctx)
    ownerless = [n.key for n in kpis if n.owner_id is None]
    if ownerless:
        return RuleOutcome(
            False,
            _evidence("kpis_without_owner", kpis=ownerless),
            _plan_facts(ctx, kpis=len(kpis), without_owner=ownerless),
        )
    owners = sorted({n.owner.user.full_name or n.owner.user.email for n in kpis if n.owner is not None})
    return RuleOutcome(
        True,
        _evidence("all_kpis_owned", count=len(kpis), owners=joined(owners, LIST)),
        _plan_facts(ctx, kpis=len(kpis), without_owner=[]),
    )
