"""One "today": every date the product computes is taken in the workspace's time zone, here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from tenants.models import Workspace

DEFAULT_TIME_ZONE = "Asia/Tokyo"


def workspace_zone(workspace: Workspace) -> ZoneInfo:
    return ZoneInfo(workspace.time_zone or DEFAULT_TIME_ZONE)


def workspace_today(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    """The date it is in the workspace right now (or at ``now``)."""
    return (now or timezone.now()).astimezone(workspace_zone(workspace)).date()
