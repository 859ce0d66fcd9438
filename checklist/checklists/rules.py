"""Rule evaluators over the KPI engine's state: the plan the workspace works to and its KGI -> KSF -> KPI tree.

Every evaluator reads the plan of ``ctx.plan`` (``kpi.selectors.plan_current``); the nodes and the plan check
(``kpi.selectors.plan_check_run``, SMART per KPI, counts, leading/lagging, owners) are read once per
evaluation through ``ctx.memo`` because several rules need them. Evidence names things by their keys and
names so a consultant can see what the product found.
"""

from __future__ import annotations

from typing import Any

from checklist.checklists.verification import RuleContext, RuleOutcome, rule_evaluator
from kpi.models import KpiNode
from kpi.params import message_in
from kpi.planning.smart import PlanCheckResult
from kpi.selectors import plan_check_run, plan_nodes
from kpi.units import value_display

_COUNT_CODES = (
    "company_kpi_count_low",
    "company_kpi_count_high",
    "company_kpi_count_ok",
    "department_kpi_count_low",
    "department_kpi_count_high",
    "department_kpi_count_ok",
)


def _nodes(ctx: RuleContext) -> list[KpiNode]:
    return ctx.memo("kpi.plan_nodes", lambda: plan_nodes(ctx.plan))


def _check(ctx: RuleContext) -> PlanCheckResult:
    return ctx.memo("kpi.plan_check_run", lambda: plan_check_run(plan=ctx.plan))


def _of_kind(ctx: RuleContext, kind: str) -> list[KpiNode]:
    return [node for node in _nodes(ctx) if node.kind == kind]


def _no_plan() -> RuleOutcome:
    return RuleOutcome(
        verified=False,
        evidence_ja="KPIプランがまだありません。KPIタブでプランを作成し、KGIを設定してください。",
        evidence_en="There is no KPI plan yet; create one in the KPI section and set the KGI.",
        facts={"plan": None},
    )


def _plan_facts(ctx: RuleContext, **facts: Any) -> dict[str, Any]:
    plan = ctx.plan
    return {"plan": {"id": str(plan.id), "name": plan.name, "version": plan.version}, **facts}


def _keys(nodes: list[KpiNode]) -> list[str]:
    return [node.key for node in nodes]


def _join(keys: list[str] | tuple[str, ...]) -> str:
    return ", ".join(keys)


@rule_evaluator("kgi_numeric")
def kgi_numeric(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kgis = _of_kind(ctx, KpiNode.Kind.KGI)
    if not kgis:
        return RuleOutcome(
            False,
            f"プラン「{ctx.plan.name}」にKGIがありません。",
            f"The plan '{ctx.plan.name}' has no KGI.",
            _plan_facts(ctx, kgi=None),
        )
    kgi = kgis[0]
    target = kgi.target_value
    if target is None or target <= 0:
        return RuleOutcome(
            False,
            f"KGI「{kgi.name_ja}」に正の数値目標がありません。",
            f"The KGI '{kgi.name('en')}' has no positive numeric target.",
            _plan_facts(ctx, kgi=kgi.key, target=None if target is None else str(target)),
        )
    ja, en = value_display(target, kgi.unit, "ja"), value_display(target, kgi.unit, "en")
    return RuleOutcome(
        True,
        f"KGI「{kgi.name_ja}」目標 {ja}",
        f"KGI '{kgi.name('en')}': target {en}",
        _plan_facts(ctx, kgi=kgi.key, target=str(target), unit=kgi.unit),
    )


@rule_evaluator("ksf_under_kgi")
def ksf_under_kgi(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    kgi = next(iter(_of_kind(ctx, KpiNode.Kind.KGI)), None)
    ksfs = [n for n in _of_kind(ctx, KpiNode.Kind.KSF) if kgi is not None and n.parent_id == kgi.id]
    if not ksfs:
        return RuleOutcome(
            False,
            "KGIの下にKSFが登録されていません。",
            "No KSF sits under the KGI.",
            _plan_facts(ctx, ksfs=[]),
        )
    names_ja = "、".join(f"「{n.name_ja}」" for n in ksfs)
    names_en = ", ".join(f"'{n.name('en')}'" for n in ksfs)
    return RuleOutcome(
        True,
        f"KGIの下にKSFが{len(ksfs)}個あります: {names_ja}",
        f"{len(ksfs)} KSF(s) under the KGI: {names_en}",
        _plan_facts(ctx, ksfs=_keys(ksfs)),
    )


@rule_evaluator("kpis_under_ksfs")
def kpis_under_ksfs(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    ksfs = _of_kind(ctx, KpiNode.Kind.KSF)
    if not ksfs:
        return RuleOutcome(
            False,
            "KSFがないため、KSFに基づくKPIを確認できません。",
            "There are no KSFs, so no KPI can be designed from them.",
            _plan_facts(ctx, ksfs_without_kpis=[]),
        )
    # A KPI under another KPI still hangs from a KPI that is directly under the KSF, so direct children
    # are enough.
    with_kpi = {n.parent_id for n in _of_kind(ctx, KpiNode.Kind.KPI)}
    missing = [n.key for n in ksfs if n.id not in with_kpi]
    if missing:
        return RuleOutcome(
            False,
            f"KPIが紐づいていないKSFがあります: {_join(missing)}",
            f"KSFs without any KPI: {_join(missing)}",
            _plan_facts(ctx, ksfs_without_kpis=missing),
        )
    return RuleOutcome(
        True,
        f"すべてのKSF({len(ksfs)}個)にKPIが紐づいています。",
        f"Every KSF ({len(ksfs)}) has at least one KPI.",
        _plan_facts(ctx, ksfs_without_kpis=[]),
    )


def _no_kpis(ctx: RuleContext) -> RuleOutcome:
    return RuleOutcome(
        False,
        "KPIが1つもありません。",
        "There are no KPIs.",
        _plan_facts(ctx, kpis=0),
    )


@rule_evaluator("all_kpis_smart")
def all_kpis_smart(ctx: RuleContext) -> RuleOutcome:
    if ctx.plan is None:
        return _no_plan()
    results = _check(ctx).smart_results
    if not results:
        return _no_kpis(ctx)
    failing = {r.key: list(r.failed_criteria) for r in results if not r.passed}
    if failing:
        listed = _join([f"{key}({'/'.join(criteria)})" for key, criteria in failing.items()])
        return RuleOutcome(
            False,
            f"SMARTの点検を満たしていないKPIが{len(failing)}個あります: {listed}",
            f"{len(failing)} of {len(results)} KPIs fail the SMART check: {listed}",
            _plan_facts(ctx, kpis=len(results), failing=failing),
        )
    return RuleOutcome(
        True,
        f"すべてのKPI({len(results)}個)がSMARTの点検を満たしています。",
        f"All {len(results)} KPIs pass the SMART check.",
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
    shown = warnings or findings
    ja = " ".join(message_in(f.message, "ja") for f in shown)
    en = " ".join(message_in(f.message, "en") for f in shown)
    return RuleOutcome(not warnings, ja, en, facts)


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
            False,
            f"ツリーが未完成です(KGI {len(kgis)}・KSF {len(ksfs)}・KPI {len(kpis)})。",
            f"The tree is incomplete (KGI {len(kgis)}, KSF {len(ksfs)}, KPI {len(kpis)}).",
            _plan_facts(ctx, counts=counts, unlinked=[]),
        )
    unlinked = [r.key for r in _check(ctx).smart_results if not r.check("R").passed]
    if unlinked:
        return RuleOutcome(
            False,
            f"KGIまでつながっていないKPIがあります: {_join(unlinked)}",
            f"KPIs not linked up to the KGI: {_join(unlinked)}",
            _plan_facts(ctx, counts=counts, unlinked=unlinked),
        )
    return RuleOutcome(
        True,
        f"プラン「{ctx.plan.name}」にKGI→KSF {len(ksfs)}個→KPI {len(kpis)}個のツリーがあり、"
        "すべてのKPIがKGIにつながっています。",
        f"Plan '{ctx.plan.name}' holds a KGI -> {len(ksfs)} KSF(s) -> {len(kpis)} KPI(s) tree; every KPI "
        "links up to the KGI.",
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
        return RuleOutcome(
            True,
            f"先行指標: {_join(leading)} / 遅行指標: {_join(lagging)}",
            f"Leading: {_join(leading)} / lagging: {_join(lagging)}",
            facts,
        )
    findings = [f for f in _check(ctx).findings if f.code in {"no_leading_kpi", "no_lagging_kpi"}]
    return RuleOutcome(
        False,
        " ".join(message_in(f.message, "ja") for f in findings) or "先行指標と遅行指標の両方が必要です。",
        " ".join(message_in(f.message, "en") for f in findings)
        or "Both leading and lagging indicators are needed.",
        facts,
    )


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
            f"責任者が未設定のKPIがあります: {_join(ownerless)}",
            f"KPIs without an owner: {_join(ownerless)}",
            _plan_facts(ctx, kpis=len(kpis), without_owner=ownerless),
        )
    owners = sorted({n.owner.user.full_name or n.owner.user.email for n in kpis if n.owner is not None})
    return RuleOutcome(
        True,
        f"すべてのKPI({len(kpis)}個)に責任者がいます: {'、'.join(owners)}",
        f"Every KPI ({len(kpis)}) has an owner: {', '.join(owners)}",
        _plan_facts(ctx, kpis=len(kpis), without_owner=[]),
    )
