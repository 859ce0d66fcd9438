from django.contrib import admin

from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from tenants.admin import TenantDataAdmin


@admin.register(KpiPlan)
class KpiPlanAdmin(TenantDataAdmin):
    list_display = ("name", "workspace", "fiscal_year", "version", "status", "created_at")
    list_filter = ("status", "fiscal_year", ("workspace", admin.RelatedOnlyFieldListFilter))


@admin.register(KpiNode)
class KpiNodeAdmin(TenantDataAdmin):
    list_display = ("key", "name_ja", "kind", "plan", "workspace", "formula", "target_value", "owner")
    list_filter = ("kind", "indicator", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("key", "name_ja", "name_en")


@admin.register(KpiTarget)
class KpiTargetAdmin(TenantDataAdmin):
    list_display = ("node", "period_kind", "period_start", "period_end", "value", "workspace")
    list_filter = ("period_kind", ("workspace", admin.RelatedOnlyFieldListFilter))


@admin.register(Metric)
class MetricAdmin(TenantDataAdmin):
    list_display = ("key", "name_ja", "unit", "from_catalogue", "workspace")
    list_filter = ("from_catalogue", ("workspace", admin.RelatedOnlyFieldListFilter))


@admin.register(MetricActual)
class MetricActualAdmin(TenantDataAdmin):
    list_display = ("date", "metric", "value", "owner", "source", "workspace")
    list_filter = ("source", ("workspace", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "date"
