"""``manage.py fake_crm serve`` serves a fake on a real socket (wsgiref), from the demo fixture by default."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("provider", ["hubspot", "salesforce"])
def test_serve_answers_over_http(provider: str) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "fake_crm", "serve", "--provider", provider, "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if provider == "hubspot":
                    response = httpx.get(f"{base}/crm/v3/owners",
                                         headers={"Authorization": "Bearer pat-na1-demo-ikkan-0001"})  # fmt: skip
                else:
                    response = httpx.post(f"{base}/services/oauth2/token", data={
                        "grant_type": "refresh_token", "client_id": "demo-salesforce-client-id",
                        "client_secret": "demo-salesforce-client-secret",
                        "refresh_token": "demo-salesforce-refresh-token"})  # fmt: skip
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the fake did not start"
                time.sleep(0.2)
        assert response.status_code == 200, response.text
        if provider == "hubspot":
            assert len(response.json()["results"]) >= 3
        else:
            assert response.json()["instance_url"] == base
    finally:
        server.terminate()
        server.wait(timeout=10)
