from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from kpi import selectors, services
from kpi.api import serializers as s
from kpi.formulas import FormulaError, validate_formula
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from kpi.planning.calendar import fiscal_year_range
from kpi.planning.reverse import ReverseCalculationError, Stage, reverse_calculate, solve_missing
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.errors import ServiceError
from tenants.i18n import current_language, localized
from tenants.roles import Perm


def query_filter(
    queryset: Any, request: Request, *, uuid: tuple[str, ...] = (), text: tuple[str, ...] = ()
) -> Any:
    """Exact-match filters from the query string; a malformed id is a 400, not a 500."""
    for name in (*uuid, *text):
        value = request.query_params.get(name)
        if value is None:
            continue
        if name in uuid:
            try:
                value = str(UUID(value))
            except ValueError as exc:
                raise ValidationError({name: ["Not a valid id."]}) from exc
            name = f"{name}_id"
        queryset = queryset.filter(**{name: value})
    return queryset


def _valid(
    serializer_class: type[serializers.Serializer], view: Any, data: Any, **kwargs: Any
) -> dict[str, Any]:
    serializer = serializer_class(data=data, context={"view": view, "request": view.request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["kpi"])
@extend_schema_view(
    list=extend_schema(summary="Base metrics"), create=extend_schema(request=s.MetricInputSerializer)
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
            actor=self.actor, **_valid(s.MetricInputSerializer, self, request.data)
        )
        return Response(s.MetricOutputSerializer(metric).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["kpi"])
@extend_schema_view(
    create=extend_schema(
        summary="Start a plan (a new version for the fiscal year)", request=s.PlanInputSerializer
    ),
    replan=extend_schema(
        summary="Re-plan: a new draft version; the old one stays readable", request=s.ReplanInputSerializer
    ),
    activate=extend_schema(summary="Make this version the fiscal year's active plan", request=None),
    check=extend_schema(summary="Check the plan: SMART per KPI, counts, leading/lagging, owners, KGI"),
    tree=extend_schema(summary="The KGI -> KSF -> KPI tree"),
    values=extend_schema(
        summary="Every node's value over a period, computed from actuals",
        parameters=[OpenApiParameter("start", dt.date), OpenApiParameter("end", dt.date)],
    ),
)
class PlanViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = KpiPlan
    serializer_class = s.PlanOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_DESIGN

    def create(self, request: Request, workspace_id: Any) -> Response:
        plan = services.plan_create(actor=self.actor, **_valid(s.PlanInputSerializer, self, request.data))
        return Response(s.PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def replan(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = _valid(s.ReplanInputSerializer, self, request.data)
        plan = services.plan_replan(actor=self.actor, plan=self.get_object(), **data)
        return Response(s.PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def activate(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = services.plan_activate(actor=self.actor, plan=self.get_object())
        return Response(s.PlanOutputSerializer(plan).data)

    @action(detail=True, methods=["get"])
    def tree(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        return Response(selectors.plan_tree(self.get_object()))

    @action(detail=True, methods=["get"])
    def check(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        result = selectors.plan_check_run(plan=self.get_object())
        return Response({
            "ok": not result.has_errors,
            "findings": [
                {"level": f.level, "code": f.code, "message": localized(f.message_ja, f.message_en),
                 "kpis": list(f.kpi_keys)}
                for f in result.findings
            ],
            "kpis": [
                {"key": r.key, "passed": r.passed, "checks": [
                    {"criterion": c.criterion, "passed": c.passed, "code": c.code,
                     "reason": localized(c.message_ja, c.message_en)} for c in r.checks]}
                for r in result.smart_results
            ],
        })  # fmt: skip

    @action(detail=True, methods=["get"])
    def values(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        default_start, default_end = fiscal_year_range(
            plan.fiscal_year, self.workspace.fiscal_year_start_month
        )
        query = s.PeriodQuerySerializer(
            data={"start": default_start, "end": default_end, **request.query_params.dict()}
        )
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        values = selectors.kpi_values(plan=plan, start=start, end=end)
        return Response(
            {
                "start": start,
                "end": end,
                "values": {k: (str(v) if v is not None else None) for k, v in values.items()},
            }
        )


@extend_schema(tags=["kpi"])
@extend_schema_view(
    create=extend_schema(
        summary="Add a node to the tree",
        request=s.NodeInputSerializer,
        examples=[OpenApiExample("Win rate", value={
            "plan": "<plan id>", "parent": "<ksf id>", "kind": "kpi", "key": "win_rate", "name_ja": "受注率",
            "formula": "wins / meetings * 100", "unit": "percent", "indicator": "lagging", "target_value": "25"})],
    ),
    partial_update=extend_schema(request=s.NodeUpdateSerializer),
    cascade=extend_schema(summary="Cascade the annual target to months (sums back exactly)", request=s.CascadeInputSerializer,
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
        return query_filter(
            queryset.select_related("owner__user"), self.request, uuid=("plan", "parent"), text=("kind",)
        )

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = _valid(s.NodeInputSerializer, self, request.data)
        node = services.node_create(actor=self.actor, **data)
        return Response(s.NodeOutputSerializer(node).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        node = self.get_object()
        data = _valid(s.NodeUpdateSerializer, self, request.data)
        node = services.node_update(actor=self.actor, node=node, **data)
        return Response(s.NodeOutputSerializer(node).data)

    def destroy(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        services.node_delete(actor=self.actor, node=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def cascade(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = _valid(s.CascadeInputSerializer, self, request.data)
        targets = services.target_cascade(
            actor=self.actor, node=self.get_object(), workspace=self.workspace, **data
        )
        return Response(s.TargetOutputSerializer(targets, many=True).data)


@extend_schema(tags=["kpi"])
class TargetViewSet(WorkspaceScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    model = KpiTarget
    serializer_class = s.TargetOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_DESIGN

    def scope_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, uuid=("node",), text=("period_kind",))


@extend_schema(tags=["kpi"])
@extend_schema_view(create=extend_schema(
    summary="Record a day's value (idempotent by metric, date and owner)", request=s.ActualInputSerializer,
    examples=[OpenApiExample("Meetings held today", value={"metric": "meetings", "date": "2026-05-07", "value": "4"})]))  # fmt: skip
class ActualViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = MetricActual
    serializer_class = s.ActualOutputSerializer
    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_WRITE

    def scope_queryset(self, queryset: Any) -> Any:
        queryset = query_filter(queryset.select_related("metric"), self.request, uuid=("owner",))
        metric = self.request.query_params.get("metric")
        return queryset.filter(metric__key=metric) if metric else queryset

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = _valid(s.ActualInputSerializer, self, request.data)
        source = MetricActual.Source.API if self.principal.api_key else MetricActual.Source.MANUAL
        actual, created = services.actual_record(source=source, **data)
        return Response(
            s.ActualOutputSerializer(actual).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class _ToolView(WorkspaceScopedViewMixin, GenericAPIView):
    """Calculators: POST because they take a body, but they change nothing, so reading KPIs is enough."""

    permission_read = Perm.KPI_READ
    permission_write = Perm.KPI_READ


@extend_schema(tags=["kpi tools"], summary="Validate a formula", request=s.FormulaInputSerializer,
               examples=[OpenApiExample("Win rate", value={"formula": "wins / meetings * 100"})])  # fmt: skip
class FormulaValidateView(_ToolView):
    serializer_class = s.FormulaInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = _valid(s.FormulaInputSerializer, self, request.data)
        known = set(Metric.objects.values_list("key", flat=True))
        if data["plan"] is not None:
            known |= set(KpiNode.objects.filter(plan=data["plan"]).values_list("key", flat=True))
        try:
            formula = validate_formula(data["formula"], known_names=known)
        except FormulaError as exc:
            return Response({"valid": False, "error": exc.to_dict(current_language())})
        return Response({"valid": True, "references": sorted(formula.references)})


@extend_schema(tags=["kpi tools"], summary="Reverse-calculate the funnel from the KGI (逆算)", request=s.ReverseInputSerializer,
               examples=[OpenApiExample("Seed 004", value={"kgi_target": "100000000", "avg_deal_size": "5000000", "stages": [
                   {"from_key": "meetings", "rate_key": "win_rate", "rate": "25", "to_key": "wins"},
                   {"from_key": "appointments", "rate_key": "meeting_rate", "rate": "50", "to_key": "meetings"}]})])  # fmt: skip
class ReverseCalculateView(_ToolView):
    serializer_class = s.ReverseInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = _valid(s.ReverseInputSerializer, self, request.data)
        try:
            result = reverse_calculate(
                kgi_target=data["kgi_target"], avg_deal_size=data["avg_deal_size"],
                stages=[Stage(**stage) for stage in data["stages"]], periods=data["periods"],
            )  # fmt: skip
        except ReverseCalculationError as exc:
            raise ServiceError(exc.code, localized(exc.message_ja, exc.message_en), field="stages") from exc
        return Response({
            "defined": result.defined,
            "required": result.as_dict(),
            "levels": [{**asdict(level), "name": localized(level.name_ja, level.name_en)} for level in result.levels],
            "undefined_reason": (localized(result.undefined_reason.message_ja, result.undefined_reason.message_en))
            if result.undefined_reason else None,
            "rounding_rule": localized(result.rounding_rule_ja, result.rounding_rule_en),
        })  # fmt: skip


@extend_schema(tags=["kpi tools"], summary="Solve the one missing driver", request=s.SolveInputSerializer,
               examples=[OpenApiExample("Seed 000", value={"revenue": "100000000", "top_volume": "1200", "rates": ["30", "20"], "avg_deal_size": None})])  # fmt: skip
class SolveView(_ToolView):
    serializer_class = s.SolveInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = _valid(s.SolveInputSerializer, self, request.data)
        try:
            result = solve_missing(**data)
        except ReverseCalculationError as exc:
            raise ServiceError(exc.code, localized(exc.message_ja, exc.message_en)) from exc
        return Response({
            "status": result.status, "unknown": result.unknown, "value_exact": result.value_exact,
            "value_rounded": result.value_rounded, "wins_exact": result.wins_exact,
            "undefined_reason": (localized(result.undefined_reason.message_ja, result.undefined_reason.message_en))
            if result.undefined_reason else None,
            "rounding_rule": localized(result.rounding_rule_ja, result.rounding_rule_en),
        })  # fmt: skip
