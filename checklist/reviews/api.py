"""API of the review cycle: cadences, meetings (agenda, notes), action plans, the calendar and its feed.

Permissions. Everyone with CHECKLIST_READ (every member, keys with checklist:read) reads everything here.
CHECKLIST_WRITE (client admins, managers, consultants, keys with checklist:write) writes notes and action
plans, and also cadences and the calendar feed's secret: the client's own managers run their review
meetings and decide when they happen, so requiring the consultant (CHECKLIST_MANAGE) would put the
consultant in the way of the client's routine. The feed secret only exposes meeting times and agendas,
which every reader of the workspace may already see, so the people who run the meetings may issue it; the
secret belongs to the member who issued it and disappears when they leave, and API keys cannot issue it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from checklist.reviews import demo, selectors, services
from checklist.reviews.models import (
    ActionPlan,
    CalendarFeedToken,
    ReviewCadence,
    ReviewCadenceAttendee,
    ReviewMeeting,
)
from core.api.fields import LocalTimeField
from core.api.inputs import query_filter, query_flag, validated
from core.api.pagination import CreatedCursorPagination
from core.api.renderers import TextDocumentRenderer
from core.messages import active_language, message_render
from kpi.models import KpiNode
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.api.serializers import StrictInputSerializer, WorkspaceRelatedField
from tenants.clock import workspace_today, workspace_zone
from tenants.models import Membership
from tenants.roles import Perm

# --- Serializers: cadences -----------------------------------------------------------------------


# Enum fields are declared once, on the input serializer (PATCH reuses it with partial=True), so the schema
# names each choice set after one component and never collides with the KPI engine's "kind" or "status".


@extend_schema_field({"type": "string", "pattern": "^(weekly|monthly|quarterly)$",
                      "description": "weekly | monthly | quarterly"})  # fmt: skip
class CadenceKindField(serializers.ChoiceField):
    """The cadence's kind. Described by a pattern, not an enum: the KPI engine's node "kind" owns that name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ReviewCadence.Kind.choices, **kwargs)


class CadenceOutputSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    local_time = LocalTimeField(read_only=True)
    holiday_rule = serializers.CharField(read_only=True)
    attendees = serializers.SerializerMethodField()
    next_meeting_at = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCadence
        fields = (
            "id", "kind", "title", "weekday", "day_of_month", "month_of_quarter", "local_time", "duration_minutes",
            "start_date", "end_date", "holiday_rule", "active", "attendees", "next_meeting_at", "created_at",
            "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_attendees(self, cadence: ReviewCadence) -> list[dict[str, str]]:
        rows = ReviewCadenceAttendee.objects.filter(cadence=cadence).select_related("membership__user")
        return [{"membership": str(r.membership_id), "email": r.membership.user.email} for r in rows]

    def get_next_meeting_at(self, cadence: ReviewCadence) -> dt.datetime | None:
        meeting = selectors.review_meeting_next(cadence=cadence, after=dt.datetime.now(dt.UTC))
        return meeting.starts_at if meeting else None


_RULE_HELP = (
    "weekly: weekday (0 = Monday); monthly: day_of_month (31 = last day); quarterly: also month_of_quarter"
)


def _in_planning_range(value: dt.date) -> None:
    if not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise serializers.ValidationError(message_render("checklist.reviews.date_out_of_range"))


class CadenceInputSerializer(StrictInputSerializer):
    kind = CadenceKindField()
    title = serializers.CharField(max_length=200)
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False, allow_null=True, default=None,
                                       help_text=_RULE_HELP)  # fmt: skip
    day_of_month = serializers.IntegerField(
        min_value=1, max_value=31, required=False, allow_null=True, default=None
    )
    month_of_quarter = serializers.IntegerField(min_value=1, max_value=3, required=False, allow_null=True,
                                                default=None)  # fmt: skip
    local_time = LocalTimeField(help_text="Local time in the workspace's time zone (Asia/Tokyo)")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, default=60)
    # Bounded like plans' fiscal years: the scheduler steps dates forward, which a year-9999 start would overflow.
    start_date = serializers.DateField(validators=[_in_planning_range])
    end_date = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[_in_planning_range]
    )
    holiday_rule = serializers.ChoiceField(choices=ReviewCadence.HolidayRule.choices,
                                           default=ReviewCadence.HolidayRule.NEXT_WORKING_DAY)  # fmt: skip
    active = serializers.BooleanField(default=True)
    attendees = serializers.ListField(child=WorkspaceRelatedField(Membership), required=False, default=list,
                                      max_length=200)  # fmt: skip
    generate_count = serializers.IntegerField(min_value=1, max_value=services.MAX_COUNT, required=False,
                                              allow_null=True, default=None)  # fmt: skip


class CadenceUpdateSerializer(CadenceInputSerializer):
    """The same fields, all optional; a cadence's kind never changes and PATCH generates nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)
        del self.fields["kind"]
        del self.fields["generate_count"]


class GenerateInputSerializer(StrictInputSerializer):
    count = serializers.IntegerField(min_value=1, max_value=services.MAX_COUNT, required=False, allow_null=True,
                                     default=None)  # fmt: skip


class GenerateOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    kept = serializers.IntegerField()


# --- Serializers: meetings ------------------------------------------------------------------------


class MeetingOutputSerializer(serializers.ModelSerializer):
    cadence_kind = serializers.CharField(source="cadence.kind", read_only=True)
    moved_from_holiday = serializers.SerializerMethodField()

    class Meta:
        model = ReviewMeeting
        fields = (
            "id", "cadence", "cadence_kind", "title", "occurrence_date", "starts_at", "ends_at", "moved_from_holiday",
            "sequence", "agenda_generated_at", "notes", "decisions", "notes_updated_at", "notes_updated_by",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_moved_from_holiday(self, meeting: ReviewMeeting) -> bool:
        zone = workspace_zone(meeting.workspace)
        return meeting.starts_at.astimezone(zone).date() != meeting.occurrence_date


class AgendaOutputSerializer(serializers.Serializer):
    meeting = serializers.UUIDField()
    generated_at = serializers.DateTimeField(allow_null=True)
    as_of = serializers.DateField(allow_null=True)
    period_start = serializers.DateField(allow_null=True, help_text="The first day of the periods judged")
    period_end = serializers.DateField(allow_null=True, help_text="The last day of the periods judged")
    periods = serializers.ListField(
        child=serializers.DictField(), allow_null=True,
        help_text="The periods the KPIs are judged over: kind (week, month, quarter), start, end, as_of (read up "
        "to); weekly: the week and month to date; monthly: the month just ended; quarterly: the quarter just ended",
    )  # fmt: skip
    next_meeting_date = serializers.DateField(allow_null=True)
    plan_id = serializers.UUIDField(allow_null=True)
    items = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each item: kind (kpi_behind, kpi_at_risk, bottleneck, action_plan_overdue, action_plan_due, "
        "next_month_plan, kpi_revision, note), text (in the request's language), text_ja, text_en, message (the "
        "sentence's code and parameters, for machines) and the fields of its kind (kpi_key, actual, expected, "
        "target; action_plan_id, due_date, owner; ...)",
    )


class NotesInputSerializer(StrictInputSerializer):
    notes = serializers.CharField(allow_blank=True, max_length=20_000, trim_whitespace=False)
    decisions = serializers.ListField(child=serializers.CharField(max_length=500, allow_blank=True), required=False,
                                      default=list,
                                      max_length=50)  # fmt: skip


# --- Serializers: action plans --------------------------------------------------------------------


class ActionPlanOutputSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    kpi_key = serializers.CharField(source="kpi_node.key", read_only=True, allow_null=True, default=None)
    kpi_name = serializers.CharField(source="kpi_node.name_ja", read_only=True, allow_null=True, default=None)
    owner_email = serializers.EmailField(
        source="owner.user.email", read_only=True, allow_null=True, default=None
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = (
            "id", "kpi_node", "kpi_key", "kpi_name", "title", "description", "owner", "owner_email", "due_date",
            "status", "overdue", "meeting", "closed_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, plan: ActionPlan) -> bool:
        return selectors.action_plan_is_overdue(plan, self.context["today"])


class ActionPlanInputSerializer(StrictInputSerializer):
    kpi_node = WorkspaceRelatedField(KpiNode)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    owner = WorkspaceRelatedField(Membership, required=False, allow_null=True, default=None)
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionPlan.Status.choices, default=ActionPlan.Status.OPEN)
    meeting = WorkspaceRelatedField(ReviewMeeting, required=False, allow_null=True, default=None)


# --- Serializers: the feed ------------------------------------------------------------------------


class FeedStatusSerializer(serializers.Serializer):
    issued = serializers.BooleanField()
    hint = serializers.CharField(allow_null=True, help_text="The secret's last characters, to recognise it")
    created_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)


class FeedIssuedSerializer(FeedStatusSerializer):
    url = serializers.URLField(help_text="The subscription URL: shown once, never again.")


def _feed_status(feed: CalendarFeedToken | None) -> dict[str, Any]:
    return {
        "issued": feed is not None,
        "hint": feed.hint if feed else None,
        "created_at": feed.created_at if feed else None,
        "created_by": feed.created_by if feed else None,
    }


# --- Views ------------------------------------------------------------------------------------------


class MeetingPagination(CreatedCursorPagination):
    """Meetings in calendar order."""

    ordering = ("starts_at", "id")


class ActionPlanPagination(CreatedCursorPagination):
    """Action plans by due date, the most urgent first."""

    ordering = ("due_date", "id")


@extend_schema(tags=["reviews"])
@extend_schema_view(
    list=extend_schema(summary="Review cadences (weekly, monthly, quarterly)"),
    retrieve=extend_schema(summary="A review cadence"),
    create=extend_schema(
        summary="Create a cadence and schedule its next meetings",
        request=CadenceInputSerializer,
        responses={201: CadenceOutputSerializer},
        examples=[
            OpenApiExample(
                "Weekly on Monday",
                value=demo.API_EXAMPLES["cadence_weekly"],
            ),
            OpenApiExample(
                "Quarterly KPI revision",
                value=demo.API_EXAMPLES["cadence_quarterly"],
            ),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a cadence; its future meetings without notes are rescheduled",
        request=CadenceUpdateSerializer,
        responses={200: CadenceOutputSerializer},
    ),
    generate=extend_schema(
        summary="Schedule the next N meetings (idempotent; meetings with notes are never touched)",
        request=GenerateInputSerializer,
        responses={200: GenerateOutputSerializer},
        examples=[OpenApiExample("Next eight", value={"count": 8})],
    ),
)
class ReviewCadenceViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ReviewCadence
    serializer_class = CadenceOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_WRITE  # see the module docstring
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request: Request, workspace_id: Any) -> Response:
        cadence = services.review_cadence_create(
            actor=self.actor, **validated(CadenceInputSerializer, self, request.data)
        )
        return Response(CadenceOutputSerializer(cadence).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        cadence = self.get_object()
        data = validated(CadenceUpdateSerializer, self, request.data)
        cadence = services.review_cadence_update(actor=self.actor, cadence=cadence, **data)
        return Response(CadenceOutputSerializer(cadence).data)

    @action(detail=True, methods=["post"])
    def generate(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        cadence = self.get_object()
        data = validated(GenerateInputSerializer, self, request.data)
        result = services.review_meetings_generate(actor=self.actor, cadence=cadence, count=data["count"])
        return Response(GenerateOutputSerializer(result).data)


def _item_payload(item: dict[str, Any]) -> dict[str, Any]:
    """A stored agenda item with its sentence rendered here: ``text`` in the request's language, and
    ``text_ja`` / ``text_en`` as the API has always answered them."""
    texts = {}
    for code in ("ja", "en"):
        with translation.override(code):
            texts[code] = selectors.agenda_item_text(item)
    return {**item, "text": texts[active_language()], "text_ja": texts["ja"], "text_en": texts["en"]}


def _agenda_payload(meeting: ReviewMeeting) -> dict[str, Any]:
    agenda = meeting.agenda or {}
    items = [_item_payload(item) for item in agenda.get("items", [])]
    return {
        "meeting": meeting.id,
        "generated_at": meeting.agenda_generated_at,
        "as_of": agenda.get("as_of"),
        "period_start": agenda.get("period_start"),
        "period_end": agenda.get("period_end"),
        "periods": agenda.get("periods"),
        "next_meeting_date": agenda.get("next_meeting_date"),
        "plan_id": agenda.get("plan_id"),
        "items": items,
    }


@extend_schema(tags=["reviews"])
@extend_schema_view(
    list=extend_schema(
        summary="Scheduled review meetings",
        parameters=[
            OpenApiParameter("cadence", OpenApiTypes.UUID),
            OpenApiParameter("upcoming", OpenApiTypes.BOOL, description="Only meetings not yet started"),
        ],
    ),
    retrieve=extend_schema(summary="A review meeting"),
    agenda=extend_schema(
        summary="The meeting's agenda snapshot (GET), or generate it again from the KPIs now (POST)",
        request=None,
        responses={200: AgendaOutputSerializer},
    ),
    notes=extend_schema(
        summary="Record the meeting's notes and decisions",
        request=NotesInputSerializer,
        responses={200: MeetingOutputSerializer},
        examples=[
            OpenApiExample(
                "Notes",
                value=demo.API_EXAMPLES["notes"],
            )
        ],
    ),
)
class ReviewMeetingViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ReviewMeeting
    serializer_class = MeetingOutputSerializer
    pagination_class = MeetingPagination
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_WRITE
    http_method_names = ["get", "post", "put", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("cadence", "workspace")

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = query_filter(queryset, self.request, uuid=("cadence",))
        if query_flag(self.request, "upcoming"):
            queryset = queryset.filter(starts_at__gte=timezone.now())
        return queryset.order_by("starts_at")

    @action(detail=True, methods=["get", "post"])
    def agenda(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        meeting = self.get_object()
        if request.method == "POST":
            meeting = services.review_meeting_agenda_generate(actor=self.actor, meeting=meeting)
        return Response(AgendaOutputSerializer(_agenda_payload(meeting)).data)

    @action(detail=True, methods=["put"])
    def notes(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        meeting = self.get_object()
        data = validated(NotesInputSerializer, self, request.data)
        meeting = services.review_meeting_notes_set(actor=self.actor, meeting=meeting, **data)
        return Response(MeetingOutputSerializer(meeting).data)


@extend_schema(tags=["reviews"])
@extend_schema_view(
    list=extend_schema(
        summary="Action plans (overdue=1: due before today in the workspace's time zone and not done/cancelled)",
        parameters=[
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ActionPlan.Status.values),
            OpenApiParameter("kpi_node", OpenApiTypes.UUID),
            OpenApiParameter("owner", OpenApiTypes.UUID),
            OpenApiParameter("meeting", OpenApiTypes.UUID),
        ],
    ),
    retrieve=extend_schema(summary="An action plan"),
    create=extend_schema(
        summary="Add an action plan for a KPI",
        request=ActionPlanInputSerializer,
        responses={201: ActionPlanOutputSerializer},
        examples=[
            OpenApiExample(
                "Raise the meeting rate",
                value=demo.API_EXAMPLES["action_plan"],
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Update an action plan (status, owner, due date...)",
        request=ActionPlanInputSerializer(partial=True),
        responses={200: ActionPlanOutputSerializer},
    ),
)
class ActionPlanViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ActionPlan
    serializer_class = ActionPlanOutputSerializer
    pagination_class = ActionPlanPagination
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_WRITE
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _today(self) -> dt.date:
        return workspace_today(self.workspace)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["today"] = self._today()
        return context

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("kpi_node", "owner__user")

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = query_filter(
            queryset,
            self.request,
            uuid=("kpi_node", "owner", "meeting"),
            choices={"status": ActionPlan.Status.values},
        )
        overdue = query_flag(self.request, "overdue")
        return selectors.action_plan_list(today=self._today(), overdue=overdue, queryset=queryset)

    def create(self, request: Request, workspace_id: Any) -> Response:
        plan = services.action_plan_create(
            actor=self.actor, **validated(ActionPlanInputSerializer, self, request.data)
        )
        return Response(
            ActionPlanOutputSerializer(plan, context={"today": self._today()}).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        data = validated(ActionPlanInputSerializer, self, request.data, partial=True)
        plan = services.action_plan_update(actor=self.actor, action_plan=plan, **data)
        return Response(ActionPlanOutputSerializer(plan, context={"today": self._today()}).data)


class ICalendarRenderer(TextDocumentRenderer):
    """Lets a client ask for ``Accept: text/calendar``; the view answers with the document itself."""

    media_type = "text/calendar"
    format = "ics"


@extend_schema(
    tags=["reviews"],
    summary="The review meetings as an iCalendar document (text/calendar)",
    responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR)},
)
class ReviewCalendarView(WorkspaceScopedViewMixin, GenericAPIView):
    model = ReviewMeeting
    renderer_classes = [
        JSONRenderer,
        ICalendarRenderer,
    ]  # errors stay JSON unless only text/calendar is accepted
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_WRITE

    def get(self, request: Request, workspace_id: Any) -> HttpResponse:
        body = selectors.review_calendar_ics(
            workspace=self.workspace, meetings=selectors.calendar_meetings(), language=active_language()
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reviews.ics"'
        return response


@extend_schema(tags=["reviews"])
class CalendarFeedView(WorkspaceScopedViewMixin, GenericAPIView):
    """The secret subscription URL (``/calendar/<token>.ics``): its state, issue/rotate, revoke."""

    model = CalendarFeedToken
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_WRITE  # see the module docstring
    serializer_class = FeedStatusSerializer

    @extend_schema(summary="Whether a subscription URL is issued (never the URL itself)")
    def get(self, request: Request, workspace_id: Any) -> Response:
        return Response(FeedStatusSerializer(_feed_status(selectors.calendar_feed_active())).data)

    @extend_schema(
        summary="Issue the subscription URL, revoking any previous one; the URL is shown once",
        request=None,
        responses={201: FeedIssuedSerializer},
    )
    def post(self, request: Request, workspace_id: Any) -> Response:
        if self.principal.user is None:
            raise PermissionDenied(message_render("checklist.reviews.feed_needs_a_person"))
        member = Membership.objects.filter(workspace=self.workspace, user=self.principal.user).first()
        feed, token = services.calendar_feed_issue(actor=self.actor, issued_by=member)
        url = request.build_absolute_uri(reverse("checklist-calendar-feed", kwargs={"token": token}))
        return Response(
            FeedIssuedSerializer({**_feed_status(feed), "url": url}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Revoke the subscription URL", request=None, responses={204: None})
    def delete(self, request: Request, workspace_id: Any) -> Response:
        services.calendar_feed_revoke(actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = SimpleRouter()
router.register("checklist/reviews/cadences", ReviewCadenceViewSet, basename="checklist-review-cadence")
router.register("checklist/reviews/meetings", ReviewMeetingViewSet, basename="checklist-review-meeting")
router.register("checklist/action-plans", ActionPlanViewSet, basename="checklist-action-plan")

urlpatterns: list[Any] = [
    path("checklist/reviews/calendar.ics", ReviewCalendarView.as_view(), name="checklist-review-calendar"),
    path(
        "checklist/reviews/calendar-feed/", CalendarFeedView.as_view(), name="checklist-calendar-feed-token"
    ),
    *router.urls,
]
