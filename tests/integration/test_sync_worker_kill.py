"""The sync survives SIGKILL: a real Celery worker, killed at random points of a first load, restarted each time.

A fake HubSpot holding ``RECORDS`` records (deals, contacts, activities; many sharing one timestamp, a few
archived) is served over real HTTP on loopback from a thread of this process. A connection of workspace A is
pointed at it; the task ``integrations.connection_sync`` goes to the real Redis broker and a real worker
subprocess (``celery -A config worker -Q integrations -c 1``) on the test database takes it. The worker's whole
process group is SIGKILLed a few times while the run progresses and started again: the broker redelivers the
unacked task (``acks_late``; the test gives the Redis transport a visibility timeout of seconds instead of
the hour production needs), the redelivery carries the same task id and so takes the dead run's lease straight
back, and the run resumes from the resume point saved with the last committed page.

Then the canonical rows equal the fake's records (no loss, no duplicate), the daily actuals equal those of an
uninterrupted sync of the same CRM into workspace B (and a full recompute from the canonical tables changes
nothing), and no resume point is left. PostgreSQL and Redis only.

``SYNC_KILL_RECORDS=100000`` runs it on a bigger CRM (``python -m bench crm-kill``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from django.conf import settings
from django.db import connection as db

from integrations import services, sync
from integrations.fakes.common import WallClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.models import Connection, CrmActivity, CrmContact, CrmDeal, CrmOwner, SyncRun, SyncState
from integrations.rollups.compute import rollup_all_recompute
from kpi.models import MetricActual
from kpi.services import metric_catalogue_install
from tenants.context import workspace_context
from tenants.models import User, Workspace
from tenants.roles import WorkspaceRole
from tenants.services import Actor
from tests.factories.tenants import MembershipFactory, UserFactory, WorkspaceFactory
from tests.integrations.sync.conftest import PIPELINES

ROOT = Path(__file__).resolve().parents[2]
RECORDS = int(os.environ.get("SYNC_KILL_RECORDS", "10000"))
KILLS = int(os.environ.get("SYNC_KILL_COUNT", "3"))
# Printed on failure, so a failing interleaving can be replayed (SYNC_KILL_SEED=...).
SEED = int(os.environ.get("SYNC_KILL_SEED", str(random.randrange(1 << 30))))
DEADLINE = float(os.environ.get("SYNC_KILL_DEADLINE", str(max(120.0, RECORDS / 40))))
# The broker gives an unacked task back this long after its delivery (production: an hour, longer than
# any task). The sweep runs every second instead of every 100 (interval x throttle).
VISIBILITY_SECONDS = 4

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real Redis broker (set REDIS_URL)")

STAGES = [stage["id"] for stage in PIPELINES[0]["stages"]]
ACTIVITY_STATUS = {
    "calls": ("hs_call_status", "COMPLETED"),
    "emails": ("hs_email_status", "SENT"),
    "meetings": ("hs_meeting_outcome", "COMPLETED"),
    "tasks": ("hs_task_status", "COMPLETED"),
}


# --- the fake CRM over HTTP ------------------------------------------------------------------------------


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def fake_crm_build(records: int, owner_emails: list[str], rng: random.Random) -> FakeHubSpot:
    """``records`` objects: 40 % deals, 40 % contacts, 20 % activities. Stamps step one minute every 50
    records over the last weeks (so 50 records share each one), plus a block of 500 deals sharing one stamp;
    about 1 % of the deals are archived."""
    fake = FakeHubSpot(clock=WallClock(), portal_id=777_001)
    fake.pipelines = PIPELINES
    owners = [str(9001 + i) for i in range(len(owner_emails))]
    for owner_id, email in zip(owners, owner_emails, strict=True):
        fake.add_owner(id=owner_id, email=email, firstName="Rep", lastName=owner_id)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=40)
    deals_n, contacts_n = records * 2 // 5, records * 2 // 5
    activities_n = records - deals_n - contacts_n
    block = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)
    deal_ids: list[int] = []
    for i in range(deals_n):
        stamp = block if i < 500 else start + dt.timedelta(minutes=i // 50)
        stage = STAGES[i % len(STAGES)]
        created = stamp - dt.timedelta(days=rng.randrange(0, 30), hours=rng.randrange(0, 24))
        props: dict[str, Any] = {
            "dealname": f"案件 {i}", "pipeline": "default", "dealstage": stage,
            "amount": str(rng.randrange(1, 500) * 10_000) if i % 97 else "N/A",
            "hubspot_owner_id": owners[i % len(owners)] if i % 13 else None,
            f"hs_date_entered_{stage}": _iso(created + dt.timedelta(days=1)),
        }  # fmt: skip
        if stage in ("closedwon", "closedlost"):
            props["closedate"] = _iso(created + dt.timedelta(days=2, hours=rng.randrange(0, 24)))
        deal_ids.append(fake.add("deals", props, created=created, updated=stamp).id)
    for i in range(contacts_n):
        stamp = start + dt.timedelta(minutes=i // 50, seconds=30)
        created = stamp - dt.timedelta(days=rng.randrange(0, 30), hours=rng.randrange(0, 24))
        fake.add("contacts", {
            "email": f"person{i}@example.jp", "lifecyclestage": "lead" if i % 4 else "subscriber",
            "hs_lifecyclestage_lead_date": _iso(created) if i % 4 else None,
            "hubspot_owner_id": owners[i % len(owners)],
        }, created=created, updated=stamp)  # fmt: skip
    kinds = list(ACTIVITY_STATUS)
    for i in range(activities_n):
        kind = kinds[i % len(kinds)]
        stamp = start + dt.timedelta(minutes=i // 50, seconds=45)
        status_property, done = ACTIVITY_STATUS[kind]
        fake.add(kind, {
            "hs_timestamp": _iso(stamp - dt.timedelta(hours=rng.randrange(0, 240))),
            "hubspot_owner_id": owners[i % len(owners)],
            status_property: done if i % 3 else "SCHEDULED",
        }, created=stamp, updated=stamp, associations={"deals": [str(rng.choice(deal_ids))]})  # fmt: skip
    for deal_id in deal_ids[7::97]:
        fake.archive("deals", deal_id)
    return fake


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """A WSGI app on a loopback port, in one thread (the fake is not thread-safe; wsgiref serves serially)."""
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served() -> Iterator[tuple[FakeHubSpot, str, list[User]]]:
    rng = random.Random(SEED)
    users = [UserFactory(email=f"rep{i}@kill.example.jp") for i in range(4)]
    fake = fake_crm_build(RECORDS, [user.email for user in users], rng)
    with serving(fake) as base_url:
        yield fake, base_url, users


# --- the worker subprocess -------------------------------------------------------------------------------


def _database_url(user_url: str, name: str) -> str:
    head, _, _ = user_url.rpartition("/")
    return f"{head}/{quote(name)}"


class Worker:
    """``celery -A config worker -Q integrations -c 1`` on the test database, in its own process group so a
    SIGKILL takes its pool child down with it (a machine or container dying, not a lone process)."""

    def __init__(self, tmp_path: Path) -> None:
        self.log_path = tmp_path / "worker.log"
        settings_module = tmp_path / "killtest_settings.py"
        settings_module.write_text(
            "from config.settings.test import *  # noqa: F403\n"
            f"CELERY_BROKER_TRANSPORT_OPTIONS = {{'visibility_timeout': {VISIBILITY_SECONDS}, "
            "'unacked_restore_interval': 1, 'unacked_restore_throttle': 1}\n",
            encoding="utf-8",
        )
        name = db.settings_dict["NAME"]
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": "killtest_settings",
            "DATABASE_URL": _database_url(os.environ["DATABASE_URL"], name),
            "REDIS_URL": settings.REDIS_URL,
        }
        if os.environ.get("DATABASE_OWNER_URL"):
            self.env["DATABASE_OWNER_URL"] = _database_url(os.environ["DATABASE_OWNER_URL"], name)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start {self.starts} ---\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "integrations", "-c", "1",
                 "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info",
                 "-n", f"killtest-{os.getpid()}-{self.starts}@%h"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        self.process = None

    def log_tail(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]


def _broker_busy() -> bool:
    """A sync task still queued or delivered-but-unacked (redeliverable) on the integrations queue."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    if client.llen("integrations"):
        return True
    for payload in client.hvals("unacked"):
        _message, _exchange, routing_key = json.loads(payload)
        if routing_key == "integrations":
            return True
    return False


# --- the world ---------------------------------------------------------------------------------------------


def _workspace(name: str, users: list[User]) -> tuple[Workspace, Actor]:
    workspace = WorkspaceFactory(name=name)
    admin = MembershipFactory(workspace=workspace, role=WorkspaceRole.ADMIN)
    for user in users:
        MembershipFactory(workspace=workspace, user=user, role=WorkspaceRole.SALES_REP)
    from tenants.access import principal_for_user

    with workspace_context(workspace.id):
        metric_catalogue_install()
    return workspace, Actor.of(principal_for_user(user=admin.user, workspace=workspace))


def _connect(workspace: Workspace, actor: Actor, fake: FakeHubSpot, base_url: str) -> Connection:
    with workspace_context(workspace.id):
        return services.connection_create(
            actor=actor, provider="hubspot", display_name="HubSpot (fake)", base_url=base_url,
            external_account_id=str(fake.portal_id), credentials={"private_app_token": fake.issue_private_app_token()},
        )  # fmt: skip


def _canonical(connection: Connection) -> dict[str, dict[str, bool]]:
    """external id -> deleted?, per table; also proves no id is stored twice."""
    found: dict[str, dict[str, bool]] = {}
    for name, model in (("deals", CrmDeal), ("contacts", CrmContact), ("activities", CrmActivity)):
        rows = list(model.objects.filter(connection=connection).values_list("external_id", "deleted_at"))
        ids = [external_id for external_id, _ in rows]
        assert len(ids) == len(set(ids)), f"{name}: an external id stored twice"
        found[name] = {external_id: deleted is not None for external_id, deleted in rows}
    return found


def _expected(fake: FakeHubSpot) -> dict[str, dict[str, bool]]:
    activities = {
        str(record.id): record.archived for kind in ACTIVITY_STATUS for record in fake.records[kind].values()
    }
    return {
        "deals": {str(r.id): r.archived for r in fake.records["deals"].values()},
        "contacts": {str(r.id): r.archived for r in fake.records["contacts"].values()},
        "activities": activities,
    }


def _cells() -> dict[tuple[str, dt.date, str | None], Decimal]:
    """The workspace's CRM actuals, the member named by e-mail (member ids differ between workspaces)."""
    rows = MetricActual.objects.filter(source=MetricActual.Source.CRM).values_list(
        "metric__key", "date", "owner__user__email", "value"
    )
    return {(key, day, email): value for key, day, email, value in rows}


def _wait_until_done(worker: Worker, connection: Connection, workspace: Workspace, deadline: float) -> None:
    """Until a run succeeded and the broker holds no sync task, twice in a row (a redelivered copy of the
    finished task may still run: it finds nothing new)."""
    quiet = 0
    while time.monotonic() < deadline:
        with workspace_context(workspace.id):
            succeeded = SyncRun.objects.filter(
                connection=connection, status=SyncRun.Status.SUCCEEDED
            ).exists()
            free = not Connection.objects.get(id=connection.id).lease_owner
        quiet = quiet + 1 if succeeded and free and not _broker_busy() else 0
        if quiet >= 3:
            return
        if worker.process is not None and worker.process.poll() is not None:
            pytest.fail(f"the worker exited on its own\n{worker.log_tail()}")
        time.sleep(0.5)
    pytest.fail(f"the sync did not finish in time (seed {SEED})\n{worker.log_tail()}")


def _running(connection: Connection, workspace: Workspace, *, dead: set[Any]) -> SyncRun | None:
    """The run of the delivery now running (not one a killed worker left "running")."""
    with workspace_context(workspace.id):
        return (
            SyncRun.objects.filter(connection=connection, status=SyncRun.Status.RUNNING)
            .exclude(id__in=dead)
            .first()
        )


# --- the proof ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_owners_are_matched_with_their_page_even_if_the_run_fails_later() -> None:
    """A run that read the owners and then failed (a transient error, a killed worker) leaves them matched:
    the next run reads them unchanged and would never match them (it used to match at the run's end)."""
    from integrations.providers.base import ObjectType, TransientError

    user = UserFactory(email="owner-rep@kill.example.jp")
    fake = FakeHubSpot(clock=WallClock(), portal_id=777_003)
    fake.pipelines = PIPELINES
    fake.add_owner(id="9101", email=user.email, firstName="Rep", lastName="One")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    fake.add("deals", {"dealname": "D", "pipeline": "default", "dealstage": "closedwon", "amount": "100",
                       "closedate": _iso(long_ago), "hubspot_owner_id": "9101"},
             created=long_ago, updated=long_ago)  # fmt: skip
    workspace, actor = _workspace("Owners", [user])
    connection = _connect(workspace, actor, fake, "http://crm.invalid")

    class FailsOnDeals:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def read(self, object_type: Any, window: Any, resume: Any = None) -> Any:
            if object_type is ObjectType.DEALS:
                raise TransientError(503)
            return self.inner.read(object_type, window, resume)

    with workspace_context(workspace.id):

        def provider() -> Any:
            return sync.provider_for(sync.provider_settings(connection), tokens=sync.ConnectionTokenStore(connection),
                                     transport=httpx.WSGITransport(app=fake))  # fmt: skip

        first = sync.connection_sync(connection_id=connection.id, trigger="manual", lease_owner="t1",
                                     provider=FailsOnDeals(provider()))  # fmt: skip
        assert first is not None and first.status == SyncRun.Status.FAILED
        assert CrmOwner.objects.get(connection=connection).member is not None
        second = sync.connection_sync(connection_id=connection.id, trigger="manual", lease_owner="t2",
                                      provider=provider())  # fmt: skip
        assert second is not None and second.status == SyncRun.Status.SUCCEEDED
        assert {email for (key, _, email) in _cells() if key == "wins"} == {user.email}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_task_commits_each_page_as_it_goes() -> None:
    """The task commits every page with its resume point before it reads the next one: another database
    session sees them. (It used to run the whole sync in the task's one transaction, so a killed worker lost
    every page, and no one saw its lease, progress or resume points until the end.)"""
    fake = FakeHubSpot(clock=WallClock(), portal_id=777_002)
    fake.pipelines = PIPELINES
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    for i in range(250):
        fake.add("deals", {"dealname": f"D{i}", "pipeline": "default", "dealstage": "qualifiedtobuy"},
                 created=long_ago, updated=long_ago)  # fmt: skip
    workspace, actor = _workspace("Pages", [])
    seen: list[tuple[int, Any]] = []

    def observed(environ: dict[str, Any], start_response: Any) -> Any:
        # The server's own thread has its own database session: it sees only what was committed.
        query = environ.get("QUERY_STRING", "")
        if (
            environ["PATH_INFO"] == "/crm/v3/objects/deals"
            and "after=" in query
            and "archived=false" in query
        ):
            try:
                with workspace_context(workspace.id):
                    state = SyncState.objects.filter(object_type="deals").first()
                    seen.append((CrmDeal.objects.count(), state.resume if state else None))
            finally:
                db.close()
        return fake(environ, start_response)

    from integrations.tasks import connection_sync_task

    with serving(observed) as base_url:
        connection = _connect(workspace, actor, fake, base_url)
        connection_sync_task(str(workspace.id), str(connection.id), SyncRun.Trigger.MANUAL, [])
    assert [count for count, _ in seen] == [100, 200]
    assert all(resume and resume["stream"] == "deals" for _, resume in seen), seen
    with workspace_context(workspace.id):
        assert CrmDeal.objects.filter(connection=connection).count() == 250
        assert SyncRun.objects.get(connection=connection).status == SyncRun.Status.SUCCEEDED


@pytest.mark.postgres
@needs_redis
@pytest.mark.django_db(transaction=True)
def test_sync_survives_sigkill_of_its_worker(
    served: tuple[FakeHubSpot, str, list[User]], tmp_path: Path
) -> None:
    fake, base_url, users = served
    rng = random.Random(SEED)
    killed_ws, killed_actor = _workspace("Killed", users)
    calm_ws, calm_actor = _workspace("Calm", users)
    killed = _connect(killed_ws, killed_actor, fake, base_url)
    calm = _connect(calm_ws, calm_actor, fake, base_url)
    deadline = time.monotonic() + DEADLINE

    from config.celery import app

    worker = Worker(tmp_path)
    task_id = f"killtest-{SEED}-{killed.id}"
    app.conf.task_always_eager = False  # the test settings run tasks inline
    try:
        worker.start()
        app.send_task(
            "integrations.connection_sync", args=(str(killed_ws.id), str(killed.id), SyncRun.Trigger.MANUAL, []),
            task_id=task_id, queue="integrations",
        )  # fmt: skip
        kills, dead = 0, set()
        total = sum(len(v) for v in _expected(fake).values())
        while kills < KILLS and time.monotonic() < deadline:
            # A random point of the run: a random number of records into this delivery's run (each run
            # resumes where the last one stopped, so the kills never outrun the load).
            target = rng.randrange(100, max(101, total // (KILLS + 1)))
            while (run := _running(killed, killed_ws, dead=dead)) is None or run.fetched_count < target:
                if time.monotonic() > deadline:
                    pytest.fail(f"no progress before kill {kills + 1} (seed {SEED})\n{worker.log_tail()}")
                if worker.process is not None and worker.process.poll() is not None:
                    pytest.fail(f"the worker exited on its own\n{worker.log_tail()}")
                time.sleep(0.05)
            time.sleep(rng.uniform(0, 0.5))
            worker.kill()
            dead.add(run.id)
            kills += 1
            worker.start()
        assert kills == KILLS, f"only {kills} kills before the deadline (seed {SEED})"
        _wait_until_done(worker, killed, killed_ws, deadline)
    finally:
        app.conf.task_always_eager = True
        worker.stop()

    # The same CRM into workspace B in this process, never interrupted.
    with workspace_context(calm_ws.id):
        provider = sync.provider_for(
            sync.provider_settings(calm),
            tokens=sync.ConnectionTokenStore(calm),
            transport=httpx.WSGITransport(app=fake),
        )
        reference = sync.connection_sync(
            connection_id=calm.id, trigger=SyncRun.Trigger.MANUAL, lease_owner="calm", provider=provider
        )
        assert reference is not None and reference.status == SyncRun.Status.SUCCEEDED
        calm_canonical = _canonical(calm)
        calm_cells = _cells()

    with workspace_context(killed_ws.id):
        runs = list(SyncRun.objects.filter(connection=killed).order_by("started_at"))
        assert runs[-1].status == SyncRun.Status.SUCCEEDED, (runs[-1].error_code, worker.log_tail())
        # Each kill left a run the next delivery closed as lost (a redelivered copy of the finished task
        # may add a succeeded run that found nothing new).
        lost = [run for run in runs if run.error_code == "integrations.sync.worker_lost"]
        assert len(lost) == KILLS, [(run.status, run.error_code) for run in runs]
        assert SyncRun.objects.filter(connection=killed, status=SyncRun.Status.RUNNING).count() == 0

        expected = _expected(fake)
        canonical = _canonical(killed)
        assert {name: len(rows) for name, rows in canonical.items()} == {
            name: len(rows) for name, rows in expected.items()
        }
        assert canonical == expected, f"seed {SEED}"
        assert canonical == calm_canonical
        assert CrmOwner.objects.filter(connection=killed).count() == len(fake.owners)
        assert (
            not CrmDeal.objects.filter(connection=killed, owner__isnull=True)
            .exclude(owner_external_id="")
            .exclude(owner_external_id__isnull=True)
            .exists()
        )

        states = list(SyncState.objects.filter(connection=killed))
        assert states and all(s.full_sync_completed_at is not None for s in states)
        assert all(s.resume is None and s.window_end is None and s.archived_resume is None for s in states)
        connection = Connection.objects.get(id=killed.id)
        assert connection.status == Connection.Status.CONNECTED and not connection.lease_owner

        cells = _cells()
        assert cells, "the sync fed no actuals"
        assert cells == calm_cells, f"seed {SEED}"
        # And the cells kept page by page are exactly what the canonical tables say now.
        assert rollup_all_recompute() == 0
        assert _cells() == cells
