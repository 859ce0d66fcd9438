"""Every message of the integrations reads in Japanese (the default) and in English, parameters filled; a
connection's status sentence is what a client admin reads on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from core.messages import message_render, message_template
from integrations import services
from integrations.messages import ERRORS, PROVIDER, STATUS
from tenants.context import workspace_context
from tests.conftest import World

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
PARAMS = {
    "provider": "HubSpot",
    "detail": "crm.objects.deals.read",
    "name": "password",
    "min": 5,
    "max": 1440,
    "policy": "TEN_SECONDLY_ROLLING",
    "retry_after": 10,
    "failures": 6,
}


@pytest.mark.parametrize("code", sorted({**STATUS, **ERRORS, **PROVIDER}))
def test_every_code_has_japanese_and_english(code: str) -> None:
    with translation.override("ja"):
        ja = message_render(code, PARAMS)
    with translation.override("en"):
        en = message_render(code, PARAMS)
        template = str(message_template(code))
    assert JAPANESE.search(ja) and not JAPANESE.search(en), (ja, en)
    assert "%(" not in ja and "%(" not in en
    for name, value in PARAMS.items():
        if f"%({name})s" in template:
            assert str(value) in ja and str(value) in en


def test_a_revoked_token_reads_as_such_for_the_client_admin(world: World, client_as: Any) -> None:
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        services.connection_status_set(connection=connection, status="needs_attention",
                                       code="integrations.status.token_revoked")  # fmt: skip
    url = f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/{connection.id}/"
    body = client_as("admin").get(url, HTTP_ACCEPT_LANGUAGE="ja").json()
    assert body["status"] == "needs_attention"
    assert body["status_detail"]["code"] == "integrations.status.token_revoked"
    assert body["status_detail"]["message"].startswith("HubSpotがこの連携の承認を受け付けなくなりました")
    english = client_as("admin").get(url, HTTP_ACCEPT_LANGUAGE="en").json()["status_detail"]["message"]
    assert english.startswith("HubSpot no longer accepts")


def test_every_code_a_provider_client_raises_is_in_the_catalogue() -> None:
    """The provider packages name their errors by code only; each code they can raise reads for people."""
    from pathlib import Path

    from django.conf import settings

    raised = set()
    for path in (Path(settings.BASE_DIR) / "integrations" / "providers").rglob("*.py"):
        raised |= set(re.findall(r"\"(integrations\.provider\.[a-z_.]+)\"", path.read_text(encoding="utf-8")))
    assert raised and raised <= set(PROVIDER), sorted(raised - set(PROVIDER))
