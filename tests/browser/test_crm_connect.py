"""Connecting HubSpot by OAuth in a real browser: the CRM's authorise page sends the person back to the callback,
which connects the portal and lands them home with a Japanese message; a spent or forged state gets a page
saying so in Japanese."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from celery import current_app

from integrations import oauth
from integrations.fakes.common import WallClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.models import Connection
from tenants.access import principal_for_user
from tenants.context import workspace_context
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import PASSWORD, _sign_in
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def hubspot_server(
    live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeHubSpot, str]]:
    """A fake HubSpot over real HTTP on loopback, registered with the live server's callback."""
    fake = FakeHubSpot(clock=WallClock(), portal_id=777001)
    settings.HUBSPOT_CLIENT_ID, settings.HUBSPOT_CLIENT_SECRET = fake.client_id, fake.client_secret
    settings.HUBSPOT_REDIRECT_URI = f"{live_server.url}/integrations/oauth/hubspot/callback/"
    fake.redirect_uris.add(settings.HUBSPOT_REDIRECT_URI)
    # The first sync the callback queues runs inline, in the live server, against this server.
    monkeypatch.setattr(current_app.conf, "task_always_eager", True)
    server = make_server("127.0.0.1", 0, fake, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_admin_connects_hubspot_by_oauth(
    world: World, live_server: Any, page: Any, hubspot_server: tuple[FakeHubSpot, str]
) -> None:
    fake, base_url = hubspot_server
    admin = world.a.users["admin"]
    _sign_in(page, live_server, admin.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    with workspace_context(world.a.workspace.id):
        principal = principal_for_user(user=admin, workspace=world.a.workspace)
        authorize_url = oauth.oauth_start(principal=principal, provider="hubspot", base_url=base_url,
                                          display_name="営業部 HubSpot")  # fmt: skip
    page.goto(authorize_url)  # the fake's consent answers at once with a redirect to our callback
    page.wait_for_url(f"{live_server.url}/")
    assert "HubSpot と連携しました" in page.inner_text("body")
    screenshot(page, "crm-connected")
    with workspace_context(world.a.workspace.id):
        connection = Connection.objects.get(external_account_id="777001")
        assert connection.display_name == "営業部 HubSpot" and connection.has_credentials
    assert fake.requests_to("/oauth/v3/token")  # the code was exchanged over HTTP

    page.goto(authorize_url)  # the same state again: spent
    assert "すでに使われています" in page.inner_text("body")
    assert page.locator("[data-code='integrations.oauth.state_used']").count() == 1
    screenshot(page, "crm-connect-state-used")


def test_a_forged_state_is_a_japanese_page(world: World, live_server: Any, page: Any) -> None:
    _sign_in(page, live_server, world.a.users["admin"].email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    response = page.goto(f"{live_server.url}/integrations/oauth/hubspot/callback/?code=x&state=forged")
    assert response is not None and response.status == 400
    body = page.inner_text("body")
    assert "CRM" in body and page.locator("[data-code='integrations.oauth.state_invalid']").count() == 1
    screenshot(page, "crm-connect-state-invalid")
