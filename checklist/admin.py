"""Consultants' admin pages, each capability's own, registered when Django loads the app's admin."""

from checklist.checklists import admin as checklists_admin  # noqa: F401
from checklist.decisions import admin as decisions_admin  # noqa: F401
from checklist.reviews import admin as reviews_admin  # noqa: F401
