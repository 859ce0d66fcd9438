"""The consultants' admin for CRM integrations: read-only, scoped to the workspaces they may see with the
same role permissions as the API (INTEGRATIONS_READ). Changes go through the API's services; credentials
are never shown (the connection says only whether it has them)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrations.models import (
    ActivityTypeMapping,
    Connection,
    CrmActivity,
    CrmCompany,
    CrmContact,
    CrmDeal,
    CrmOwner,
    LeadDefinition,
    MetricRuleOverride,
    StageMapping,
    SyncRun,
    SyncState,
)
from tenants.admin import TenantDataAdmin

WORKSPACE_FILTER = ("workspace", admin.RelatedOnlyFieldListFilter)


@admin.register(Connection)
class ConnectionAdmin(TenantDataAdmin):
    list_display = ("display_name", "provider", "status", "workspace", "last_success_at", "next_sync_at")
    list_filter = ("provider", "status", WORKSPACE_FILTER)
    search_fields = ("display_name", "external_account_id")
    # Listed explicitly so no credential column can ever appear.
    fields = (
        "workspace", "provider", "display_name", "status", "status_code", "status_params", "sync_interval_minutes",
        "base_url", "external_account_id", "has_credentials", "created_by", "last_synced_at", "last_success_at",
        "next_sync_at", "lease_owner", "lease_expires_at", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = ("has_credentials",)

    @admin.display(boolean=True, description=_("credentials stored"))
    def has_credentials(self, obj: Connection) -> bool:
        return obj.has_credentials


@admin.register(SyncRun)
class SyncRunAdmin(TenantDataAdmin):
    list_display = ("connection", "trigger", "status", "started_at", "finished_at", "fetched_count",
                    "created_count", "updated_count", "deleted_count", "workspace")  # fmt: skip
    list_filter = ("status", "trigger", WORKSPACE_FILTER)
    date_hierarchy = "started_at"


@admin.register(MetricRuleOverride)
class MetricRuleOverrideAdmin(TenantDataAdmin):
    list_display = ("metric_key", "event", "measure", "stage", "activity_type", "completed_only", "workspace")
    list_filter = ("event", WORKSPACE_FILTER)


@admin.register(SyncState)
class SyncStateAdmin(TenantDataAdmin):
    list_display = ("connection", "object_type", "cursor_ts", "full_sync_completed_at", "workspace")
    list_filter = (WORKSPACE_FILTER,)


@admin.register(StageMapping)
class StageMappingAdmin(TenantDataAdmin):
    list_display = ("connection", "pipeline", "stage", "label", "funnel_stage", "confirmed_at", "workspace")
    list_filter = ("funnel_stage", WORKSPACE_FILTER)


@admin.register(ActivityTypeMapping)
class ActivityTypeMappingAdmin(TenantDataAdmin):
    list_display = ("connection", "raw_type", "activity_type", "confirmed_at", "workspace")
    list_filter = ("activity_type", WORKSPACE_FILTER)


@admin.register(LeadDefinition)
class LeadDefinitionAdmin(TenantDataAdmin):
    list_display = ("connection", "source", "confirmed_at", "workspace")
    list_filter = ("source", WORKSPACE_FILTER)


class CanonicalAdmin(TenantDataAdmin):
    list_filter = (("deleted_at", admin.EmptyFieldListFilter), WORKSPACE_FILTER)
    search_fields = ("external_id",)


@admin.register(CrmOwner)
class CrmOwnerAdmin(CanonicalAdmin):
    list_display = ("external_id", "email", "name", "active", "member", "match_source", "workspace")
    search_fields = ("external_id", "email", "last_name", "first_name")


@admin.register(CrmCompany)
class CrmCompanyAdmin(CanonicalAdmin):
    list_display = ("external_id", "name", "domain", "deleted_at", "workspace")
    search_fields = ("external_id", "name", "domain")


@admin.register(CrmContact)
class CrmContactAdmin(CanonicalAdmin):
    list_display = ("external_id", "email", "lifecycle_stage", "is_lead", "became_lead_at", "deleted_at",
                    "workspace")  # fmt: skip
    search_fields = ("external_id", "email")


@admin.register(CrmDeal)
class CrmDealAdmin(CanonicalAdmin):
    list_display = ("external_id", "name", "stage", "funnel_stage", "amount", "close_date", "is_won",
                    "deleted_at", "workspace")  # fmt: skip
    search_fields = ("external_id", "name")


@admin.register(CrmActivity)
class CrmActivityAdmin(CanonicalAdmin):
    list_display = ("external_id", "raw_type", "activity_type", "occurred_at", "completed", "deleted_at",
                    "workspace")  # fmt: skip
