"""Adds the workspace in context to every log record, so a line can be traced to its tenant."""

from __future__ import annotations

import logging

from tenants.context import current_workspace_id


class WorkspaceLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        workspace_id = current_workspace_id()
        record.workspace_id = str(workspace_id) if workspace_id else "-"
        return True
