"""API of the CRM integrations: connections, their mappings, sync runs and CRM owners.

Permissions (tenants.roles): client admins and consultants manage connections (INTEGRATIONS_WRITE),
managers read them (INTEGRATIONS_READ); partner keys need integrations:read / integrations:write. No
answer carries a credential.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.api.errors import error_body
from core.api.inputs import query_filter, query_flag, validated
from core.api.pagination import CreatedCursorPagination
from integrations import csv_services, oauth, selectors, services, sync
from integrations.api import serializers as s
from integrations.models import Connection, CrmOwner, MetricRuleOverride, SyncRun
from kpi.models import Metric
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.roles import Perm


class SyncRunPagination(CreatedCursorPagination):
    """Newest run first."""

    ordering = ("-started_at", "-id")


class OwnerPagination(CreatedCursorPagination):
    ordering = ("email", "id")


@extend_schema(tags=["integrations"])
@extend_schema_view(
    list=extend_schema(summary="CRM connections", responses=s.ConnectionOutputSerializer(many=True)),
    retrieve=extend_schema(summary="A CRM connection (never its credentials)", responses=s.ConnectionOutputSerializer),
    create=extend_schema(
        summary="Connect a CRM; its default mappings are created for you to confirm",
        request=s.ConnectionCreateInputSerializer,
        responses={201: s.ConnectionOutputSerializer},
        examples=[OpenApiExample("HubSpot private app", value={
            "provider": "hubspot", "display_name": "HubSpot", "credentials": {"private_app_token": "pat-na1-..."}}, request_only=True)],
    ),
    partial_update=extend_schema(
        summary="Change a connection's name, interval, base URL, account id or credentials",
        request=s.ConnectionUpdateInputSerializer,
        responses={200: s.ConnectionOutputSerializer},
    ),
    disconnect=extend_schema(
        summary="Disconnect: revoke and delete the credentials; synced history is kept",
        request=None,
        responses={200: s.ConnectionOutputSerializer},
    ),
    sync_now=extend_schema(
        summary="Sync now: queue a sync of this connection (answers at once; follow it in sync-runs)",
        request=None,
        responses={202: s.ConnectionOutputSerializer},
    ),
    match_owners=extend_schema(
        summary="Match the connection's CRM owners to members by e-mail now (hand-set matches are kept)",
        request=None,
        responses={200: s.OwnerMatchOutputSerializer},
    ),
    csv_dry_run=extend_schema(
        summary="CSV dry run: what importing this file would do and every bad row (nothing is written)",
        description="Multipart upload. The column plan is the `columns` given, else the mapping confirmed with "
        "the last file of this connection and object type (when this file has its columns), else the one "
        "recognised from the headers. Every bad row is counted; the first 1,000 problems are listed with "
        "their line, column and reason. CSV connections only.",
        request={"multipart/form-data": s.CsvUploadInputSerializer},
        responses={200: s.CsvReportSerializer, 400: s.CsvRefusedErrorSerializer},
    ),
    csv_import=extend_schema(
        summary="CSV import, all or nothing: every row in one transaction, or none and the report (400)",
        description="Same inputs as the dry run. A file with any problem is refused with "
        "`integrations.csv.import_refused` and its report; otherwise the rows are imported through the sync "
        "engine (idempotent by record id: the same file again changes nothing), a sync run records the "
        "counts, the daily actuals of the days touched are recomputed and the column mapping is saved for the "
        "next file.",
        request={"multipart/form-data": s.CsvUploadInputSerializer},
        responses={200: s.CsvImportOutputSerializer, 400: s.CsvRefusedErrorSerializer},
    ),
    mappings=extend_schema(
        summary="The connection's stage, activity-type and lead mappings (GET), or change/confirm them (PATCH)",
        request=s.MappingsInputSerializer,
        responses={200: s.MappingsOutputSerializer},
        examples=[OpenApiExample("Confirm, with one change", value={
            "stages": [{"pipeline": "default", "stage": "qualifiedtobuy", "funnel_stage": "appointment"}],
            "confirm_all": True}, request_only=True)],
    ),
)  # fmt: skip
class ConnectionViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A workspace's CRM connections. Credentials are accepted (write-only, encrypted at rest) but never
    answered: ``has_credentials`` says whether some are stored."""

    model = Connection
    serializer_class = s.ConnectionOutputSerializer
    permission_read = Perm.INTEGRATIONS_READ
    permission_write = Perm.INTEGRATIONS_WRITE
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("created_by")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, choices={"provider": Connection.Provider.values,
                                                             "status": Connection.Status.values})  # fmt: skip

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.ConnectionCreateInputSerializer, self, request.data)
        # A HubSpot private-app token is checked against its account first (which fills external_account_id).
        connection = oauth.connection_connect(actor=self.actor, **data)
        return Response(s.ConnectionOutputSerializer(connection).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = self.get_object()
        data = validated(s.ConnectionUpdateInputSerializer, self, request.data)
        connection = oauth.connection_change(actor=self.actor, connection=connection, **data)
        return Response(s.ConnectionOutputSerializer(connection).data)

    @action(detail=True, methods=["post"])
    def disconnect(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = services.connection_disconnect(actor=self.actor, connection=self.get_object())
        return Response(s.ConnectionOutputSerializer(connection).data)

    @action(detail=True, methods=["post"], url_path="sync")
    def sync_now(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = sync.sync_request(actor=self.actor, connection=self.get_object())
        return Response(s.ConnectionOutputSerializer(connection).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="match-owners")
    def match_owners(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = self.get_object()
        result = services.crm_owner_match_run(connection=connection, actor=self.actor)
        return Response(s.OwnerMatchOutputSerializer(result).data)

    @action(detail=True, methods=["post"], url_path="csv/dry-run", parser_classes=[MultiPartParser])
    def csv_dry_run(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = self.get_object()
        data = validated(s.CsvUploadInputSerializer, self, request.data)
        report = csv_services.csv_import_dry_run(
            connection=connection,
            upload=data["file"],
            object_type=data["object_type"],
            columns=data.get("columns"),
        )
        return Response(s.CsvReportSerializer(report).data)

    @action(detail=True, methods=["post"], url_path="csv/import", parser_classes=[MultiPartParser])
    def csv_import(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = self.get_object()
        data = validated(s.CsvUploadInputSerializer, self, request.data)
        try:
            report = csv_services.csv_import_run(
                actor=self.actor, connection=connection, upload=data["file"], object_type=data["object_type"],
                columns=data.get("columns"),
            )  # fmt: skip
        except csv_services.CsvImportRefused as refused:
            set_rollback()
            error = refused.as_json()
            body = error_body(refused.code, error["message"], params=error["params"])
            return Response({**body, "report": s.CsvReportSerializer(refused.report).data}, status=400)
        return Response(
            {
                "report": s.CsvReportSerializer(report).data,
                "sync_run": s.SyncRunOutputSerializer(report.run).data,
            }
        )

    @action(detail=True, methods=["get", "patch"])
    def mappings(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        connection = self.get_object()
        if request.method == "PATCH":
            data = validated(s.MappingsInputSerializer, self, request.data)
            services.connection_mappings_update(actor=self.actor, connection=connection, **data)
        mappings = selectors.connection_mappings_get(connection=connection)
        return Response(s.MappingsOutputSerializer(mappings).data)


@extend_schema(tags=["integrations"])
@extend_schema_view(
    list=extend_schema(
        summary="Sync runs, newest first, with their live counts and progress",
        parameters=[OpenApiParameter("connection", OpenApiTypes.UUID)],
        responses=s.SyncRunOutputSerializer(many=True),
    ),
    retrieve=extend_schema(summary="A sync run", responses=s.SyncRunOutputSerializer),
)
class SyncRunViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Sync runs of the workspace's connections (read only; the sync engine writes them)."""

    model = SyncRun
    serializer_class = s.SyncRunOutputSerializer
    pagination_class = SyncRunPagination
    permission_read = Perm.INTEGRATIONS_READ
    permission_write = Perm.INTEGRATIONS_WRITE

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, uuid=("connection",))


@extend_schema(tags=["integrations"])
@extend_schema_view(
    list=extend_schema(
        summary="CRM owners and the member each is matched to (matched=0: the ones still to match)",
        parameters=[OpenApiParameter("connection", OpenApiTypes.UUID),
                    OpenApiParameter("matched", OpenApiTypes.BOOL)],
        responses=s.CrmOwnerOutputSerializer(many=True),
    ),
    retrieve=extend_schema(summary="A CRM owner", responses=s.CrmOwnerOutputSerializer),
    partial_update=extend_schema(
        summary="Match an owner to a member by hand (null: no member); automatic matching leaves it alone",
        request=s.CrmOwnerMemberInputSerializer,
        responses={200: s.CrmOwnerOutputSerializer},
    ),
)  # fmt: skip
class CrmOwnerViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """CRM users who own records, and the workspace member each stands for (deleted and merged-away owners are
    not listed)."""

    model = CrmOwner
    serializer_class = s.CrmOwnerOutputSerializer
    pagination_class = OwnerPagination
    permission_read = Perm.INTEGRATIONS_READ
    permission_write = Perm.INTEGRATIONS_WRITE
    http_method_names = ["get", "patch", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.filter(deleted_at__isnull=True, merged_into__isnull=True).select_related(
            "member__user"
        )

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = query_filter(queryset, self.request, uuid=("connection",))
        if "matched" in self.request.query_params:
            queryset = queryset.filter(member__isnull=not query_flag(self.request, "matched"))
        return queryset

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        owner = self.get_object()
        data = validated(s.CrmOwnerMemberInputSerializer, self, request.data)
        owner = services.crm_owner_member_set(actor=self.actor, owner=owner, member=data["member"])
        return Response(s.CrmOwnerOutputSerializer(owner).data)


@extend_schema(tags=["integrations"])
@extend_schema_view(
    list=extend_schema(summary="How each CRM-fed base metric is counted from the CRM's records (the defaults, "
                               "or the workspace's own rule)", responses=s.MetricRuleOutputSerializer(many=True)),
    retrieve=extend_schema(summary="One metric's rule", responses=s.MetricRuleOutputSerializer),
    update=extend_schema(
        summary="Replace a metric's rule (the metric's CRM actuals are recomputed)",
        request=s.MetricRuleInputSerializer, responses={200: s.MetricRuleOutputSerializer},
        examples=[OpenApiExample("Meetings from held meeting activities", value={
            "event": "activity", "activity_type": "meeting", "completed_only": True}, request_only=True)],
    ),
    destroy=extend_schema(summary="Back to the default rule (a metric without one is no longer fed)",
                          responses={204: None}),
)  # fmt: skip
class MetricRuleViewSet(WorkspaceScopedViewMixin, viewsets.GenericViewSet):
    """The rules of integrations.rollups.rules, by metric key; the overrides are MetricRuleOverride rows."""

    model = MetricRuleOverride
    serializer_class = s.MetricRuleOutputSerializer
    permission_read = Perm.INTEGRATIONS_READ
    permission_write = Perm.INTEGRATIONS_WRITE
    lookup_field = "metric_key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    pagination_class = None  # one row per base metric: a few dozen at most
    http_method_names = ["get", "put", "delete", "head", "options"]

    def list(self, request: Request, workspace_id: Any) -> Response:
        return Response(s.MetricRuleOutputSerializer(selectors.metric_rules_listing(), many=True).data)

    def retrieve(self, request: Request, workspace_id: Any, metric_key: str) -> Response:
        return Response(s.MetricRuleOutputSerializer(self._row(metric_key)).data)

    def update(self, request: Request, workspace_id: Any, metric_key: str) -> Response:
        if not Metric.objects.filter(key=metric_key).exists():  # any base metric may get a rule of its own
            raise Http404
        data = validated(s.MetricRuleInputSerializer, self, request.data)
        services.metric_rule_set(actor=self.actor, metric_key=metric_key, **data)
        return Response(s.MetricRuleOutputSerializer(self._row(metric_key)).data)

    def destroy(self, request: Request, workspace_id: Any, metric_key: str) -> Response:
        self._row(metric_key)
        services.metric_rule_reset(actor=self.actor, metric_key=metric_key)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _row(self, metric_key: str) -> selectors.MetricRuleRow:
        row = next((r for r in selectors.metric_rules_listing() if r.metric.key == metric_key), None)
        if row is None:
            raise Http404
        return row


@extend_schema(tags=["integrations"])
class OAuthStartView(WorkspaceScopedViewMixin, generics.GenericAPIView):
    """Start connecting a CRM account with OAuth (HubSpot; Salesforce with PKCE): answers the URL to send the
    person to. The signed state names this workspace and the caller, and can be used once, within 10 minutes."""

    model = Connection
    serializer_class = s.OAuthStartOutputSerializer
    permission_read = Perm.INTEGRATIONS_WRITE
    permission_write = Perm.INTEGRATIONS_WRITE
    pagination_class = None

    @extend_schema(
        summary="Start OAuth: the CRM's authorise URL for this workspace",
        request=s.OAuthStartInputSerializer,
        responses={200: s.OAuthStartOutputSerializer},
        examples=[OpenApiExample("Salesforce sandbox", value={"display_name": "Salesforce (sandbox)",
                                                               "base_url": "https://test.salesforce.com"},
                                 request_only=True)],
    )  # fmt: skip
    def post(self, request: Request, workspace_id: Any, provider: str) -> Response:
        data = validated(s.OAuthStartInputSerializer, self, request.data)
        url = oauth.oauth_start(principal=self.principal, provider=provider, **data)
        return Response(s.OAuthStartOutputSerializer({"authorize_url": url}).data)
