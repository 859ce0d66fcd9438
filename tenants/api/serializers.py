from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from tenants.models import AuditEvent, Membership, Workspace, WorkspaceApiKey
from tenants.roles import Scope, WorkspaceRole

ROLE_KEYS = {role: role.name.lower() for role in WorkspaceRole}
ROLE_BY_KEY = {key: role for role, key in ROLE_KEYS.items()}


class StrictInputSerializer(serializers.Serializer):
    """Input serializers refuse fields they do not know, rather than silently ignoring them."""

    # The schema says so (core.api.schema: ``additionalProperties: false``), so clients know it too.
    unknown_fields_refused = True

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - {name for name, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [serializers.ErrorDetail(str(_("Unknown field.")), code="unknown_field")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class RoleField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=sorted(ROLE_BY_KEY), **kwargs)

    def to_internal_value(self, data: Any) -> WorkspaceRole:
        return ROLE_BY_KEY[super().to_internal_value(data)]

    def to_representation(self, value: Any) -> str:
        return ROLE_KEYS[WorkspaceRole(value)]


# --- Workspaces ------------------------------------------------------------------------------


class WorkspaceOutputSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = Workspace
        fields = (
            "id",
            "name",
            "slug",
            "firm_name",
            "fiscal_year_start_month",
            "time_zone",
            "currency",
            "pace_at_risk_threshold",
            "pace_behind_threshold",
            "created_at",
        )
        read_only_fields = fields


class WorkspaceSettingsInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    fiscal_year_start_month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    currency = serializers.ChoiceField(choices=["JPY", "USD", "EUR"], required=False)
    pace_at_risk_threshold = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(1), required=False
    )
    pace_behind_threshold = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(1), required=False
    )

    def validate_time_zone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Unknown time zone."), code="invalid_time_zone")
        return value


# --- Memberships -----------------------------------------------------------------------------


class MembershipOutputSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="display_name", read_only=True)
    user_id = serializers.UUIDField(source="user.id", read_only=True)
    role = RoleField(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    pending = serializers.BooleanField(
        source="is_pending", read_only=True, help_text="True until the invited person first signs in."
    )

    class Meta:
        model = Membership
        fields = ("id", "user_id", "email", "full_name", "role", "role_label", "pending", "created_at")
        read_only_fields = fields


class MembershipInviteInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    role = RoleField()
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class MembershipRoleInputSerializer(StrictInputSerializer):
    role = RoleField()


# --- API keys --------------------------------------------------------------------------------


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(
        source="created_by.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = WorkspaceApiKey
        fields = (
            "prefix",
            "name",
            "scopes",
            "created",
            "expiry_date",
            "revoked",
            "last_used_at",
            "created_by",
        )
        read_only_fields = fields


class ApiKeyIssuedSerializer(ApiKeyOutputSerializer):
    key = serializers.SerializerMethodField(help_text="The secret: shown once, never again.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = (*ApiKeyOutputSerializer.Meta.fields, "key")
        read_only_fields = fields

    def get_key(self, api_key: WorkspaceApiKey) -> str:
        return self.context["secret"]


class ApiKeyIssueInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=50)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=[s.value for s in Scope]),
        allow_empty=False,
        max_length=len(Scope),
    )
    expiry_date = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- Audit -----------------------------------------------------------------------------------


class AuditEventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ("id", "created_at", "actor", "action", "target_type", "target_id", "changes")
        read_only_fields = fields


class WorkspaceRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that is looked up only inside the request's workspace: another tenant's id is 'not found'."""

    def __init__(self, model: type, **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        workspace = self.context["view"].workspace
        return self.model.objects.filter(workspace_id=workspace.id)


class WorkspaceRelatedFieldSchema(OpenApiSerializerFieldExtension):
    target_class = WorkspaceRelatedField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, str]:
        return {"type": "string", "format": "uuid"}
