"""Celery plumbing for tenant work: every task takes ``workspace_id`` first and enters its context itself."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from celery import shared_task

from core.tasks import TASK_DEFAULTS
from tenants.context import workspace_context
from tenants.invitations import invitation_send

P = ParamSpec("P")
R = TypeVar("R")


def workspace_task(*, name: str, **options: Any) -> Callable[[Callable[..., R]], Any]:
    """Declare a task whose first argument is the workspace it runs for.

    The body runs inside ``workspace_context(workspace_id)``: fail-closed managers and row-level security
    both apply, so a task can never read or write another workspace's rows. The queue follows from the
    name's prefix (``config/celery.py`` routes ``kpi.*``, ``integrations.*``, ``notifications.*``).
    """

    def decorate(func: Callable[..., R]) -> Any:
        @functools.wraps(func)
        def run(workspace_id: UUID | str, *args: Any, **kwargs: Any) -> R:
            with workspace_context(UUID(str(workspace_id))):
                return func(UUID(str(workspace_id)), *args, **kwargs)

        run.is_workspace_task = True  # type: ignore[attr-defined]
        return shared_task(name=name, **{**TASK_DEFAULTS, **options})(run)

    return decorate


def workspace_cache_key(workspace_id: UUID, *parts: object) -> str:
    """Cache, lock and throttle keys start with the workspace, so no two tenants share one."""
    return ":".join(["ws", str(workspace_id), *(str(p) for p in parts)])


@workspace_task(name="notifications.invitation_send")
def invitation_send_task(workspace_id: UUID, membership_id: str, inviter_label: str) -> None:
    invitation_send(workspace_id=workspace_id, membership_id=UUID(membership_id), inviter_label=inviter_label)
