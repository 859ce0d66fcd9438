from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.inputs import document_language, query_filter, validated
from core.api.pagination import PeriodCursorPagination
from core.api.parsers import StrictJSONParser
from core.api.renderers import CsvRenderer, MarkdownRenderer
from core.errors import ServiceError
from core.messages import Message
from kpi import definition_book, selectors, services
from kpi.api import examples
from kpi.api import serializers as s
from kpi.formulas import FormulaError, validate_formula
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from kpi.planning.calendar import PlanningError, fiscal_year_range
from kpi.planning.reverse import ReverseCalculationError, Stage, reverse_calculate, solve_missing
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.clock import workspace_today
from tenants.roles import Perm

OWNER_PARAM = OpenApiParameter("owner", str, description="A membership id: that owner's actuals only")


@extend_schema(tags=["kpi"])
@extend_schema_view(
    list=extend_schema(summary="Base metrics"),
    create=extend_schema(
        summary="Add a workspace's own base metric",
        request=s.MetricInputSerializer,
        responses={201: s.MetricOutputSerializer},
        examples=examples.METRIC_CREATE,
    ),
)
class MetricViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = Metric
    serializer_class = s.MetricOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_DESIGN

    def create(self, request: Request, workspace_id: Any) -> Response:
        metric = services.metric_create(
            actor=self.actor, **validated(s.MetricInputSerializer, self, request.data)
        )
        return Response(s.MetricOutputSerializer(metric).data, status=status.HTTP_201_CREATED)


SENSITIVITY_RESPONSE = PolymorphicProxySerializer(
    component_name="PlanSensitivityAnswer",
    serializers=[s.PlanSensitivityOutputSerializer, s.PlanSensitivityUnavailableOutputSerializer],
    resource_type_field_name=None,
)


@extend_schema(tags=["kpi"])
@extend_schema_view(
    create=extend_schema(
        summary="Start a plan (a new version for the fiscal year)", request=s.PlanInputSerializer,
        responses={201: s.PlanOutputSerializer}, examples=examples.PLAN_CREATE,
    ),
    replan=extend_schema(
        summary="Re-plan: a new draft version; the old one stays readable", request=s.ReplanInputSerializer,
        responses={201: s.PlanOutputSerializer},
    ),
    activate=extend_schema(summary="Make this version (a draft or an archived one) the fiscal year's active plan; "
                                   "a plan failing its check needs confirm", request=s.ActivateInputSerializer,
                           responses=s.PlanOutputSerializer),
    check=extend_schema(summary="Check the plan: SMART per KPI, counts, leading/lagging, owners, KGI",
                        responses=s.PlanCheckOutputSerializer),
    tree=extend_schema(summary="The KGI -> KSF -> KPI tree", responses=s.PlanTreeNodeOutputSerializer(many=True)),
    values=extend_schema(
        summary="Every node's value over a period, computed from actuals (ratios of sums)",
        parameters=[OpenApiParameter("start", dt.date), OpenApiParameter("end", dt.date), OWNER_PARAM],
        responses=s.PlanValuesOutputSerializer,
    ),
    series=extend_schema(
        summary="Every node's value per day, week, month, quarter, half or fiscal year",
        parameters=[OpenApiParameter("period_kind", str, enum=["day", *s.PERIOD_KINDS]),
                    OpenApiParameter("start", dt.date), OpenApiParameter("end", dt.date), OWNER_PARAM],
        responses=s.PlanSeriesOutputSerializer,
    ),
    status=extend_schema(
        summary="Pacing: on track / at risk / behind against the target pro-rated by Japanese working days",
        parameters=[OpenApiParameter("as_of", dt.date, description="Default: today (Asia/Tokyo)"),
                    OpenApiParameter("period_kind", str, enum=s.PERIOD_KINDS), OWNER_PARAM],
        responses=s.PlanStatusOutputSerializer, examples=examples.PLAN_STATUS,
    ),
    sensitivity=extend_schema(
        summary="Sensitivity of the KGI to each driver and the bottleneck, from actuals to date",
        parameters=[OpenApiParameter("as_of", dt.date), OpenApiParameter("improvement_pct", Decimal)],
        responses=SENSITIVITY_RESPONSE,
    ),
    definition_book_markdown=extend_schema(
        summary="KPI definition book (Markdown)", parameters=[OpenApiParameter("lang", str, enum=["ja", "en"])],
        responses={(200, "text/markdown"): OpenApiTypes.STR},
    ),
    definition_book_csv=extend_schema(
        summary="KPI definition book (CSV, UTF-8 with BOM)", parameters=[OpenApiParameter("lang", str, enum=["ja", "en"])],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    ),
)  # fmt: skip
class PlanViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = KpiPlan
    serializer_class = s.PlanOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_DESIGN

    def create(self, request: Request, workspace_id: Any) -> Response:
        plan = services.plan_create(actor=self.actor, **validated(s.PlanInputSerializer, self, request.data))
        return Response(s.PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def replan(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = validated(s.ReplanInputSerializer, self, request.data)
        plan = services.plan_replan(actor=self.actor, plan=self.get_object(), **data)
        return Response(s.PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def activate(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = validated(s.ActivateInputSerializer, self, request.data)
        plan = services.plan_activate(actor=self.actor, plan=self.get_object(), **data)
        return Response(s.PlanOutputSerializer(plan).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def tree(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        tree = selectors.plan_tree(self.get_object())
        return Response(s.PlanTreeNodeOutputSerializer(tree, many=True).data)

    @action(detail=True, methods=["get"])
    def check(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        return Response(s.PlanCheckOutputSerializer(selectors.plan_check_run(plan=self.get_object())).data)

    @action(detail=True, methods=["get"])
    def values(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        default_start, default_end = fiscal_year_range(
            plan.fiscal_year, self.workspace.fiscal_year_start_month
        )
        query = validated(s.PeriodQuerySerializer, self, {"start": default_start, "end": default_end,
                                                      **request.query_params.dict()})  # fmt: skip
        shape = selectors.plan_shape(plan)
        values = selectors.kpi_values(
            plan=plan, start=query["start"], end=query["end"], owner_id=_id(query["owner"]), shape=shape
        )
        answer = {**query, "values": values}
        return Response(s.PlanValuesOutputSerializer(answer, context={"units": shape.units}).data)

    @action(detail=True, methods=["get"])
    def series(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        query = validated(s.SeriesQuerySerializer, self, request.query_params.dict())
        shape = selectors.plan_shape(plan)
        points = selectors.kpi_series(plan=plan, period_kind=query["period_kind"], start=query["start"],
                                      end=query["end"], owner_id=_id(query["owner"]), shape=shape)  # fmt: skip
        answer = {**query, "periods": points}
        return Response(s.PlanSeriesOutputSerializer(answer, context={"units": shape.units}).data)

    @action(detail=True, methods=["get"])
    def status(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        query = validated(s.StatusQuerySerializer, self, request.query_params.dict())
        as_of = query["as_of"] or workspace_today(self.workspace)
        statuses = selectors.kpi_statuses(plan=plan, as_of=as_of, period_kind=query["period_kind"],
                                          owner_id=_id(query["owner"]), kinds=tuple(KpiNode.Kind.values))  # fmt: skip
        answer = {**query, "as_of": as_of, "workspace": self.workspace, "statuses": statuses}
        return Response(s.PlanStatusOutputSerializer(answer).data)

    @action(detail=True, methods=["get"])
    def sensitivity(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        query = validated(s.SensitivityQuerySerializer, self, request.query_params.dict())
        as_of = query["as_of"] or workspace_today(self.workspace)
        try:
            result = selectors.plan_sensitivity(
                plan=plan, as_of=as_of, improvement_pct=query["improvement_pct"]
            )
        except PlanningError as exc:
            raise ServiceError(exc.message.code, params=exc.message.params) from exc
        if result is None:
            unavailable = {"as_of": as_of, "reason": Message("kpi.sensitivity.unavailable")}
            return Response(s.PlanSensitivityUnavailableOutputSerializer(unavailable).data)
        return Response(s.PlanSensitivityOutputSerializer({"as_of": as_of, "result": result}).data)

    def _definition_book(self, request: Request) -> definition_book.DefinitionBook:
        return definition_book.definition_book_build(plan=self.get_object(), language=document_language(self))

    @action(
        detail=True, methods=["get"], url_path="definition-book/markdown", renderer_classes=[MarkdownRenderer]
    )
    def definition_book_markdown(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        text = definition_book.definition_book_markdown(self._definition_book(request))
        return Response(text, content_type="text/markdown; charset=utf-8")

    @action(detail=True, methods=["get"], url_path="definition-book/csv", renderer_classes=[CsvRenderer])
    def definition_book_csv(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        text = definition_book.definition_book_csv(self._definition_book(request))
        response = Response(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kpi-definition-book.csv"'
        return response


def _id(obj: Any) -> str | None:
    return str(obj.id) if obj is not None else None


@extend_schema(tags=["kpi"])
@extend_schema_view(
    create=extend_schema(summary="Add a node to the tree", request=s.NodeInputSerializer,
                         responses={201: s.NodeOutputSerializer}, examples=examples.NODE_CREATE),
    partial_update=extend_schema(request=s.NodeUpdateSerializer, responses=s.NodeOutputSerializer),
    destroy=extend_schema(responses={204: None}),
    cascade=extend_schema(summary="Cascade the annual target to halves, quarters, months and weeks (sums back exactly)",
                          request=s.CascadeInputSerializer, examples=examples.NODE_CASCADE,
                          responses={200: s.TargetOutputSerializer(many=True)}),
)  # fmt: skip
class NodeViewSet(
    WorkspaceScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = KpiNode
    serializer_class = s.NodeOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_DESIGN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("parent", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("owner__user")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(
            queryset, self.request, uuid=("plan", "parent"), choices={"kind": KpiNode.Kind.values}
        )

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.NodeInputSerializer, self, request.data)
        node = services.node_create(actor=self.actor, **data)
        return Response(s.NodeOutputSerializer(node).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        node = self.get_object()
        data = validated(s.NodeUpdateSerializer, self, request.data)
        node = services.node_update(actor=self.actor, node=node, **data)
        return Response(s.NodeOutputSerializer(node).data)

    def destroy(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        services.node_delete(actor=self.actor, node=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], pagination_class=None)
    def cascade(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = validated(s.CascadeInputSerializer, self, request.data)
        targets = services.target_cascade(
            actor=self.actor, node=self.get_object(), workspace=self.workspace, **data
        )
        return Response(s.TargetOutputSerializer(targets, many=True).data)


@extend_schema(tags=["kpi"])
class TargetViewSet(WorkspaceScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    model = KpiTarget
    serializer_class = s.TargetOutputSerializer
    pagination_class = PeriodCursorPagination
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_DESIGN

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("node")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, uuid=("node",),
                            choices={"period_kind": KpiTarget.PeriodKind.values})  # fmt: skip


@extend_schema(tags=["kpi"])
@extend_schema_view(create=extend_schema(
    summary="Record a day's value (idempotent by metric, date and owner)", request=s.ActualInputSerializer,
    responses={200: s.ActualOutputSerializer, 201: s.ActualOutputSerializer}, examples=examples.ACTUAL_CREATE))  # fmt: skip
class ActualViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = MetricActual
    serializer_class = s.ActualOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_WRITE

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("metric")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(
            queryset, self.request, uuid=("owner",), text=("metric",), lookups={"metric": "metric__key"}
        )

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.ActualInputSerializer, self, request.data)
        source = MetricActual.Source.API if self.principal.api_key else MetricActual.Source.MANUAL
        actual, created = services.actual_record(source=source, **data)
        return Response(
            s.ActualOutputSerializer(actual).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Delete a day's value (a mistaken entry; audited)")
    def destroy(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        services.actual_delete(actor=self.actor, actual=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ToolView(WorkspaceScopedViewMixin, GenericAPIView):
    """Calculators: POST because they take a body, but they change nothing, so reading KPIs is enough."""

    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_READ
    writes = False  # core.api.schema: no 409 to document


class FormulaBodyParser(StrictJSONParser):
    """A NUL byte in the formula reaches the formula check, which refuses it at its column (nothing is
    stored); anywhere else in the body it is refused as everywhere."""

    raw_text_fields = frozenset({"formula"})


VALIDATE_RESPONSE = PolymorphicProxySerializer(
    component_name="FormulaCheck",
    serializers=[s.FormulaValidOutputSerializer, s.FormulaInvalidOutputSerializer],
    resource_type_field_name=None,
)


@extend_schema(
    tags=["kpi tools"], summary="Validate a formula", request=s.FormulaInputSerializer,
    description="A refused formula is still a 200 (the check succeeded): `valid` is false and `error` says "
    "what is wrong and where (`column`, 1-based; every refusal has one). A 400 is a malformed request, "
    "not a refused formula.",
    responses=VALIDATE_RESPONSE, examples=examples.FORMULA_VALIDATE,
)  # fmt: skip
class FormulaValidateView(_ToolView):
    serializer_class = s.FormulaInputSerializer
    parser_classes = [FormulaBodyParser]

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.FormulaInputSerializer, self, request.data)
        known = selectors.formula_names_known(plan=data["plan"])
        try:
            formula = validate_formula(data["formula"], known_names=known)
        except FormulaError as exc:
            return Response(s.FormulaInvalidOutputSerializer(exc).data)
        return Response(s.FormulaValidOutputSerializer(formula).data)


@extend_schema(tags=["kpi tools"], summary=examples.REVERSE_CALCULATE_SUMMARY,
               request=s.ReverseInputSerializer, responses=s.ReverseOutputSerializer,
               examples=examples.REVERSE_CALCULATE)  # fmt: skip
class ReverseCalculateView(_ToolView):
    serializer_class = s.ReverseInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.ReverseInputSerializer, self, request.data)
        try:
            result = reverse_calculate(
                kgi_target=data["kgi_target"], avg_deal_size=data["avg_deal_size"],
                stages=[Stage(**stage) for stage in data["stages"]], periods=data["periods"],
            )  # fmt: skip
        except ReverseCalculationError as exc:
            raise ServiceError(exc.message.code, params=exc.message.params, field="stages") from exc
        return Response(s.ReverseOutputSerializer(result).data)


@extend_schema(tags=["kpi tools"], summary="Solve the one missing driver", request=s.SolveInputSerializer,
               responses=s.SolveOutputSerializer, examples=examples.SOLVE)  # fmt: skip
class SolveView(_ToolView):
    serializer_class = s.SolveInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.SolveInputSerializer, self, request.data)
        try:
            result = solve_missing(**data)
        except ReverseCalculationError as exc:
            raise ServiceError(exc.message.code, params=exc.message.params) from exc
        return Response(s.SolveOutputSerializer(result).data)
