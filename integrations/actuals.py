"""When the CRM-fed daily actuals are recomputed, and for which days: the one place the rest of the app asks.

The rollup itself (``integrations.rollups.compute``) is set-based over the canonical tables; this module only
says which (source, days) changed: the days an ingest touched, the days of the records of owners whose member
changed, or everything after a mapping or rule change.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterable, Mapping
from typing import Any

from integrations.ingest import SPECS
from integrations.providers.base import ObjectType
from integrations.rollups.rules import Source


def _compute() -> Any:
    # TEMPORARY until the rollups branch lands this session: without the rollup module nothing is recomputed.
    if importlib.util.find_spec("integrations.rollups.compute") is None:
        return None
    from integrations.rollups import compute

    return compute


def actuals_for_days(touched: Mapping[Source, Iterable[dt.date]]) -> None:
    """Recompute exactly these days of each source (the caller's transaction)."""
    compute = _compute()
    if compute is None:
        return
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
    compute = _compute()
    if compute is not None:
        compute.rollup_all_recompute()
