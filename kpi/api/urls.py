from django.urls import path
from rest_framework.routers import SimpleRouter

from kpi.api import views

router = SimpleRouter()
router.register("kpi/metrics", views.MetricViewSet, basename="kpi-metric")
router.register("kpi/plans", views.PlanViewSet, basename="kpi-plan")
router.register("kpi/nodes", views.NodeViewSet, basename="kpi-node")
router.register("kpi/targets", views.TargetViewSet, basename="kpi-target")
router.register("kpi/actuals", views.ActualViewSet, basename="kpi-actual")

# Relative to /api/v1/workspaces/<workspace_id>/
workspace_urlpatterns = [
    path("kpi/tools/validate-formula/", views.FormulaValidateView.as_view(), name="kpi-validate-formula"),
    path("kpi/tools/reverse-calculate/", views.ReverseCalculateView.as_view(), name="kpi-reverse-calculate"),
    path("kpi/tools/solve/", views.SolveView.as_view(), name="kpi-solve"),
    *router.urls,
]
