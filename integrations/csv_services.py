"""CSV import into a CSV connection: a dry run that reports every bad row, and an all-or-nothing import.

Both stream the upload (Django keeps a large one in a temporary file): the encoding is detected over the
bytes, then the rows are parsed one at a time and handled a page at a time, so a 100,000-row file is never
held in memory; what grows with the file is only the set of record ids seen (to refuse a repeated id) and
the first ``PROBLEMS_SHOWN`` problems.

- :func:`csv_import_dry_run` writes nothing. It answers the column plan (the columns given, else the mapping
  confirmed for the last file of this connection and object type, else the suggestion from the headers),
  the row counts, what an import would create, update or leave unchanged (each page's content hashes against
  the stored ones), and the problems with their lines.
- :func:`csv_import_run` does the same parse and writes each page through the sync engine's
  :func:`integrations.sync.page_apply` (owners and companies the page names first, so its references
  resolve), inside one transaction that also holds a ``SyncRun`` (trigger ``csv``). A single problem anywhere
  in the file raises :class:`CsvImportRefused` with the report: the transaction rolls back and nothing is
  written. On success the confirmed mapping is saved for the next file.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from core.errors import ConflictError, ServiceError
from core.messages import Message
from integrations import actuals, services, sync
from integrations.csv_import import records
from integrations.csv_import.encoding import CP932, csv_text_open
from integrations.csv_import.fields import FIELDS
from integrations.csv_import.fields import ObjectType as CsvObjectType
from integrations.csv_import.rows import (
    ColumnPlan,
    ParsedRow,
    RowProblem,
    columns_resolve,
    columns_suggest,
    csv_file_read,
    header_key,
    rows_parse,
)
from integrations.csv_import.values import CellError
from integrations.ingest import SPECS, IngestResult, page_ingest
from integrations.mapping import MappingContext, content_hash, mapping_context_load, record_values
from integrations.models import Connection, CsvColumnMapping, SyncRun
from integrations.providers.base import ObjectType, Page
from tenants.services import Actor, audit_event_record

PAGE_SIZE = 1000
PROBLEMS_SHOWN = 1000
MAX_BYTES_DEFAULT = 50 * 1024 * 1024

# The API's object types (the sync engine's) and the CSV field sets.
CSV_TYPES: dict[str, CsvObjectType] = {
    CsvColumnMapping.ObjectType.DEALS: CsvObjectType.DEAL,
    CsvColumnMapping.ObjectType.CONTACTS: CsvObjectType.CONTACT,
    CsvColumnMapping.ObjectType.ACTIVITIES: CsvObjectType.ACTIVITY,
}


class MappingSource:
    GIVEN = "given"  # the request's ``columns``
    SAVED = "saved"  # confirmed with an earlier file of this connection and object type
    SUGGESTED = "suggested"  # recognised from the headers


@dataclass(frozen=True)
class ColumnChoice:
    field: str
    required: bool
    column: str | None


@dataclass
class CsvReport:
    """What a dry run answers, and what a refused import answers with its error."""

    object_type: str
    encoding: str | None = None
    header: list[str] = field(default_factory=list)
    columns: list[ColumnChoice] = field(default_factory=list)
    mapping_source: str = MappingSource.SUGGESTED
    saved_mapping: dict[str, str] | None = None
    rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    # Would create / update / leave unchanged (dry run), or did (import).
    create: int = 0
    update: int = 0
    unchanged: int = 0
    # The file's own problems (unreadable, a column missing) and the rows' (the first PROBLEMS_SHOWN).
    file_problems: list[Message] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    problems_total: int = 0
    run: SyncRun | None = None

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.problems_total

    @property
    def problems_truncated(self) -> bool:
        return self.problems_total > len(self.problems)

    def row_refused(self, row: ParsedRow) -> None:
        self.invalid_rows += 1
        self.problems_total += len(row.problems)
        room = PROBLEMS_SHOWN - len(self.problems)
        if room > 0:
            self.problems.extend(row.problems[:room])


class CsvImportRefused(ServiceError):
    """The file has problems: nothing was written. ``report`` says every one (the first ones in full)."""

    def __init__(self, report: CsvReport) -> None:
        self.report = report
        problems = report.problems_total + len(report.file_problems)
        super().__init__("integrations.csv.import_refused", params={"problems": problems})


# --- selectors -------------------------------------------------------------------------------------------


def csv_column_mapping_get(*, connection: Connection, object_type: str) -> CsvColumnMapping | None:
    return CsvColumnMapping.objects.filter(connection=connection, object_type=object_type).first()


def header_fingerprint(header: list[str]) -> str:
    """The same layout of export, however its headers are spaced or cased."""
    return hashlib.sha256("\x1f".join(header_key(text) for text in header).encode("utf-8")).hexdigest()


# --- entry points ----------------------------------------------------------------------------------------


def csv_import_dry_run(
    *, connection: Connection, upload: Any, object_type: str, columns: Mapping[str, str] | None = None
) -> CsvReport:
    """Everything an import of this file would do and every problem it has; nothing is written."""
    _connection_check(connection, upload)
    ctx = mapping_context_load(connection)
    csv_type = CSV_TYPES[object_type]
    model = SPECS[ObjectType(object_type)].model

    def count(rows: list[ParsedRow], report: CsvReport) -> None:
        hashes = {}
        for row in rows:
            record = records.record_from_values(csv_type, row.values)
            hashes[record.external_id] = content_hash(
                record_values(record, ctx), modstamp=None, archived=False
            )
        stored = dict(
            model.objects.filter(connection=connection, external_id__in=list(hashes)).values_list(
                "external_id", "content_hash"
            )
        )
        for external_id, digest in hashes.items():
            if external_id not in stored:
                report.create += 1
            elif stored[external_id] == digest:
                report.unchanged += 1
            else:
                report.update += 1

    return _scan(connection, upload, object_type, columns, ctx, on_page=count, stop_at_problem=False)


def csv_import_run(
    *,
    actor: Actor,
    connection: Connection,
    upload: Any,
    object_type: str,
    columns: Mapping[str, str] | None = None,
) -> CsvReport:
    """Import every row or none: any problem raises :class:`CsvImportRefused` and the transaction rolls back."""
    _connection_check(connection, upload)
    lease_owner = f"csv:{uuid.uuid4()}"
    with transaction.atomic():
        # The connection's lease, as a sync holds it: one import per connection at a time.
        if not services.connection_lease_acquire(
            connection=connection, owner=lease_owner, ttl=sync.LEASE_TTL
        ):
            raise ConflictError("integrations.sync.already_running")
        run = services.sync_run_start(
            connection=connection, trigger=SyncRun.Trigger.CSV, lease_owner=lease_owner
        )
        writer = _PageWriter(connection, CSV_TYPES[object_type], ObjectType(object_type))
        report = _scan(connection, upload, object_type, columns, writer.ctx, on_page=writer.write,
                       stop_at_problem=True)  # fmt: skip
        if not report.ok:
            raise CsvImportRefused(report)  # rolls back the pages already written, the run and the lease
        # The days every page touched, recomputed once: the pages share this transaction, so a rollup per page
        # would only redo the same days over a growing table.
        actuals.actuals_for_days(writer.touched.touched)
        if writer.owners_changed:
            services.crm_owner_match_run(connection=connection)
        total = writer.total
        SyncRun.objects.filter(id=run.id).update(
            fetched_count=report.rows, created_count=total.created, updated_count=total.updated,
            unchanged_count=total.unchanged, deleted_count=total.deleted,
            progress={object_type: {"fetched": report.rows, "done": True}},
        )  # fmt: skip
        report.run = services.sync_run_finish(run=run, status=SyncRun.Status.SUCCEEDED)
        services.connection_lease_release(connection=connection, owner=lease_owner)
        # A CSV connection is never scheduled: it changes when a file comes.
        Connection.objects.filter(id=connection.id).update(next_sync_at=None)
        report.create, report.update, report.unchanged = total.created, total.updated, total.unchanged
        _mapping_save(actor, connection, object_type, report)
        audit_event_record(actor=actor, action="connection.csv_imported", target_type="connection",
                           target_id=connection.id, changes={"object_type": object_type, "rows": report.rows,
                           "created": total.created, "updated": total.updated, "run": str(run.id)})  # fmt: skip
    return report


# --- the parse, shared ------------------------------------------------------------------------------------


def _connection_check(connection: Connection, upload: Any) -> None:
    if connection.provider != Connection.Provider.CSV:
        raise ServiceError("integrations.csv.not_csv_connection",
                           params={"provider": connection.get_provider_display()})  # fmt: skip
    if connection.status == Connection.Status.DISCONNECTED:
        raise ServiceError("integrations.connection.disconnected")
    limit = getattr(settings, "INTEGRATIONS_CSV_MAX_BYTES", MAX_BYTES_DEFAULT)
    if upload.size > limit:
        raise ServiceError("integrations.csv.too_large", params={"limit_mb": limit // (1024 * 1024)},
                           field="file")  # fmt: skip


def _encoding_label(stream: BinaryIO, encoding: str) -> str:
    if encoding == CP932:
        return "cp932"
    start = stream.tell()
    stream.seek(0)
    has_bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    stream.seek(start)
    return "utf-8-sig" if has_bom else "utf-8"


def _mapping_choose(
    report: CsvReport, header: list[str], csv_type: CsvObjectType, given: Mapping[str, str] | None,
    saved: CsvColumnMapping | None,
) -> dict[str, str]:  # fmt: skip
    present = set(header)
    if saved is not None:
        report.saved_mapping = dict(saved.columns)
    if given is not None:
        report.mapping_source = MappingSource.GIVEN
        return dict(given)
    if saved is not None and saved.columns and set(saved.columns.values()) <= present:
        # Every column the user chose last time is in this file too: offer their choice again.
        report.mapping_source = MappingSource.SAVED
        return dict(saved.columns)
    report.mapping_source = MappingSource.SUGGESTED
    return columns_suggest(header, csv_type)


def _scan(
    connection: Connection,
    upload: Any,
    object_type: str,
    given: Mapping[str, str] | None,
    ctx: MappingContext,
    *,
    on_page: Callable[[list[ParsedRow], CsvReport], None],
    stop_at_problem: bool,
) -> CsvReport:
    """Parse the whole file, handing its valid rows to ``on_page`` a page at a time.

    With ``stop_at_problem`` (an import), no page is handed on once a problem was found: the parse goes on
    only to report the rest."""
    csv_type = CSV_TYPES[object_type]
    report = CsvReport(object_type=object_type)
    upload.seek(0)
    stream: BinaryIO = upload.file if hasattr(upload, "file") else upload
    text: io.TextIOWrapper | None = None
    try:
        try:
            text, encoding = csv_text_open(stream)
            report.encoding = _encoding_label(stream, encoding)
            csv_file = csv_file_read(text)
        except CellError as exc:
            report.file_problems.append(Message(exc.code, exc.params))
            return report
        header = csv_file.header
        report.header = header
        saved = csv_column_mapping_get(connection=connection, object_type=object_type)
        mapping = _mapping_choose(report, header, csv_type, given, saved)
        report.columns = [ColumnChoice(f.key, f.required, mapping.get(f.key)) for f in FIELDS[csv_type]]
        plan, errors = columns_resolve(header, csv_type, mapping)
        if plan is None:
            report.file_problems.extend(errors)
            return report
        page: list[ParsedRow] = []
        try:
            for row in _rows_checked(csv_file, plan, header, ctx, csv_type):
                report.rows += 1
                if row.problems:
                    report.row_refused(row)
                    page = [] if stop_at_problem else page
                    continue
                report.valid_rows += 1
                if stop_at_problem and not report.ok:
                    continue
                page.append(row)
                if len(page) == PAGE_SIZE:
                    on_page(page, report)
                    page = []
        except CellError as exc:  # the file breaks mid-way (a NUL byte, an unclosed quote at its end)
            report.file_problems.append(Message(exc.code, exc.params))
        if page and (report.ok or not stop_at_problem):
            on_page(page, report)
        return report
    finally:
        if text is not None:
            text.detach()  # the upload is the caller's to close


def _rows_checked(
    csv_file: Any, plan: ColumnPlan, header: list[str], ctx: MappingContext, csv_type: CsvObjectType
) -> Iterator[ParsedRow]:
    """The parsed rows, with the values too long for their column refused too."""
    for row in rows_parse(csv_file, plan, header=header, zone=ctx.zone):
        for key, limit in records.values_too_long(csv_type, row.values):
            column = header[plan.indexes[key]]
            row.problems.append(RowProblem(row.line, column, Message(
                "integrations.csv.value_too_long", {"line": row.line, "column": column, "limit": limit})))  # fmt: skip
        yield row


class _PageWriter:
    """Writes one page of valid rows: the owners and companies it names, its stages, then its records."""

    def __init__(self, connection: Connection, csv_type: CsvObjectType, object_type: ObjectType) -> None:
        self.connection, self.csv_type, self.object_type = connection, csv_type, object_type
        self.ctx = mapping_context_load(connection)
        self.total = IngestResult()  # the file's own records
        self.touched = IngestResult()  # and with the owners and companies: every day touched
        self.owners_changed = False

    def write(self, rows: list[ParsedRow], report: CsvReport) -> None:
        values = [row.values for row in rows]
        owners = records.owners_of(values)
        if owners:
            result = self._apply(
                Page(ObjectType.OWNERS, tuple(owners), tuple({"email": o.email} for o in owners), None)
            )
            self.owners_changed |= result.owners_changed
        companies = records.companies_of(values)
        if companies:
            self._apply(
                Page(ObjectType.COMPANIES, tuple(companies), tuple({"name": c.name} for c in companies), None)
            )
        if self.csv_type is CsvObjectType.DEAL and sync.stages_refresh(
            connection=self.connection, stages=records.stages_of(values)
        ):
            # New stages wait for the user as "not counted"; map them with the rows that name them.
            self.ctx = mapping_context_load(self.connection)
        page = Page(
            self.object_type,
            tuple(records.record_from_values(self.csv_type, v) for v in values),
            tuple(records.raw_payload(v) for v in values),
            None,
        )
        self.total.add(self._apply(page))

    def _apply(self, page: Page) -> IngestResult:
        # The sync engine's ingest; the touched days' actuals are recomputed once, after the last page.
        result = page_ingest(connection=self.connection, page=page, context=self.ctx)
        self.touched.add(result)
        return result


def _mapping_save(actor: Actor, connection: Connection, object_type: str, report: CsvReport) -> None:
    columns = {choice.field: choice.column for choice in report.columns if choice.column}
    CsvColumnMapping.objects.update_or_create(
        connection=connection,
        object_type=object_type,
        defaults={
            "columns": columns,
            "header_fingerprint": header_fingerprint(report.header),
            "updated_by": actor.user,
        },
    )
