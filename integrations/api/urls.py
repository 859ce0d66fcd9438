from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import views

router = SimpleRouter()
router.register("integrations/connections", views.ConnectionViewSet, basename="integrations-connection")
router.register("integrations/sync-runs", views.SyncRunViewSet, basename="integrations-sync-run")
router.register("integrations/owners", views.CrmOwnerViewSet, basename="integrations-owner")
router.register("integrations/metric-rules", views.MetricRuleViewSet, basename="integrations-metric-rule")

# Relative to /api/v1/workspaces/<workspace_id>/
# One route per provider (not a {provider} parameter): the walker and the contract tests fill path parameters with
# objects, and a provider is not one.
workspace_urlpatterns = [
    *router.urls,
    *(
        path(
            f"integrations/oauth/{provider}/start/",
            views.OAuthStartView.as_view(),
            {"provider": provider},
            name=f"integrations-oauth-{provider}-start",
        )
        for provider in ("hubspot", "salesforce")
    ),
]
