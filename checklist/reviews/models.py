"""The review cycle: cadences, the meetings they schedule, action plans, and the calendar feed's secret."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.db import WorkspaceScopedModel

__all__ = ["ActionPlan", "CalendarFeedToken", "ReviewCadence", "ReviewCadenceAttendee", "ReviewMeeting"]


class ReviewCadence(WorkspaceScopedModel):
    """A recurring review (domain.md's review cycle) and the rule that places its meetings in the calendar.

    weekly: ``weekday`` (0 = Monday). monthly: ``day_of_month`` (31 means the month's last day).
    quarterly: ``month_of_quarter`` (1-3, counted in the workspace's fiscal quarters) and ``day_of_month``.
    A meeting whose date is not a Japanese working day moves as ``holiday_rule`` says.
    """

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("weekly progress and bottleneck review")
        MONTHLY = "monthly", _("monthly review and next month's plan")
        QUARTERLY = "quarterly", _("quarterly KPI revision")

    class HolidayRule(models.TextChoices):
        NEXT_WORKING_DAY = "next_working_day", _("move to the next working day")
        PREVIOUS_WORKING_DAY = "previous_working_day", _("move to the previous working day")
        KEEP = "keep", _("keep the date")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    month_of_quarter = models.PositiveSmallIntegerField(
        _("month of quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    local_time = models.TimeField(_("local time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    start_date = models.DateField(_("first date"))
    end_date = models.DateField(_("last date"), null=True, blank=True)
    holiday_rule = models.CharField(
        _("on a holiday"), max_length=24, choices=HolidayRule.choices, default=HolidayRule.NEXT_WORKING_DAY
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("review cadence")
        verbose_name_plural = _("review cadences")
        ordering = ("kind", "created_at")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="checklist_reviewcadence_date_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewCadenceAttendee(WorkspaceScopedModel):
    """A member invited to a cadence's meetings (a through table that carries the workspace)."""

    cadence = models.ForeignKey(
        ReviewCadence, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("cadence")
    )
    membership = models.ForeignKey(
        "tenants.Membership", on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "cadence", "membership"],
                name="checklist_attendee_ws_cadence_member_uniq",
            ),
        ]


class ReviewMeeting(WorkspaceScopedModel):
    """One scheduled meeting of a cadence, keyed by the date its rule gives (``occurrence_date``).

    ``starts_at`` may differ from the rule's date (moved off a holiday). The agenda is a snapshot taken
    when generated, so the notes refer to what was on the table. ``sequence`` counts reschedules for the
    iCalendar feed (calendar apps update an event whose SEQUENCE grew).
    """

    cadence = models.ForeignKey(
        ReviewCadence, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("cadence")
    )
    occurrence_date = models.DateField(_("date by the rule"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=200)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    agenda = models.JSONField(_("agenda"), default=dict, blank=True)
    agenda_generated_at = models.DateTimeField(_("agenda generated at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    decisions = models.JSONField(_("decisions"), default=list, blank=True)
    notes_updated_at = models.DateTimeField(_("notes updated at"), null=True, blank=True)
    notes_updated_by = models.CharField(_("notes updated by"), max_length=200, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ("starts_at",)
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "cadence", "occurrence_date"],
                name="checklist_reviewmeeting_ws_cadence_date_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="checklist_reviewmeeting_time_order",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "starts_at"], name="checklist_meeting_ws_start_idx")]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d}"

    @property
    def has_notes(self) -> bool:
        return bool(self.notes.strip() or self.decisions)


class ActionPlan(WorkspaceScopedModel):
    """What someone will do about a KPI (usually one behind pace), by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    # SET_NULL: deleting a node in the KPI designer must not fail nor erase the plan's history.
    kpi_node = models.ForeignKey(
        "kpi.KpiNode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "tenants.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    meeting = models.ForeignKey(
        ReviewMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("decided at"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ("due_date", "created_at")
        indexes = [
            models.Index(fields=["workspace", "status", "due_date"], name="checklist_action_ws_due_idx")
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeedToken(WorkspaceScopedModel):
    """The secret of a workspace's subscription URL. Only a SHA-256 of the token is stored."""

    token_hash = models.CharField(_("token hash"), max_length=64)
    hint = models.CharField(_("last characters"), max_length=8)
    created_by = models.CharField(_("created by"), max_length=200, blank=True)
    # The member who issued it: when they leave the workspace the secret goes with them (CASCADE), so a
    # former member's calendar stops showing the workspace's meetings.
    issued_by = models.ForeignKey(
        "tenants.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "token_hash"], name="checklist_calfeed_ws_hash_uniq"
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(revoked_at__isnull=True),
                name="checklist_calfeed_ws_one_active_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"…{self.hint}"
