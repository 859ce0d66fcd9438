"""Consultants' admin pages of the review cycle (read inside the visible workspaces, like the KPI pages)."""

from __future__ import annotations

from django.contrib import admin

from checklist.reviews.models import ActionPlan, ReviewCadence, ReviewMeeting
from tenants.admin import TenantDataAdmin


@admin.register(ReviewCadence)
class ReviewCadenceAdmin(TenantDataAdmin):
    list_display = (
        "title",
        "kind",
        "workspace",
        "local_time",
        "duration_minutes",
        "start_date",
        "end_date",
        "active",
    )
    list_filter = ("kind", "active", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title",)


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(TenantDataAdmin):
    list_display = ("title", "starts_at", "occurrence_date", "cadence", "workspace", "agenda_generated_at")
    list_filter = ("cadence__kind", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "notes")
    date_hierarchy = "starts_at"


@admin.register(ActionPlan)
class ActionPlanAdmin(TenantDataAdmin):
    list_display = ("title", "kpi_node", "owner", "due_date", "status", "workspace")
    list_filter = ("status", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description")
    date_hierarchy = "due_date"
