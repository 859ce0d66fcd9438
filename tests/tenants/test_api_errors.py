"""Bad input of every kind gets a clear 4xx in the one error format, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.models import Membership
from tests.conftest import World


def members_url(world: World) -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/memberships/"


def _assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "params", "message", "fields"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


def test_malformed_json(world: World, client_as: Any) -> None:
    count = Membership.objects.count()
    response = client_as("admin").post(members_url(world), data="{not json", content_type="application/json")
    _assert_error(response, 400, "parse_error")
    assert Membership.objects.count() == count


def test_json_that_is_not_an_object(world: World, client_as: Any) -> None:
    response = client_as("admin").post(members_url(world), data="[1, 2]", content_type="application/json")
    _assert_error(response, 400)


def test_unsupported_media_type(world: World, client_as: Any) -> None:
    response = client_as("admin").post(members_url(world), data="email=x", content_type="text/plain")
    _assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "role": "viewer"}, "email"),
        ({"email": 12, "role": "viewer"}, "email"),
        ({"email": "a@example.jp", "role": "emperor"}, "role"),
        ({"email": "a@example.jp", "role": ["viewer"]}, "role"),
        ({"email": "a@example.jp"}, "role"),
        ({"email": "a@example.jp", "role": "viewer", "is_superuser": True}, "is_superuser"),
        (
            {"email": "a@example.jp", "role": "viewer", "workspace": "00000000-0000-0000-0000-000000000000"},
            "workspace",
        ),
    ],
)
def test_field_errors_name_the_field(
    world: World, client_as: Any, payload: dict[str, Any], field: str
) -> None:
    count = Membership.objects.count()
    error = _assert_error(client_as("admin").post(members_url(world), payload, format="json"), 400)
    assert field in error["fields"]
    assert Membership.objects.count() == count


def test_not_found_and_method_not_allowed(world: World, client_as: Any) -> None:
    client = client_as("admin")
    _assert_error(client.get(members_url(world) + "00000000-0000-0000-0000-000000000000/"), 404, "not_found")
    _assert_error(client.get(members_url(world) + "garbage/"), 404, "not_found")
    _assert_error(client.put(members_url(world), {}, format="json"), 405, "method_not_allowed")
    _assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_unauthenticated_is_401_with_the_scheme(world: World, api: Any) -> None:
    response = api.get(members_url(world))
    _assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"


def test_english_messages_on_request(world: World, api: Any) -> None:
    ja = api.get(members_url(world)).json()["error"]["message"]
    en = api.get(members_url(world), HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert en == "Authentication credentials were not provided."
    assert ja != en
