"""KPI plans: the KGI -> KSF -> KPI tree, base metrics, targets per period and daily actuals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.db import WorkspaceScopedModel

UNIT_CHOICES = [("count", _("count")), ("percent", _("percent")), ("jpy", _("JPY")), ("months", _("months"))]
DIRECTION_CHOICES = [("higher_is_better", _("higher is better")), ("lower_is_better", _("lower is better"))]
INDICATOR_CHOICES = [("leading", _("leading")), ("lagging", _("lagging"))]
CADENCE_CHOICES = [("daily", _("daily")), ("weekly", _("weekly")), ("monthly", _("monthly"))]


class Metric(WorkspaceScopedModel):
    """A base metric a CRM or a person provides (a count or an amount); formulas are written over these."""

    key = models.SlugField(_("key"), max_length=63)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    unit = models.CharField(_("unit"), max_length=16, choices=UNIT_CHOICES, default="count")
    definition = models.TextField(_("definition"), blank=True)
    from_catalogue = models.BooleanField(_("from the catalogue"), default=False)
    # Counts and amounts are never negative (a refund is its own metric); a metric that is a net change says so.
    # db_default too: rows written by a version that does not know the column yet (a rolling deploy) get False.
    allows_negative = models.BooleanField(_("allows negative values"), default=False, db_default=False)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("base metric")
        verbose_name_plural = _("base metrics")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["workspace", "key"], name="kpi_metric_workspace_key_uniq"),
        ]

    def __str__(self) -> str:
        return self.key


class KpiPlan(WorkspaceScopedModel):
    """One version of a fiscal year's plan. A re-plan makes a new version; old ones stay readable."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        ARCHIVED = "archived", _("archived")

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaces")
    )

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("KPI plan")
        verbose_name_plural = _("KPI plans")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "fiscal_year", "version"], name="kpi_kpiplan_workspace_fy_version_uniq"
            ),
            models.UniqueConstraint(
                fields=["workspace", "fiscal_year"],
                condition=models.Q(status="active"),
                name="kpi_kpiplan_workspace_fy_one_active_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} v{self.version} {self.name}"

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.ARCHIVED


class KpiNode(WorkspaceScopedModel):
    """A node of the tree: the KGI at the root, KSFs under it, KPIs under KSFs (or under other KPIs)."""

    class Kind(models.TextChoices):
        KGI = "kgi", "KGI"
        KSF = "ksf", "KSF"
        KPI = "kpi", "KPI"

    plan = models.ForeignKey(KpiPlan, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    key = models.SlugField(_("key"), max_length=63)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    formula = models.CharField(_("formula"), max_length=256, blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=UNIT_CHOICES, default="count")
    direction = models.CharField(
        _("direction"), max_length=20, choices=DIRECTION_CHOICES, default="higher_is_better"
    )
    indicator = models.CharField(_("indicator"), max_length=10, choices=INDICATOR_CHOICES, default="lagging")
    department = models.CharField(_("department"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "tenants.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=CADENCE_CHOICES, default="monthly")
    data_source = models.CharField(_("data source"), max_length=100, blank=True)
    target_value = models.DecimalField(
        _("annual target"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("KPI tree node")
        verbose_name_plural = _("KPI tree nodes")
        ordering = ("plan", "position", "created_at")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "plan", "key"], name="kpi_kpinode_workspace_plan_key_uniq"
            ),
            # One root per plan: the KGI.
            models.UniqueConstraint(
                fields=["workspace", "plan"],
                condition=models.Q(kind="kgi"),
                name="kpi_kpinode_workspace_plan_one_kgi_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="kgi", parent__isnull=True)
                | models.Q(~models.Q(kind="kgi"), parent__isnull=False),
                name="kpi_kpinode_only_kgi_is_root",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "plan", "parent"], name="kpi_node_ws_plan_parent_idx")]

    def __str__(self) -> str:
        return f"{self.kind.upper()} {self.key}"

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_ja


class KpiTarget(WorkspaceScopedModel):
    """A node's target for one period (fiscal year, half, quarter, month or week)."""

    class PeriodKind(models.TextChoices):
        FISCAL_YEAR = "fiscal_year", _("fiscal year")
        HALF = "half", _("half")
        QUARTER = "quarter", _("quarter")
        MONTH = "month", _("month")
        WEEK = "week", _("week")

    node = models.ForeignKey(
        KpiNode, on_delete=models.CASCADE, related_name="targets", verbose_name=_("node")
    )
    period_kind = models.CharField(_("period"), max_length=12, choices=PeriodKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ("node", "period_kind", "period_start")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "node", "period_kind", "period_start"],
                name="kpi_kpitarget_workspace_node_period_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="kpi_kpitarget_period_order",
            ),
        ]


class MetricActual(WorkspaceScopedModel):
    """One day's value of a base metric, for the workspace or for one owner; written idempotently by key."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("manual entry")
        API = "api", _("partner API")
        CRM = "crm", _("CRM sync")

    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="actuals", verbose_name=_("metric")
    )
    date = models.DateField(_("date"))
    owner = models.ForeignKey(
        "tenants.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("actual")
        verbose_name_plural = _("actuals")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "metric", "date"],
                condition=models.Q(owner__isnull=True),
                name="kpi_metricactual_workspace_metric_date_uniq",
            ),
            models.UniqueConstraint(
                fields=["workspace", "metric", "date", "owner"],
                condition=models.Q(owner__isnull=False),
                name="kpi_metricactual_workspace_metric_date_owner_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "metric", "date"], name="kpi_actual_ws_metric_date_idx"),
            # The actuals list pages newest first (core.api.pagination): an index walk, not a sort.
            models.Index(fields=["workspace", "-created_at", "-id"], name="kpi_actual_ws_created_idx"),
        ]
