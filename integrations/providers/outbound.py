"""The outbound allow-list: the CRM clients talk only to public hosts (SSRF guard).

A connection's base URL and Salesforce's ``instance_url`` come from outside (a user, the CRM's token answer), so
without a guard a workspace could make our workers call ``http://169.254.169.254/`` (cloud metadata) or a
service on our private network. Every outbound request of the provider clients goes through
:class:`GuardedTransport`, which refuses a host that is, or resolves to, an address that is not globally routable
(private, loopback, link-local, shared, reserved, multicast, unspecified). Two checks:

1. before the request, the URL's host (an IP literal, or every address the name resolves to);
2. on connect, the address the socket actually reached (:class:`PeerCheckingBackend`), so a name that
   resolved to a public address for check 1 and to a private one a moment later (DNS rebinding) is still
   refused.

Settings: ``INTEGRATIONS_ALLOW_PRIVATE_HOSTS`` (True turns the guard off: the tests and the local demo, whose
fake CRMs listen on 127.0.0.1) and ``INTEGRATIONS_OUTBOUND_ALLOWED_HOSTS`` (host names or CIDR networks allowed
even though private, e.g. an on-premises CRM proxy).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from integrations.providers.base import PermanentError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]


class HostRefused(PermanentError):
    """A request to a host the allow-list refuses: permanent (retrying reaches the same address)."""

    def __init__(self, code: str = "integrations.outbound.host_refused", **params: Any) -> None:
        super().__init__(code, **params)


def _settings() -> tuple[bool, tuple[str, ...]]:
    from django.conf import settings  # read at call time: tests override settings per test

    return (
        bool(getattr(settings, "INTEGRATIONS_ALLOW_PRIVATE_HOSTS", False)),
        tuple(getattr(settings, "INTEGRATIONS_OUTBOUND_ALLOWED_HOSTS", ()) or ()),
    )


def system_resolve(host: str) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


def address_is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1 and friends reach the IPv4 address they embed.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_is_public(embedded)
    return address.is_global and not address.is_multicast


def _parse_ip(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _allowed_by_list(host: str, addresses: Iterable[IPAddress], allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    networks = []
    for entry in allowed:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            if entry.lower().rstrip(".") == host:
                return True
    addresses = list(addresses)
    return bool(addresses) and all(any(a in n for n in networks) for a in addresses)


def address_check(host: str, address: str) -> None:
    """Refuse a connection that reached ``address`` (for ``host``) unless it is public or allowed."""
    allow_private, allowed = _settings()
    ip = _parse_ip(address)
    if allow_private or ip is None or address_is_public(ip) or _allowed_by_list(host, [ip], allowed):
        return
    raise HostRefused(host=host)


def host_check(host: str, *, resolve: Resolver | None = None) -> None:
    """Raise :class:`HostRefused` unless ``host`` is public (every address it resolves to) or allowed."""
    allow_private, allowed = _settings()
    if allow_private:
        return
    host = (host or "").strip().lower().rstrip(".")
    if not host:
        raise HostRefused("integrations.outbound.host_unresolvable", host=host)
    literal = _parse_ip(host)
    if literal is not None:
        addresses = [literal]
    else:
        if _allowed_by_list(host, [], allowed):
            return
        try:
            found = (resolve or system_resolve)(host)
        except (OSError, UnicodeError) as exc:
            raise HostRefused("integrations.outbound.host_unresolvable", host=host) from exc
        addresses = [ip for ip in (_parse_ip(a) for a in found) if ip is not None]
        if not addresses:
            raise HostRefused("integrations.outbound.host_unresolvable", host=host)
    if all(address_is_public(a) for a in addresses) or _allowed_by_list(host, addresses, allowed):
        return
    raise HostRefused(host=host)


class PeerCheckingBackend(httpcore.SyncBackend):
    """httpcore's socket backend, refusing a connection whose peer address the allow-list refuses."""

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        stream = super().connect_tcp(host, port, *args, **kwargs)
        peer = stream.get_extra_info("server_addr")
        try:
            address_check(host, str(peer[0]) if peer else "")
        except HostRefused:
            stream.close()
            raise
        return stream


def socket_transport(**kwargs: Any) -> httpx.HTTPTransport:
    """httpx's transport, with the peer check on every new connection."""
    transport = httpx.HTTPTransport(**kwargs)
    pool = getattr(transport, "_pool", None)
    # httpx has no public hook for the network backend; the pool's attribute is stable across httpcore 1.x
    # (tests/integrations/test_outbound.py fails if it moves).
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = PeerCheckingBackend()
    return transport


class GuardedTransport(httpx.BaseTransport):
    """Checks each request's host before handing it to ``inner`` (every redirect hop included)."""

    def __init__(self, inner: httpx.BaseTransport | None = None, *, resolve: Resolver | None = None) -> None:
        self.inner = inner if inner is not None else socket_transport()
        self.resolve = resolve

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host_check(request.url.host, resolve=self.resolve)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


# Where requests go when no transport is given: the network, or a fake CRM that a test (or script) mounted with
# outbound_transport(). The allow-list applies either way.
_mounted: ContextVar[httpx.BaseTransport | None] = ContextVar("integrations_outbound_transport", default=None)


@contextmanager
def outbound_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Send the provider clients' requests made in this block to ``transport`` (e.g. a fake CRM's
    ``httpx.WSGITransport``) instead of the network: the HTTP boundary of the tests."""
    token = _mounted.set(transport)
    try:
        yield
    finally:
        _mounted.reset(token)


def guarded_client(
    transport: httpx.BaseTransport | None = None, *, timeout: float | httpx.Timeout = 30.0
) -> httpx.Client:
    """The one way a provider builds its HTTP client: through the allow-list."""
    transport = transport if transport is not None else _mounted.get()
    if isinstance(transport, GuardedTransport):
        return httpx.Client(transport=transport, timeout=timeout)
    return httpx.Client(transport=GuardedTransport(transport), timeout=timeout)
