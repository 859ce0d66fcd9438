"""Benchmarks, each printed as a ratio against a baseline measured in the same run.

    make bench                       # embedded default (SQLite)
    DATABASE_URL=postgres://... make bench

ingest: daily actuals written through ``kpi.services.actual_record`` (validation, idempotent upsert)
against a raw ``executemany`` of the same rows into the same table, on a throwaway test database.
formula: ``kpi.formulas.evaluate`` of the win-rate formula against the same arithmetic in plain Python.
api: the KPI read endpoints under gunicorn and wrk against plain Django views (bench/api.py; PostgreSQL).
crm: the CRM page ingest against raw COPY / upsert on 1,000,000 canonical deals (bench/crm_ingest.py;
PostgreSQL; ``BENCH_CRM_ROWS`` for fewer).

    python -m bench crm          # only the CRM ingest benchmark
    python -m bench crm-kill     # the SIGKILL sync test on 100,000 records (PostgreSQL + Redis)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _timed(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def bench_formula(n: int = 50_000) -> None:
    from kpi.formulas import evaluate, parse_formula

    formula = parse_formula("wins / meetings * 100")
    values = {"wins": Decimal(20), "meetings": Decimal(80)}

    def ours() -> None:
        for _ in range(n):
            evaluate(formula, values)

    def baseline() -> None:
        for _ in range(n):
            values["wins"] / values["meetings"] * 100

    t_ours, t_base = _timed(ours), _timed(baseline)
    print(f"formula  {n} evaluations: ours {n / t_ours:,.0f}/s, plain Decimal {n / t_base:,.0f}/s, "
          f"ratio {t_ours / t_base:.1f}x slower")  # fmt: skip


def bench_ingest(days: int = 2_000) -> None:
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    from tenants.dbrole import credentials_restore, owner_credentials_swap

    app_credentials = owner_credentials_swap()  # the owner creates and migrates the throwaway database
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    credentials_restore(app_credentials)
    try:
        from demo.seed import demo_seed
        from kpi.models import Metric, MetricActual
        from tenants.context import workspace_context
        from tenants.models import Workspace

        demo_seed()
        workspace = Workspace.objects.get(slug="alpha")
        start = dt.date(2020, 1, 1)
        rows = [(start + dt.timedelta(days=i), Decimal(i % 17)) for i in range(days)]
        from kpi.services import actual_record

        with workspace_context(workspace.id):
            metric = Metric.objects.get(key="calls")
            raw_metric = Metric.objects.get(key="leads")

            def ours() -> None:
                for day, value in rows:
                    actual_record(metric=metric, date=day, value=value)

            fields = [MetricActual._meta.get_field(f) for f in
                      ("id", "created_at", "updated_at", "workspace", "metric", "date", "value")]  # fmt: skip

            def prep(*values: object) -> tuple[object, ...]:
                return tuple(f.get_db_prep_value(v, connection) for f, v in zip(fields, values, strict=True))

            def baseline() -> None:
                table = MetricActual._meta.db_table
                from tenants.db import uuid7

                now = dt.datetime.now(dt.UTC)
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} (id, created_at, updated_at, workspace_id, metric_id, date, owner_id,"  # noqa: S608
                        " value, source) VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, 'api')",
                        [
                            prep(uuid7(), now, now, workspace.id, raw_metric.id, day, value)
                            for day, value in rows
                        ],
                    )

            t_base = _timed(baseline)
            t_ours = _timed(ours)
        print(f"ingest   {days} daily actuals on {connection.vendor}: actual_record {days / t_ours:,.0f} rows/s, "
              f"raw executemany {days / t_base:,.0f} rows/s, ratio {t_ours / t_base:.1f}x slower")  # fmt: skip
    finally:
        owner_credentials_swap()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bench_crm_kill() -> int:
    """tests/integration/test_sync_worker_kill.py on a 100,000-record CRM (SYNC_KILL_RECORDS to change)."""
    import subprocess

    env = {**os.environ, "SYNC_KILL_RECORDS": os.environ.get("SYNC_KILL_RECORDS", "100000")}
    test = "tests/integration/test_sync_worker_kill.py::test_sync_survives_sigkill_of_its_worker"
    return subprocess.call(  # noqa: S603 - our own interpreter and test
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:logging", test], env=env
    )


if __name__ == "__main__":
    from bench.api import bench_api
    from bench.crm_ingest import bench_crm

    case = sys.argv[1] if len(sys.argv) > 1 else "all"
    if case == "crm":
        bench_crm()
    elif case == "crm-kill":
        sys.exit(bench_crm_kill())
    else:
        bench_formula()
        bench_ingest()
        bench_api()
        bench_crm()
    sys.exit(0)
