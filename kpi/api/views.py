from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.inputs import document_language, query_filter, validated
from core.api.pagination import PeriodCursorPagination
from core.api.renderers import CsvRenderer, MarkdownRenderer
from core.errors import ServiceError
from core.messages import Message
from kpi import definition_book, selectors, services
from kpi.api import serializers as s
from kpi.formulas import FormulaError, validate_formula
from kpi.models import KpiNode, KpiPlan, KpiTarget, Metric, MetricActual
from kpi.params import ContentName
from kpi.planning.calendar import PlanningError, fiscal_year_range
from kpi.planning.reverse import ReverseCalculationError, Stage, reverse_calculate, solve_missing
from kpi.units import value_format
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
        examples=[
            OpenApiExample(
                "Ad spend",
                value={"key": "ad_spend", "name_ja": "広告費", "name_en": "Ad spend", "unit": "jpy"},
            )
        ],
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


@extend_schema(tags=["kpi"])
@extend_schema_view(
    create=extend_schema(
        summary="Start a plan (a new version for the fiscal year)", request=s.PlanInputSerializer,
        examples=[OpenApiExample("FY2026", value={"fiscal_year": 2026, "name": "FY2026 売上1億円計画"})],
    ),
    replan=extend_schema(
        summary="Re-plan: a new draft version; the old one stays readable", request=s.ReplanInputSerializer
    ),
    activate=extend_schema(summary="Make this version (a draft or an archived one) the fiscal year's active plan; "
                                   "a plan failing its check needs confirm", request=s.ActivateInputSerializer),
    check=extend_schema(summary="Check the plan: SMART per KPI, counts, leading/lagging, owners, KGI"),
    tree=extend_schema(summary="The KGI -> KSF -> KPI tree"),
    values=extend_schema(
        summary="Every node's value over a period, computed from actuals (ratios of sums)",
        parameters=[OpenApiParameter("start", dt.date), OpenApiParameter("end", dt.date), OWNER_PARAM],
    ),
    series=extend_schema(
        summary="Every node's value per day, week, month, quarter, half or fiscal year",
        parameters=[OpenApiParameter("period_kind", str, enum=["day", *s.PERIOD_KINDS]),
                    OpenApiParameter("start", dt.date), OpenApiParameter("end", dt.date), OWNER_PARAM],
    ),
    status=extend_schema(
        summary="Pacing: on track / at risk / behind against the target pro-rated by Japanese working days",
        parameters=[OpenApiParameter("as_of", dt.date, description="Default: today (Asia/Tokyo)"),
                    OpenApiParameter("period_kind", str, enum=s.PERIOD_KINDS), OWNER_PARAM],
        examples=[OpenApiExample("Win rate behind", response_only=True, value={
            "as_of": "2026-05-20", "period_kind": "month", "owner": None,
            "thresholds": {"on_track_at": "0.90", "at_risk_at": "0.70"},
            "nodes": [{"node": "<id>", "key": "win_rate", "kind": "kpi", "name": "受注率", "unit": "percent",
                       "direction": "higher_is_better", "status": "behind", "status_label": "遅れ",
                       "period_start": "2026-05-01", "period_end": "2026-05-31", "target": "25", "expected": "25",
                       "actual": "12.5", "attainment_pct": "50", "message": "受注率: 実績 12.5 / 想定 25（遅れ）"}]})],
    ),
    sensitivity=extend_schema(
        summary="Sensitivity of the KGI to each driver and the bottleneck, from actuals to date",
        parameters=[OpenApiParameter("as_of", dt.date), OpenApiParameter("improvement_pct", Decimal)],
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

    @action(detail=True, methods=["get"])
    def tree(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        return Response(selectors.plan_tree(self.get_object()))

    @action(detail=True, methods=["get"])
    def check(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        result = selectors.plan_check_run(plan=self.get_object())
        return Response({
            "ok": not result.has_errors,
            "findings": [
                {"level": f.level, "code": f.code, "message": f.message.render(),
                 "kpis": list(f.kpi_keys)}
                for f in result.findings
            ],
            "kpis": [
                {"key": r.key, "passed": r.passed, "checks": [
                    {"criterion": c.criterion, "passed": c.passed, "code": c.code,
                     "reason": c.message.render()} for c in r.checks]}
                for r in result.smart_results
            ],
        })  # fmt: skip

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
        return Response({"start": query["start"], "end": query["end"], "owner": _id(query["owner"]),
                         "values": _formatted(shape, values)})  # fmt: skip

    @action(detail=True, methods=["get"])
    def series(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        query = validated(s.SeriesQuerySerializer, self, request.query_params.dict())
        shape = selectors.plan_shape(plan)
        points = selectors.kpi_series(plan=plan, period_kind=query["period_kind"], start=query["start"],
                                      end=query["end"], owner_id=_id(query["owner"]), shape=shape)  # fmt: skip
        return Response({
            "period_kind": query["period_kind"], "owner": _id(query["owner"]),
            "periods": [{"label": p.label.render(), "start": p.start, "end": p.end,
                         "values": _formatted(shape, p.values)} for p in points],
        })  # fmt: skip

    @action(detail=True, methods=["get"])
    def status(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        plan = self.get_object()
        query = validated(s.StatusQuerySerializer, self, request.query_params.dict())
        as_of = query["as_of"] or workspace_today(self.workspace)
        statuses = selectors.kpi_statuses(plan=plan, as_of=as_of, period_kind=query["period_kind"],
                                          owner_id=_id(query["owner"]), kinds=tuple(KpiNode.Kind.values))  # fmt: skip
        return Response({
            "as_of": as_of, "period_kind": query["period_kind"], "owner": _id(query["owner"]),
            "thresholds": {"on_track_at": str(self.workspace.pace_at_risk_threshold),
                           "at_risk_at": str(self.workspace.pace_behind_threshold)},
            "nodes": [{
                "node": str(st.node.id), "key": st.node.key, "kind": st.node.kind,
                "name": _name(st.node.key, st.node.name_ja, st.node.name_en), "unit": st.node.unit,
                "direction": st.node.direction,
                "status": st.status, "status_label": selectors.STATUS_LABELS[st.status].render(),
                "period_start": st.period_start, "period_end": st.period_end,
                "target": value_format(st.target, st.node.unit), "expected": value_format(st.expected, st.node.unit),
                "actual": value_format(st.actual, st.node.unit),
                "attainment_pct": value_format(st.attainment * 100, "percent") if st.attainment is not None else None,
                "message": st.message.render(),
            } for st in statuses],
        })  # fmt: skip

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
            reason = Message("kpi.sensitivity.unavailable").render()
            return Response({"available": False, "as_of": as_of, "reason": reason})
        bottleneck = result.bottleneck
        return Response({
            "available": True, "as_of": as_of, "improvement_pct": str(result.improvement_pct),
            "plan_kgi": value_format(result.plan_kgi, "jpy"), "projected_kgi": value_format(result.projected_kgi, "jpy"),
            "gap_to_plan": value_format(result.gap_to_plan_jpy, "jpy"),
            "bottleneck": bottleneck.key if bottleneck else None,
            "summary": result.summary.render(),
            "method": result.method.render(),
            "drivers": [{
                "rank": r.rank, "key": r.key, "name": _name(r.key, r.name_ja, r.name_en), "kind": r.kind,
                "plan": str(r.plan), "plan_to_date": str(r.plan_to_date),
                "actual": str(r.actual) if r.actual is not None else None,
                "attainment_pct": value_format(r.attainment_pct, "percent"), "behind_plan": r.behind_plan,
                "effect_of_improvement": value_format(r.effect_of_improvement_jpy, "jpy"),
                "uplift_if_plan": value_format(r.uplift_if_plan_jpy, "jpy"),
                "note": r.note.render() if r.note else None,
            } for r in result.rows],
            "notes": [n.render() for n in result.notes],
        })  # fmt: skip

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


def _name(key: str, name_ja: str, name_en: str) -> str:
    """A name people gave, in the request's language (English falls back to Japanese)."""
    return ContentName(key, name_ja, name_en).display()


def _id(obj: Any) -> str | None:
    return str(obj.id) if obj is not None else None


def _formatted(shape: selectors.PlanShape, values: dict[str, Any]) -> dict[str, str | None]:
    """Each value for its unit (node units win over metric units for the same key)."""
    return {key: value_format(value, shape.units.get(key, "count")) for key, value in values.items()}


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
    cascade=extend_schema(summary="Cascade the annual target to halves, quarters, months and weeks (sums back exactly)",
                          request=s.CascadeInputSerializer,
                          examples=[OpenApiExample("By working days", value={"mode": "working_days"}),
                                    OpenApiExample("By the consultant's weights", value={
                                        "mode": "weights", "weights": ["1", "1", "1", "1", "1", "2", "1", "1", "1", "1", "1", "2"]})],
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

    @action(detail=True, methods=["post"])
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
    examples=[OpenApiExample("Meetings held today", value={"metric": "meetings", "date": "2026-05-07", "value": "4"})]))  # fmt: skip
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


@extend_schema(tags=["kpi tools"], summary="Validate a formula", request=s.FormulaInputSerializer,
               examples=[OpenApiExample("Win rate", value={"formula": "wins / meetings * 100"})])  # fmt: skip
class FormulaValidateView(_ToolView):
    serializer_class = s.FormulaInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.FormulaInputSerializer, self, request.data)
        known = set(Metric.objects.values_list("key", flat=True))
        if data["plan"] is not None:
            known |= set(KpiNode.objects.filter(plan=data["plan"]).values_list("key", flat=True))
        try:
            formula = validate_formula(data["formula"], known_names=known)
        except FormulaError as exc:
            return Response({"valid": False, "error": exc.to_dict()})
        return Response({"valid": True, "references": sorted(formula.references)})


@extend_schema(tags=["kpi tools"], summary="Reverse-calculate the funnel from the KGI (逆算)", request=s.ReverseInputSerializer,
               examples=[OpenApiExample("Seed 004", value={"kgi_target": "100000000", "avg_deal_size": "5000000", "stages": [
                   {"from_key": "meetings", "rate_key": "win_rate", "rate": "25", "to_key": "wins"},
                   {"from_key": "appointments", "rate_key": "meeting_rate", "rate": "50", "to_key": "meetings"}]})])  # fmt: skip
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
        return Response({
            "defined": result.defined,
            "required": result.as_dict(),
            "levels": [{**asdict(level), "name": _name(level.key, level.name_ja, level.name_en)}
                       for level in result.levels],
            "undefined_reason": result.undefined_reason.render() if result.undefined_reason else None,
            "rounding_rule": result.rounding_rule.render(),
        })  # fmt: skip


@extend_schema(tags=["kpi tools"], summary="Solve the one missing driver", request=s.SolveInputSerializer,
               examples=[OpenApiExample("Seed 000", value={"revenue": "100000000", "top_volume": "1200", "rates": ["30", "20"], "avg_deal_size": None})])  # fmt: skip
class SolveView(_ToolView):
    serializer_class = s.SolveInputSerializer

    def post(self, request: Request, workspace_id: Any) -> Response:
        data = validated(s.SolveInputSerializer, self, request.data)
        try:
            result = solve_missing(**data)
        except ReverseCalculationError as exc:
            raise ServiceError(exc.message.code, params=exc.message.params) from exc
        return Response({
            "status": result.status, "unknown": result.unknown, "value_exact": result.value_exact,
            "unknown_slot": result.unknown_slot, "rate_index": result.rate_index,
            "unknown_name": result.unknown_name.display(),
            "value_rounded": result.value_rounded, "wins_exact": result.wins_exact,
            "undefined_reason": result.undefined_reason.render() if result.undefined_reason else None,
            "infeasible_reason": result.infeasible_reason.render() if result.infeasible_reason else None,
            "reason": result.reason.as_json() if result.reason else None,
            "rounding_rule": result.rounding_rule.render(),
        })  # fmt: skip
