"""When the CRM-fed daily actuals are recomputed, and for which days: the one place the rest of the app asks.

The rollup itself (``integrations.rollups.compute``) is set-based over the canonical tables; this module only
says which (source, days) changed: the days an ingest touched, the days of the records of owners whose member
changed, or everything after a mapping or rule change. It also says which metrics a connection feeds (typed
actuals on them are refused) and how fresh each one is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from celery import current_app
from django.db import transaction

from core.messages import Message
from integrations.ingest import SPECS
from integrations.models import Connection
from integrations.providers.base import ObjectType
from integrations.rollups import compute
from integrations.rollups.rules import Source
from integrations.selectors import metric_rules_effective
from tenants.context import require_workspace_id


def actuals_for_days(touched: Mapping[Source, Iterable[dt.date]]) -> None:
    """Recompute exactly these days of each source (the caller's transaction)."""
    for source, days in touched.items():
        days = sorted(set(days))
        if days:
            compute.rollup_days_recompute(source=source, days=days)


def actuals_for_owners(owner_ids: Iterable[Any]) -> None:
    """An owner now stands for another member (or none): the days of every record they own move."""
    owner_ids = list(owner_ids)
    if not owner_ids:
        return
    touched: dict[Source, set[dt.date]] = {}
    for object_type in (ObjectType.CONTACTS, ObjectType.DEALS, ObjectType.ACTIVITIES):
        spec = SPECS[object_type]
        rows = spec.model.objects.filter(owner_id__in=owner_ids).values_list(*spec.day_columns).distinct()
        assert spec.source is not None
        touched[spec.source] = {day for row in rows for day in row if day is not None}
    actuals_for_days(touched)


def actuals_all() -> None:
    """Every CRM-fed actual of the workspace, after a change that can move any of them."""
    compute.rollup_all_recompute()


def actuals_all_enqueue() -> None:
    """:func:`actuals_all` as a task once the caller's transaction commits (a large CRM takes a while)."""
    # By name: integrations.tasks imports the engine, which imports this module.
    task = current_app.signature("integrations.actuals_recompute", args=(str(require_workspace_id()),))
    transaction.on_commit(lambda: task.delay())


def actuals_clear(*, metric_keys: Iterable[str]) -> None:
    """No rule feeds these metrics any more: the CRM's actuals of them go (typed ones stay)."""
    compute.rollup_metric_clear(metric_keys)


def feeding_connections() -> list[Connection]:
    return list(Connection.objects.exclude(status=Connection.Status.DISCONNECTED).order_by("created_at"))


def sources_fed(connection: Connection) -> set[Source]:
    if connection.provider != Connection.Provider.CSV:
        return set(Source)
    # A CSV connection feeds what its files held: a file of deals says nothing about calls.
    specs = [SPECS[t] for t in (ObjectType.CONTACTS, ObjectType.DEALS, ObjectType.ACTIVITIES)]
    return {s.source for s in specs if s.source and s.model.objects.filter(connection=connection).exists()}


def metrics_fed_by_crm() -> set[str]:
    """The base metrics of the workspace in context that a connection writes: typed values on them are refused
    (they would be overwritten by the next sync, or counted twice)."""
    fed: set[Source] = set()
    for connection in feeding_connections():
        fed |= sources_fed(connection)
    return {rule.metric for rule in metric_rules_effective() if rule.source in fed}


def metric_sources_as_of() -> dict[str, dt.datetime | None]:
    """Per CRM-fed metric: how fresh it is, the oldest last successful sync of the connections feeding it
    (``None`` while one of them has never finished a sync)."""
    connections = feeding_connections()
    if not connections:  # one query when no CRM is connected (every KPI status read asks)
        return {}
    as_of: dict[Source, list[dt.datetime | None]] = {}
    for connection in connections:
        for source in sources_fed(connection):
            as_of.setdefault(source, []).append(connection.last_success_at)
    freshest: dict[Source, dt.datetime | None] = {
        source: None if None in stamps else min(s for s in stamps if s is not None)
        for source, stamps in as_of.items()
    }
    return {
        rule.metric: freshest[rule.source] for rule in metric_rules_effective() if rule.source in freshest
    }


class _CrmFeed:
    """What the KPI engine asks of the CRM sync (kpi.feeds)."""

    def metrics_fed(self) -> set[str]:
        return metrics_fed_by_crm()

    def metric_rules(self) -> dict[str, Message]:
        return {rule.metric: rule.describe() for rule in metric_rules_effective()}

    def metrics_as_of(self) -> dict[str, dt.datetime | None]:
        return metric_sources_as_of()


CRM_FEED = _CrmFeed()
