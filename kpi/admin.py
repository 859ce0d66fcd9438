from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from kpi import services
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from tenants.admin import TenantDataAdmin, visible_workspace_ids
from tenants.context import workspace_context
from tenants.models import Membership
from tenants.roles import Perm


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


def _writable_workspace_ids(request: HttpRequest) -> list[Any]:
    """Workspaces where this person may enter actuals (KPI write): the admin's one role check."""
    return visible_workspace_ids(request, Perm.KPI_WRITE)


class ActualEntryForm(forms.ModelForm):
    """Manual entry: the metric decides the workspace; the owner must be a member of that same workspace."""

    # Declared so the form class never queries the fail-closed default manager; filled per request below.
    metric = forms.ModelChoiceField(queryset=Metric.all_workspaces.none(), label=_("metric"))
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, label=_("owner"))

    class Meta:
        model = MetricActual
        fields = ("metric", "date", "owner", "value")

    def __init__(self, *args: Any, workspace_ids: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = workspace_ids or []
        self.fields["metric"].queryset = Metric.all_workspaces.filter(workspace_id__in=ids).select_related(
            "workspace"
        )
        self.fields["metric"].label_from_instance = lambda m: f"{m.workspace.name} / {m.key} ({m.name_ja})"
        self.fields["owner"].queryset = Membership.objects.filter(workspace_id__in=ids).select_related(
            "user", "workspace"
        )
        self.fields["owner"].label_from_instance = lambda m: f"{m.workspace.name} / {m.user}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        metric, owner = data.get("metric"), data.get("owner")
        if metric and owner and owner.workspace_id != metric.workspace_id:
            self.add_error("owner", _("The owner must be a member of the metric's workspace."))
        if metric and data.get("value") is not None:
            try:
                services.actual_value_check(metric=metric, value=data["value"])
            except ServiceError as exc:
                self.add_error("value", exc.message)
        if metric:
            with workspace_context(metric.workspace_id):
                try:
                    services.actual_fed_check(metric=metric)
                except ServiceError as exc:
                    self.add_error("metric", exc.message)
        return data


@admin.register(MetricActual)
class MetricActualAdmin(TenantDataAdmin):
    list_display = ("date", "metric", "value", "owner", "source", "workspace")
    list_filter = ("source", ("workspace", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request) and bool(_writable_workspace_ids(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        ids = _writable_workspace_ids(request)

        class Form(ActualEntryForm):
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, workspace_ids=ids, **form_kwargs)

        return Form

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return self._scoped(request, super().add_view, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: MetricActual, form: Any, change: bool) -> None:
        """Through the same idempotent service as the API: the same metric, date and owner replace the value."""
        data = form.cleaned_data
        with workspace_context(data["metric"].workspace_id):
            try:
                actual, _created = services.actual_record(
                    metric=data["metric"], date=data["date"], value=data["value"], owner=data["owner"]
                )
            except ServiceError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
        obj.pk = actual.pk
