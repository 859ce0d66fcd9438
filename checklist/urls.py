"""Routes of the checklist app, relative to /api/v1/workspaces/<workspace_id>/."""

from checklist.checklists import api as checklists
from checklist.decisions import api as decisions
from checklist.reviews import api as reviews

workspace_urlpatterns = [*checklists.urlpatterns, *decisions.urlpatterns, *reviews.urlpatterns]
