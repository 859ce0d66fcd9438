"""The KPI engine's sentences that the checklist evidence and the review agenda quote, as Messages.

The KPI engine's outcomes carry Messages of its own catalogue (``kpi/messages.py``): a plan-check finding,
a pace status and the bottleneck summary. These functions are the one place the checklists and the review
cycle read them.
"""

from __future__ import annotations

from typing import Any

from core.messages import Message


def finding_message(finding: Any) -> Message:
    """A plan-check finding (``kpi.planning.smart.Finding``)."""
    return finding.message


def status_message(status: Any) -> Message:
    """Where a KPI stands against its pace (``kpi.selectors.KpiStatus``)."""
    return status.message


def bottleneck_message(result: Any) -> Message:
    """The bottleneck sentence of a sensitivity result (``kpi.planning.sensitivity.SensitivityResult``)."""
    return result.summary


def bottleneck_known(result: Any) -> bool:
    """The sensitivity result says something (a bottleneck, or why there is none): it always does."""
    return result.summary is not None
