"""Serializers of the integrations API. No output serializer has a credential field: a connection says only
whether it has credentials (``has_credentials``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.schema import ErrorDetailSerializer
from core.messages import Message, message_is_known, message_render
from integrations.models import (
    ActivityTypeMapping,
    Connection,
    CrmOwner,
    CsvColumnMapping,
    LeadDefinition,
    StageMapping,
    SyncRun,
)
from integrations.rollups.rules import Event, Measure
from integrations.selectors import Mappings, connection_is_syncing
from integrations.services import CREDENTIAL_FIELDS, INTERVAL_MAX, INTERVAL_MIN
from tenants.api.serializers import StrictInputSerializer, WorkspaceRelatedField
from tenants.models import Membership


def _status_message(connection: Connection) -> Message:
    code = connection.status_code if message_is_known(connection.status_code) else ""
    params = {"provider": connection.get_provider_display(), "detail": "", **(connection.status_params or {})}
    return Message(code or f"integrations.status.{connection.status}", params)


class StatusMessageSerializer(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField()
    message = serializers.CharField()


class ConnectionOutputSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="connected | syncing | needs_attention | disconnected"
    )
    status_detail = serializers.SerializerMethodField(
        help_text="Why the status is what it is: a message code, its parameters and its text (Japanese first)"
    )
    has_credentials = serializers.BooleanField(read_only=True)
    syncing = serializers.SerializerMethodField(help_text="A worker holds the sync lease now")
    created_by = serializers.SerializerMethodField()
    base_url = serializers.SerializerMethodField(
        help_text="The API address this connection calls instead of the provider's own (a sandbox, another "
        "data centre, a fake server); null for the provider's standard address"
    )

    class Meta:
        model = Connection
        fields = (
            "id", "provider", "display_name", "status", "status_detail", "sync_interval_minutes", "base_url",
            "external_account_id", "has_credentials", "syncing", "created_by", "last_synced_at",
            "last_success_at", "next_sync_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(StatusMessageSerializer)
    def get_status_detail(self, connection: Connection) -> dict[str, Any]:
        return _status_message(connection).as_json()

    def get_syncing(self, connection: Connection) -> bool:
        return connection_is_syncing(connection, now=timezone.now())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_base_url(self, connection: Connection) -> str | None:
        return connection.base_url or None

    def get_created_by(self, connection: Connection) -> str | None:
        return connection.created_by.email if connection.created_by_id else None


class CredentialsField(serializers.DictField):
    """Write-only: OAuth tokens or a private-app token, encrypted at rest and never answered."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "")
        kwargs["help_text"] = f"{kwargs['help_text']} (keys: {', '.join(sorted(CREDENTIAL_FIELDS))})".strip()
        super().__init__(write_only=True, **kwargs)


class ConnectionCreateInputSerializer(StrictInputSerializer):
    provider = serializers.ChoiceField(choices=Connection.Provider.choices)
    display_name = serializers.CharField(max_length=200)
    base_url = serializers.URLField(max_length=300, required=False, allow_blank=True, default="",
                                    help_text="https://; empty for the CRM's default")  # fmt: skip
    sync_interval_minutes = serializers.IntegerField(
        min_value=INTERVAL_MIN, max_value=INTERVAL_MAX, default=15
    )
    external_account_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    credentials = CredentialsField(required=False, default=dict)


class ConnectionUpdateInputSerializer(StrictInputSerializer):
    display_name = serializers.CharField(max_length=200, required=False)
    base_url = serializers.URLField(max_length=300, required=False, allow_blank=True)
    sync_interval_minutes = serializers.IntegerField(
        min_value=INTERVAL_MIN, max_value=INTERVAL_MAX, required=False
    )
    external_account_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    credentials = CredentialsField(
        required=False, help_text="Replaces the stored credentials; {} removes them"
    )


# --- Mappings ----------------------------------------------------------------------------------------


class StageMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageMapping
        fields = ("pipeline", "stage", "label", "funnel_stage", "is_default", "confirmed_at")
        read_only_fields = fields


class ActivityTypeMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityTypeMapping
        fields = ("raw_type", "activity_type", "is_default", "confirmed_at")
        read_only_fields = fields


class LeadDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadDefinition
        fields = ("source", "lead_stages", "mql_stages", "sql_stages", "confirmed_at")
        read_only_fields = fields


class MappingsOutputSerializer(serializers.Serializer):
    stages = StageMappingSerializer(many=True)
    activity_types = ActivityTypeMappingSerializer(many=True)
    lead_definition = LeadDefinitionSerializer(allow_null=True)
    confirmed = serializers.SerializerMethodField(help_text="Every mapping has been confirmed by a person")

    def get_confirmed(self, mappings: Mappings) -> bool:
        rows = [*mappings.stages, *mappings.activity_types]
        if mappings.lead_definition is not None:
            rows.append(mappings.lead_definition)
        return all(r.confirmed_at is not None for r in rows)


class StageMappingInputSerializer(StrictInputSerializer):
    pipeline = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    stage = serializers.CharField(max_length=100)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    funnel_stage = serializers.ChoiceField(choices=StageMapping.Target.choices)


class ActivityTypeMappingInputSerializer(StrictInputSerializer):
    raw_type = serializers.CharField(max_length=100)
    activity_type = serializers.ChoiceField(choices=ActivityTypeMapping.Target.choices)


class StageListField(serializers.ListField):
    child = serializers.CharField(max_length=100)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=50, required=False, **kwargs)


class LeadDefinitionInputSerializer(StrictInputSerializer):
    source = serializers.ChoiceField(choices=LeadDefinition.Source.choices, required=False)
    lead_stages = StageListField()
    mql_stages = StageListField()
    sql_stages = StageListField()


class MappingsInputSerializer(StrictInputSerializer):
    stages = StageMappingInputSerializer(many=True, required=False, max_length=500)
    activity_types = ActivityTypeMappingInputSerializer(many=True, required=False, max_length=200)
    lead_definition = LeadDefinitionInputSerializer(required=False)
    confirm_all = serializers.BooleanField(required=False, default=False,
                                           help_text="Confirm every mapping not sent, as it stands")  # fmt: skip


# --- Runs and owners ---------------------------------------------------------------------------------


class SyncRunOutputSerializer(serializers.ModelSerializer):
    trigger = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    progress_percent = serializers.SerializerMethodField(
        help_text="Share of the run's object types fully read (0-100), for a progress bar"
    )
    error = serializers.SerializerMethodField()

    class Meta:
        model = SyncRun
        fields = (
            "id", "connection", "trigger", "status", "started_at", "finished_at", "duration_seconds",
            "fetched_count", "created_count", "updated_count", "unchanged_count", "deleted_count", "progress",
            "progress_percent", "current_object_type", "error",
        )  # fmt: skip
        read_only_fields = fields

    def get_progress_percent(self, run: SyncRun) -> int:
        if run.status != SyncRun.Status.RUNNING:
            return 100 if run.status == SyncRun.Status.SUCCEEDED else 0
        entries = [entry for entry in (run.progress or {}).values() if isinstance(entry, dict)]
        return int(100 * sum(1 for entry in entries if entry.get("done")) / len(entries)) if entries else 0

    @extend_schema_field(StatusMessageSerializer(allow_null=True))
    def get_error(self, run: SyncRun) -> dict[str, Any] | None:
        if not run.error_code or not message_is_known(run.error_code):
            return (
                {"code": run.error_code, "params": run.error_params, "message": ""}
                if run.error_code
                else None
            )
        return Message(run.error_code, run.error_params).as_json()


class CrmOwnerOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    matched = serializers.SerializerMethodField()
    match_source = serializers.CharField(read_only=True, help_text="'' | email | manual")
    member_email = serializers.SerializerMethodField()

    class Meta:
        model = CrmOwner
        fields = ("id", "connection", "external_id", "email", "name", "active", "member", "member_email",
                  "matched", "match_source")  # fmt: skip
        read_only_fields = fields

    def get_matched(self, owner: CrmOwner) -> bool:
        return owner.member_id is not None

    def get_member_email(self, owner: CrmOwner) -> str | None:
        return owner.member.user.email if owner.member_id else None


class CrmOwnerMemberInputSerializer(StrictInputSerializer):
    member = WorkspaceRelatedField(Membership, allow_null=True, help_text="A membership id; null: no member")


class OwnerMatchOutputSerializer(serializers.Serializer):
    matched = serializers.IntegerField(help_text="Owners now standing for a member")
    unmatched = serializers.IntegerField(help_text="Owners still to match (GET owners/?matched=0)")
    changed = serializers.IntegerField(help_text="Owners whose match this run changed")


# --- Metric rules ----------------------------------------------------------------------------------------


class MetricRuleOutputSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.key")
    name_ja = serializers.CharField(source="metric.name_ja")
    name_en = serializers.CharField(source="metric.name_en")
    unit = serializers.CharField(source="metric.unit")
    source = serializers.CharField(source="rule.source")
    event = serializers.CharField(source="rule.event")
    measure = serializers.CharField(source="rule.measure")
    stage = serializers.CharField(source="rule.stage", allow_null=True)
    activity_type = serializers.CharField(source="rule.activity_type", allow_null=True)
    completed_only = serializers.BooleanField(source="rule.completed_only")
    is_default = serializers.BooleanField(help_text="The product's default rule (false: the workspace's own)")
    description = serializers.SerializerMethodField(
        help_text="The rule in words, as the definition book shows it"
    )

    @extend_schema_field(StatusMessageSerializer)
    def get_description(self, row: Any) -> dict[str, Any]:
        return row.rule.describe().as_json()


class MetricRuleInputSerializer(StrictInputSerializer):
    event = serializers.ChoiceField(choices=[e.value for e in Event])
    measure = serializers.ChoiceField(choices=[m.value for m in Measure], default=Measure.COUNT.value)
    stage = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    activity_type = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    completed_only = serializers.BooleanField(required=False, default=False)


# --- OAuth -------------------------------------------------------------------------------------------


class OAuthStartInputSerializer(StrictInputSerializer):
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                         help_text="The new connection's name; the CRM's name if empty")  # fmt: skip
    base_url = serializers.URLField(
        max_length=300, required=False, allow_blank=True, default="",
        help_text="https:// of a sandbox login (test.salesforce.com), My Domain or a fake server; empty for the CRM's own",
    )  # fmt: skip


class OAuthStartOutputSerializer(serializers.Serializer):
    authorize_url = serializers.URLField(
        help_text="Send the person's browser here. Valid for 10 minutes, once; the CRM sends them back to the "
        "callback, which creates (or re-authorises) the connection and starts its first sync."
    )


# --- CSV import ------------------------------------------------------------------------------------------


class CsvUploadInputSerializer(StrictInputSerializer):
    """A multipart upload: the file, what its rows are, and optionally the columns to read them from."""

    file = serializers.FileField(help_text="The CSV file (UTF-8 with or without BOM, or Shift_JIS/CP932)")
    object_type = serializers.ChoiceField(choices=CsvColumnMapping.ObjectType.choices)
    columns = serializers.JSONField(
        required=False,
        help_text='Our field -> the file\'s column header, as JSON (e.g. {"external_id": "Deal ID", '
        '"stage": "Deal Stage"}); replaces the saved or suggested mapping. Fields left out are not read.',
    )

    def validate_columns(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "\x00" not in k + v for k, v in value.items()
        ):
            raise serializers.ValidationError(
                message_render("integrations.csv.columns_invalid"), code="integrations.csv.columns_invalid"
            )
        return value


class CsvColumnSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Our field")
    required = serializers.BooleanField()
    column = serializers.CharField(
        allow_null=True, help_text="The file's column it is read from (null: none)"
    )


class CsvProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        allow_null=True, help_text="The file's line, as a spreadsheet numbers it (1 is the header)"
    )
    column = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    params = serializers.DictField()
    message = serializers.CharField(help_text="What is wrong, in the request's language (Japanese first)")


def _problem_json(line: int | None, column: str | None, message: Message) -> dict[str, Any]:
    return {"line": line, "column": column, **message.as_json()}


class CsvCountsSerializer(serializers.Serializer):
    create = serializers.IntegerField(help_text="Records new to the connection")
    update = serializers.IntegerField(help_text="Records already imported that the file changes")
    unchanged = serializers.IntegerField(help_text="Records already imported exactly so")


class CsvReportSerializer(serializers.Serializer):
    """A dry run's answer, and the ``report`` of a refused import."""

    object_type = serializers.CharField()
    ok = serializers.BooleanField(help_text="True when an import of this file would go through")
    encoding = serializers.CharField(allow_null=True, help_text="utf-8 | utf-8-sig (with a BOM) | cp932")
    header = serializers.ListField(child=serializers.CharField())
    columns = CsvColumnSerializer(many=True, help_text="The column plan: every field and its column")
    mapping_source = serializers.ChoiceField(
        choices=["given", "saved", "suggested"],
        help_text="given: the request's columns; saved: confirmed with an earlier file; suggested: recognised",
    )
    saved_mapping = serializers.DictField(
        child=serializers.CharField(), allow_null=True, help_text="The mapping confirmed with the last file"
    )
    rows = serializers.IntegerField(help_text="Data rows read (blank lines are skipped)")
    valid_rows = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    counts = serializers.SerializerMethodField()
    file_problems = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    problems_total = serializers.IntegerField(help_text="Every row problem, also those not listed")
    problems_truncated = serializers.BooleanField(help_text="More problems than the list shows")
    sync_run = serializers.SerializerMethodField()

    @extend_schema_field(CsvCountsSerializer)
    def get_counts(self, report: Any) -> dict[str, int]:
        return {"create": report.create, "update": report.update, "unchanged": report.unchanged}

    @extend_schema_field(CsvProblemSerializer(many=True))
    def get_file_problems(self, report: Any) -> list[dict[str, Any]]:
        return [_problem_json(m.params.get("line"), None, m) for m in report.file_problems]

    @extend_schema_field(CsvProblemSerializer(many=True))
    def get_problems(self, report: Any) -> list[dict[str, Any]]:
        return [_problem_json(p.line, p.column, p.message) for p in report.problems]

    @extend_schema_field(serializers.UUIDField(allow_null=True, help_text="The import's sync run"))
    def get_sync_run(self, report: Any) -> str | None:
        return str(report.run.id) if report.run is not None else None


class CsvImportOutputSerializer(serializers.Serializer):
    report = CsvReportSerializer()
    sync_run = SyncRunOutputSerializer()


class CsvRefusedErrorSerializer(serializers.Serializer):
    """The error body, with the file's report when its rows were the reason."""

    error = ErrorDetailSerializer()
    report = CsvReportSerializer(required=False)
