"""The reviews part of the two-workspace world: objects of every reviews model in each workspace (stub)."""

from __future__ import annotations

from typing import Any


def seed(side: Any) -> None:
    """Add this capability's objects to one side of the world; store them in `side.extra`."""
