"""Admin pages of checklists: templates read-only; workspace checklists and items for the consultants.

Items are edited through ``checklist_item_update`` in the item's workspace context, so an admin edit is
checked and audited exactly like an API edit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from checklist.checklists.models import Checklist, ChecklistItem, ChecklistTemplate, ChecklistTemplateItem
from checklist.checklists.services import checklist_item_update
from core.errors import ServiceError
from tenants.access import principal_for_user
from tenants.admin import FirmScopedAdmin, TenantDataAdmin, visible_workspace_ids
from tenants.context import workspace_context
from tenants.roles import Perm
from tenants.services import Actor

ITEM_EDITABLE = ("status", "not_applicable_reason", "due_date", "evidence_note")


class ChecklistTemplateItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    fields = ("order", "key", "axis", "text_ja", "text_en", "rule")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(FirmScopedAdmin):
    """Read-only: the global templates and those of firms whose workspaces the user may see."""

    list_display = ("key", "version", "name_ja", "firm", "created_at")
    list_filter = ("key",)
    readonly_fields = ("firm", "key", "version", "name_ja", "name_en", "source")
    inlines = [ChecklistTemplateItemInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = ChecklistTemplate.objects.all()
        if request.user.is_superuser:
            return queryset
        from tenants.models import Workspace

        firms = Workspace.objects.filter(id__in=visible_workspace_ids(request)).values_list(
            "firm_id", flat=True
        )
        return queryset.visible_to_firms(firms)


@admin.register(Checklist)
class ChecklistAdmin(TenantDataAdmin):
    list_display = ("name_ja", "template_key", "template_version", "workspace", "created_at")
    list_filter = ("template_key", ("workspace", admin.RelatedOnlyFieldListFilter))


@admin.register(ChecklistItem)
class ChecklistItemAdmin(TenantDataAdmin):
    list_display = ("key", "text_ja", "checklist", "status", "owner", "due_date", "workspace")
    list_filter = (
        "status",
        "axis",
        "checklist__template_key",
        ("workspace", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("key", "text_ja", "text_en")
    list_select_related = ("checklist", "owner__user", "workspace")
    fields = (
        "checklist",
        "key",
        "axis",
        "text_ja",
        "text_en",
        "rule",
        "owner",
        *ITEM_EDITABLE,
        "evidence_links",
    )
    readonly_fields = ("checklist", "key", "axis", "text_ja", "text_en", "rule", "owner", "evidence_links")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.admin_site.has_permission(request)
        principal = principal_for_user(user=request.user, workspace=obj.workspace)
        return request.user.is_superuser or bool(principal and principal.has(Perm.CHECKLIST_WRITE))

    def save_model(self, request: HttpRequest, obj: ChecklistItem, form: Any, change: bool) -> None:
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in ITEM_EDITABLE}
        actor = Actor(label=request.user.email, user=request.user)
        try:
            with workspace_context(obj.workspace_id):
                checklist_item_update(actor=actor, item=obj, **changes)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
