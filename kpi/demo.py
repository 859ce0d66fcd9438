"""The demo workspace's plan, built from the seeds' example (seed 004: KGI 100,000,000 JPY)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kpi import services
from kpi.models import KpiPlan, Metric
from kpi.planning.calendar import fiscal_year_range
from tenants.models import Membership, Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor


def demo_plan_seed(*, workspace: Workspace, actor: Actor, fiscal_year: int = 2026) -> KpiPlan:
    """KGI revenue -> KSF new business -> appointments, meetings, meeting rate, win rate, average deal.

    The five KPIs are the company-wide set (seed 004: 3-5 company-wide), so they carry no department.
    Seed 004's reverse calculation: 100,000,000 JPY / 5,000,000 = 20 wins; at a 25% win rate 80 meetings;
    at a 50% meeting rate 160 appointments. Must run inside the workspace's context.
    """
    existing = KpiPlan.objects.filter(fiscal_year=fiscal_year).first()
    if existing is not None:
        return existing
    owners = {m.role: m for m in Membership.objects.filter(workspace=workspace)}
    manager, rep = owners.get(WorkspaceRole.MANAGER), owners.get(WorkspaceRole.SALES_REP)
    plan = services.plan_create(actor=actor, fiscal_year=fiscal_year, name="FY2026 売上1億円計画")
    kgi = services.node_create(
        actor=actor, plan=plan, kind="kgi", key="revenue", name_ja="年間売上", name_en="Annual revenue",
        definition="当期に受注した案件の受注金額合計（税抜）。", formula="won_amount", unit="jpy",
        indicator="lagging", target_value=Decimal(100_000_000), owner=owners.get(WorkspaceRole.ADMIN),
        data_source="SFA", cadence="monthly",
    )  # fmt: skip
    ksf = services.node_create(
        actor=actor, plan=plan, kind="ksf", key="new_business", name_ja="新規顧客の獲得",
        name_en="New-customer acquisition", parent=kgi, owner=manager,
    )  # fmt: skip
    kpis = [
        ("appointments", "アポ獲得数", "Appointments", "appointments", "count", "leading", 160, rep, "weekly"),
        ("meetings", "商談数", "Meetings", "meetings", "count", "leading", 80, rep, "weekly"),
        ("meeting_rate", "商談化率", "Meeting rate", "meetings / appointments * 100", "percent", "lagging", 50,
         manager, "monthly"),
        ("win_rate", "受注率", "Win rate", "wins / meetings * 100", "percent", "lagging", 25, manager, "monthly"),
        ("avg_deal_size", "平均受注単価", "Average deal size", "won_amount / wins", "jpy", "lagging", 5_000_000,
         manager, "monthly"),
    ]  # fmt: skip
    for key, name_ja, name_en, formula, unit, indicator, target, owner, cadence in kpis:
        node = services.node_create(
            actor=actor, plan=plan, kind="kpi", key=key, name_ja=name_ja, name_en=name_en, parent=ksf,
            definition=f"{name_ja}（{formula}）。毎週の営業会議で確認する。", formula=formula, unit=unit,
            indicator=indicator, target_value=Decimal(target), owner=owner, cadence=cadence,
            data_source="SFA",
        )  # fmt: skip
        services.target_cascade(actor=actor, node=node, workspace=workspace, mode="working_days")
    services.target_cascade(actor=actor, node=kgi, workspace=workspace, mode="even")
    return services.plan_activate(actor=actor, plan=plan)


def demo_actuals_seed(*, workspace: Workspace, until: dt.date, fiscal_year: int = 2026) -> int:
    """Weekly actuals of the sales rep from the fiscal year's first Friday up to ``until``.

    Each week: 3 appointments and 1 meeting (a 33% meeting rate against the 50% plan, so the meeting rate is
    the bottleneck the demo shows); every fourth meeting is won at 5,000,000 JPY (25%, on plan). Idempotent:
    the actuals are keyed by metric, date and owner. Must run inside the workspace's context.
    """
    rep = Membership.objects.filter(workspace=workspace, role=WorkspaceRole.SALES_REP).first()
    metrics = {
        m.key: m for m in Metric.objects.filter(key__in=["appointments", "meetings", "wins", "won_amount"])
    }
    start, end = fiscal_year_range(fiscal_year, workspace.fiscal_year_start_month)
    friday = start + dt.timedelta(days=(4 - start.weekday()) % 7)
    written = 0
    week = 0
    while friday <= min(until, end):
        week += 1
        won = week % 4 == 0
        for key, value in (
            ("appointments", 3),
            ("meetings", 1),
            ("wins", int(won)),
            ("won_amount", 5_000_000 * won),
        ):
            services.actual_record(metric=metrics[key], date=friday, value=Decimal(value), owner=rep)
            written += 1
        friday += dt.timedelta(days=7)
    return written
