from django.urls import path
from rest_framework.routers import SimpleRouter

from tenants.api import views

router = SimpleRouter()
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("api-keys", views.ApiKeyViewSet, basename="api-key")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")

# Relative to /api/v1/workspaces/<workspace_id>/
workspace_urlpatterns = [
    path("", views.WorkspaceDetailView.as_view(), name="workspace-detail"),
    *router.urls,
]
