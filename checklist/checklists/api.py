"""API of checklists: templates (global and the firm's), a workspace's adopted checklists, items and history.

Items carry a ``verification`` block computed from the workspace's state: the rules are evaluated once per
request for every item in the answer (``checklist_outcomes``), never per item and never stored.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.validators import URLValidator
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from checklist.checklists import catalog, demo, selectors, services
from checklist.checklists.models import Checklist, ChecklistItem, ChecklistTemplate, ChecklistTemplateItem
from core.api.inputs import query_filter, validated
from core.api.pagination import CreatedCursorPagination
from core.messages import active_language, message_render
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.api.serializers import AuditEventOutputSerializer, StrictInputSerializer, WorkspaceRelatedField
from tenants.models import Membership
from tenants.roles import Perm

AXES = [axis.value for axis in catalog.Axis]


class OldestFirstPagination(CreatedCursorPagination):
    """Checklists and items in the order they were written; items are copied in template order and their
    uuid7 ids rise with it, so the id breaks ties within one adoption."""

    ordering = ("created_at", "id")
    page_size = 100


# --- Serializers: templates ----------------------------------------------------------------------


# Output enums are plain strings with the values in the help text: the input serializers carry the enums, so
# the schema names each choice set once (no collision with other apps' fields called "status").
_AXIS_HELP = "S (strategy), M (MA/SFA setup) or D (tool development)."
_STATUS_HELP = "todo, in_progress, done or not_applicable."


class TemplateItemOutputSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    axis = serializers.CharField(read_only=True, help_text=_AXIS_HELP)

    class Meta:
        model = ChecklistTemplateItem
        fields = ("key", "axis", "text", "text_ja", "text_en", "rule", "order")
        read_only_fields = fields

    def get_text(self, item: ChecklistTemplateItem) -> str:
        return item.text_en if active_language() == "en" and item.text_en else item.text_ja


class TemplateOutputSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()
    item_count = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistTemplate
        fields = (
            "id",
            "key",
            "version",
            "scope",
            "name",
            "name_ja",
            "name_en",
            "source",
            "item_count",
            "created_at",
        )
        read_only_fields = fields

    def get_name(self, template: ChecklistTemplate) -> str:
        return template.name(active_language())

    def get_scope(self, template: ChecklistTemplate) -> str:
        """``global`` (the product's catalogue) or ``firm`` (this consulting firm's own)."""
        return "global" if template.firm_id is None else "firm"

    def get_item_count(self, template: ChecklistTemplate) -> int:
        return len(template.items.all())


class TemplateDetailSerializer(TemplateOutputSerializer):
    items = TemplateItemOutputSerializer(many=True, read_only=True)

    class Meta(TemplateOutputSerializer.Meta):
        fields = (*TemplateOutputSerializer.Meta.fields, "items")
        read_only_fields = fields


class TemplateItemInputSerializer(StrictInputSerializer):
    key = serializers.RegexField(r"^[A-Za-z0-9_-]{1,16}$", max_length=16)
    axis = serializers.ChoiceField(choices=AXES)
    text_ja = serializers.CharField(max_length=300)
    text_en = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    rule = serializers.ChoiceField(
        choices=sorted(catalog.RULES), required=False, allow_null=True, allow_blank=True, default=None
    )


class TemplateVersionInputSerializer(StrictInputSerializer):
    name_ja = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    items = TemplateItemInputSerializer(many=True, allow_empty=False, max_length=services.MAX_TEMPLATE_ITEMS)


class TemplateCreateInputSerializer(TemplateVersionInputSerializer):
    key = serializers.SlugField(max_length=63)
    name_ja = serializers.CharField(max_length=200)


# --- Serializers: workspace checklists and items ------------------------------------------------------


class VerificationOutputSerializer(serializers.Serializer):
    rule = serializers.CharField(
        allow_null=True, help_text="The verification rule key, or null for manual items."
    )
    description = serializers.CharField(help_text="What the rule checks.")
    provable = serializers.BooleanField(
        help_text="An evaluator exists for the rule (the capability is built)."
    )
    verified = serializers.BooleanField(
        allow_null=True, help_text="null when the rule cannot be evaluated yet."
    )
    evidence = serializers.CharField(help_text="What the product found, in words a consultant can read.")
    facts = serializers.DictField(help_text="Machine-readable details behind the evidence.")
    not_applicable = serializers.BooleanField(help_text="The rule says it does not apply to this workspace.")
    contradiction = serializers.BooleanField(
        help_text="Marked done by a person but the product's evidence does not confirm it."
    )
    message = serializers.CharField()


def _verification_data(verification: selectors.Verification) -> dict[str, Any]:
    """The verification in the request's language (rendered here, at the edge)."""
    spec, evidence = verification.spec, verification.evidence
    return {
        "rule": verification.rule,
        "description": spec.description(active_language()) if spec else "",
        "provable": verification.provable,
        "verified": verification.verified,
        "evidence": evidence.render() if evidence else "",
        "facts": dict(verification.facts),
        "not_applicable": verification.not_applicable,
        "contradiction": verification.contradiction,
        "message": verification.message.render(),
    }


class ItemOutputSerializer(serializers.ModelSerializer):
    """Needs ``outcomes`` (rule key -> outcome) in the context."""

    text = serializers.SerializerMethodField()
    axis = serializers.CharField(read_only=True, help_text=_AXIS_HELP)
    axis_label = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=f"The manual status: {_STATUS_HELP}")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    effective_status = serializers.SerializerMethodField(
        help_text=f"The status progress counts ({_STATUS_HELP}): done when marked done or verified by its rule."
    )
    owner_name = serializers.SerializerMethodField()
    verification = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = (
            "id", "checklist", "key", "axis", "axis_label", "text", "text_ja", "text_en", "order", "status",
            "status_label", "effective_status", "not_applicable_reason", "owner", "owner_name", "due_date",
            "evidence_note", "evidence_links", "verification", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_text(self, item: ChecklistItem) -> str:
        return item.text(active_language())

    def get_axis_label(self, item: ChecklistItem) -> str:
        return catalog.axis_label(item.axis, active_language())

    def get_effective_status(self, item: ChecklistItem) -> str:
        """The status progress counts: done when marked done or verified by its rule."""
        return selectors.item_effective_status(item, self.context["outcomes"]).value

    def get_owner_name(self, item: ChecklistItem) -> str | None:
        if item.owner is None:
            return None
        return item.owner.user.full_name or item.owner.user.email

    @extend_schema_field(VerificationOutputSerializer)
    def get_verification(self, item: ChecklistItem) -> dict[str, Any]:
        return _verification_data(selectors.item_verification(item, self.context["outcomes"]))


class AxisProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    applicable = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ProgressSerializer(serializers.Serializer):
    overall = AxisProgressSerializer()
    by_axis = serializers.DictField(child=AxisProgressSerializer())
    phase = serializers.CharField(help_text="strategy, setup, build or operate.")
    phase_label = serializers.CharField()
    verified = serializers.IntegerField(help_text="Items the product's state proves.")
    contradictions = serializers.IntegerField(help_text="Items marked done that the evidence contradicts.")


def _axis_data(axis_progress: catalog.AxisProgress) -> dict[str, Any]:
    return {
        "total": axis_progress.total,
        "done": axis_progress.done,
        "not_applicable": axis_progress.not_applicable,
        "applicable": axis_progress.applicable,
        "percent": None if axis_progress.percent is None else str(axis_progress.percent),
    }


def _progress_data(summary: selectors.ChecklistSummary) -> dict[str, Any]:
    result = summary.progress
    return {
        "overall": _axis_data(result.overall),
        "by_axis": {axis.value: _axis_data(result.by_axis[axis]) for axis in catalog.Axis},
        "phase": result.phase.value,
        "phase_label": catalog.phase_label(result.phase, active_language()),
        "verified": summary.verified,
        "contradictions": summary.contradictions,
    }


class ChecklistOutputSerializer(serializers.ModelSerializer):
    """Needs ``items`` (checklist id -> items) and ``outcomes`` in the context."""

    name = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Checklist
        fields = ("id", "template", "template_key", "template_version", "name", "name_ja", "name_en", "progress",
                  "created_at")  # fmt: skip
        read_only_fields = fields

    def get_name(self, checklist: Checklist) -> str:
        return checklist.name(active_language())

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, checklist: Checklist) -> dict[str, Any]:
        items = self.context["items"][checklist.id]
        return _progress_data(selectors.checklist_summary(items, self.context["outcomes"]))


class ChecklistDetailSerializer(ChecklistOutputSerializer):
    items = serializers.SerializerMethodField()

    class Meta(ChecklistOutputSerializer.Meta):
        fields = (*ChecklistOutputSerializer.Meta.fields, "items")
        read_only_fields = fields

    @extend_schema_field(ItemOutputSerializer(many=True))
    def get_items(self, checklist: Checklist) -> list[dict[str, Any]]:
        return ItemOutputSerializer(self.context["items"][checklist.id], many=True, context=self.context).data


class ChecklistAdoptInputSerializer(StrictInputSerializer):
    template = serializers.UUIDField(
        help_text="A template id from checklist/templates/ (global or the firm's)."
    )

    def validate_template(self, value: UUID) -> ChecklistTemplate:
        workspace = self.context["view"].workspace
        template = selectors.checklist_template_list(workspace=workspace).filter(id=value).first()
        if template is None:
            raise serializers.ValidationError(
                message_render("checklist.checklists.template_not_found"), code="does_not_exist"
            )
        return template


_http_only = URLValidator(schemes=["http", "https"])


class ItemUpdateInputSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=ChecklistItem.Status.choices, required=False)
    not_applicable_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    owner = WorkspaceRelatedField(Membership, required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    evidence_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    evidence_links = serializers.ListField(
        child=serializers.URLField(max_length=services.MAX_LINK_LENGTH, validators=[_http_only]),
        required=False,
        max_length=services.MAX_EVIDENCE_LINKS,
    )


# --- Views -----------------------------------------------------------------------------------------


@extend_schema(tags=["checklists"])
@extend_schema_view(
    list=extend_schema(
        summary="Checklist templates: the global catalogue (A, B) and the firm's own",
        parameters=[OpenApiParameter("key", str, description="Only versions of this template key")],
    ),
    retrieve=extend_schema(summary="A template version with its items", responses=TemplateDetailSerializer),
    create=extend_schema(
        summary="Create a firm template (version 1), visible to every workspace of the firm",
        request=TemplateCreateInputSerializer,
        responses={201: TemplateDetailSerializer},
        examples=[OpenApiExample("Firm template", value=demo.API_EXAMPLES["template"], request_only=True)],
    ),
    versions=extend_schema(
        summary="Publish a new version of a firm template; adopted checklists keep the version they took",
        request=TemplateVersionInputSerializer,
        responses={201: TemplateDetailSerializer},
        examples=[
            OpenApiExample(
                "Version 2", value={"items": demo.API_EXAMPLES["template"]["items"][:1]}, request_only=True
            )
        ],
    ),
)
class ChecklistTemplateViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ChecklistTemplate
    serializer_class = TemplateOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_MANAGE
    pagination_class = OldestFirstPagination

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return TemplateDetailSerializer if self.action == "retrieve" else TemplateOutputSerializer

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.prefetch_related("items")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, text=("key",))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.checklist_template_catalogue_install()  # the global templates exist once anyone looks
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(TemplateCreateInputSerializer, self, request.data)
        template = services.checklist_template_create(actor=self.actor, workspace=self.workspace, **data)
        return Response(TemplateDetailSerializer(template).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def versions(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        template = self.get_object()  # another firm's template is not found, before the body is read
        data = validated(TemplateVersionInputSerializer, self, request.data)
        new = services.checklist_template_version_publish(actor=self.actor, template=template, **data)
        return Response(TemplateDetailSerializer(new).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["checklists"])
@extend_schema_view(
    list=extend_schema(
        summary="The workspace's checklists with progress, per axis, and the engagement phase"
    ),
    retrieve=extend_schema(
        summary="One checklist with its items, each with the product's verification",
        responses=ChecklistDetailSerializer,
    ),
    create=extend_schema(
        summary="Adopt a template: its items are copied at the template's current version",
        request=ChecklistAdoptInputSerializer,
        responses={201: ChecklistDetailSerializer},
        examples=[OpenApiExample("Adopt", value={"template": "<template id>"}, request_only=True)],
    ),
)
class ChecklistViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = Checklist
    serializer_class = ChecklistOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_MANAGE
    pagination_class = OldestFirstPagination

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ChecklistDetailSerializer if self.action == "retrieve" else ChecklistOutputSerializer

    def _context(self, checklists: list[Checklist]) -> dict[str, Any]:
        items = selectors.checklist_items_by_checklist(checklists)
        every_item = [item for group in items.values() for item in group]
        outcomes = selectors.checklist_outcomes(workspace=self.workspace, items=every_item)
        return {**self.get_serializer_context(), "items": items, "outcomes": outcomes}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        checklists = list(page) if page is not None else list(queryset)
        data = ChecklistOutputSerializer(checklists, many=True, context=self._context(checklists)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        checklist = self.get_object()
        return Response(ChecklistDetailSerializer(checklist, context=self._context([checklist])).data)

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(ChecklistAdoptInputSerializer, self, request.data)
        checklist = services.checklist_adopt(
            actor=self.actor, workspace=self.workspace, template=data["template"]
        )
        return Response(
            ChecklistDetailSerializer(checklist, context=self._context([checklist])).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["checklists"])
@extend_schema_view(
    list=extend_schema(
        summary="Checklist items with their verification",
        parameters=[
            OpenApiParameter("checklist", str, description="A checklist id"),
            OpenApiParameter("status", str, enum=ChecklistItem.Status.values),
            OpenApiParameter("axis", str, enum=AXES),
        ],
    ),
    retrieve=extend_schema(summary="One checklist item with its verification"),
    partial_update=extend_schema(
        summary="Update an item's status, owner, due date or evidence (audited)",
        request=ItemUpdateInputSerializer,
        examples=[
            OpenApiExample(
                "Done with evidence",
                value=demo.API_EXAMPLES["item_done"],
                request_only=True,
            ),
            OpenApiExample(
                "Not applicable",
                value=demo.API_EXAMPLES["item_not_applicable"],
                request_only=True,
            ),
        ],
    ),
    history=extend_schema(
        summary="The item's history: every change, from the audit trail",
        responses=AuditEventOutputSerializer(many=True),
    ),
)
class ChecklistItemViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ChecklistItem
    serializer_class = ItemOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_WRITE
    pagination_class = OldestFirstPagination
    http_method_names = ["get", "patch", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("owner__user")

    def filter_queryset(self, queryset: Any) -> Any:
        choices = {"status": ChecklistItem.Status.values, "axis": AXES}
        return query_filter(queryset, self.request, uuid=("checklist",), choices=choices)

    def _context(self, items: list[ChecklistItem]) -> dict[str, Any]:
        outcomes = selectors.checklist_outcomes(workspace=self.workspace, items=items)
        return {**self.get_serializer_context(), "outcomes": outcomes}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page) if page is not None else list(queryset)
        data = ItemOutputSerializer(items, many=True, context=self._context(items)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        return Response(ItemOutputSerializer(item, context=self._context([item])).data)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        item = self.get_object()
        data = validated(ItemUpdateInputSerializer, self, request.data)
        item = services.checklist_item_update(actor=self.actor, item=item, **data)
        return Response(ItemOutputSerializer(item, context=self._context([item])).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        events = selectors.checklist_item_history(item=self.get_object())
        return Response(AuditEventOutputSerializer(events, many=True).data)


router = SimpleRouter()
router.register("checklist/templates", ChecklistTemplateViewSet, basename="checklist-template")
router.register("checklist/checklists", ChecklistViewSet, basename="checklist-checklist")
router.register("checklist/items", ChecklistItemViewSet, basename="checklist-item")

urlpatterns = [*router.urls]
