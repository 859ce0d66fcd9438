"""Celery tasks of the CRM sync, routed to the ``integrations`` queue (config/celery.py). Thin: the engine is
integrations.sync."""

from __future__ import annotations

from uuid import UUID, uuid4

from celery import current_task, shared_task

from core.tasks import TASK_DEFAULTS
from integrations import actuals, sync, webhooks
from integrations.models import Connection
from integrations.providers.base import ObjectType
from tenants.tasks import workspace_task


# A sync may run long (a first load of a large CRM); the lease, not the time limit, keeps runs apart.
# Not a workspace_task: that runs the body in one transaction, and a sync commits page by page, each
# transaction entering the workspace itself (integrations.sync), so a killed worker loses one page at most.
@shared_task(
    name="integrations.connection_sync", **{**TASK_DEFAULTS, "soft_time_limit": 3300, "time_limit": 3500}
)
def connection_sync_task(
    workspace_id: str, connection_id: str, trigger: str, object_types: list[str]
) -> None:
    # Named after the task: the broker's redelivery after a worker died takes the same lease straight back.
    task_id = current_task.request.id if current_task else None
    lease_owner = f"task:{task_id}" if task_id else f"inline:{uuid4()}"
    sync.connection_sync(
        workspace_id=UUID(str(workspace_id)),
        connection_id=UUID(connection_id),
        trigger=trigger,
        lease_owner=lease_owner,
        object_types=tuple(ObjectType(name) for name in object_types) or None,
    )


@shared_task(name="integrations.connections_due_dispatch", **TASK_DEFAULTS)
def connections_due_dispatch_task() -> int:
    return sync.connections_due_dispatch()


@workspace_task(name="integrations.connection_remap", soft_time_limit=3300, time_limit=3500)
def connection_remap_task(workspace_id: UUID, connection_id: str) -> None:
    connection = Connection.objects.filter(id=UUID(connection_id)).first()
    if connection is not None:
        sync.connection_remap_apply(connection=connection)


@workspace_task(name="integrations.actuals_recompute", soft_time_limit=3300, time_limit=3500)
def actuals_recompute_task(workspace_id: UUID) -> None:
    actuals.actuals_all()


@shared_task(name="integrations.hubspot_webhook_dispatch", **TASK_DEFAULTS)
def hubspot_webhook_dispatch_task(events: list[dict]) -> int:
    # A dispatcher across workspaces (it enters each one's context itself), like connections_due_dispatch.
    return len(webhooks.hubspot_webhook_dispatch(events=events))
