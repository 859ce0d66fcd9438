"""Consultants' admin pages, one module per capability."""

from checklist.admin import checklists, decisions, reviews  # noqa: F401
