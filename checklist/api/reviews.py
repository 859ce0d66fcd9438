"""API of the reviews capability (stub)."""

from typing import Any

urlpatterns: list[Any] = []
