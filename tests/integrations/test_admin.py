"""The consultants' admin for CRM integrations: read-only, scoped by role like the API, no credential."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.models import Connection
from tenants.context import workspace_context
from tenants.models import Membership
from tenants.roles import WorkspaceRole
from tests.conftest import CANARY_B, World

PAGES = ("connection", "syncrun", "syncstate", "stagemapping", "activitytypemapping", "leaddefinition",
         "crmowner", "crmcompany", "crmcontact", "crmdeal", "crmactivity")  # fmt: skip


def _consultant(world: World) -> Client:
    client = Client()
    client.force_login(world.a.users["consultant"])
    return client


@pytest.mark.parametrize("page", PAGES)
def test_every_list_shows_the_consultants_workspace_only(world: World, page: str) -> None:
    response = _consultant(world).get(f"/admin/integrations/{page}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Workspace A" in body and CANARY_B not in body


def test_a_connection_page_shows_no_credential_and_cannot_be_changed(world: World) -> None:
    client = _consultant(world)
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        ciphertext = Connection.objects.get(id=connection.id).credentials_ciphertext
    page = client.get(f"/admin/integrations/connection/{connection.id}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert connection.display_name in body
    assert (
        world.a.extra["credential_token"] not in body and ciphertext not in body and "ciphertext" not in body
    )
    assert 'name="_save"' not in body  # view only
    response = client.post(f"/admin/integrations/connection/{connection.id}/change/", {"display_name": "x"})
    assert response.status_code == 403
    assert client.get("/admin/integrations/connection/add/").status_code == 403
    assert (
        client.get(f"/admin/integrations/connection/{world.b.extra['connection'].id}/change/").status_code
        == 302
    )


def test_a_consultant_invited_elsewhere_as_a_viewer_does_not_see_its_connections(world: World) -> None:
    """Viewers do not read integrations through the API, so neither through the admin."""
    outsider = world.b.users["consultant"]
    Membership.objects.create(workspace=world.a.workspace, user=outsider, role=WorkspaceRole.VIEWER)
    client = Client()
    client.force_login(outsider)
    body = client.get("/admin/integrations/connection/").content.decode()
    assert world.b.extra["connection"].display_name in body  # their own firm's workspace
    assert world.a.extra["connection"].display_name not in body
