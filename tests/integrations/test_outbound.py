"""The outbound allow-list (SSRF): no provider request, and no connection base URL, reaches a private, loopback,
link-local or reserved address unless a setting allows it."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx
import pytest

from integrations import sync
from integrations.fakes.common import FakeClock
from integrations.fakes.hubspot import FakeHubSpot
from integrations.models import Connection
from integrations.providers import outbound
from integrations.providers.outbound import GuardedTransport, HostRefused, host_check, outbound_transport
from tenants.context import workspace_context
from tests.conftest import World

REFUSED = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "192.168.1.10", "172.16.0.5", "100.64.0.1", "0.0.0.0",  # noqa: S104 - refused, not bound
           "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "240.0.0.1", "224.0.0.1"]  # fmt: skip


@pytest.fixture
def guarded(settings: Any) -> None:
    settings.INTEGRATIONS_ALLOW_PRIVATE_HOSTS = False
    settings.INTEGRATIONS_OUTBOUND_ALLOWED_HOSTS = []


def _resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str) -> list[str]:
        if host not in table:
            raise socket.gaierror("unknown host")
        return table[host]

    return resolve


@pytest.mark.parametrize("address", REFUSED)
def test_private_and_reserved_addresses_are_refused(guarded: None, address: str) -> None:
    with pytest.raises(HostRefused) as refused:
        host_check(address)
    assert refused.value.code == "integrations.outbound.host_refused"


def test_public_addresses_and_names_pass(guarded: None) -> None:
    host_check("104.16.1.1")
    host_check("2606:4700::1")
    host_check("api.hubapi.com", resolve=_resolver({"api.hubapi.com": ["104.16.1.1", "2606:4700::1"]}))


def test_a_name_is_refused_if_any_of_its_addresses_is_private(guarded: None) -> None:
    resolve = _resolver(
        {"rebind.example": ["104.16.1.1", "10.0.0.7"], "metadata.example": ["169.254.169.254"]}
    )
    for host in ("rebind.example", "metadata.example"):
        with pytest.raises(HostRefused):
            host_check(host, resolve=resolve)
    with pytest.raises(HostRefused) as unknown:
        host_check("nowhere.example", resolve=resolve)
    assert unknown.value.code == "integrations.outbound.host_unresolvable"


def test_the_settings_allow_private_hosts_or_listed_ones(settings: Any) -> None:
    settings.INTEGRATIONS_ALLOW_PRIVATE_HOSTS = False
    settings.INTEGRATIONS_OUTBOUND_ALLOWED_HOSTS = ["crm-proxy.internal", "10.20.0.0/16"]
    host_check("crm-proxy.internal", resolve=_resolver({}))  # listed by name: not even resolved
    host_check("10.20.3.4")
    host_check("onprem.example", resolve=_resolver({"onprem.example": ["10.20.0.9"]}))
    with pytest.raises(HostRefused):
        host_check("10.21.0.1")
    settings.INTEGRATIONS_ALLOW_PRIVATE_HOSTS = True
    host_check("127.0.0.1")


def test_every_request_of_a_provider_client_is_checked_even_through_a_fake(guarded: None) -> None:
    fake = FakeHubSpot(clock=FakeClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    calls = []

    class Recording(httpx.WSGITransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            calls.append(request.url)
            return super().handle_request(request)

    transport = GuardedTransport(Recording(app=fake), resolve=_resolver({"api.hubapi.com": ["104.16.1.1"]}))
    with outbound.guarded_client(transport) as http:
        assert http.get("https://api.hubapi.com/crm/v3/owners").status_code == 401  # reached the fake
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[::1]:8000/", "http://10.0.0.1/"):
            with pytest.raises(HostRefused):
                http.get(url)
    assert [u.host for u in calls] == ["api.hubapi.com"]


@pytest.fixture
def local_server() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
                conn.settimeout(2)
                if conn.recv(1024):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                conn.close()
            except OSError:
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()


def test_the_connected_address_is_checked_too(settings: Any, local_server: int) -> None:
    """A name that passed the first check but connects to a private address (DNS rebinding) is refused on
    connect: the socket transport's network backend checks the peer."""
    transport = outbound.socket_transport()
    assert isinstance(transport._pool._network_backend, outbound.PeerCheckingBackend)
    settings.INTEGRATIONS_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(HostRefused):
        outbound.PeerCheckingBackend().connect_tcp("localhost", local_server)  # a name: only the peer shows
    settings.INTEGRATIONS_ALLOW_PRIVATE_HOSTS = True
    with httpx.Client(transport=transport) as http:
        assert http.get(f"http://127.0.0.1:{local_server}/").text == "ok"
    assert issubclass(outbound.PeerCheckingBackend, httpcore.SyncBackend)


URLS = [
    "http://127.0.0.1",
    "http://10.0.0.1",
    "http://169.254.169.254",
    "https://[::1]:8443",
    "http://localhost",
]


@pytest.mark.django_db
@pytest.mark.parametrize("base_url", URLS)
def test_a_private_base_url_is_refused_with_a_code(
    world: World, client_as: Any, guarded: None, base_url: str
) -> None:
    client = client_as("admin")
    url = f"/api/v1/workspaces/{world.a.workspace.id}/integrations/connections/"
    created = client.post(url, {"provider": "salesforce", "display_name": "x", "base_url": base_url}, format="json",
                          HTTP_ACCEPT_LANGUAGE="ja")  # fmt: skip
    assert created.status_code == 400, created.content
    error = created.json()["error"]
    assert error["code"] == "integrations.connection.base_url_host_refused" and "base_url" in error["fields"]
    assert "プライベート" in error["message"]
    patched = client.patch(f"{url}{world.a.extra['connection'].id}/", {"base_url": base_url}, format="json")
    assert patched.json()["error"]["code"] == "integrations.connection.base_url_host_refused"
    with workspace_context(world.a.workspace.id):
        assert not Connection.objects.filter(base_url__startswith=base_url).exists()


@pytest.mark.django_db
def test_a_sync_towards_a_private_host_stops_with_the_code(world: World, guarded: None) -> None:
    """A base URL stored before the guard existed (or an instance_url a CRM answered) is refused at request
    time: the run fails for good and the connection says why."""
    connection = world.a.extra["connection"]
    with workspace_context(world.a.workspace.id):
        Connection.objects.filter(id=connection.id).update(base_url="http://169.254.169.254")
        fake = FakeHubSpot(clock=FakeClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
        with outbound_transport(httpx.WSGITransport(app=fake)):
            run = sync.connection_sync(connection_id=connection.id, trigger="manual", lease_owner="test")
        assert run is not None and run.status == "failed"
        assert run.error_code == "integrations.outbound.host_refused"
        refreshed = Connection.objects.get(id=connection.id)
        assert (refreshed.status, refreshed.status_code) == (
            "needs_attention",
            "integrations.outbound.host_refused",
        )
    assert not fake.requests
