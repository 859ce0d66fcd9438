"""Sign-in pages and the consultant admin, through Django's test client."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import CANARY_B, World
from tests.factories.tenants import PASSWORD


def test_login_page_is_japanese_by_default_even_for_english_browsers(db: Any) -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "ログイン" in page and "メールアドレス" in page
    assert 'lang="ja"' in page


def test_english_is_available(db: Any) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert "E-mail address" in page and 'lang="en"' in page


def test_login_logout_and_home_lists_own_workspaces(world: World) -> None:
    client = Client()
    assert client.get("/").status_code == 302
    bad = client.post("/accounts/login/", {"username": world.a.users["viewer"].email, "password": "wrong"})
    assert "正しくありません" in bad.content.decode()
    response = client.post(
        "/accounts/login/", {"username": world.a.users["viewer"].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Workspace A" in home and CANARY_B not in home
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_admin_is_japanese_and_scoped_to_the_consultants_workspaces(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["consultant"])
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Ikkan コンサルタント管理" in index.content.decode()
    workspaces = client.get("/admin/tenants/workspace/").content.decode()
    assert "Workspace A" in workspaces
    assert "Workspace A2" not in workspaces and CANARY_B not in workspaces
    audit = client.get("/admin/tenants/auditevent/")
    assert audit.status_code == 200
    body = audit.content.decode()
    assert "test.seeded" in body and CANARY_B not in body
    assert client.get(f"/admin/tenants/workspace/{world.b.workspace.id}/change/").status_code == 302
    members = client.get("/admin/tenants/membership/").content.decode()
    assert "Workspace A viewer" in members and CANARY_B not in members


def test_firm_owner_sees_every_workspace_of_the_firm_only(world: World) -> None:
    client = Client()
    client.force_login(world.firm_owner_a)
    page = client.get("/admin/tenants/workspace/").content.decode()
    assert "Workspace A2" in page and CANARY_B not in page


def test_client_people_cannot_enter_the_admin(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["admin"])
    assert client.get("/admin/").status_code == 302


def test_api_docs_and_schema_load(world: World) -> None:
    client = Client()
    client.force_login(world.a.users["viewer"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode() and "cdn" not in docs.content.decode().lower()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/workspaces/{workspace_id}/memberships/" in schema.content.decode()


def test_api_accept_language_wins_over_the_login_cookie(world: Any) -> None:
    """Signing in sets the person's language cookie (Japanese); an API client asking for English gets it."""
    client = Client()
    login = client.post("/accounts/login/", {"username": world.a.users["admin"].email, "password": PASSWORD})
    assert login.status_code == 302 and client.cookies["django_language"].value == "ja"
    url = f"/api/v1/workspaces/{world.a.workspace.id}/memberships/"
    body = {"email": "not-an-email", "role": "manager"}
    english = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    japanese = client.post(url, body, content_type="application/json")
    assert english.status_code == japanese.status_code == 400
    assert english.json()["error"]["message"] == "The request has invalid fields."
    assert japanese.json()["error"]["message"] != english.json()["error"]["message"]
    unsupported = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert unsupported.json()["error"]["message"] == japanese.json()["error"]["message"]
