"""Admin pages of the decisions capability: consultants read matrices with their options inline.

Changes go through the API (services validate and audit), so the admin is read-only like the other
tenant-data pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from checklist.decisions.models import DecisionMatrix, MatrixOption
from tenants.admin import TenantDataAdmin


class MatrixOptionInline(admin.TabularInline):
    model = MatrixOption
    fields = ("position", "name", "kind", "template_key", "scores", "rationales")
    readonly_fields = fields
    extra = 0
    ordering = ("position", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)


@admin.register(DecisionMatrix)
class DecisionMatrixAdmin(TenantDataAdmin):
    list_display = (
        "name",
        "workspace",
        "status",
        "decided_option",
        "decided_by_label",
        "decided_at",
        "created_at",
    )
    list_filter = ("status", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "decision_reason")
    list_select_related = ("workspace", "decided_option")
    inlines = (MatrixOptionInline,)
    fields = (
        "workspace", "name", "status", "weights", "signal_answers", "decided_option", "decided_by_label",
        "decided_by_membership", "decided_at", "decision_reason", "requirements", "development_plan",
    )  # fmt: skip
    readonly_fields = fields
