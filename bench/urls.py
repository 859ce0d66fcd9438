"""The product's URLs plus the baselines the API benchmark compares each KPI read endpoint with."""

from django.urls import path

from bench import baseline
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/<uuid:workspace_id>/series/", baseline.series_aggregate),
    path("bench/<uuid:workspace_id>/plans/<uuid:plan_id>/nodes/", baseline.plan_nodes),
    path("bench/static/", baseline.static_json),
    *product_urlpatterns,
]
