from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import ApiKeyCursorPagination
from tenants import services
from tenants.access import workspaces_visible_to
from tenants.api import serializers as s
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.models import AuditEvent, Membership, Workspace, WorkspaceApiKey
from tenants.roles import Perm


@extend_schema(tags=["workspaces"], summary="Workspaces the caller can see")
class WorkspaceListView(ListAPIView):
    """Not under a workspace: lists the ones the user is a member of (or, for a key, its own)."""

    serializer_class = s.WorkspaceOutputSerializer

    def get_queryset(self) -> Any:
        if isinstance(self.request.auth, WorkspaceApiKey):
            return Workspace.objects.filter(id=self.request.auth.workspace_id).select_related("firm")
        return workspaces_visible_to(self.request.user).select_related("firm")


@extend_schema_view(
    get=extend_schema(tags=["workspaces"], summary="Workspace detail and settings"),
    patch=extend_schema(
        tags=["workspaces"],
        summary="Change workspace settings",
        request=s.WorkspaceSettingsInputSerializer,
        examples=[OpenApiExample("Fiscal year from January", value={"fiscal_year_start_month": 1})],
    ),
)
class WorkspaceDetailView(WorkspaceScopedViewMixin, GenericAPIView):
    model = Workspace
    serializer_class = s.WorkspaceOutputSerializer
    permission_read = Perm.WORKSPACE_READ
    permission_write = Perm.WORKSPACE_SETTINGS

    def get(self, request: Request, workspace_id: Any) -> Response:
        return Response(s.WorkspaceOutputSerializer(self.workspace).data)

    def patch(self, request: Request, workspace_id: Any) -> Response:
        data = s.WorkspaceSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = services.workspace_settings_update(
            workspace=self.workspace, actor=self.actor, **data.validated_data
        )
        return Response(s.WorkspaceOutputSerializer(workspace).data)


@extend_schema_view(
    list=extend_schema(summary="Members of the workspace"),
    create=extend_schema(
        summary="Invite someone by e-mail",
        request=s.MembershipInviteInputSerializer,
        examples=[
            OpenApiExample("Invite a manager", value={"email": "tanaka@example.co.jp", "role": "manager"})
        ],
    ),
    partial_update=extend_schema(summary="Change a member's role", request=s.MembershipRoleInputSerializer),
    destroy=extend_schema(summary="Remove a member"),
)
@extend_schema(tags=["memberships"])
class MembershipViewSet(
    WorkspaceScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = Membership
    serializer_class = s.MembershipOutputSerializer
    permission_read = Perm.MEMBERSHIP_READ
    permission_write = Perm.MEMBERSHIP_MANAGE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("user")

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = s.MembershipInviteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_invite(principal=self.principal, **data.validated_data)
        return Response(s.MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        membership = self.get_object()
        data = s.MembershipRoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_role_change(
            principal=self.principal, membership=membership, role=data.validated_data["role"]
        )
        return Response(s.MembershipOutputSerializer(membership).data)

    def destroy(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        services.membership_deactivate(principal=self.principal, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Partner API keys"),
    create=extend_schema(
        summary="Issue a key (the secret is in this response only)",
        request=s.ApiKeyIssueInputSerializer,
        responses={201: s.ApiKeyIssuedSerializer},
        examples=[OpenApiExample("Read KPIs", value={"name": "BI export", "scopes": ["kpi:read"]})],
    ),
    revoke=extend_schema(summary="Revoke a key at once", request=None),
)
@extend_schema(tags=["api keys"])
class ApiKeyViewSet(
    WorkspaceScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = WorkspaceApiKey
    serializer_class = s.ApiKeyOutputSerializer
    pagination_class = ApiKeyCursorPagination
    lookup_field = "prefix"
    permission_read = Perm.API_KEY_MANAGE
    permission_write = Perm.API_KEY_MANAGE

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("created_by")

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = s.ApiKeyIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, secret = services.api_key_issue(principal=self.principal, **data.validated_data)
        body = s.ApiKeyIssuedSerializer(api_key, context={"secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, workspace_id: Any, prefix: Any) -> Response:
        api_key = services.api_key_revoke(principal=self.principal, api_key=self.get_object())
        return Response(s.ApiKeyOutputSerializer(api_key).data)


@extend_schema(tags=["audit"])
@extend_schema_view(list=extend_schema(summary="Audit trail: who did what, when"))
class AuditEventViewSet(WorkspaceScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    model = AuditEvent
    serializer_class = s.AuditEventOutputSerializer
    permission_read = Perm.AUDIT_READ
    permission_write = Perm.AUDIT_READ
