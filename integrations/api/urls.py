from rest_framework.routers import SimpleRouter

from integrations.api import views

router = SimpleRouter()
router.register("integrations/connections", views.ConnectionViewSet, basename="integrations-connection")
router.register("integrations/sync-runs", views.SyncRunViewSet, basename="integrations-sync-run")
router.register("integrations/owners", views.CrmOwnerViewSet, basename="integrations-owner")
router.register("integrations/metric-rules", views.MetricRuleViewSet, basename="integrations-metric-rule")

# Relative to /api/v1/workspaces/<workspace_id>/
workspace_urlpatterns = [*router.urls]
