from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute

from core.api.fields import MessageField
from kpi.models import (
    CADENCE_CHOICES,
    DIRECTION_CHOICES,
    INDICATOR_CHOICES,
    UNIT_CHOICES,
    KpiNode,
    KpiPlan,
    KpiTarget,
    Metric,
    MetricActual,
)
from kpi.params import ContentName
from kpi.selectors import STATUS_LABELS, STATUSES
from kpi.units import value_format
from tenants.api.serializers import StrictInputSerializer, WorkspaceRelatedField
from tenants.models import Membership

AMOUNT = {"max_digits": 20, "decimal_places": 4}


class MetricOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ("id", "key", "name_ja", "name_en", "unit", "definition", "from_catalogue",
                  "allows_negative")  # fmt: skip
        read_only_fields = fields


class MetricInputSerializer(StrictInputSerializer):
    key = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$", max_length=63)
    name_ja = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.ChoiceField(choices=UNIT_CHOICES, default="count")
    definition = serializers.CharField(required=False, allow_blank=True, default="")
    allows_negative = serializers.BooleanField(required=False, default=False)


class PlanOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiPlan
        fields = ("id", "fiscal_year", "version", "name", "status", "replaces", "created_at")
        read_only_fields = fields


class PlanInputSerializer(StrictInputSerializer):
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    name = serializers.CharField(max_length=200)


class ActivateInputSerializer(StrictInputSerializer):
    confirm = serializers.BooleanField(required=False, default=False)


class ReplanInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200, required=False)


class UnitValueField(serializers.DecimalField):
    """A value shown for its unit (:func:`kpi.units.value_format`): JPY whole ("100000000"), counts whole or to
    two places, rates to two places ("33.33"), rounded half-up, never cut.

    The unit is fixed (``unit``) or read from the instance (``unit_source``, a dotted path).
    """

    def __init__(self, *, unit_source: str | None = None, unit: str | None = None, **kwargs: Any) -> None:
        assert (unit_source is None) != (unit is None), "give unit_source or unit"
        self.unit_source = unit_source
        self.unit = unit
        # No digit limits: an output is as long as its unit needs, and the schema says no more than that.
        super().__init__(max_digits=None, decimal_places=None, read_only=True, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        if self.unit is not None:
            return (value, self.unit)
        return (value, get_attribute(instance, self.unit_source.split(".")))  # type: ignore[union-attr]

    def to_representation(self, value: Any) -> str | None:
        amount, unit = value
        return value_format(amount, unit)


class UnitValuesField(serializers.DictField):
    """Values by key, each shown for its unit; the units come from the context (``units``, key -> unit; a key
    without one is a count)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.CharField(allow_null=True), read_only=True, **kwargs)

    def to_representation(self, value: dict[str, Decimal | None]) -> dict[str, str | None]:
        units = self.context["units"]
        return {key: value_format(amount, units.get(key, "count")) for key, amount in value.items()}


class NodeOutputSerializer(serializers.ModelSerializer):
    owner_email = serializers.EmailField(
        source="owner.user.email", read_only=True, allow_null=True, default=None
    )
    target_value = UnitValueField(unit_source="unit", allow_null=True)

    class Meta:
        model = KpiNode
        fields = ("id", "plan", "parent", "kind", "key", "name_ja", "name_en", "definition", "formula", "unit",
                  "direction", "indicator", "department", "owner", "owner_email", "cadence", "data_source",
                  "target_value", "position")  # fmt: skip
        read_only_fields = fields


class NodeInputSerializer(StrictInputSerializer):
    plan = WorkspaceRelatedField(KpiPlan)
    parent = WorkspaceRelatedField(KpiNode, required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=KpiNode.Kind.choices)
    key = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$", max_length=63)
    name_ja = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    definition = serializers.CharField(required=False, allow_blank=True, default="")
    formula = serializers.CharField(max_length=256, required=False, allow_blank=True, default="")
    unit = serializers.ChoiceField(choices=UNIT_CHOICES, default="count")
    direction = serializers.ChoiceField(choices=DIRECTION_CHOICES, default="higher_is_better")
    indicator = serializers.ChoiceField(choices=INDICATOR_CHOICES, default="lagging")
    department = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    owner = WorkspaceRelatedField(Membership, required=False, allow_null=True, default=None)
    cadence = serializers.ChoiceField(choices=CADENCE_CHOICES, default="monthly")
    data_source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    target_value = serializers.DecimalField(
        **AMOUNT, required=False, allow_null=True, default=None, min_value=Decimal(0)
    )
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)


class NodeUpdateSerializer(NodeInputSerializer):
    """The same fields, all optional; the plan and kind of a node never change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)
        del self.fields["plan"]
        del self.fields["kind"]


PERIOD_KINDS = ["week", "month", "quarter", "half", "fiscal_year"]


class OwnerQueryMixin(serializers.Serializer):
    owner = WorkspaceRelatedField(Membership, required=False, allow_null=True, default=None)


class PeriodQuerySerializer(OwnerQueryMixin):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        return attrs


class StatusQuerySerializer(OwnerQueryMixin):
    as_of = serializers.DateField(required=False, default=None, allow_null=True)
    period_kind = serializers.ChoiceField(choices=PERIOD_KINDS, default="month")


class SeriesQuerySerializer(OwnerQueryMixin):
    period_kind = serializers.ChoiceField(choices=["day", *PERIOD_KINDS], default="month")
    start = serializers.DateField(required=False, default=None, allow_null=True)
    end = serializers.DateField(required=False, default=None, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["start"] and attrs["end"] and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        return attrs


class SensitivityQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, default=None, allow_null=True)
    improvement_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal(100), default=Decimal(10)
    )


class CascadeInputSerializer(StrictInputSerializer):
    mode = serializers.ChoiceField(choices=["even", "working_days", "weights"], default="even")
    weights = serializers.ListField(child=serializers.DecimalField(**AMOUNT, min_value=Decimal(0)), required=False,
                                    allow_null=True, default=None, max_length=12)  # fmt: skip


class TargetOutputSerializer(serializers.ModelSerializer):
    value = UnitValueField(unit_source="node.unit")

    class Meta:
        model = KpiTarget
        fields = ("id", "node", "period_kind", "period_start", "period_end", "value")
        read_only_fields = fields


class ActualOutputSerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(slug_field="key", read_only=True)
    value = UnitValueField(unit_source="metric.unit")

    class Meta:
        model = MetricActual
        fields = ("id", "metric", "date", "owner", "value", "source", "updated_at")
        read_only_fields = fields


class ActualInputSerializer(StrictInputSerializer):
    metric = serializers.SlugRelatedField(slug_field="key", queryset=Metric.all_workspaces.none())
    date = serializers.DateField()
    owner = WorkspaceRelatedField(Membership, required=False, allow_null=True, default=None)
    value = serializers.DecimalField(**AMOUNT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view = self.context.get("view")
        if view is not None and hasattr(view, "workspace"):
            self.fields["metric"].queryset = Metric.all_workspaces.filter(workspace_id=view.workspace.id)


class FormulaTextField(serializers.CharField):
    """A formula as typed, any length and any character: the formula check refuses what is wrong and says
    where (a length limit or a NUL refused here would come without a position)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class FormulaInputSerializer(StrictInputSerializer):
    formula = FormulaTextField()
    plan = WorkspaceRelatedField(KpiPlan, required=False, allow_null=True, default=None)


class StageSerializer(StrictInputSerializer):
    from_key = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$")
    rate_key = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$")
    rate = serializers.DecimalField(
        max_digits=9, decimal_places=4, min_value=Decimal(0), max_value=Decimal(100)
    )
    to_key = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$")


class ReverseInputSerializer(StrictInputSerializer):
    kgi_target = serializers.DecimalField(**AMOUNT, min_value=Decimal(0))
    avg_deal_size = serializers.DecimalField(**AMOUNT, min_value=Decimal(0))
    stages = StageSerializer(many=True, max_length=10)
    periods = serializers.IntegerField(
        min_value=1, max_value=366, required=False, allow_null=True, default=None
    )


class SolveInputSerializer(StrictInputSerializer):
    revenue = serializers.DecimalField(**AMOUNT, min_value=Decimal(0), allow_null=True)
    top_volume = serializers.DecimalField(**AMOUNT, min_value=Decimal(0), allow_null=True)
    rates = serializers.ListField(
        child=serializers.DecimalField(max_digits=9, decimal_places=4, min_value=Decimal(0), max_value=Decimal(100),
                                       allow_null=True), max_length=10)  # fmt: skip
    avg_deal_size = serializers.DecimalField(**AMOUNT, min_value=Decimal(0), allow_null=True)


# --------------------------------------------------------------------------------------------------------
# What the plan's read operations and the calculators answer. The views call a selector or a pure function
# and hand its result here; every text is rendered and every number shown for its unit in these classes.
# --------------------------------------------------------------------------------------------------------


def content_name(key: str, name_ja: str, name_en: str) -> str:
    """A name people gave, in the request's language (English falls back to Japanese)."""
    return ContentName(key, name_ja, name_en).display()


class OwnerIdField(serializers.UUIDField):
    """The id of the owner a figure is restricted to (a membership), or null for the whole workspace."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="owner.pk", read_only=True, allow_null=True, **kwargs)


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/PlanTreeNodeOutput"}})
class _TreeChildrenField(serializers.ListField):
    def to_representation(self, data: Any) -> list[Any]:
        # The node serializer this field belongs to serializes the children too: building a serializer per
        # node (its fields deep-copied each time) was most of the tree's cost.
        node_serializer = self.parent
        return [node_serializer.to_representation(child) for child in data]


class PlanTreeNodeOutputSerializer(serializers.Serializer):
    """One node of the KGI -> KSF -> KPI tree with its children (selectors.plan_tree)."""

    id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=KpiNode.Kind.choices, read_only=True)
    key = serializers.CharField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    formula = serializers.CharField(read_only=True)
    unit = serializers.ChoiceField(choices=UNIT_CHOICES, read_only=True)
    target_value = UnitValueField(unit_source="unit", allow_null=True)
    children = _TreeChildrenField(read_only=True)


class FindingOutputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["error", "warning", "ok"], read_only=True)
    code = serializers.CharField(read_only=True)
    message = MessageField()
    kpis = serializers.ListField(source="kpi_keys", child=serializers.CharField(), read_only=True)


class SmartCheckOutputSerializer(serializers.Serializer):
    criterion = serializers.CharField(read_only=True)
    passed = serializers.BooleanField(read_only=True)
    code = serializers.CharField(read_only=True)
    reason = MessageField(source="message")


class KpiSmartOutputSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    passed = serializers.BooleanField(read_only=True)
    checks = SmartCheckOutputSerializer(many=True, read_only=True)


class PlanCheckOutputSerializer(serializers.Serializer):
    """SMART per KPI and the plan's findings (selectors.plan_check_run)."""

    ok = serializers.SerializerMethodField()
    findings = FindingOutputSerializer(many=True, read_only=True)
    kpis = KpiSmartOutputSerializer(source="smart_results", many=True, read_only=True)

    def get_ok(self, result: Any) -> bool:
        """No finding of level error."""
        return not result.has_errors


class PlanValuesOutputSerializer(serializers.Serializer):
    """Every node's value over a period (context: ``units``)."""

    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    owner = OwnerIdField()
    values = UnitValuesField()


class SeriesPeriodOutputSerializer(serializers.Serializer):
    label = MessageField()
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    values = UnitValuesField()


class PlanSeriesOutputSerializer(serializers.Serializer):
    """Every node's value per period (context: ``units``)."""

    period_kind = serializers.ChoiceField(choices=["day", *PERIOD_KINDS], read_only=True)
    owner = OwnerIdField()
    periods = SeriesPeriodOutputSerializer(many=True, read_only=True)


class PaceThresholdsOutputSerializer(serializers.Serializer):
    on_track_at = serializers.DecimalField(
        source="pace_at_risk_threshold", max_digits=3, decimal_places=2, read_only=True
    )
    at_risk_at = serializers.DecimalField(
        source="pace_behind_threshold", max_digits=3, decimal_places=2, read_only=True
    )


class NodeStatusOutputSerializer(serializers.Serializer):
    node = serializers.UUIDField(source="node.id", read_only=True)
    key = serializers.CharField(source="node.key", read_only=True)
    kind = serializers.ChoiceField(source="node.kind", choices=KpiNode.Kind.choices, read_only=True)
    name = serializers.SerializerMethodField()
    unit = serializers.ChoiceField(source="node.unit", choices=UNIT_CHOICES, read_only=True)
    direction = serializers.ChoiceField(source="node.direction", choices=DIRECTION_CHOICES, read_only=True)
    status = serializers.ChoiceField(choices=STATUSES, read_only=True)
    status_label = serializers.SerializerMethodField()
    period_start = serializers.DateField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    target = UnitValueField(unit_source="node.unit", allow_null=True)
    expected = UnitValueField(unit_source="node.unit", allow_null=True)
    actual = UnitValueField(unit_source="node.unit", allow_null=True)
    attainment_pct = serializers.SerializerMethodField()
    message = MessageField()
    fed_by_crm = serializers.BooleanField(
        read_only=True, help_text="A CRM connection feeds a metric it reads"
    )
    data_as_of = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="The figures are as of this sync (the oldest last successful sync of the CRM sources it reads)",
    )  # fmt: skip

    def get_name(self, status: Any) -> str:
        return content_name(status.node.key, status.node.name_ja, status.node.name_en)

    def get_status_label(self, status: Any) -> str:
        return STATUS_LABELS[status.status].render()

    @extend_schema_field(serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True))
    def get_attainment_pct(self, status: Any) -> str | None:
        return None if status.attainment is None else value_format(status.attainment * 100, "percent")


class PlanStatusOutputSerializer(serializers.Serializer):
    """Pacing of every node (instance: ``as_of``, ``period_kind``, ``owner``, ``workspace``, ``statuses``)."""

    as_of = serializers.DateField(read_only=True)
    period_kind = serializers.ChoiceField(choices=PERIOD_KINDS, read_only=True)
    owner = OwnerIdField()
    thresholds = PaceThresholdsOutputSerializer(source="workspace", read_only=True)
    nodes = NodeStatusOutputSerializer(source="statuses", many=True, read_only=True)


class DriverSensitivityOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField(read_only=True)
    key = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=["volume", "rate", "amount"], read_only=True)
    plan = UnitValueField(unit_source="unit")
    plan_to_date = UnitValueField(unit_source="unit")
    actual = UnitValueField(unit_source="unit", allow_null=True)
    attainment_pct = UnitValueField(unit="percent", allow_null=True)
    behind_plan = serializers.BooleanField(read_only=True)
    effect_of_improvement = UnitValueField(source="effect_of_improvement_jpy", unit="jpy")
    uplift_if_plan = UnitValueField(source="uplift_if_plan_jpy", unit="jpy", allow_null=True)
    note = MessageField(allow_null=True)

    def get_name(self, row: Any) -> str:
        return content_name(row.key, row.name_ja, row.name_en)


class PlanSensitivityOutputSerializer(serializers.Serializer):
    """Sensitivity of the KGI to each driver (instance: ``as_of`` and the ``result`` of the analysis)."""

    available = serializers.SerializerMethodField()
    as_of = serializers.DateField(read_only=True)
    improvement_pct = UnitValueField(source="result.improvement_pct", unit="percent")
    plan_kgi = UnitValueField(source="result.plan_kgi", unit="jpy")
    projected_kgi = UnitValueField(source="result.projected_kgi", unit="jpy")
    gap_to_plan = UnitValueField(source="result.gap_to_plan_jpy", unit="jpy")
    bottleneck = serializers.CharField(source="result.bottleneck.key", read_only=True, allow_null=True,
                                       default=None)  # fmt: skip
    summary = MessageField(source="result.summary")
    method = MessageField(source="result.method")
    drivers = DriverSensitivityOutputSerializer(source="result.rows", many=True, read_only=True)
    notes = serializers.ListField(source="result.notes", child=MessageField(), read_only=True)

    def get_available(self, data: Any) -> bool:
        """True: the tree holds a driver chain to analyse."""
        return True


class PlanSensitivityUnavailableOutputSerializer(serializers.Serializer):
    """The tree holds no driver chain (KGI = volume x rates x amount): nothing to analyse, and why."""

    available = serializers.SerializerMethodField()
    as_of = serializers.DateField(read_only=True)
    reason = MessageField()

    def get_available(self, data: Any) -> bool:
        """Always false here."""
        return False


class FormulaErrorOutputSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True, help_text="The refusal's code (`syntax`, `unknown_name`, ...)."
    )
    message = MessageField(help_text="The refusal in the request's language, with its position.")
    column = serializers.IntegerField(read_only=True, min_value=1,
                                      help_text="1-based position in the formula where the refusal applies.")  # fmt: skip
    params = serializers.DictField(read_only=True)


class FormulaValidOutputSerializer(serializers.Serializer):
    """The formula is valid: the metric and node keys it reads."""

    valid = serializers.SerializerMethodField()
    references = serializers.SerializerMethodField()

    def get_valid(self, formula: Any) -> bool:
        """Always true here."""
        return True

    def get_references(self, formula: Any) -> list[str]:
        return sorted(formula.references)


class FormulaInvalidOutputSerializer(serializers.Serializer):
    """The formula is refused (still a 200: the check itself succeeded): what is wrong, and where."""

    valid = serializers.SerializerMethodField()
    error = FormulaErrorOutputSerializer(source="*", read_only=True)

    def get_valid(self, error: Any) -> bool:
        """Always false here."""
        return False


class ReverseLevelOutputSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    rate_key = serializers.CharField(read_only=True, allow_null=True)
    rate = UnitValueField(unit="percent", allow_null=True)
    exact = UnitValueField(unit="count", allow_null=True)
    required = serializers.IntegerField(read_only=True, allow_null=True)
    per_period = serializers.IntegerField(read_only=True, allow_null=True)
    name = serializers.SerializerMethodField()

    def get_name(self, level: Any) -> str:
        return content_name(level.key, level.name_ja, level.name_en)


class ReverseOutputSerializer(serializers.Serializer):
    defined = serializers.BooleanField(read_only=True)
    required = serializers.DictField(
        source="as_dict", child=serializers.IntegerField(allow_null=True), read_only=True,
        help_text="The required count of each level, by key (null where undefined).",
    )  # fmt: skip
    levels = ReverseLevelOutputSerializer(many=True, read_only=True)
    undefined_reason = MessageField(allow_null=True)
    rounding_rule = MessageField()


class MessageJsonSerializer(serializers.Serializer):
    """A message as partners act on it: its code and parameters, and its text in the request's language."""

    code = serializers.CharField(read_only=True)
    params = serializers.DictField(read_only=True)
    message = serializers.CharField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return instance.as_json()


class DisplayField(serializers.CharField):
    """A message parameter (a name, a term) as people read it in the request's language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return value.display()


class SolveOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["solved", "undefined", "infeasible"], read_only=True,
        help_text="infeasible: solved, but the value cannot be a plan (a conversion rate above 100%).",
    )  # fmt: skip
    unknown = serializers.ChoiceField(
        choices=["revenue", "top_volume", "rate", "avg_deal_size"], read_only=True
    )
    unknown_slot = serializers.CharField(
        read_only=True,
        help_text="Which input was solved: revenue, top_volume, avg_deal_size or rates[<index>].",
    )
    rate_index = serializers.IntegerField(read_only=True, allow_null=True)
    unknown_name = DisplayField(help_text="The solved input, named for people.")
    infeasible_reason = MessageField(allow_null=True)
    reason = MessageJsonSerializer(
        read_only=True, allow_null=True, help_text="Why the answer is not a plan (undefined or infeasible)."
    )
    value_exact = UnitValueField(unit_source="unit", allow_null=True,
                                 help_text="The solution shown for its unit (JPY whole, counts and rates to 0.01).")  # fmt: skip
    value_rounded = UnitValueField(
        unit_source="unit", allow_null=True, help_text="The solution by the rounding rule."
    )
    wins_exact = UnitValueField(unit="count", allow_null=True)
    undefined_reason = MessageField(allow_null=True)
    rounding_rule = MessageField()
