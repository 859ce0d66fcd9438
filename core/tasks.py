"""Celery defaults every task of ours starts from (``tenants.tasks.workspace_task`` adds the tenancy)."""

from __future__ import annotations

from typing import Any

TASK_DEFAULTS: dict[str, Any] = {
    "acks_late": True,  # redelivered if a worker dies mid-task; tasks are idempotent
    "reject_on_worker_lost": True,
    "soft_time_limit": 300,
    "time_limit": 360,
    "max_retries": 5,
}
