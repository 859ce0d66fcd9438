"""The consultants' admin: a consultant sees only the firm's workspaces they may see, and their data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import ServiceError
from tenants import services
from tenants.access import principal_for_user, workspaces_visible_to
from tenants.context import workspaces_readable
from tenants.models import AuditEvent, Firm, Membership, User, Workspace, WorkspaceApiKey
from tenants.roles import FirmRole, Perm

# What a person needs in a workspace to see a model's rows in the admin, by app (a model admin may name
# its own ``read_permission``): the admin applies the same role-to-permission module as the API.
APP_READ_PERMISSION = {
    "kpi": Perm.KPI_READ,
    "checklist": Perm.CHECKLIST_READ,
    "integrations": Perm.INTEGRATIONS_READ,
}


def visible_workspace_ids(request: HttpRequest, permission: Perm = Perm.WORKSPACE_READ) -> list[Any]:
    """The workspaces in which the person holds ``permission`` (a viewer invited from another firm does not
    hold the audit or API-key permissions, so those rows stay hidden from them)."""
    if request.user.is_superuser:
        return list(Workspace.objects.values_list("id", flat=True))
    ids = []
    for workspace in workspaces_visible_to(request.user).select_related("firm"):
        principal = principal_for_user(user=request.user, workspace=workspace)
        if principal is not None and principal.has(permission):
            ids.append(workspace.id)
    return ids


class FirmScopedAdmin(admin.ModelAdmin):
    """Rows of the workspaces the consultant may see; the firm's people may view, not edit, by default."""

    workspace_path = "workspace"
    read_permission: Perm | None = None

    def required_permission(self) -> Perm:
        if self.read_permission is not None:
            return self.read_permission
        return APP_READ_PERMISSION.get(self.model._meta.app_label, Perm.WORKSPACE_READ)

    def readable_workspace_ids(self, request: HttpRequest) -> list[Any]:
        return visible_workspace_ids(request, self.required_permission())

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = self.model._base_manager.all()
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.workspace_path}__in": self.readable_workspace_ids(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TenantDataAdmin(FirmScopedAdmin):
    """Tenant-plane rows: read inside a read-only scope over the visible workspaces (RLS included)."""

    def _scoped(self, request: HttpRequest, view: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        with workspaces_readable(self.readable_workspace_ids(request)):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # evaluate querysets while the scope is set
        return response

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return self._scoped(request, super().changelist_view, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        return self._scoped(request, super().change_view, object_id, form_url, extra_context)


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(Workspace)
class WorkspaceAdmin(FirmScopedAdmin):
    workspace_path = "id"
    list_display = ("name", "firm", "fiscal_year_start_month", "time_zone", "currency", "created_at")
    search_fields = ("name", "slug")
    fields = ("firm", "name", "slug", "fiscal_year_start_month", "time_zone", "currency",
              "pace_at_risk_threshold", "pace_behind_threshold")  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("firm", "slug") if obj else ("firm",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or request.user.firm_role == FirmRole.OWNER

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.admin_site.has_permission(request)
        principal = principal_for_user(user=request.user, workspace=obj)
        return request.user.is_superuser or bool(principal and principal.has(Perm.WORKSPACE_SETTINGS))

    def save_model(self, request: HttpRequest, obj: Workspace, form: Any, change: bool) -> None:
        actor = services.Actor(label=request.user.email, user=request.user)
        try:
            if change:
                changes = {
                    f: form.cleaned_data[f]
                    for f in form.changed_data
                    if f in services.WORKSPACE_SETTING_FIELDS
                }
                fresh = Workspace.objects.get(pk=obj.pk)
                services.workspace_settings_update(workspace=fresh, actor=actor, **changes)
            else:
                created = services.workspace_create(
                    firm=request.user.firm,
                    name=obj.name,
                    slug=obj.slug,
                    actor=actor,
                    fiscal_year_start_month=obj.fiscal_year_start_month,
                    time_zone=obj.time_zone,
                    currency=obj.currency,
                )
                obj.pk = created.pk
        except ServiceError as exc:
            messages.error(request, str(exc.message))


MEMBERSHIP_STATES = {
    "active": pgettext_lazy("membership state", "member"),
    "pending": pgettext_lazy("membership state", "invited"),
    "removed": pgettext_lazy("membership state", "removed"),
}


def membership_state(membership: Membership) -> str:
    if membership.deactivated_at is not None:
        return "removed"
    return "pending" if membership.is_pending else "active"


class MembershipStateFilter(admin.SimpleListFilter):
    title = pgettext_lazy("membership", "state")
    parameter_name = "state"
    _conditions = {
        "active": {"deactivated_at__isnull": True, "accepted_at__isnull": False},
        "pending": {"deactivated_at__isnull": True, "accepted_at__isnull": True},
        "removed": {"deactivated_at__isnull": False},
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(MEMBERSHIP_STATES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        condition = self._conditions.get(self.value() or "")
        return queryset.filter(**condition) if condition else queryset


@admin.register(Membership)
class MembershipAdmin(FirmScopedAdmin):
    read_permission = Perm.MEMBERSHIP_READ
    # Removed members stay on record (their history keeps their name), so the list says who is which.
    list_display = ("user", "workspace", "role", "state")
    list_filter = ("role", MembershipStateFilter, ("workspace", admin.RelatedOnlyFieldListFilter))

    @admin.display(description=pgettext_lazy("membership", "state"))
    def state(self, membership: Membership) -> str:
        return str(MEMBERSHIP_STATES[membership_state(membership)])

    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user", "workspace")


@admin.register(WorkspaceApiKey)
class WorkspaceApiKeyAdmin(FirmScopedAdmin):
    read_permission = Perm.API_KEY_MANAGE
    list_display = (
        "prefix",
        "name",
        "workspace",
        "scopes",
        "revoked",
        "expiry_date",
        "last_used_at",
        "created",
    )
    list_filter = ("revoked", ("workspace", admin.RelatedOnlyFieldListFilter))
    exclude = ("hashed_key",)
    actions = ["revoke_keys"]

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[WorkspaceApiKey]) -> None:
        revoked = 0
        for api_key in queryset.select_related("workspace"):
            principal = principal_for_user(user=request.user, workspace=api_key.workspace)
            if principal and principal.has(Perm.API_KEY_MANAGE):
                services.api_key_revoke(principal=principal, api_key=api_key)
                revoked += 1
        messages.success(request, _("%(count)d API keys revoked.") % {"count": revoked})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.admin_site.has_permission(request)  # enables the revoke action


@admin.register(AuditEvent)
class AuditEventAdmin(TenantDataAdmin):
    read_permission = Perm.AUDIT_READ
    list_display = ("created_at", "workspace", "actor_label", "action", "target_type", "target_id")
    list_filter = ("action", ("workspace", admin.RelatedOnlyFieldListFilter))
    search_fields = ("actor_label", "action", "target_id")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "firm", "firm_role", "is_active")
    search_fields = ("email", "full_name")
    list_filter = ("firm_role", "is_active")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (_("Firm"), {"fields": ("firm", "firm_role")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(memberships__workspace_id__in=visible_workspace_ids(request)).distinct()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
