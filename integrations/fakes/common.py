"""Plumbing shared by the fake CRM servers: a test-controlled clock, a tiny WSGI router, fault injection.

The fakes are plain WSGI apps (no framework), so tests mount them in-process with ``httpx.WSGITransport`` and
``manage.py fake_crm serve`` runs them with ``wsgiref``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx


class FakeClock:
    """The fake's notion of now. Tests move it; ``advance`` is a handy ``sleep`` for the clients."""

    def __init__(self, now: dt.datetime) -> None:
        if now.utcoffset() is None:
            raise ValueError("the fake clock is timezone-aware")
        self.now = now.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def ms(self) -> int:
        return to_ms(self.now)

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        self.now += dt.timedelta(seconds=seconds, **delta)

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)


class WallClock(FakeClock):
    """Real time, for a standalone server a person points a connection at."""

    def __init__(self) -> None:
        super().__init__(dt.datetime.now(dt.UTC))

    def __call__(self) -> dt.datetime:
        self.now = dt.datetime.now(dt.UTC)
        return self.now

    def ms(self) -> int:
        return to_ms(self())


def to_ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def from_ms(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def iso_ms(value: int) -> str:
    """HubSpot's v3 format: ``2026-05-07T16:30:00.000Z``."""
    return from_ms(value).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value % 1000:03d}Z"


def parse_iso(value: str) -> dt.datetime:
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    parsed = dt.datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shift_fixture(data: Any, to: dt.datetime) -> Any:
    """The fixture moved in time so its ``now`` falls on the day of ``to``: every ISO date and datetime in it
    shifts by the same whole number of days (times of day, and midnight dates, stay as they are), so a demo
    served months later still shows "the last few months"."""
    days = dt.timedelta(days=(to - parse_iso(data["now"])).days)

    def shift(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: shift(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shift(item) for item in value]
        if isinstance(value, str) and _ISO_DATE.match(value):
            return (dt.date.fromisoformat(value) + days).isoformat()
        if isinstance(value, str) and _ISO_DATETIME.match(value) and not value.startswith("1970-"):
            moved = parse_iso(value) + days
            return moved.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moved.microsecond // 1000:03d}Z"
        return value

    return shift(data)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    raw_uri: str

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    def bearer(self) -> str | None:
        header = self.headers.get("authorization", "")
        return header[7:] if header.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    414: "URI Too Long",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    530: "Origin Error",
}


@dataclass
class Fault:
    """An injected failure: the next ``count`` matching requests (after ``skip`` matching ones) get it."""

    response: Response | None
    path: str | None = None
    method: str | None = None
    count: int = 1
    skip: int = 0
    # "respond" sends ``response``; "timeout" raises a read timeout; "truncate" cuts the real body in half.
    kind: str = "respond"

    def matches(self, request: Request) -> bool:
        return (self.path is None or request.path.startswith(self.path)) and (
            self.method is None or request.method == self.method
        )


Handler = Callable[[Request, dict[str, str]], Response]


class FakeServer:
    """Routing, request log and faults; subclasses add routes and state."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._lock = threading.RLock()  # wsgiref may serve from threads; the state is shared

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"/?$"), handler))

    def inject(
        self,
        status: int = 500,
        payload: Any = None,
        *,
        path: str | None = None,
        method: str | None = None,
        count: int = 1,
        skip: int = 0,
        headers: dict[str, str] | None = None,
        kind: str = "respond",
    ) -> Fault:
        response = json_response(status, payload if payload is not None else {}, headers)
        fault = Fault(response, path=path, method=method, count=count, skip=skip, kind=kind)
        self.faults.append(fault)
        return fault

    def requests_to(self, path_prefix: str) -> list[Request]:
        return [request for request in self.requests if request.path.startswith(path_prefix)]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query_string = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "/")
        request = Request(
            method=environ["REQUEST_METHOD"],
            path=path,
            query=parse_qs(query_string, keep_blank_values=True),
            headers={
                key[5:].replace("_", "-").lower(): value
                for key, value in environ.items()
                if key.startswith("HTTP_")
            }
            | {"content-type": environ.get("CONTENT_TYPE", "")},
            body=body,
            raw_uri=path + (f"?{query_string}" if query_string else ""),
        )
        with self._lock:
            response = self.handle(request)
        reason = REASONS.get(response.status, "Status")
        headers = [*response.headers.items(), ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {reason}", headers)
        return [response.body]

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None and fault.kind == "timeout":
            raise httpx.ReadTimeout("injected timeout")
        if fault is not None and fault.kind == "respond" and fault.response is not None:
            return fault.response
        response = self.dispatch(request)
        if fault is not None and fault.kind == "truncate":
            response = Response(response.status, response.body[: len(response.body) // 2], response.headers)
        return response

    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if fault.count > 0 and fault.matches(request):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.count -= 1
                return fault
        return None

    def dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                return handler(request, match.groupdict())
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return json_response(
            404, {"status": "error", "message": f"no route for {request.method} {request.path}"}
        )


def transport(app: FakeServer) -> httpx.WSGITransport:
    """An in-process transport to the fake (no sockets)."""
    return httpx.WSGITransport(app=app)
