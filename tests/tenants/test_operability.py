"""Operability: health check, request ids and structured logs, sign-in lockout, the API docs behind sign-in."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

from core.requests import HEADER, RequestIdLogFilter, _request_id
from tenants.context import workspace_context
from tenants.logging import WorkspaceLogFilter
from tests.conftest import World
from tests.factories.tenants import PASSWORD, UserFactory

# --- /healthz ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_each_dependency_without_secrets() -> None:
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == ("ok" if settings.REDIS_URL else "not_configured")
    text = response.content.decode()
    assert settings.DATABASES["default"]["NAME"] not in text and "redis://" not in text
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_unreachable() -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "redis": "error"}}


# --- request id and structured logs ------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["ikkan.example.jp"], SECURE_SSL_REDIRECT=True)
def test_healthz_answers_by_ip_over_plain_http() -> None:
    """A load balancer calls it by address without TLS: no DisallowedHost, no redirect."""
    response = Client().get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert Client().get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_the_wsgi_entry_point_defaults_to_production_settings() -> None:
    """Started on its own (no settings module, no secrets), the image refuses to run rather than run with
    DEBUG and the published development key."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    done = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_sane_given_one_is_kept() -> None:
    page = "/accounts/login/"
    made = Client().get(page)[HEADER]
    assert len(made) == 32 and made != Client().get(page)[HEADER]
    assert Client().get(page, HTTP_X_REQUEST_ID="lb-1234-abcd")[HEADER] == "lb-1234-abcd"
    hostile = Client().get(page, HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")[HEADER]
    assert hostile != "x\r\nSet-Cookie: a=b" and len(hostile) == 32


def _configured_console_handler(stream: io.StringIO) -> logging.Handler:
    """A handler built exactly as settings.LOGGING builds the console one, writing to ``stream``."""
    from logging.config import DictConfigurator

    config = json.loads(json.dumps(settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    configurator = DictConfigurator(config)
    formatter = configurator.configure_formatter(config["formatters"]["json"])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    names = config["handlers"]["console"]["filters"]
    filters = {"request_id": RequestIdLogFilter(), "workspace_id": WorkspaceLogFilter()}
    for name in names:
        handler.addFilter(filters[name])
    return handler


def test_log_lines_are_json_with_the_request_and_workspace(world: World) -> None:
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id", "workspace_id"]
    stream = io.StringIO()
    logger = logging.getLogger("tests.operability")
    logger.addHandler(_configured_console_handler(stream))
    logger.propagate = False
    token = _request_id.set("req-abc-12345")
    try:
        with workspace_context(world.a.workspace.id):
            logger.warning("sync %s slow", "hubspot")
        logger.warning("outside")
    finally:
        _request_id.reset(token)
        logger.handlers.clear()
        logger.propagate = True
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == "sync hubspot slow" and inside["level"] == "WARNING"
    assert inside["request_id"] == "req-abc-12345" and inside["workspace_id"] == str(world.a.workspace.id)
    assert outside["workspace_id"] == "-" and outside["request_id"] == "req-abc-12345"


# --- sign-in lockout (django-axes) ---------------------------------------------------------------


def _sign_in(client: Client, email: str, password: str, ip: str = "203.0.113.7") -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_an_account_is_locked_after_repeated_failures_with_a_japanese_message() -> None:
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, user.email, "wrong-password").status_code == 200
    locked = _sign_in(client, user.email, "wrong-password")
    assert locked.status_code == 429
    # Even the right password is refused now, from another address too, and the page says why.
    again = _sign_in(Client(), user.email, PASSWORD, ip="198.51.100.20")
    assert again.status_code == 429
    page = again.content.decode()
    assert "ログインの失敗が続いたため" in page and "30分間" in page
    with translation.override("en"):
        english = _sign_in(Client(HTTP_COOKIE="django_language=en"), user.email, PASSWORD, ip="198.51.100.21")
    assert "Too many failed sign-in attempts" in english.content.decode()


@pytest.mark.django_db
def test_an_address_is_locked_after_failures_across_accounts() -> None:
    users = [UserFactory() for _ in range(settings.AXES_FAILURE_LIMIT)]
    for user in users:
        _sign_in(Client(), user.email, "wrong-password", ip="192.0.2.50")
    fresh = UserFactory()
    assert _sign_in(Client(), fresh.email, PASSWORD, ip="192.0.2.50").status_code == 429
    assert _sign_in(Client(), fresh.email, PASSWORD, ip="192.0.2.51").status_code == 302


@pytest.mark.django_db
def test_an_administrator_unlocks_an_account_in_the_admin() -> None:
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), user.email, "wrong-password")
    assert _sign_in(Client(), user.email, PASSWORD).status_code == 429
    admin = UserFactory(is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(admin)
    listing = staff.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and user.email in listing.content.decode()
    attempts = list(AccessAttempt.objects.filter(username=user.email).values_list("pk", flat=True))
    unlocked = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert unlocked.status_code == 302
    assert _sign_in(Client(), user.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_failures() -> None:
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(Client(), user.email, "wrong-password")
    assert _sign_in(Client(), user.email, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(Client(), user.email, "wrong-password")
    assert _sign_in(Client(), user.email, PASSWORD).status_code == 302


# --- the API docs are not public ------------------------------------------------------------------


@pytest.mark.django_db
def test_api_docs_and_schema_need_a_sign_in_or_a_key(world: World) -> None:
    anonymous = Client()
    page = anonymous.get("/api/docs/", HTTP_ACCEPT="text/html")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/?next=/api/docs/")
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 401 and schema.json()["error"]["code"] == "not_authenticated"
    keyed = Client(HTTP_AUTHORIZATION=f"Api-Key {world.a.api_key_secret}")
    assert keyed.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 200
