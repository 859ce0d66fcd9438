"""Stub: filled in by the decisions work."""

__all__: list[str] = []
