"""Routes of the checklist app, relative to /api/v1/workspaces/<workspace_id>/."""

from checklist.api import checklists, decisions, reviews

workspace_urlpatterns = [*checklists.urlpatterns, *decisions.urlpatterns, *reviews.urlpatterns]
