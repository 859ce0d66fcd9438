"""The consultants' admin pages for decision matrices: read-only, options inline, scoped to their workspaces."""

from __future__ import annotations

from django.test import Client

from tests.conftest import CANARY_B, World


def test_consultant_reads_own_matrices_with_options_inline(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    listing = client.get("/admin/checklist/decisionmatrix/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Matrix Workspace A" in body and CANARY_B not in body
    matrix = world.a.extra["decision_matrix"]
    page = client.get(f"/admin/checklist/decisionmatrix/{matrix.id}/change/")
    assert page.status_code == 200
    assert (
        "HubSpot Workspace A" in page.content.decode()
        and "Only option for Workspace A" in page.content.decode()
    )
    other = client.get(f"/admin/checklist/decisionmatrix/{world.b.extra['decision_matrix'].id}/change/")
    assert other.status_code == 302 and CANARY_B not in other.content.decode()
