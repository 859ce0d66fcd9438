"""Hostile input is refused once, at the edge, with a 400 in the error format and nothing changed.

Found by probing the running product (issue 9, part 4): each case below was a 500 or an HTML page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from core.api.parsers import MAX_DEPTH
from kpi.models import MetricActual
from tenants.models import AuditEvent
from tests.conftest import World


def _actuals_url(world: World) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/kpi/actuals/"


def _post_raw(client: APIClient, url: str, body: str | bytes) -> Any:
    return client.generic("POST", url, body, content_type="application/json")


def _assert_refused(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def _nothing_written(world: World) -> tuple[int, int]:
    from tenants.context import workspace_context

    with workspace_context(world.a.workspace.id):
        return MetricActual.objects.count(), AuditEvent.objects.count()


def test_deeply_nested_arrays_are_refused(world: World, client_as: Callable[..., APIClient]) -> None:
    client = client_as("admin")
    before = _nothing_written(world)
    _assert_refused(_post_raw(client, _actuals_url(world), "[" * 1000 + "]" * 1000), "too_deep")
    body = {"metric": "wins", "date": "2026-05-01", "value": "1"}
    nested: Any = body
    for _ in range(MAX_DEPTH):
        nested = {"x": nested}
    _assert_refused(_post_raw(client, _actuals_url(world), json.dumps(nested)), "too_deep")
    assert _nothing_written(world) == before


@pytest.mark.parametrize(
    "body",
    [
        '{"metric": "wins\\u0000", "date": "2026-05-01", "value": "1"}',
        '{"metric\\u0000": "wins", "date": "2026-05-01", "value": "1"}',
        '{"metric": "\\ud800", "date": "2026-05-01", "value": "1"}',
        '{"\\udfff": "x", "metric": "wins", "date": "2026-05-01", "value": "1"}',
        '{"metric": "wins", "date": "2026-05-01", "value": "1", "note": ["\\u0000"]}',
    ],
    ids=["nul-value", "nul-key", "surrogate-value", "surrogate-key", "nul-in-list"],
)
def test_nul_bytes_and_lone_surrogates_are_refused(
    world: World, client_as: Callable[..., APIClient], body: str
) -> None:
    before = _nothing_written(world)
    _assert_refused(_post_raw(client_as("admin"), _actuals_url(world), body), "forbidden_character")
    assert _nothing_written(world) == before


def test_a_nul_byte_in_the_address_is_refused(world: World, client_as: Callable[..., APIClient]) -> None:
    client = client_as("admin")
    base = f"/api/v1/workspaces/{world.a.workspace.id}"
    _assert_refused(client.get(f"{base}/api-keys/abc%00def/"), "bad_request")
    error = _assert_refused(client.get(f"{base}/kpi/actuals/?metric=wins%00"), "forbidden_character")
    assert list(error["fields"]) == ["metric"]
    page = Client().get("/accounts/login/?next=%00")
    assert page.status_code == 400


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_an_oversized_body_is_refused_in_the_error_format(
    world: World, client_as: Callable[..., APIClient]
) -> None:
    big = json.dumps({"metric": "wins", "date": "2026-05-01", "value": "1", "pad": "x" * (2 * 1024 * 1024)})
    response = _post_raw(client_as("admin"), _actuals_url(world), big)
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "body_too_large"
