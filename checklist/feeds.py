"""Calendar feeds outside the API (stub): subscribed to by calendar apps with a secret URL."""

from typing import Any

urlpatterns: list[Any] = []
