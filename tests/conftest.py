"""The two-workspace world: workspace A and workspace B, each with a person of every role.

A and B belong to different firms; A's firm has a second workspace A2 that A's consultant is not
assigned to. B's text fields carry a canary so a leak shows up in any response body.

The world is built once per test session (per xdist worker), committed right after the migrations; each
test runs in its own rolled-back transaction on top of it (the idea of Django's ``setUpTestData``) and gets
its own deep copy of the Python objects, so neither a row nor an attribute a test changes reaches the next
test (tests/test_world.py proves it). Tests that need real commits (``transaction=True``) run last, as
Django's runner orders them, since the flush after each one empties the database; the world is rebuilt
for the next one that asks for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from rest_framework.test import APIClient

from integrations.models import Connection
from tenants import services
from tenants.context import workspace_context
from tenants.dbrole import credentials_restore, owner_credentials_swap
from tenants.models import Firm, Membership, User, Workspace, WorkspaceApiKey
from tenants.roles import FirmRole, Scope, WorkspaceRole
from tests.checklist import world_checklists, world_decisions, world_reviews
from tests.factories.tenants import FirmFactory, MembershipFactory, UserFactory, WorkspaceFactory
from tests.integrations import world_integrations

CANARY_B = "CANARY-B-7f3e"
CLIENT_ROLES = ("admin", "manager", "sales_rep", "viewer")


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    uses_fixture = "transactional_db" in getattr(item, "fixturenames", ())
    return uses_fixture or bool(marker and marker.kwargs.get("transaction"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that commit (and flush the database after) run last, so the shared world serves the others.
    items.sort(key=_is_transactional)
    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row-level security); set DATABASE_URL to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@dataclass
class Side:
    """One workspace of the world and its people."""

    workspace: Workspace
    firm: Firm
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    api_key: WorkspaceApiKey | None = None
    api_key_secret: str = ""
    plan: Any = None
    kgi: Any = None
    ksf: Any = None
    kpi: Any = None
    # Objects the checklist world seeders add (tests/checklist/world_*.py), by name; the walker and the
    # leak check read them from here.
    extra: dict[str, Any] = field(default_factory=dict)

    def principal(self, role: str) -> Any:
        from tenants.access import principal_for_user

        return principal_for_user(user=self.users[role], workspace=self.workspace)


@dataclass
class World:
    a: Side
    b: Side
    a2: Workspace
    firm_owner_a: User


def _side(firm: Firm, name: str, consultant: User) -> Side:
    workspace = WorkspaceFactory(firm=firm, name=name)
    side = Side(workspace=workspace, firm=firm)
    for role in CLIENT_ROLES:
        user = UserFactory(full_name=f"{name} {role}")
        side.users[role] = user
        side.memberships[role] = MembershipFactory(
            workspace=workspace, user=user, role=WorkspaceRole[role.upper()]
        )
    side.users["consultant"] = consultant
    side.memberships["consultant"] = MembershipFactory(
        workspace=workspace, user=consultant, role=WorkspaceRole.CONSULTANT
    )
    admin = side.principal("admin")
    side.api_key, side.api_key_secret = services.api_key_issue(
        principal=admin, name=f"{name} partner", scopes=[s.value for s in Scope]
    )
    _kpi_plan(side, name)
    for seed in (world_checklists.seed, world_decisions.seed, world_reviews.seed, world_integrations.seed):
        seed(side)
    # Something in the audit trail of each workspace.
    with workspace_context(workspace.id):
        services.audit_event_record(
            actor=services.Actor.of(admin),
            action="test.seeded",
            target_type="workspace",
            target_id=workspace.id,
            changes={"note": name},
        )
    return side


def _kpi_plan(side: Side, name: str) -> None:
    """A small plan: KGI revenue, one KSF, the win rate KPI with a target and a day of actuals."""
    import datetime as dt
    from decimal import Decimal

    from kpi import services as kpi_services
    from kpi.models import Metric

    actor = services.Actor.of(side.principal("admin"))
    with workspace_context(side.workspace.id):
        plan = kpi_services.plan_create(actor=actor, fiscal_year=2026, name=f"{name} plan")
        kgi = kpi_services.node_create(
            actor=actor,
            plan=plan,
            kind="kgi",
            key="revenue",
            name_ja=f"売上 {name}",
            formula="won_amount",
            unit="jpy",
            target_value=Decimal(100_000_000),
        )
        ksf = kpi_services.node_create(actor=actor, plan=plan, kind="ksf", key="new_business", name_ja="新規獲得",
                                       parent=kgi)  # fmt: skip
        kpi = kpi_services.node_create(
            actor=actor,
            plan=plan,
            kind="kpi",
            key="win_rate",
            name_ja="受注率",
            parent=ksf,
            formula="wins / meetings * 100",
            unit="percent",
            target_value=Decimal(25),
            owner=side.memberships["manager"],
        )
        kpi_services.target_cascade(actor=actor, node=kpi, workspace=side.workspace)
        kpi_services.actual_record(metric=Metric.objects.get(key="wins"), date=dt.date(2026, 5, 7),
                                   value=Decimal(3))  # fmt: skip
        side.plan, side.kgi, side.ksf, side.kpi = plan, kgi, ksf, kpi


def world_build() -> World:
    """Every row of the world, in one transaction (row-level security needs the tenant per transaction)."""
    with transaction.atomic():
        return _world_rows()


_SESSION: dict[str, World] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """The test database is created and migrated by the schema owner (the application's login cannot)."""
    _SESSION["app_credentials"] = owner_credentials_swap()  # type: ignore[assignment]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, then the world, committed once for the whole session; from here on
    the tests connect as the application's own login role, as the product does."""
    credentials_restore(_SESSION.pop("app_credentials", None))  # type: ignore[arg-type]
    with django_db_blocker.unblock():
        _SESSION["world"] = world_build()
    yield
    owner_credentials_swap()  # pytest-django drops the test database next, as the owner


@pytest.fixture
def world(db: None) -> World:
    # ``db`` follows the test's django_db marker, so a transaction=True test gets real commits here too.
    shared = _SESSION.get("world")
    if shared is None or not Workspace.objects.filter(id=shared.a.workspace.id).exists():
        # A transactional test before this one flushed the database: build the world again.
        shared = _SESSION["world"] = world_build()
    return copy.deepcopy(shared)


def _world_rows() -> World:
    firm_a = FirmFactory(name="Firm A")
    firm_b = FirmFactory(name=f"Firm {CANARY_B}")
    consultant_a = UserFactory(firm=firm_a, firm_role=FirmRole.CONSULTANT, is_staff=True)
    consultant_b = UserFactory(firm=firm_b, firm_role=FirmRole.CONSULTANT, is_staff=True)
    a = _side(firm_a, "Workspace A", consultant_a)
    b = _side(firm_b, f"Workspace {CANARY_B}", consultant_b)
    a2 = WorkspaceFactory(firm=firm_a, name="Workspace A2")
    firm_owner_a = UserFactory(firm=firm_a, firm_role=FirmRole.OWNER, is_staff=True)
    return World(a=a, b=b, a2=a2, firm_owner_a=firm_owner_a)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_as(world: World) -> Callable[..., APIClient]:
    """An API client logged in as a role of workspace A (or B with side='b')."""

    def make(role: str, side: str = "a") -> APIClient:
        client = APIClient()
        if role == "anonymous":
            return client
        if role == "api_key":
            s = getattr(world, side)
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {s.api_key_secret}")
            return client
        if role == "firm_owner":
            client.force_login(world.firm_owner_a)
            return client
        client.force_login(getattr(world, side).users[role])
        return client

    return make


@pytest.fixture
def key_client(world: World) -> Callable[..., APIClient]:
    """An API client with a fresh key of workspace A carrying exactly the given scopes."""

    def make(*scopes: str, side: str = "a") -> APIClient:
        s = getattr(world, side)
        _key, secret = services.api_key_issue(
            principal=s.principal("admin"), name="scoped", scopes=list(scopes)
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        return client

    return make


@pytest.fixture
def world_before_crm(world: World) -> World:
    """The world as a client is before connecting a CRM: both sides' HubSpot connections are disconnected
    (their history kept), so no metric is fed and actuals are typed by people and partners."""
    for side in (world.a, world.b):
        with workspace_context(side.workspace.id):
            Connection.objects.update(status=Connection.Status.DISCONNECTED)
    return world
