"""The CRM-fed daily actuals (``kpi.MetricActual``, source CRM), recomputed set-based from the canonical tables.

One aggregate query per rule over the days asked for (grouped by day and by the member the record's current
owner stands for), compared with the stored cells: new cells are inserted, changed ones updated, cells no record
supports any more deleted, all in bulk. A cell a person typed before the CRM fed the metric is taken over when the
CRM has a value for it, and left alone otherwise (the history before the connection).

:func:`integrations.rollups.rules.contributions` is the pure reference these queries are tested against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from integrations.models import CrmActivity, CrmContact, CrmDeal
from integrations.rollups.rules import Event, Measure, MetricRule, Source
from integrations.selectors import metric_rules_effective
from kpi.models import Metric, MetricActual
from tenants.context import require_workspace_id

Cell = tuple[Any, dt.date, Any]  # (metric id, day, member id or None)

_STAGE_COLUMNS = {
    "appointment": "appointment_date",
    "meeting": "meeting_date",
    "proposal": "proposal_date",
    "won": "won_date",
}


def rule_records(rule: MetricRule) -> tuple[QuerySet, str]:
    """The records that count toward ``rule`` (deleted and merged-away ones never do) and their day column."""
    if rule.source is Source.CONTACTS:
        records, day = CrmContact.objects.filter(is_lead=True), "became_lead_on"
    elif rule.source is Source.ACTIVITIES:
        records = CrmActivity.objects.filter(activity_type=rule.activity_type)
        if rule.completed_only:
            records = records.filter(completed=True)
        day = "occurred_on"
    elif rule.event is Event.REACHED_STAGE:
        records, day = CrmDeal.objects.all(), _STAGE_COLUMNS[rule.stage or ""]
    else:
        records = CrmDeal.objects.filter(is_closed=True, is_won=rule.event is Event.CLOSED_WON)
        day = "close_date"
    if rule.measure is Measure.AMOUNT:
        records = records.filter(amount__isnull=False)
    return records.filter(deleted_at__isnull=True, merged_into__isnull=True), day


def rollup_days_recompute(
    *, source: Source, days: Iterable[dt.date] | None, rules: Sequence[MetricRule] | None = None
) -> int:
    """Recompute every cell of ``source``'s metrics on ``days`` (``None``: every day); answers cells written.

    Runs in the caller's transaction (a sync page commits its records and their actuals together).
    """
    rules = [r for r in (metric_rules_effective() if rules is None else rules) if r.source is source]
    day_list = None if days is None else sorted(set(days))
    if not rules or day_list == []:
        return 0
    metric_ids = dict(Metric.objects.filter(key__in=[r.metric for r in rules]).values_list("key", "id"))
    rules = [r for r in rules if r.metric in metric_ids]
    if not rules:
        return 0
    with transaction.atomic():
        _workspace_lock()
        computed: dict[Cell, Decimal] = {}
        for rule in rules:
            computed.update(_rule_cells(rule, metric_ids[rule.metric], day_list))
        return _cells_store(computed, metric_ids=list(metric_ids.values()), days=day_list)


def rollup_all_recompute(rules: Sequence[MetricRule] | None = None) -> int:
    """Every CRM-fed actual of the workspace in context (after a rule, mapping or owner change)."""
    return sum(rollup_days_recompute(source=source, days=None, rules=rules) for source in Source)


def rollup_metric_clear(metric_keys: Iterable[str]) -> int:
    """Remove the CRM's actuals of metrics no rule feeds any more (a rule moved to another metric)."""
    deleted, _ = MetricActual.objects.filter(
        metric__key__in=list(metric_keys), source=MetricActual.Source.CRM
    ).delete()
    return deleted


def _rule_cells(rule: MetricRule, metric_id: Any, days: list[dt.date] | None) -> dict[Cell, Decimal]:
    records, day = rule_records(rule)
    records = records.filter(**{f"{day}__in": days} if days is not None else {f"{day}__isnull": False})
    value = Sum("amount") if rule.measure is Measure.AMOUNT else Count("id")
    rows = records.order_by().values_list(day, "owner__member_id").annotate(value=value)
    return {(metric_id, on, member): Decimal(total) for on, member, total in rows}


def _cells_store(computed: dict[Cell, Decimal], *, metric_ids: list[Any], days: list[dt.date] | None) -> int:
    stored = MetricActual.objects.filter(metric_id__in=metric_ids)
    if days is not None:
        stored = stored.filter(date__in=days)
    # Cells the CRM computes, whatever their source, and the CRM's own cells that it may have to remove.
    stored = stored.filter(Q(source=MetricActual.Source.CRM) | Q(date__in={cell[1] for cell in computed}))
    existing = {(a.metric_id, a.date, a.owner_id): a for a in stored.only("id", "metric", "date", "owner",
                                                                          "value", "source")}  # fmt: skip
    changed: list[MetricActual] = []
    created: list[MetricActual] = []
    workspace_id, now = require_workspace_id(), timezone.now()
    for (metric_id, on, member), value in computed.items():
        actual = existing.pop((metric_id, on, member), None)
        if actual is None:
            created.append(MetricActual(metric_id=metric_id, date=on, owner_id=member, value=value,
                                        source=MetricActual.Source.CRM, workspace_id=workspace_id))  # fmt: skip
        elif actual.value != value or actual.source != MetricActual.Source.CRM:
            actual.value, actual.source, actual.updated_at = value, MetricActual.Source.CRM, now
            changed.append(actual)
    orphaned = [a.id for a in existing.values() if a.source == MetricActual.Source.CRM]
    if orphaned:
        MetricActual.objects.filter(id__in=orphaned).delete()
    if changed:
        MetricActual.objects.bulk_update(changed, ["value", "source", "updated_at"], batch_size=1000)
    if created:
        MetricActual.objects.bulk_create(created, batch_size=1000)
    return len(changed) + len(created) + len(orphaned)


def _workspace_lock() -> None:
    # Two connections of one workspace syncing at once would both insert the same new cell; on SQLite the
    # write lock already serialises them.
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('ikkan.rollup'), hashtext(%s))",
                           [str(require_workspace_id())])  # fmt: skip
