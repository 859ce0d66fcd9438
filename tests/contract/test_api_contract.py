"""The published API contract is true: every operation of the live schema, fuzzed with schemathesis.

The schema is the one partners download (``/api/schema/``, fetched through the Django app). For every
operation, as a client admin (a session) and as a partner API key of workspace A, schemathesis generates
requests from the schema, with the path filled with real ids of the two-workspace world (so the cases reach
the code, not just 404s), and checks each answer: no 5xx, a documented status code, a body that matches the
documented schema for that status, and a documented content type. Each case runs in a savepoint that is
rolled back, so one case (a delete, a revoked key) cannot change what the next one finds.

Deterministic (derandomised) and bounded (``MAX_EXAMPLES`` cases per write and principal, half that per
read; fewer when the operation has fewer distinct inputs).
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tenants.roles import ROLE_PERMISSIONS, WorkspaceRole
from tests.conftest import World
from tests.isolation.walker import Operation, api_operations, fill, view_class_for

# Per operation and principal; CONTRACT_MAX_EXAMPLES raises it for a deeper, slower run.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "10"))
# Valid requests by default; CONTRACT_MODE=negative sends invalid ones (each must be refused with a documented
# 4xx in the error format, never a 5xx).
MODE = GenerationMode(os.environ.get("CONTRACT_MODE", "positive"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
PROBE_ID = "00000000-0000-0000-0000-000000000000"


def _cases_to_run() -> list[tuple[Operation, str]]:
    """Every operation as a client admin and as a partner key; a write the role map keeps from a client admin
    (templates and decision matrices are the consultant's) also as the consultant, so it reaches its code."""
    pairs = []
    for op in api_operations():
        pairs += [(op, "client_admin"), (op, "partner_key")]
        probe = op.path
        for name in op.params:
            probe = probe.replace("{" + name + "}", PROBE_ID)
        permission = getattr(view_class_for(probe), "permission_write", None)
        if op.method != "GET" and permission and permission not in ROLE_PERMISSIONS[WorkspaceRole.ADMIN]:
            pairs.append((op, "consultant"))
    return pairs


CASES_TO_RUN = _cases_to_run()
_SCHEMA: dict[str, Any] = {}
CASES: dict[str, int] = {}


class DjangoTestApp:
    """Django's test handler as a WSGI application.

    As Django's test client, it keeps the test's connection and transaction open across requests (a plain
    WSGIHandler would close the connection after each one) and does not ask for a CSRF token.
    """

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = self.handler(environ)
        headers = [*response.items()]
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response.streaming_content if response.streaming else [response.content]


APP = DjangoTestApp()


def _live_schema(world: World) -> Any:
    """The schema as partners get it, loaded once per worker (it does not depend on the data)."""
    if "schema" not in _SCHEMA:
        headers = {"Authorization": f"Api-Key {world.a.api_key_secret}"}
        _SCHEMA["schema"] = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, headers=headers)
    return _SCHEMA["schema"]


def _path_values(op: Operation, world: World) -> dict[str, str]:
    """Real ids of workspace A for each path parameter (the walker's pick: the workspace's first object)."""
    url = fill(op, world.a.workspace, world.a.workspace)
    assert url is not None
    pattern = re.escape(op.path)
    for name in op.params:
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
    match = re.fullmatch(pattern, url)
    assert match, (op.path, url)
    return match.groupdict()


def _real_ids(world: World) -> dict[str, str]:
    """Real ids (and a real metric key) of workspace A for the body and query fields that point at its objects:
    a random UUID there only ever reaches the 400 of the lookup, a real one reaches the service behind it."""
    a, extra = world.a, world.a.extra
    return {
        name: str(obj.id)
        for name, obj in {
            "plan": a.plan, "parent": a.ksf, "node": a.kpi, "kpi_node": a.kpi, "owner": a.memberships["manager"],
            "matrix": extra["decision_matrix"], "option": extra["matrix_option"], "checklist": extra["checklist"],
            "meeting": extra["review_meeting"], "cadence": extra["review_cadence"],
        }.items()
    } | {"metric": "wins"}  # fmt: skip


def _point_at_real_objects(case: schemathesis.Case, ids: dict[str, str]) -> None:
    for container in (case.body if isinstance(case.body, dict) else None, case.query):
        if container:
            for name in container.keys() & ids.keys():
                if isinstance(container[name], str):
                    container[name] = ids[name]


def _credentials(principal: str, world: World) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) of the principal. Both security parameters of the schema are fixed, so the
    generated cases spend their examples on the operation's own inputs, not on made-up credentials."""
    session = settings.SESSION_COOKIE_NAME
    if principal == "partner_key":
        return {"Authorization": f"Api-Key {world.a.api_key_secret}"}, {session: ""}
    client = Client()
    client.force_login(world.a.users["consultant" if principal == "consultant" else "admin"])
    return {"Authorization": ""}, {session: client.cookies[session].value}


class _Errors:
    """Exceptions the app raised while answering (a 500's traceback, for the failure message)."""

    def __init__(self) -> None:
        self.seen: list[BaseException] = []

    def __call__(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            self.seen.append(error)

    def __enter__(self) -> _Errors:
        got_request_exception.connect(self)
        return self

    def __exit__(self, *exc: object) -> None:
        got_request_exception.disconnect(self)


@pytest.fixture
def recorded_errors() -> Iterator[_Errors]:
    with _Errors() as errors:
        yield errors


@pytest.mark.parametrize(("op", "principal"), CASES_TO_RUN, ids=[f"{op}-{who}" for op, who in CASES_TO_RUN])
def test_operation_keeps_its_published_contract(
    op: Operation, principal: str, world: World, recorded_errors: _Errors
) -> None:
    schema = _live_schema(world)
    operation = schema[op.path.removeprefix(schema.base_path.rstrip("/"))][op.method.lower()]
    path_values = _path_values(op, world)
    headers, cookies = _credentials(principal, world)
    ids = _real_ids(world)
    count = 0
    statuses: Counter[int] = Counter()

    @hypothesis_settings(
        # A read varies only its filters and pagination: half the examples of a write.
        max_examples=MAX_EXAMPLES if op.method != "GET" else max(1, MAX_EXAMPLES // 2),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(MODE, path_parameters=path_values, headers=headers, cookies=cookies))
    def run(case: schemathesis.Case) -> None:
        nonlocal count
        count += 1
        _point_at_real_objects(case, ids)
        recorded_errors.seen.clear()
        with transaction.atomic():
            response = case.call(app=APP)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        if recorded_errors.seen:
            raise AssertionError(f"{op} answered {response.status_code}") from recorded_errors.seen[-1]
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if MODE is GenerationMode.POSITIVE:
            raise
        pytest.skip("nothing to make invalid: the path is fixed and there is no query or body")
    CASES[f"{op} as {principal}"] = count
    if os.environ.get("CONTRACT_REPORT"):
        with open(os.environ["CONTRACT_REPORT"], "a", encoding="utf-8") as report:
            report.write(f"{count}\t{op} as {principal}\t{dict(statuses)}\n")
    assert count > 0
