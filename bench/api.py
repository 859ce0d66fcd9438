"""API benchmark: the KPI read endpoints served by gunicorn against plain Django views answering the same
numbers, in the same run, under the same load (wrk, 16 connections, a partner key, PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ikkan make bench

Prints requests/s, p50 and p99 per endpoint and the ratios to its baseline (``bench/baseline.py``): the
aggregate view for endpoints that compute from actuals, a one-query view of the plan's nodes for those that
read only the tree (a static JSON view is printed as the floor of any Django view).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = os.environ.get("BENCH_DURATION", "5s")
CONNECTIONS = 16
BENCH_DB = "ikkan_bench"

_SETUP = """
import json
from tenants import services
from tenants.access import principal_for_user
from tenants.context import workspace_context
from tenants.models import User, Workspace
from kpi.models import KpiPlan
workspace = Workspace.objects.get(slug="alpha")
admin = User.objects.get(email="admin@alpha.example.jp")
principal = principal_for_user(user=admin, workspace=workspace)
_key, secret = services.api_key_issue(principal=principal, name="bench", scopes=["kpi:read"])
with workspace_context(workspace.id):
    plan = KpiPlan.objects.get(status="active")
print(json.dumps({"workspace": str(workspace.id), "plan": str(plan.id), "secret": secret}))
"""


@dataclass(frozen=True)
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float


def _on_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _env(database_url: str, settings_module: str) -> dict[str, str]:
    owner_url = os.environ.get("DATABASE_OWNER_URL")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url,
        **({"DATABASE_OWNER_URL": _on_database(owner_url, BENCH_DB)} if owner_url else {}),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _prepare(database_url: str) -> dict[str, str]:
    owner_url = os.environ.get("DATABASE_OWNER_URL") or database_url
    bench_url = _on_database(database_url, BENCH_DB)
    with psycopg.connect(_on_database(owner_url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    env = _env(bench_url, "config.settings.local")
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    facts = json.loads(_manage(env, "shell", "-c", _SETUP).strip().splitlines()[-1])
    return {**facts, "database_url": bench_url}


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _wrk(name: str, url: str, headers: dict[str, str]) -> Result:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{name}: {non_2xx.group(1)} error responses\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return Result(name, rps, p50, p99)


def bench_api() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print("api      skipped: the API benchmark serves the product on PostgreSQL (set DATABASE_URL)")
        return
    if shutil.which("wrk") is None:
        print("api      skipped: needs wrk (apt-get install wrk)")
        return
    facts = _prepare(database_url)
    env = _env(facts["database_url"], "bench.settings")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{PORT}"
        _wait_until_up(f"{base}/healthz")
        key = {"Authorization": f"Api-Key {facts['secret']}"}
        api = f"{base}/api/v1/workspaces/{facts['workspace']}/kpi"
        plan = f"{api}/plans/{facts['plan']}"
        aggregate = _wrk("baseline: one aggregate", f"{base}/bench/{facts['workspace']}/series/", key)
        static = _wrk("baseline: static JSON", f"{base}/bench/static/", key)
        nodes = _wrk(
            "baseline: one node query", f"{base}/bench/{facts['workspace']}/plans/{facts['plan']}/nodes/", key
        )
        endpoints = [
            ("series (month)", f"{plan}/series/?period_kind=month", aggregate),
            ("series (day)", f"{plan}/series/?period_kind=day&start=2026-04-01&end=2026-07-02", aggregate),
            ("values", f"{plan}/values/", aggregate),
            ("status", f"{plan}/status/", aggregate),
            ("sensitivity", f"{plan}/sensitivity/", aggregate),
            ("tree", f"{plan}/tree/", nodes),
            ("nodes", f"{api}/nodes/", nodes),
        ]
        print(
            f"api      gunicorn 2 workers, wrk {CONNECTIONS} connections {DURATION} each, partner key, PostgreSQL"
        )
        print(
            f"         {'endpoint':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}   ratio to baseline (req/s, p99)"
        )
        for result in (aggregate, nodes, static):
            print(f"         {result.name:<26}{result.rps:>9.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}")
        for name, url, baseline in endpoints:
            result = _wrk(name, url, key)
            print(
                f"         {name:<26}{result.rps:>9.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}   "
                f"{result.rps / baseline.rps:.2f}x, p99 {result.p99_ms / baseline.p99_ms:.1f}x ({baseline.name})"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
