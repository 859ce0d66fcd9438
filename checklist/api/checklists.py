"""API of the checklists capability (stub)."""

from typing import Any

urlpatterns: list[Any] = []
