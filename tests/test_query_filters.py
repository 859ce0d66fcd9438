"""List filters from the query string: bad values are 400s (never 500s), and they never reach detail routes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World

LIST_FILTERS = [
    ("kpi/nodes/", "kind"), ("kpi/nodes/", "plan"), ("kpi/targets/", "period_kind"), ("kpi/actuals/", "metric"),
    ("kpi/actuals/", "owner"), ("checklist/templates/", "key"), ("checklist/items/", "status"),
    ("checklist/items/", "checklist"), ("checklist/matrices/", "status"), ("checklist/matrix-options/", "matrix"),
    ("checklist/reviews/meetings/", "cadence"), ("checklist/action-plans/", "status"),
]  # fmt: skip


@pytest.mark.parametrize(("route", "param"), LIST_FILTERS)
@pytest.mark.parametrize("value", ["%00", "no%00such", "not-a-value"])
def test_bad_filter_values_are_400_or_an_empty_list(
    world: World, client_as: Any, route: str, param: str, value: str
) -> None:
    response = client_as("viewer").get(f"/api/v1/workspaces/{world.a.workspace.id}/{route}?{param}={value}")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert param in response.json()["error"]["fields"]
    else:  # a free-text filter that matches nothing
        assert response.json()["results"] == []
    if "%00" in value:
        assert response.status_code == 400


def test_a_list_filter_does_not_hide_the_object_of_a_detail_action(world: World, client_as: Any) -> None:
    """Recording a decision changes the matrix's status; the status filter must not apply to the re-read."""
    matrix = world.a.extra["decision_matrix"]
    base = f"/api/v1/workspaces/{world.a.workspace.id}/checklist/matrices/{matrix.id}/"
    consultant = client_as("consultant")
    assert consultant.post(f"{base}reopen/?status=decided", {}, format="json").status_code == 200
    response = consultant.get(f"{base}?status=archived")
    assert response.status_code == 200 and response.json()["id"] == str(matrix.id)
