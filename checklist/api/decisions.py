"""API of the decisions capability (stub)."""

from typing import Any

urlpatterns: list[Any] = []
