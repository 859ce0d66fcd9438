"""The decisions part of the two-workspace world: a matrix with an option and a recorded decision per workspace."""

from __future__ import annotations

from typing import Any

from checklist.decisions import services
from tenants.context import workspace_context
from tenants.services import Actor


def seed(side: Any) -> None:
    """One decision matrix (HubSpot from its template, then decided) in the side's workspace."""
    actor = Actor.of(side.principal("consultant"))
    name = side.workspace.name
    with workspace_context(side.workspace.id):
        matrix = services.matrix_create(actor=actor, name=f"Matrix {name}")
        option = services.option_create(
            actor=actor, matrix=matrix, template="hubspot", name=f"HubSpot {name}"
        )
        matrix = services.decision_record(
            actor=actor, matrix=matrix, option=option, reason=f"Only option for {name}"
        )
    side.extra["decision_matrix"] = matrix
    side.extra["matrix_option"] = option
