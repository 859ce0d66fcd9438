from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
    """A value shown for its unit: JPY and counts whole ("100000000"), rates to two places ("33.33")."""

    def __init__(self, *, unit_source: str, **kwargs: Any) -> None:
        self.unit_source = unit_source
        super().__init__(max_digits=20, decimal_places=4, read_only=True, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        unit = instance
        for part in self.unit_source.split("."):
            unit = getattr(unit, part)
        return (value, unit)

    def to_representation(self, value: Any) -> str | None:
        amount, unit = value
        return value_format(amount, unit)


class NodeOutputSerializer(serializers.ModelSerializer):
    owner_email = serializers.EmailField(source="owner.user.email", read_only=True, default=None)
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


class FormulaInputSerializer(StrictInputSerializer):
    formula = serializers.CharField(max_length=2000, allow_blank=True, trim_whitespace=False)
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
