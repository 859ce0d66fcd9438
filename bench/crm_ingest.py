"""CRM ingest benchmark: ``integrations.ingest.page_ingest`` against raw PostgreSQL on the same rows, same run.

    DATABASE_URL=postgres://... make bench            # 1,000,000 canonical deals (BENCH_CRM_ROWS to change)
    BENCH_CRM_ROWS=100000 python -m bench crm         # a quick run

Canonical deal pages (1,000 records each, generated in memory, generation not timed) go through the product's
path, one transaction per page as the sync engine commits them (workspace context, row-level security, the
application role). The raw path gets exactly the rows the product writes (mapped by the same code beforehand,
not timed) on its own session as the schema owner, into ``bench_raw_deal``, a copy of the deal table with its
indexes and constraints (``LIKE .. INCLUDING ALL``), one transaction per page too:

(a) first import into empty tables vs raw ``COPY`` into the empty copy;
(b) re-sync with every record changed vs raw ``COPY`` to a staging table + ``INSERT .. ON CONFLICT DO UPDATE``;
(c) replay of unchanged records vs raw filter-then-upsert (staging + the upsert ``WHERE`` changed: no row
    written);
(d) the rollup upkeep after one 1,000-record page (the daily actuals of the days it touched) vs that page's
    ingest: the rollup should cost no more than the page.

Prints both rates and the ratio (ours / raw; goal >= 0.5) per case.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

PAGE = 1_000
STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "closedwon", "closedlost")
BASE = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
RAW_TABLE = "bench_raw_deal"


def deal_page(start: int, count: int, version: int) -> Any:
    """Deals ``start`` .. ``start + count``; ``version`` changes every record's amount and modstamp."""
    from integrations.canonical import CanonicalDeal
    from integrations.providers.base import ObjectType, Page

    records, raws = [], []
    for i in range(start, start + count):
        created = BASE + dt.timedelta(minutes=i)  # about 1,440 deals a day
        stage = STAGES[i % len(STAGES)]
        entered = created + dt.timedelta(days=1 + i % 7)
        closed = stage in ("closedwon", "closedlost")
        amount = Decimal(10_000 * (i % 500 + 1) + version)
        modstamp = BASE + dt.timedelta(days=800, seconds=i, hours=version)
        external_id = str(10_000_000 + i)
        records.append(
            CanonicalDeal(
                external_id=external_id, name=f"Deal {i}", pipeline="default", stage=stage, amount=amount,
                amount_invalid=False, currency="JPY", created_at=created,
                close_date=(entered + dt.timedelta(days=2)).date() if closed else None,
                is_closed=closed, is_won=stage == "closedwon", owner_external_id=str(1 + i % 5),
                company_external_id=None, stage_entered_at={stage: entered}, modstamp=modstamp,
            )
        )  # fmt: skip
        raws.append(
            {"id": external_id, "properties": {"dealname": f"Deal {i}", "dealstage": stage, "amount": str(amount),
             "hs_lastmodifieddate": modstamp.isoformat()}}
        )  # fmt: skip
    return Page(ObjectType.DEALS, tuple(records), tuple(raws), None)


def _pages(total: int, version: int) -> Iterator[Any]:
    for start in range(0, total, PAGE):
        yield deal_page(start, min(PAGE, total - start), version)


class Bench:
    def __init__(self, total: int) -> None:
        import psycopg
        from django.conf import settings
        from django.db import connection as db

        from integrations import services
        from integrations.ingest import SPECS
        from integrations.mapping import mapping_context_load
        from integrations.models import CrmOwner
        from integrations.providers.base import ObjectType
        from kpi.services import metric_catalogue_install
        from tenants.context import workspace_context
        from tenants.models import Firm, Workspace
        from tenants.services import Actor

        self.total = total
        firm = Firm.objects.create(name="Bench firm", slug="bench-firm")
        self.workspace = Workspace.objects.create(firm=firm, name="Bench", slug="bench")
        with workspace_context(self.workspace.id):
            metric_catalogue_install()
            self.connection = services.connection_create(
                actor=Actor.system("bench"), provider="hubspot", display_name="Bench",
                credentials={"private_app_token": "pat-na1-bench-0000"},
            )  # fmt: skip
            for n in range(1, 6):
                CrmOwner.objects.create(connection=self.connection, external_id=str(n), email=f"o{n}@x.jp")
            self.context = mapping_context_load(self.connection)
        self.spec = SPECS[ObjectType.DEALS]
        owner = dict(settings.DATABASE_OWNER or {})
        self.raw = psycopg.connect(
            host=owner.get("HOST") or None, port=owner.get("PORT") or None, user=owner.get("USER"),
            password=owner.get("PASSWORD") or None, dbname=db.settings_dict["NAME"], autocommit=True,
        )  # fmt: skip
        table = self.spec.model._meta.db_table
        self.raw.execute(f"CREATE TABLE {RAW_TABLE} (LIKE {table} INCLUDING ALL)")
        self.raw.execute(f"CREATE TEMP TABLE raw_stage (LIKE {RAW_TABLE})")

    # --- our path --------------------------------------------------------------------------------------------

    def ours(self, version: int, check: Callable[[Any], None]) -> float:
        from integrations.ingest import page_ingest
        from tenants.context import workspace_context

        elapsed = 0.0
        for page in _pages(self.total, version):
            started = time.perf_counter()
            with workspace_context(self.workspace.id):  # one transaction per page, as the engine commits
                result = page_ingest(connection=self.connection, page=page, context=self.context)
            elapsed += time.perf_counter() - started
            check(result)
        return elapsed

    # --- the raw path ----------------------------------------------------------------------------------------

    def _raw_rows(self, page: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The columns and values the product's COPY writes for this page (mapped by the product's code)."""
        from django.db import models
        from django.utils import timezone

        from integrations import ingest
        from tenants.context import workspace_context
        from tenants.db import uuid7

        with workspace_context(self.workspace.id):
            rows = ingest._rows(self.connection, self.spec, page, self.context)
        names = list(rows[0].values)
        model = self.spec.model
        value_columns = ingest._db_columns(model, names)
        json_columns = {f.column for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}
        columns = ["id", "workspace_id", "connection_id", "external_id", "raw", "modstamp", "content_hash",
                   "deleted_at", "created_at", "updated_at", *value_columns]  # fmt: skip
        now = timezone.now()
        values = [
            (uuid7(), self.workspace.id, self.connection.id, row.external_id, ingest._json(row.raw), row.modstamp,
             row.hash, None, now, now,
             *(ingest._json(row.values[n]) if c in json_columns else row.values[n]
               for n, c in zip(names, value_columns, strict=True)))
            for row in rows
        ]  # fmt: skip
        return columns, values

    def raw_copy(self, version: int, *, upsert: str | None) -> float:
        """COPY each page straight into the copy table, or (``upsert``) into staging and then merge."""
        elapsed = 0.0
        for page in _pages(self.total, version):
            columns, values = self._raw_rows(page)
            quoted = ", ".join(f'"{c}"' for c in columns)
            target = "raw_stage" if upsert is not None else RAW_TABLE
            started = time.perf_counter()
            with self.raw.transaction():
                if upsert is not None:
                    self.raw.execute("TRUNCATE raw_stage")
                with self.raw.cursor().copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
                if upsert is not None:
                    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns[4:] if c != "created_at")
                    self.raw.execute(
                        f"INSERT INTO {RAW_TABLE} AS t ({quoted}) SELECT {quoted} FROM raw_stage "  # noqa: S608
                        f"ON CONFLICT (workspace_id, connection_id, external_id) DO UPDATE SET {updates} {upsert}"
                    )
            elapsed += time.perf_counter() - started
        return elapsed

    # --- the rollup ------------------------------------------------------------------------------------------

    def rollup_after_page(self) -> tuple[float, float, int]:
        """One page of changed records (version 9), then the actuals of the days it touched."""
        from integrations import actuals
        from integrations.ingest import page_ingest
        from integrations.rollups.compute import rollup_all_recompute
        from tenants.context import workspace_context

        with workspace_context(self.workspace.id):
            rollup_all_recompute()  # the actuals as a finished first sync leaves them (not timed)
        page = deal_page(self.total // 2, PAGE, 9)
        started = time.perf_counter()
        with workspace_context(self.workspace.id):
            result = page_ingest(connection=self.connection, page=page, context=self.context)
        ingest_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with workspace_context(self.workspace.id):
            actuals.actuals_for_days(result.touched)
        rollup_seconds = time.perf_counter() - started
        return ingest_seconds, rollup_seconds, sum(len(days) for days in result.touched.values())


def _line(label: str, rows: int, ours: float, raw: float, raw_label: str) -> None:
    print(f"         {label:<34} ours {rows / ours:>9,.0f} rows/s, {raw_label} {rows / raw:>9,.0f} rows/s, "
          f"ratio {raw / ours:.2f} (goal >= 0.5)")  # fmt: skip


def bench_crm() -> None:
    import django
    from django.conf import settings

    django.setup()
    if not settings.IS_POSTGRES:
        print("crm      skipped: the CRM ingest benchmark compares against raw PostgreSQL (set DATABASE_URL)")
        return
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tenants.dbrole import credentials_restore, owner_credentials_swap

    total = int(os.environ.get("BENCH_CRM_ROWS", "1000000"))
    setup_test_environment()
    app_credentials = owner_credentials_swap()  # the owner creates and migrates the throwaway database
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False, autoclobber=True)
    credentials_restore(app_credentials)
    bench = None
    try:
        bench = Bench(total)
        print(
            f"crm      {total:,} canonical deals in pages of {PAGE:,} on PostgreSQL, one transaction per page"
        )

        def created(result: Any) -> None:
            assert result.created == result.fetched, result

        def updated(result: Any) -> None:
            assert result.updated == result.fetched, result

        def unchanged(result: Any) -> None:
            assert result.unchanged == result.fetched and result.updated == result.created == 0, result

        ours = bench.ours(0, created)
        raw = bench.raw_copy(0, upsert=None)
        _line("(a) first import", total, ours, raw, "raw COPY")
        ours = bench.ours(1, updated)
        raw = bench.raw_copy(1, upsert="")
        _line("(b) re-sync, every record changed", total, ours, raw, "raw COPY+upsert")
        ours = bench.ours(1, unchanged)
        raw = bench.raw_copy(1, upsert="WHERE t.content_hash <> EXCLUDED.content_hash")
        _line("(c) replay, nothing changed", total, ours, raw, "raw filter+upsert")
        ingest_seconds, rollup_seconds, days = bench.rollup_after_page()
        print(f"         {'(d) rollup after a 1,000-record page':<34} page ingest {ingest_seconds * 1000:,.0f} ms, "
              f"rollup of its {days} touched days {rollup_seconds * 1000:,.0f} ms, "
              f"ratio {ingest_seconds / rollup_seconds:.2f} (goal >= 1: the rollup costs no more than the page)")  # fmt: skip
    finally:
        if bench is not None:
            bench.raw.close()
        owner_credentials_swap()
        connection.creation.destroy_test_db(old_name, verbosity=0)
