"""/api/v1/: every tenant resource lives under workspaces/<workspace_id>/."""

from django.urls import include, path

from checklist import urls as checklist_urls
from integrations.api import urls as integrations_urls
from kpi.api import urls as kpi_urls
from tenants.api import urls as tenants_urls
from tenants.api.views import WorkspaceListView

app_name = "api-v1"

workspace_urlpatterns = [
    *tenants_urls.workspace_urlpatterns,
    *kpi_urls.workspace_urlpatterns,
    *checklist_urls.workspace_urlpatterns,
    *integrations_urls.workspace_urlpatterns,
]

urlpatterns = [
    path("workspaces/", WorkspaceListView.as_view(), name="workspace-list"),
    path("workspaces/<uuid:workspace_id>/", include(workspace_urlpatterns)),
]
