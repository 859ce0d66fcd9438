"""API of the decision matrix (package versus full scratch), under /api/v1/workspaces/<workspace_id>/.

* ``checklist/matrices/``: list, create (empty or from the default option templates), retrieve, PATCH
  (name, weights, archive); ``{id}/result/`` (totals, ranking, recommendation, stability, signals, the
  combined recommendation); ``{id}/signals/`` (GET, PUT the answers); ``{id}/decision/`` (GET, POST to
  record, PATCH requirements/development plan); ``{id}/reopen/``; ``{id}/export/markdown/`` (text/markdown).
* ``checklist/matrix-options/``: list (``?matrix=``), create, retrieve, PATCH, DELETE.

Everyone with CHECKLIST_READ reads; only CHECKLIST_MANAGE (consultants, firm owners) changes anything.
All numbers come from ``checklist.decisions.scoring`` through the selectors; views only parse and render.
This is the edge of the message layer: scoring's sentences and errors arrive as messages (codes with
parameters) and are rendered here; the result and signals answer each sentence in both languages
(``*_ja``/``*_en`` fields, as they always have), errors in the request's language with their code and params.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils import translation
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
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from checklist.decisions import scoring, selectors, services
from checklist.decisions.models import OPTION_KIND_CHOICES, DecisionMatrix, MatrixOption
from core.api.inputs import document_language, query_filter, validated
from core.errors import ServiceError
from core.messages import Message, param_json
from tenants.api.mixins import WorkspaceScopedViewMixin
from tenants.api.serializers import StrictInputSerializer, WorkspaceRelatedField
from tenants.roles import Perm

TEMPLATE_KEYS = [o.key for o in scoring.DEFAULT_OPTIONS]
KIND_KEYS = [k for k, _ in OPTION_KIND_CHOICES]


# Documented as plain strings (the values in the description), not as enum components: an enum named
# "kind" collides with kpi's node kind, and "template"/"templates" would give one choice set two names;
# either makes drf-spectacular warn, which the deploy check treats as an error.
@extend_schema_field({"type": "string", "description": " | ".join(KIND_KEYS)})
class OptionKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=OPTION_KIND_CHOICES, **kwargs)


@extend_schema_field({"type": "string", "description": " | ".join(TEMPLATE_KEYS)})
class TemplateKeyField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=TEMPLATE_KEYS, **kwargs)


def _in_both(field: str, message: Message) -> dict[str, str]:
    """``{field}_ja`` and ``{field}_en``: the message in both languages, as these responses always answered."""
    texts = {}
    for lang in ("ja", "en"):
        with translation.override(lang):
            texts[f"{field}_{lang}"] = message.render()
    return texts


def _number(value: Decimal | Fraction | int) -> int | float:
    """A JSON number: an int where the value is whole, else a float (exact values are given alongside)."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else float(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- Serializers -----------------------------------------------------------------------------


class OptionOutputSerializer(serializers.ModelSerializer):
    kind = OptionKindField(read_only=True)
    complete = serializers.SerializerMethodField(help_text="Scored on every criterion.")

    class Meta:
        model = MatrixOption
        fields = ("id", "matrix", "name", "kind", "template_key", "scores", "rationales", "position", "complete",
                  "created_at", "updated_at")  # fmt: skip
        read_only_fields = fields

    def get_complete(self, option: MatrixOption) -> bool:
        return all(c.key in (option.scores or {}) for c in scoring.CRITERIA)


def decision_data(matrix: DecisionMatrix) -> dict[str, Any]:
    decided = matrix.is_decided
    option = matrix.decided_option if decided else None
    return {
        "decided": decided,
        "status": matrix.status,
        "option": str(option.id) if option else None,
        "option_name": option.name if option else None,
        "option_kind": option.kind if option else None,
        "decided_at": matrix.decided_at if decided else None,
        "decided_by": matrix.decided_by_label if decided else None,
        "decided_by_membership": str(matrix.decided_by_membership_id) if decided and matrix.decided_by_membership_id else None,
        "reason": matrix.decision_reason if decided else None,
        "requirements": matrix.requirements,
        "development_plan": matrix.development_plan,
    }  # fmt: skip


class DecisionOutputSerializer(serializers.Serializer):
    """A matrix's recorded decision (``decision_data``): ``decided`` false and the decision's fields null when
    none is recorded."""

    decided = serializers.BooleanField(read_only=True)
    status = serializers.ChoiceField(choices=DecisionMatrix.Status.choices, read_only=True)
    option = serializers.UUIDField(read_only=True, allow_null=True)
    option_name = serializers.CharField(read_only=True, allow_null=True)
    option_kind = serializers.CharField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True, default_timezone=dt.UTC)
    decided_by = serializers.CharField(read_only=True, allow_null=True)
    decided_by_membership = serializers.UUIDField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True, allow_null=True)
    requirements = serializers.CharField(read_only=True)
    development_plan = serializers.CharField(read_only=True)


def _both_languages(field: str) -> dict[str, serializers.Field]:
    """The ``{field}_ja`` / ``{field}_en`` pair of :func:`_in_both`, as output fields."""
    return {f"{field}_{lang}": serializers.CharField(read_only=True) for lang in ("ja", "en")}


class SignalQuestionOutputSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {"key": serializers.CharField(read_only=True), **_both_languages("question"),
                "answer": serializers.BooleanField(read_only=True, allow_null=True)}  # fmt: skip


class SignalsOutputSerializer(serializers.Serializer):
    """The six "package falls short" questions, their answers and what they imply."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "questions": SignalQuestionOutputSerializer(many=True, read_only=True),
            "yes_count": serializers.IntegerField(read_only=True),
            "complete": serializers.BooleanField(read_only=True),
            "implication": serializers.CharField(read_only=True),
            **_both_languages("summary"),
        }


class MatrixOutputSerializer(serializers.ModelSerializer):
    weights = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = DecisionMatrix
        fields = ("id", "name", "status", "weights", "signal_answers", "options", "decision", "created_at",
                  "updated_at")  # fmt: skip
        read_only_fields = fields

    def get_weights(self, matrix: DecisionMatrix) -> dict[str, float]:
        return {key: _number(w) for key, w in selectors.matrix_weights(matrix).items()}

    @extend_schema_field(OptionOutputSerializer(many=True))  # type: ignore[misc]
    def get_options(self, matrix: DecisionMatrix) -> Any:
        return OptionOutputSerializer(selectors.matrix_options(matrix), many=True).data

    @extend_schema_field(DecisionOutputSerializer)
    def get_decision(self, matrix: DecisionMatrix) -> dict[str, Any]:
        return DecisionOutputSerializer(decision_data(matrix)).data


_WEIGHTS_HELP = (
    "Criterion key -> weight (a number >= 0; the total must be positive). Only the keys given change."
)


class MatrixCreateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    templates = serializers.ListField(
        child=TemplateKeyField(), required=False, default=list, max_length=20,
        help_text="Option templates of checklist.decisions.scoring to pre-fill (scores and rationales to edit).",
    )  # fmt: skip
    weights = serializers.DictField(required=False, default=dict, help_text=_WEIGHTS_HELP)


class MatrixUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    weights = serializers.DictField(required=False, help_text=_WEIGHTS_HELP)
    status = serializers.ChoiceField(choices=["open", "archived"], required=False)


class OptionCreateInputSerializer(StrictInputSerializer):
    matrix = WorkspaceRelatedField(DecisionMatrix)
    template = serializers.ChoiceField(choices=TEMPLATE_KEYS, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False)
    kind = OptionKindField(required=False)
    scores = serializers.DictField(required=False, default=dict, help_text="Criterion key -> integer 1-5.")
    rationales = serializers.DictField(required=False, default=dict, help_text="Criterion key -> text.")
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class OptionUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = OptionKindField(required=False)
    scores = serializers.DictField(
        required=False, help_text="Criterion key -> integer 1-5, or null to unscore."
    )
    rationales = serializers.DictField(required=False, help_text="Criterion key -> text, or null to remove.")
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class SignalsInputSerializer(StrictInputSerializer):
    answers = serializers.DictField(help_text="Signal key -> true (yes) / false (no) / null (unanswered).")


class DecisionInputSerializer(StrictInputSerializer):
    option = WorkspaceRelatedField(MatrixOption)
    reason = serializers.CharField(max_length=5000)
    requirements = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    development_plan = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class DecisionUpdateInputSerializer(StrictInputSerializer):
    requirements = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    development_plan = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class ReopenInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


# --- Result rendering ------------------------------------------------------------------------


def _flip(flip: scoring.WeightFlip, names: dict[str, str]) -> dict[str, Any]:
    return {
        "criterion": flip.criterion,
        "direction": flip.direction.value,
        "current_weight": _number(flip.current_weight),
        "delta": _number(flip.delta),
        "delta_exact": str(flip.delta),
        "new_weight": _number(flip.new_weight),
        "new_weight_exact": str(flip.new_weight),
        "challengers": list(flip.challengers),
        "challenger_names": [names[o] for o in flip.challengers],
    }


def result_data(evaluation: selectors.MatrixEvaluation) -> dict[str, Any]:
    inputs, result, signals = evaluation.inputs, evaluation.result, evaluation.signals
    names = inputs.names
    data: dict[str, Any] = {
        "matrix": str(evaluation.matrix.id),
        "scored": evaluation.scored,
        "complete": evaluation.complete,
        "problem": None,
        "missing_scores": [{"option": str(o.id), "option_name": o.name, "criterion": c} for o, c in evaluation.missing],
        "criteria": [
            {"key": c.key, "name_ja": c.name("ja"), "name_en": c.name("en"), "weight": _number(inputs.weights[c.key]),
             "default_weight": c.default_weight}
            for c in scoring.CRITERIA
        ],
        "total_weight": _number(sum(inputs.weights.values(), Decimal(0))),
        "options": [],
        "recommendation": None,
        "tied": [],
        "margin": None,
        "margin_normalised": None,
        "stability": None,
        "signals": {
            "answers": dict(evaluation.matrix.signal_answers or {}),
            "yes_count": signals.yes_count,
            "unanswered": list(signals.unanswered),
            "complete": signals.complete,
            "implication": signals.implication.value,
            **_in_both("summary", signals.summary),
        },
        "final": None,
        "decision": decision_data(evaluation.matrix),
    }  # fmt: skip
    if result is None:
        error = evaluation.error
        assert error is not None
        data["problem"] = {"code": error.code, "params": {k: param_json(v) for k, v in error.params.items()},
                           **_in_both("message", error.message)}  # fmt: skip
        return data
    data["options"] = [
        {"id": o.key, "name": names[o.key], "kind": inputs.kinds[o.key], "weighted_total": _number(o.weighted_total),
         "normalised": _number(o.normalised), "rank": o.rank}
        for o in result.options
    ]  # fmt: skip
    data["recommendation"] = result.recommendation
    data["tied"] = list(result.tied)
    data["margin"] = _number(result.margin) if result.margin is not None else None
    data["margin_normalised"] = (
        _number(result.margin_normalised) if result.margin_normalised is not None else None
    )
    stab = evaluation.stability
    assert stab is not None
    data["stability"] = {
        "status": stab.status.value,
        "leader": stab.leader,
        "runner_up": stab.runner_up,
        "flip": _flip(stab.flip, names) if stab.flip else None,
        "flips": [_flip(f, names) for f in stab.flips],
        **_in_both("sentence", scoring.stability_sentence(stab, names)),
    }
    final = evaluation.final
    assert final is not None
    data["final"] = {
        "option": final.option,
        "agreement": final.agreement.value,
        "matrix_option": final.matrix_option,
        "matrix_kind": final.matrix_kind.value if final.matrix_kind else None,
        "signals_implication": final.signals_implication.value,
        **_in_both("explanation", final.explanation),
    }
    return data


_RESULT_EXAMPLE = {
    "matrix": "0190...", "scored": True, "complete": True, "problem": None, "missing_scores": [],
    "options": [{"id": "0190...a", "name": "HubSpot", "kind": "package", "weighted_total": 305, "normalised": 61,
                 "rank": 1}],
    "recommendation": "0190...a", "margin": 15, "margin_normalised": 3,
    "stability": {"status": "flippable", "flip": {"criterion": "lead_time", "direction": "decrease", "delta": -5,
                                                   "delta_exact": "-5", "new_weight": 5}},
    "signals": {"yes_count": 1, "implication": "package", "complete": True},
    "final": {"option": "0190...a", "agreement": "consistent"},
}  # fmt: skip


# --- Views -----------------------------------------------------------------------------------


@extend_schema(tags=["checklist decisions"])
@extend_schema_view(
    list=extend_schema(summary="Decision matrices of the workspace", parameters=[OpenApiParameter("status", str)]),
    retrieve=extend_schema(summary="A decision matrix with its weights, options, signal answers and decision"),
    create=extend_schema(
        summary="Create a matrix (nine criteria at default weights; empty or pre-filled from templates)",
        request=MatrixCreateInputSerializer,
        examples=[OpenApiExample("Pre-filled", value={
            "name": "2026 CRM selection", "templates": ["hubspot", "salesforce", "kintone", "full_scratch", "hybrid"],
            "weights": {"lead_time": 20}})],
    ),
    partial_update=extend_schema(
        summary="Rename, change weights, archive or re-open (refused with 409 while a decision is recorded)",
        request=MatrixUpdateInputSerializer,
        examples=[OpenApiExample("Weights", value={"weights": {"initial_cost": 20, "extensibility": 5}})],
    ),
    result=extend_schema(
        summary="Totals, ranking, recommendation, stability (smallest flipping weight change), signals and "
        "the combined recommendation",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, examples=[OpenApiExample("Result", value=_RESULT_EXAMPLE)])},
    ),
    reopen=extend_schema(summary="Reopen a recorded decision so the matrix can change again",
                         request=ReopenInputSerializer),
)  # fmt: skip
class MatrixViewSet(
    WorkspaceScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = DecisionMatrix
    serializer_class = MatrixOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_MANAGE
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("decided_option").prefetch_related("options")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, choices={"status": DecisionMatrix.Status.values})

    def _out(self, matrix: DecisionMatrix, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(id=matrix.id)
        return Response(MatrixOutputSerializer(fresh).data, status=code)

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(MatrixCreateInputSerializer, self, request.data)
        matrix = services.matrix_create(actor=self.actor, **data)
        return self._out(matrix, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = validated(MatrixUpdateInputSerializer, self, request.data)
        matrix = services.matrix_update(actor=self.actor, matrix=self.get_object(), **data)
        return self._out(matrix)

    @action(detail=True, methods=["get"])
    def result(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        return Response(result_data(selectors.matrix_evaluate(self.get_object())))

    @extend_schema(methods=["GET"], summary='The six "package falls short" questions and their answers',
                   responses=SignalsOutputSerializer)  # fmt: skip
    @extend_schema(
        methods=["PUT"],
        summary='Answer the six "package falls short" questions (replaces all answers)',
        request=SignalsInputSerializer,
        responses=SignalsOutputSerializer,
        examples=[OpenApiExample("Answers", value={"answers": {
            "multi_source_kpi": True, "custom_dashboard": True, "realtime_speed": False,
            "business_specific_kpis": False, "advanced_analysis": False, "long_term_cost_extensibility": None}})],
    )  # fmt: skip
    @action(detail=True, methods=["get", "put"])
    def signals(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        matrix = self.get_object()
        if request.method == "PUT":
            data = validated(SignalsInputSerializer, self, request.data)
            matrix = services.matrix_signals_answer(actor=self.actor, matrix=matrix, answers=data["answers"])
        assessed = scoring.signals_assess(matrix.signal_answers or {})
        return Response(SignalsOutputSerializer({
            "questions": [
                {"key": s.key, **_in_both("question", s.question), "answer": (matrix.signal_answers or {}).get(s.key)}
                for s in scoring.SIGNALS
            ],
            "yes_count": assessed.yes_count,
            "complete": assessed.complete,
            "implication": assessed.implication.value,
            **_in_both("summary", assessed.summary),
        }).data)  # fmt: skip

    @extend_schema(methods=["GET"], summary="The recorded decision (decided=false when none)",
                   responses=DecisionOutputSerializer)  # fmt: skip
    @extend_schema(
        methods=["POST"],
        summary="Record the final decision (who and when are taken from the caller and the clock)",
        request=DecisionInputSerializer,
        responses={201: DecisionOutputSerializer},
        examples=[
            OpenApiExample(
                "Hybrid",
                value={
                    "option": "<option id>",
                    "reason": "Custom KPI calculation and dashboards are needed",
                    "requirements": "https://example.com/requirements",
                    "development_plan": "Q3: dashboard MVP",
                },
            )
        ],
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Revise the requirements and development plan of the decision",
        request=DecisionUpdateInputSerializer,
        responses=DecisionOutputSerializer,
    )
    @action(detail=True, methods=["get", "post", "patch"])
    def decision(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        matrix = self.get_object()
        code = status.HTTP_200_OK
        if request.method == "POST":
            data = validated(DecisionInputSerializer, self, request.data)
            matrix = services.decision_record(actor=self.actor, matrix=matrix, **data)
            code = status.HTTP_201_CREATED
        elif request.method == "PATCH":
            data = validated(DecisionUpdateInputSerializer, self, request.data)
            matrix = services.decision_update(actor=self.actor, matrix=matrix, **data)
        fresh = self.get_queryset().get(id=matrix.id)
        return Response(DecisionOutputSerializer(decision_data(fresh)).data, status=code)

    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = validated(ReopenInputSerializer, self, request.data)
        matrix = services.decision_reopen(actor=self.actor, matrix=self.get_object(), **data)
        return self._out(matrix)


@extend_schema(tags=["checklist decisions"])
@extend_schema_view(
    list=extend_schema(summary="Options of the matrices", parameters=[OpenApiParameter("matrix", str)]),
    create=extend_schema(
        summary="Add an option (blank, or from a template whose scores and rationales the given ones override)",
        request=OptionCreateInputSerializer,
        examples=[
            OpenApiExample("From a template", value={"matrix": "<matrix id>", "template": "kintone"}),
            OpenApiExample("Custom", value={"matrix": "<matrix id>", "name": "In-house build + Looker", "kind": "hybrid",
                                            "scores": {"initial_cost": 3, "lead_time": 2},
                                            "rationales": {"initial_cost": "BI licence only"}}),
        ],
    ),
    partial_update=extend_schema(
        summary="Change an option; scores and rationales merge per criterion (null removes one)",
        request=OptionUpdateInputSerializer,
        examples=[OpenApiExample("Rescore", value={"scores": {"fit": 5, "lead_time": None}})],
    ),
    destroy=extend_schema(summary="Remove an option (refused with 409 while a decision is recorded)"),
)  # fmt: skip
class MatrixOptionViewSet(
    WorkspaceScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = MatrixOption
    serializer_class = OptionOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_MANAGE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset: Any) -> Any:
        return queryset.select_related("matrix")

    def filter_queryset(self, queryset: Any) -> Any:
        return query_filter(queryset, self.request, uuid=("matrix",))

    def create(self, request: Request, workspace_id: Any) -> Response:
        data = validated(OptionCreateInputSerializer, self, request.data)
        option = services.option_create(actor=self.actor, **data)
        return Response(OptionOutputSerializer(option).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        data = validated(OptionUpdateInputSerializer, self, request.data)
        option = services.option_update(actor=self.actor, option=self.get_object(), **data)
        return Response(OptionOutputSerializer(option).data)

    def destroy(self, request: Request, workspace_id: Any, pk: Any) -> Response:
        services.option_delete(actor=self.actor, option=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["checklist decisions"],
    summary="The matrix as a Markdown report (Japanese or English)",
    parameters=[
        OpenApiParameter("lang", str, enum=["ja", "en"], description="Defaults to the request language.")
    ],
    responses={(200, "text/markdown"): OpenApiTypes.STR},
)
class MatrixExportView(WorkspaceScopedViewMixin, GenericAPIView):
    model = DecisionMatrix
    serializer_class = MatrixOutputSerializer
    permission_read = Perm.CHECKLIST_READ
    permission_write = Perm.CHECKLIST_MANAGE

    def get(self, request: Request, workspace_id: Any, pk: Any) -> HttpResponse:
        matrix = self.get_object()
        lang: scoring.Lang = document_language(self)  # type: ignore[assignment]
        try:
            text = selectors.matrix_markdown_render(matrix, lang=lang)
        except scoring.ScoringError as exc:
            raise ServiceError(exc.code, params=exc.params) from exc
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="decision-matrix-{matrix.id}-{lang}.md"'
        return response


router = SimpleRouter()
router.register("checklist/matrices", MatrixViewSet, basename="checklist-matrix")
router.register("checklist/matrix-options", MatrixOptionViewSet, basename="checklist-matrix-option")

urlpatterns: list[Any] = [
    path(
        "checklist/matrices/<str:pk>/export/markdown/",
        MatrixExportView.as_view(),
        name="checklist-matrix-export",
    ),
    *router.urls,
]
