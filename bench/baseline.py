"""Baselines for the API benchmark: the least a Django view can do to answer the same numbers.

``series_aggregate`` returns each metric's monthly sums of the fiscal year from one aggregate over
``kpi_metricactual`` (the work ``series`` must do at minimum); ``static_json`` returns a fixed body (the
floor for endpoints that aggregate nothing, such as ``tree`` and ``nodes``).
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


def static_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_STATIC)
