"""Stub: filled in by the checklists work."""

__all__: list[str] = []
