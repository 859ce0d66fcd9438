"""Engagement delivery models, one module per capability: checklists, decisions (matrix), reviews (cadence)."""

from checklist.models.checklists import *  # noqa: F403
from checklist.models.decisions import *  # noqa: F403
from checklist.models.reviews import *  # noqa: F403
