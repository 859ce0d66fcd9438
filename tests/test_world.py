"""The shared test world: built once, yet no test's change reaches the next test.

The two tests run in this order on one worker (the xdist group): the first changes the world in the
database and in memory, the second finds it intact.
"""

from __future__ import annotations

import pytest

from kpi.models import KpiNode
from tenants.context import workspace_context
from tenants.models import Workspace
from tests.conftest import World

pytestmark = pytest.mark.xdist_group("world-isolation")
ORIGINAL_NAME = "Workspace A"


def test_1_a_test_changes_the_world(world: World) -> None:
    assert world.a.workspace.name == ORIGINAL_NAME
    Workspace.objects.filter(id=world.a.workspace.id).update(name="renamed by a test")
    with workspace_context(world.a.workspace.id):
        KpiNode.objects.filter(id=world.a.kpi.id).delete()
    world.a.workspace.name = "renamed in memory"
    world.a.users["admin"].full_name = "changed in memory"
    world.a.extra["added by a test"] = True
    assert Workspace.objects.get(id=world.a.workspace.id).name == "renamed by a test"


def test_2_the_next_test_finds_it_intact(world: World) -> None:
    assert Workspace.objects.get(id=world.a.workspace.id).name == ORIGINAL_NAME
    with workspace_context(world.a.workspace.id):
        assert KpiNode.objects.filter(id=world.a.kpi.id).exists()
    assert world.a.workspace.name == ORIGINAL_NAME
    assert world.a.users["admin"].full_name == "Workspace A admin"
    assert "added by a test" not in world.a.extra


def test_each_test_gets_its_own_copy(world: World) -> None:
    """The objects are copies: the same rows, never the same Python objects as the shared world."""
    from tests.conftest import _SESSION

    shared = _SESSION["world"]
    assert world.a.workspace == shared.a.workspace and world.a.workspace is not shared.a.workspace
    assert world.a.extra is not shared.a.extra
