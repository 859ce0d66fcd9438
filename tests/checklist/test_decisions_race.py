"""Two requests creating the same matrix name at once: the database's unique constraint decides, and the
loser gets a 409 with the error body, never a 500."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from checklist.models import DecisionMatrix
from tenants.context import workspace_context
from tests.conftest import World


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_matrix_names_end_in_a_409(world: World) -> None:
    result: dict[str, Any] = {}

    def request() -> None:
        client = APIClient()
        client.force_login(world.a.users["consultant"])
        response = client.post(f"/api/v1/workspaces/{world.a.workspace.id}/checklist/matrices/",
                               {"name": "同時作成"}, format="json")  # fmt: skip
        result["status"], result["body"] = response.status_code, response.json()
        connection.close()

    with transaction.atomic(), workspace_context(world.a.workspace.id):
        DecisionMatrix.objects.create(name="同時作成", weights={})  # not committed: the request cannot see it
        thread = threading.Thread(target=request)
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)  # until the request's INSERT waits on our uncommitted row
    thread.join(timeout=30)
    assert result["status"] == 409 and result["body"]["error"]["code"] == "conflict"
    with workspace_context(world.a.workspace.id):
        assert DecisionMatrix.objects.filter(name="同時作成").count() == 1


@pytest.mark.parametrize(
    ("weight", "status"), [("1e999999999", 400), ("1E+7", 400), ("0.00001", 400), ("1.00000", 201)]
)
def test_weights_are_bounded_before_anything_multiplies_them(
    world: World, client_as: Any, weight: str, status: int
) -> None:
    response = client_as("consultant").post(f"/api/v1/workspaces/{world.a.workspace.id}/checklist/matrices/",
                                            {"name": f"w {weight}", "weights": {"fit": weight}}, format="json")  # fmt: skip
    assert response.status_code == status, response.content
    if status == 400:
        assert "weights.fit" in response.json()["error"]["fields"]
