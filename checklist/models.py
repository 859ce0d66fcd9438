"""The app's models, for Django: each capability keeps its own (checklists, decisions, reviews)."""

from checklist.checklists.models import *  # noqa: F403
from checklist.decisions.models import *  # noqa: F403
from checklist.reviews.models import *  # noqa: F403
