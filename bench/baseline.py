"""Baselines for the API benchmark: the least a Django view can do to answer the same numbers.

``series_aggregate`` returns each metric's monthly sums of the fiscal year from one aggregate over
``kpi_metricactual`` (the work ``series`` must do at minimum); ``plan_nodes`` returns the plan's nodes from
one query (the work ``tree`` and ``nodes`` must do at minimum); ``static_json`` returns a fixed body (the
floor of any Django view, printed for reference).
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.db import connection
from django.http import HttpRequest, JsonResponse

from tenants.context import workspace_context

_STATIC = {"ok": True, "items": [{"key": f"k{i}", "value": str(i)} for i in range(20)]}


def series_aggregate(request: HttpRequest, workspace_id: UUID) -> JsonResponse:
    start, end = dt.date(2026, 4, 1), dt.date(2027, 3, 31)
    with workspace_context(workspace_id), connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.key, date_trunc('month', a.date)::date, SUM(a.value) FROM kpi_metricactual a"
            " JOIN kpi_metric m ON m.id = a.metric_id WHERE a.date BETWEEN %s AND %s GROUP BY 1, 2 ORDER BY 1, 2",
            [start, end],
        )
        rows = cursor.fetchall()
    series: dict[str, list[dict[str, str]]] = {}
    for key, month, total in rows:
        series.setdefault(key, []).append({"period_start": month.isoformat(), "value": str(total)})
    return JsonResponse({"series": series})


def plan_nodes(request: HttpRequest, workspace_id: UUID, plan_id: UUID) -> JsonResponse:
    with workspace_context(workspace_id), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, parent_id, kind, key, name_ja, name_en, formula, unit, target_value FROM kpi_kpinode"
            " WHERE plan_id = %s ORDER BY position, created_at",
            [plan_id],
        )
        columns = [column.name for column in cursor.description]
        nodes = [
            dict(zip(columns, (str(v) if v is not None else None for v in row), strict=True))
            for row in cursor
        ]
    return JsonResponse({"nodes": nodes})


def static_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_STATIC)
