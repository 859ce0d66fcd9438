"""Tasks through a real broker and a live worker: routing, tenant context, after-commit enqueueing.

The broker is Redis when REDIS_URL is set (CI), else Celery's in-memory transport.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app
from tenants import services
from tenants.access import principal_for_user
from tenants.models import AuditEvent
from tenants.roles import WorkspaceRole
from tenants.tasks import workspace_cache_key, workspace_task
from tests.conftest import World
from tests.factories.tenants import MembershipFactory, WorkspaceFactory


@workspace_task(name="kpi.test_audit_count")
def audit_count_task(workspace_id: UUID) -> list[str]:
    """Reads tenant rows with the fail-closed manager: works only inside the task's own context."""
    return sorted({str(w) for w in AuditEvent.objects.values_list("workspace_id", flat=True)})


@pytest.fixture
def live_worker() -> Iterator[None]:
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, queues=["default", "notifications", "kpi"]):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_for(predicate: Any, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_invitation_mail_goes_through_the_broker_after_commit(live_worker: None) -> None:
    workspace = WorkspaceFactory()
    admin = MembershipFactory(workspace=workspace, role=WorkspaceRole.ADMIN).user
    principal = principal_for_user(user=admin, workspace=workspace)
    services.membership_invite(principal=principal, email="new@example.jp", role=WorkspaceRole.SALES_REP)
    assert _wait_for(lambda: len(mail.outbox) == 1), "the worker never sent the invitation"
    assert mail.outbox[0].to == ["new@example.jp"]


def test_workspace_task_enters_its_own_context(world: World) -> None:
    seen = audit_count_task.delay(str(world.a.workspace.id)).get()
    assert seen == [str(world.a.workspace.id)]
    seen = audit_count_task.delay(str(world.b.workspace.id)).get()
    assert seen == [str(world.b.workspace.id)]


def test_tasks_are_routed_by_kind_and_late_acked() -> None:
    task = app.tasks["notifications.invitation_send"]
    assert task.acks_late is True
    assert task.run.is_workspace_task is True
    assert app.amqp.router.route({}, "notifications.invitation_send")["queue"].name == "notifications"
    assert app.amqp.router.route({}, "kpi.test_audit_count")["queue"].name == "kpi"


def test_cache_keys_start_with_the_workspace() -> None:
    workspace_id = WorkspaceFactory.build().id
    assert workspace_cache_key(workspace_id, "lock", "sync") == f"ws:{workspace_id}:lock:sync"
