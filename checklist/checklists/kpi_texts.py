"""The KPI engine's sentences that the checklist evidence and the review agenda quote, as Messages.

On main the KPI engine's outcomes (plan-check findings, pace statuses, the bottleneck summary) still carry a
Japanese/English pair; its own move to the message layer gives them Messages. Until then each function here
wraps the pair in the transitional code ``checklist.checklists.legacy_text``, so every other module of the
checklists and the review cycle deals in Messages only; once the KPI engine answers Messages, each function
returns the engine's own and this module leaves ``MESSAGE_DEBT``.
"""

from __future__ import annotations

from typing import Any

from checklist.checklists.params import legacy_text
from core.messages import Message


def finding_message(finding: Any) -> Message:
    """A plan-check finding (``kpi.planning.smart.Finding``)."""
    return legacy_text(finding.message_ja, finding.message_en)


def status_message(status: Any) -> Message:
    """Where a KPI stands against its pace (``kpi.selectors.KpiStatus``)."""
    return legacy_text(status.message_ja, status.message_en)


def bottleneck_message(result: Any) -> Message:
    """The bottleneck sentence of a sensitivity result (``kpi.planning.sensitivity.SensitivityResult``)."""
    return legacy_text(result.summary_ja, result.summary_en)


def bottleneck_known(result: Any) -> bool:
    """The sensitivity result says something (a bottleneck, or why there is none)."""
    return result.bottleneck is not None or bool(result.summary_ja)
