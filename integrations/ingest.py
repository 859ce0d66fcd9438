"""Upsert one page of canonical records into the canonical tables (research note §1.2, §1.3).

Per record, keyed by ``(workspace, connection, external_id)``:

- new: inserted (``created``);
- older than what is stored (``incoming.modstamp < stored.modstamp``): ignored (``unchanged``);
- the same version mapped to the same columns (``content_hash``): ignored (``unchanged``), so a replay or the
  closed windows' overlap writes nothing;
- otherwise updated (``updated``; ``deleted`` when a live record comes back archived). Archived records are
  soft-deleted (``deleted_at``), and a later, newer, non-archived version restores them.

Then the page's id-only deletions and its merges (the loser keeps a pointer to the survivor; a loser that had
losers of its own passes them on, so a two-step merge points everything at the last survivor).

On PostgreSQL the records go through ``COPY`` into a temporary staging table and one ``INSERT .. ON CONFLICT
DO UPDATE .. WHERE changed`` statement that also answers the counts and the days touched; elsewhere (SQLite) a
batched upsert does the same in Python. Both report, per metric source, the calendar days whose actuals the
page may have changed (the old and the new days of every changed record): the rollup recomputes exactly those.

The caller holds the transaction (the page's cursor is saved in the same one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection as db
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from psycopg.types.json import Jsonb

from integrations.canonical import CanonicalRecord
from integrations.mapping import (
    MappingContext,
    content_hash,
    mapping_context_load,
    record_archived,
    record_values,
)
from integrations.models import Connection, CrmActivity, CrmCompany, CrmContact, CrmDeal, CrmOwner
from integrations.providers.base import Deletion, Merge, ObjectType, Page
from integrations.rollups.rules import Source
from tenants.context import current_workspace_id
from tenants.db import uuid7

BATCH = 500


@dataclass(frozen=True)
class Reference:
    """A foreign key resolved from the CRM id the record carries (``text`` column, or the first of a list)."""

    column: str
    model: type[models.Model]
    text: str
    first_of_list: bool = False


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    source: Source | None  # the metric source whose actuals these records feed
    day_columns: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()


_OWNER = Reference("owner_id", CrmOwner, "owner_external_id")
_COMPANY = Reference("company_id", CrmCompany, "company_external_id")

SPECS: dict[ObjectType, Spec] = {
    ObjectType.OWNERS: Spec(CrmOwner, None),
    ObjectType.COMPANIES: Spec(CrmCompany, None),
    ObjectType.CONTACTS: Spec(CrmContact, Source.CONTACTS, ("became_lead_on",), (_OWNER, _COMPANY)),
    ObjectType.DEALS: Spec(
        CrmDeal,
        Source.DEALS,
        ("appointment_date", "meeting_date", "proposal_date", "won_date", "lost_date", "close_date"),
        (_OWNER, _COMPANY),
    ),
    ObjectType.ACTIVITIES: Spec(
        CrmActivity,
        Source.ACTIVITIES,
        ("occurred_on",),
        (
            _OWNER,
            Reference("deal_id", CrmDeal, "deal_external_ids", first_of_list=True),
            Reference("contact_id", CrmContact, "contact_external_ids", first_of_list=True),
            Reference("company_id", CrmCompany, "company_external_ids", first_of_list=True),
        ),
    ),
}

# Which tables point at which by a CRM id held as text: a record that arrives after the records that name it
# (an owner created mid-sync) is linked to them afterwards.
_REFERRERS: dict[ObjectType, tuple[tuple[ObjectType, Reference], ...]] = {
    ObjectType.OWNERS: (
        (ObjectType.CONTACTS, _OWNER),
        (ObjectType.DEALS, _OWNER),
        (ObjectType.ACTIVITIES, _OWNER),
    ),
    ObjectType.COMPANIES: ((ObjectType.CONTACTS, _COMPANY), (ObjectType.DEALS, _COMPANY)),
}


@dataclass
class IngestResult:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    touched: dict[Source, set[dt.date]] = field(default_factory=lambda: defaultdict(set))
    # Owners were created or changed: their matching to members may change whose actuals are whose.
    owners_changed: bool = False

    def add(self, other: IngestResult) -> None:
        self.fetched += other.fetched
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.owners_changed |= other.owners_changed
        for source, days in other.touched.items():
            self.touched[source] |= days

    def touch(self, source: Source | None, days: Iterable[dt.date | None]) -> None:
        if source is not None:
            self.touched[source].update(day for day in days if day is not None)


@dataclass(frozen=True)
class Row:
    external_id: str
    values: dict[str, Any]  # columns, references resolved
    modstamp: dt.datetime | None
    archived: bool
    hash: str
    raw: Any


def page_ingest(*, connection: Connection, page: Page, context: MappingContext | None = None) -> IngestResult:
    """Upsert the page's records, apply its deletions and merges; counts and touched days."""
    spec = SPECS[page.object_type]
    ctx = context or mapping_context_load(connection)
    result = IngestResult(fetched=len(page.records) + len(page.deletions))
    rows = _rows(connection, spec, page, ctx)
    if rows:
        upsert = _upsert_postgresql if db.vendor == "postgresql" else _upsert_batched
        result.add(upsert(connection, spec, rows))
        if spec.model is CrmOwner and (result.created or result.updated):
            result.owners_changed = True
        if result.created:
            result.add(_references_link(connection, page.object_type, [row.external_id for row in rows]))
    if page.deletions:
        result.add(_deletions_apply(connection, spec, page.deletions))
    if page.merges:
        result.add(_merges_apply(connection, spec, page.merges))
    return result


def _rows(connection: Connection, spec: Spec, page: Page, ctx: MappingContext) -> list[Row]:
    latest: dict[str, tuple[CanonicalRecord, Any]] = {}
    for record, raw in zip(page.records, page.raw, strict=True):
        # One row per id: a page that lists a record twice keeps its newest version.
        seen = latest.get(record.external_id)
        if seen is None or _newer_or_equal(record.modstamp, seen[0].modstamp):
            latest[record.external_id] = (record, raw)
    mapped = [(record, raw, record_values(record, ctx)) for record, raw in latest.values()]
    resolved = _references_resolve(connection, spec, [values for _, _, values in mapped])
    rows = []
    for (record, raw, values), ids in zip(mapped, resolved, strict=True):
        archived = record_archived(record)
        digest = content_hash(values, modstamp=record.modstamp, archived=archived)
        rows.append(Row(record.external_id, {**values, **ids}, record.modstamp, archived, digest, dict(raw)))
    return rows


def _newer_or_equal(incoming: dt.datetime | None, stored: dt.datetime | None) -> bool:
    return incoming is None or stored is None or incoming >= stored


def _references_resolve(
    connection: Connection, spec: Spec, values: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every reference of the page resolved with one query per referenced table."""
    resolved: list[dict[str, Any]] = [{} for _ in values]
    for ref in spec.references:
        texts = [_reference_text(ref, row) for row in values]
        wanted = {text for text in texts if text}
        ids = (
            dict(
                ref.model.objects.filter(connection=connection, external_id__in=wanted).values_list(
                    "external_id", "id"
                )
            )
            if wanted
            else {}
        )
        for out, text in zip(resolved, texts, strict=True):
            out[ref.column] = ids.get(text) if text else None
    return resolved


def _reference_text(ref: Reference, values: dict[str, Any]) -> str:
    value = values.get(ref.text)
    if ref.first_of_list:
        return str(value[0]) if value else ""
    return value or ""


# --- SQLite and other databases: a batched upsert --------------------------------------------------------


def _upsert_batched(connection: Connection, spec: Spec, rows: list[Row]) -> IngestResult:
    model = spec.model
    result = IngestResult()
    now = timezone.now()
    stored = {
        record.external_id: record
        for chunk in _chunks([row.external_id for row in rows], BATCH)
        for record in model.objects.filter(connection=connection, external_id__in=chunk).only(
            "id", "external_id", "modstamp", "content_hash", "deleted_at", *spec.day_columns
        )
    }
    to_create, to_update = [], []
    for row in rows:
        old = stored.get(row.external_id)
        if old is None:
            to_create.append(
                model(
                    workspace_id=connection.workspace_id,
                    connection=connection,
                    external_id=row.external_id,
                    raw=row.raw,
                    modstamp=row.modstamp,
                    content_hash=row.hash,
                    deleted_at=now if row.archived else None,
                    **row.values,
                )
            )
            result.created += 1
            result.touch(spec.source, (row.values.get(column) for column in spec.day_columns))
            continue
        if old.content_hash == row.hash or not _newer_or_equal(row.modstamp, old.modstamp):
            result.unchanged += 1
            continue
        result.touch(spec.source, (getattr(old, column) for column in spec.day_columns))
        result.touch(spec.source, (row.values.get(column) for column in spec.day_columns))
        if row.archived and old.deleted_at is None:
            result.deleted += 1
        else:
            result.updated += 1
        for column, value in row.values.items():
            setattr(old, column, value)
        old.raw, old.modstamp, old.content_hash = row.raw, row.modstamp, row.hash
        old.deleted_at = (old.deleted_at or now) if row.archived else None
        old.updated_at = now
        to_update.append(old)
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        columns = [*rows[0].values, "raw", "modstamp", "content_hash", "deleted_at", "updated_at"]
        model.objects.bulk_update(to_update, columns, batch_size=BATCH)
    return result


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- PostgreSQL: COPY into a staging table, one merge statement -------------------------------------------


def _db_columns(model: type[models.Model], names: Iterable[str]) -> list[str]:
    # Names are field names or, for the resolved references, attnames ("owner_id"): get_field takes both.
    return [model._meta.get_field(name).column for name in names]


def _upsert_postgresql(connection: Connection, spec: Spec, rows: list[Row]) -> IngestResult:
    model = spec.model
    table = model._meta.db_table
    staging = f"ingest_{table}"
    value_columns = list(rows[0].values)
    columns = [
        "id", "workspace_id", "connection_id", "external_id", "raw", "modstamp", "content_hash", "deleted_at",
        "created_at", "updated_at", *_db_columns(model, value_columns),
    ]  # fmt: skip
    json_columns = {
        field.column for field in model._meta.concrete_fields if isinstance(field, models.JSONField)
    }
    workspace_id = current_workspace_id()
    now = timezone.now()
    quoted = ", ".join(f'"{column}"' for column in columns)
    # Columns the records do not carry (a match made by hand, a merge pointer) start at their defaults on insert
    # and are left alone on update.
    defaults = [
        (field.column, _default(field))
        for field in model._meta.concrete_fields
        if field.column not in columns
    ]
    inserted_columns = quoted + "".join(f', "{column}"' for column, _ in defaults)
    inserted_values = quoted + ", %s" * len(defaults)
    with db.cursor() as cursor:
        # The staging table lives as long as the database session; each page empties it first.
        # Identifiers below come from model metadata, never from input; values travel by COPY.
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" AS SELECT {quoted} FROM "{table}" WITH NO DATA'  # noqa: S608
        )
        cursor.execute(f'TRUNCATE "{staging}"')
        with cursor.cursor.copy(f'COPY "{staging}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    (
                        uuid7(), workspace_id, connection.id, row.external_id, _json(row.raw), row.modstamp,
                        row.hash, now if row.archived else None, now, now,
                        *(_json(row.values[name]) if column in json_columns else row.values[name]
                          for name, column in zip(value_columns, columns[10:], strict=True)),
                    )
                )  # fmt: skip
        days = ", ".join(f't."{column}"' for column in _db_columns(model, spec.day_columns)) or "NULL::date"
        updates = ", ".join(
            f'"{column}" = EXCLUDED."{column}"'
            for column in columns[4:]
            if column not in ("created_at", "deleted_at")
        )
        changed = (
            "t.content_hash <> {s}.content_hash "
            "AND (t.modstamp IS NULL OR {s}.modstamp IS NULL OR {s}.modstamp >= t.modstamp)"
        )
        cursor.execute(
            f"""
            WITH old AS (
                SELECT t.id, t.deleted_at IS NULL AS was_live, ARRAY[{days}] AS days
                FROM "{table}" t JOIN "{staging}" s
                  ON t.workspace_id = s.workspace_id AND t.connection_id = s.connection_id
                 AND t.external_id = s.external_id
                WHERE {changed.format(s="s")}
            ), up AS (
                INSERT INTO "{table}" AS t ({inserted_columns}) SELECT {inserted_values} FROM "{staging}"
                ON CONFLICT (workspace_id, connection_id, external_id) DO UPDATE SET {updates},
                    deleted_at = CASE WHEN EXCLUDED.deleted_at IS NULL THEN NULL
                                      ELSE COALESCE(t.deleted_at, EXCLUDED.deleted_at) END
                WHERE {changed.format(s="EXCLUDED")}
                RETURNING t.id, (xmax = 0) AS inserted, t.deleted_at IS NOT NULL AS is_deleted, ARRAY[{days}] AS days
            )
            SELECT
                (SELECT count(*) FROM up WHERE inserted),
                (SELECT count(*) FROM up WHERE NOT inserted),
                (SELECT count(*) FROM up JOIN old USING (id) WHERE old.was_live AND up.is_deleted),
                (SELECT array_agg(DISTINCT d) FROM (
                    SELECT unnest(days) AS d FROM up UNION ALL SELECT unnest(o.days) FROM old o
                ) touched WHERE d IS NOT NULL)
            """,  # noqa: S608 - identifiers from model metadata
            [value for _, value in defaults],
        )
        inserted, changed_count, deleted, touched_days = cursor.fetchone()
    result = IngestResult(
        created=inserted,
        updated=changed_count - deleted,
        deleted=deleted,
        unchanged=len(rows) - inserted - changed_count,
    )
    result.touch(spec.source, touched_days or ())
    return result


def _default(field: models.Field) -> Any:
    value = field.get_default()
    return Jsonb(value) if isinstance(value, dict | list) else value


def _json(value: Any) -> str:
    # COPY's text format takes JSON as its text.
    return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))


# --- deletions, merges, late references --------------------------------------------------------------------


def _days_of(spec: Spec, queryset: models.QuerySet) -> list[dt.date | None]:
    if not spec.day_columns:
        return []
    return [day for row in queryset.values_list(*spec.day_columns) for day in row]


def _deletions_apply(connection: Connection, spec: Spec, deletions: Sequence[Deletion]) -> IngestResult:
    result = IngestResult()
    now = timezone.now()
    by_time: dict[dt.datetime, list[str]] = defaultdict(list)
    for deletion in deletions:
        by_time[deletion.deleted_at or now].append(deletion.external_id)
    for deleted_at, external_ids in by_time.items():
        for chunk in _chunks(external_ids, BATCH):
            live = spec.model.objects.filter(
                connection=connection, external_id__in=chunk, deleted_at__isnull=True
            )
            result.touch(spec.source, _days_of(spec, live))
            result.deleted += live.update(deleted_at=deleted_at, updated_at=now)
    result.unchanged = len(deletions) - result.deleted
    return result


def _merges_apply(connection: Connection, spec: Spec, merges: Sequence[Merge]) -> IngestResult:
    """Each loser points at its survivor, and so does everything that pointed at the loser."""
    result = IngestResult()
    model = spec.model
    survivors = dict(
        model.objects.filter(
            connection=connection, external_id__in={merge.survivor_external_id for merge in merges}
        ).values_list("external_id", "id")
    )
    now = timezone.now()
    for merge in merges:
        survivor_id = survivors.get(merge.survivor_external_id)
        if survivor_id is None or merge.loser_external_id == merge.survivor_external_id:
            continue  # the survivor is not here yet: its merged ids come again with it
        losers = model.objects.filter(connection=connection, external_id=merge.loser_external_id)
        loser_ids = list(losers.exclude(merged_into_id=survivor_id).values_list("id", flat=True))
        if not loser_ids:
            continue
        affected = model.objects.filter(models.Q(id__in=loser_ids) | models.Q(merged_into_id__in=loser_ids))
        result.touch(
            spec.source, _days_of(spec, affected.filter(merged_into__isnull=True, deleted_at__isnull=True))
        )
        affected.update(merged_into_id=survivor_id, updated_at=now)
        result.updated += len(loser_ids)
    return result


def _references_link(
    connection: Connection, object_type: ObjectType, external_ids: list[str]
) -> IngestResult:
    """Point records that named one of these new records before it existed at it now."""
    result = IngestResult()
    target = SPECS[object_type].model
    for referrer_type, ref in _REFERRERS.get(object_type, ()):
        spec = SPECS[referrer_type]
        for chunk in _chunks(external_ids, BATCH):
            waiting = spec.model.objects.filter(
                connection=connection, **{f"{ref.column}__isnull": True, f"{ref.text}__in": chunk}
            )
            result.touch(spec.source, _days_of(spec, waiting))
            match = target.objects.filter(connection=connection, external_id=OuterRef(ref.text))
            waiting.update(**{ref.column: Subquery(match.values("id")[:1])})
    return result
