"""Map a connection's synced records again after its mappings changed, without a re-sync.

Stage, activity-type and lead mappings only decide derived columns (the funnel stage and its dates, the
activity type, who is a lead), and every input of those is a stored column (stage, pipeline, stage history,
close date, raw activity type, lifecycle stage...). So each record is rebuilt as the canonical record it came
from and mapped with ``integrations.mapping`` exactly as the ingest would; rows whose columns change are
updated in batches, and the days they leave or enter are recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from integrations.canonical import CanonicalActivity, CanonicalContact, CanonicalDeal, CanonicalRecord
from integrations.ingest import SPECS, IngestResult
from integrations.mapping import content_hash, mapping_context_load, record_values
from integrations.models import Connection
from integrations.providers.base import ObjectType

BATCH = 1000
DERIVED: dict[ObjectType, tuple[str, ...]] = {
    ObjectType.CONTACTS: ("is_lead", "became_lead_at", "became_lead_on"),
    ObjectType.DEALS: (
        "funnel_stage",
        "appointment_date",
        "meeting_date",
        "proposal_date",
        "won_date",
        "lost_date",
    ),
    ObjectType.ACTIVITIES: ("activity_type",),
}


def _canonical(object_type: ObjectType, row: Any) -> CanonicalRecord:
    if object_type is ObjectType.DEALS:
        return CanonicalDeal(
            external_id=row.external_id, name=row.name, pipeline=row.pipeline, stage=row.stage,
            amount=row.amount, amount_invalid=row.amount_invalid, currency=row.currency,
            created_at=row.created_at_crm, close_date=row.close_date, is_closed=row.is_closed, is_won=row.is_won,
            owner_external_id=row.owner_external_id or None, company_external_id=row.company_external_id or None,
            stage_entered_at={k: dt.datetime.fromisoformat(v) for k, v in (row.stage_entered_at or {}).items()},
            modstamp=row.modstamp, archived=row.deleted_at is not None,
        )  # fmt: skip
    if object_type is ObjectType.CONTACTS:
        return CanonicalContact(
            external_id=row.external_id, email=row.email, first_name=row.first_name, last_name=row.last_name,
            company_external_id=row.company_external_id or None, lifecycle_stage=row.lifecycle_stage,
            # The CRM's own became-lead instant is not told apart from the created-at fallback once stored:
            # a contact that stops being a lead and becomes one again keeps the stored instant.
            became_lead_at=row.became_lead_at, owner_external_id=row.owner_external_id or None,
            created_at=row.created_at_crm, modstamp=row.modstamp, archived=row.deleted_at is not None,
        )  # fmt: skip
    return CanonicalActivity(
        external_id=row.external_id, activity_type=row.raw_type, occurred_at=row.occurred_at,
        owner_external_id=row.owner_external_id or None, outcome=row.outcome, completed=row.completed,
        deal_external_ids=tuple(row.deal_external_ids), contact_external_ids=tuple(row.contact_external_ids),
        company_external_ids=tuple(row.company_external_ids), modstamp=row.modstamp,
        archived=row.deleted_at is not None,
    )  # fmt: skip


def _batches(queryset: Any) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in queryset.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def connection_remap(*, connection: Connection) -> IngestResult:
    """Re-derive the mapped columns of every record of the connection; counts and the days touched."""
    ctx = mapping_context_load(connection)
    result = IngestResult()
    now = timezone.now()
    for object_type, derived in DERIVED.items():
        spec = SPECS[object_type]
        changed = []
        for batch in _batches(spec.model.objects.filter(connection=connection).order_by("id")):
            for row in batch:
                record = _canonical(object_type, row)
                values = record_values(record, ctx)
                if all(getattr(row, name) == values[name] for name in derived):
                    result.unchanged += 1
                    continue
                result.touch(spec.source, (getattr(row, column) for column in spec.day_columns))
                for name in derived:
                    setattr(row, name, values[name])
                result.touch(spec.source, (getattr(row, column) for column in spec.day_columns))
                row.content_hash = content_hash(values, modstamp=row.modstamp, archived=record.archived)
                row.updated_at = now
                changed.append(row)
            if len(changed) >= BATCH:
                spec.model.objects.bulk_update(changed, [*derived, "content_hash", "updated_at"])
                result.updated += len(changed)
                changed = []
        spec.model.objects.bulk_update(changed, [*derived, "content_hash", "updated_at"], batch_size=BATCH)
        result.updated += len(changed)
    return result
