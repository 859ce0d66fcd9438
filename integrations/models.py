"""CRM integrations: connections, their sync state and runs, the mappings a user confirms, and the
canonical records every provider's mapper produces.

Canonical records are keyed by ``(workspace, connection, external_id)`` per model (the model is the object
type). Deletes are soft (``deleted_at``; a restore clears it), a merge leaves the loser pointing at the
survivor (``merged_into``), and ``raw`` keeps the CRM's payload (JSONB on PostgreSQL) so records can be
mapped again without a re-sync. ``modstamp`` is the CRM's last-modified timestamp: an upsert applies only
when ``incoming.modstamp >= stored.modstamp`` (docs: ../shared/research/crm-sync.md §1.2, §1.3).

Timestamps from the CRM are stored as UTC datetimes. Dates that metrics count by (``close_date``, the
funnel-stage dates) are calendar dates in the workspace's time zone, computed when the record is written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from integrations.rollups.rules import Event, Measure, MetricRule, event_source
from tenants.db import WorkspaceScopedModel


class Connection(WorkspaceScopedModel):
    """One CRM account connected to a workspace (a HubSpot portal, a Salesforce org, or CSV files)."""

    class Provider(models.TextChoices):
        HUBSPOT = "hubspot", "HubSpot"
        SALESFORCE = "salesforce", "Salesforce"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        CONNECTED = "connected", _("connected")
        SYNCING = "syncing", _("syncing")
        NEEDS_ATTENTION = "needs_attention", _("needs attention")
        DISCONNECTED = "disconnected", _("disconnected")

    provider = models.CharField(_("CRM"), max_length=16, choices=Provider.choices)
    display_name = models.CharField(_("display name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONNECTED)
    # Why the status is what it is, as a message code of integrations/messages.py with its parameters; the
    # page renders it for a client admin (e.g. integrations.status.token_revoked).
    status_code = models.CharField(_("status reason"), max_length=100, blank=True, default="")
    status_params = models.JSONField(_("status reason parameters"), default=dict, blank=True)
    sync_interval_minutes = models.PositiveIntegerField(_("sync interval (minutes)"), default=15)
    # Per connection: the vendor's default, a sandbox, an EU data centre or a fake server.
    base_url = models.URLField(_("API base URL"), max_length=300, blank=True, default="")
    # HubSpot portal id / Salesforce org id: the rate-limit bucket and the "same account twice" check.
    external_account_id = models.CharField(_("CRM account id"), max_length=64, blank=True, default="")
    # AES-256-GCM, bound to (workspace, id); read and written only through integrations.services.
    credentials_ciphertext = models.TextField(blank=True, default="", editable=False)
    credentials_key_id = models.CharField(max_length=32, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful sync"), null=True, blank=True)
    next_sync_at = models.DateTimeField(_("next sync"), null=True, blank=True)
    # One sync per connection at a time: a worker holds the lease until it ends or the lease expires.
    lease_owner = models.CharField(_("lease holder"), max_length=100, blank=True, default="")
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("CRM connection")
        verbose_name_plural = _("CRM connections")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            # The same CRM account connected twice would count every deal twice.
            models.UniqueConstraint(
                fields=["workspace", "provider", "external_account_id"],
                condition=~models.Q(external_account_id="") & ~models.Q(status="disconnected"),
                name="integrations_connection_workspace_account_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(sync_interval_minutes__gte=5, sync_interval_minutes__lte=1440),
                name="integrations_connection_interval_range",
            ),
            models.CheckConstraint(
                condition=models.Q(credentials_ciphertext="", credentials_key_id="")
                | (~models.Q(credentials_ciphertext="") & ~models.Q(credentials_key_id="")),
                name="integrations_connection_key_with_ciphertext",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "next_sync_at"], name="integ_conn_ws_next_sync_idx"),
            models.Index(fields=["workspace", "credentials_key_id"], name="integ_conn_ws_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_provider_display()})"

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_ciphertext)


class SyncState(WorkspaceScopedModel):
    """Where the sync of one canonical object type of a connection stands (crm-sync.md §1.1).

    ``object_type`` is the canonical type (``owners``, ``contacts``, ``deals``...); the provider's own
    sub-streams inside it (Salesforce's Lead and Contact, HubSpot's calls and meetings) are positions of its
    resume point, so they share the type's window.
    """

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="sync_states", verbose_name=_("connection")
    )
    object_type = models.CharField(_("CRM object"), max_length=64)
    cursor_ts = models.DateTimeField(_("cursor"), null=True, blank=True)
    cursor_id = models.CharField(_("cursor id"), max_length=64, blank=True, default="")
    full_sync_completed_at = models.DateTimeField(_("first full load finished"), null=True, blank=True)
    archived_cursor_ts = models.DateTimeField(_("deletions cursor"), null=True, blank=True)
    last_reconcile_at = models.DateTimeField(_("last id reconcile"), null=True, blank=True)
    schema_fingerprint = models.CharField(_("schema fingerprint"), max_length=64, blank=True, default="")
    # The window being read and where in it (a provider's Resume), saved with each page: a sync that dies
    # mid-window continues there, and the cursor moves to window_end only once the window is fully read.
    window_start = models.DateTimeField(_("window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    resume = models.JSONField(_("resume point"), null=True, blank=True)
    archived_resume = models.JSONField(_("deletions resume point"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("sync state")
        verbose_name_plural = _("sync states")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "connection", "object_type"],
                name="integrations_syncstate_workspace_connection_object_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.object_type}"


class SyncRun(WorkspaceScopedModel):
    """One sync of a connection: what started it, how it went, and its live counts."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        MANUAL = "manual", _("manual")
        WEBHOOK = "webhook", _("webhook")
        CSV = "csv", _("CSV import")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        # A daily or org-wide API limit: cursors kept, the run rescheduled after the reset (§1.5).
        STOPPED_RATE_LIMITED = "stopped_rate_limited", _("stopped at the API limit")
        CANCELLED = "cancelled", _("cancelled")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="runs", verbose_name=_("connection")
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    fetched_count = models.PositiveIntegerField(_("fetched"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    deleted_count = models.PositiveIntegerField(_("deleted"), default=0)
    # {object_type: {"fetched": n, "done": bool}} and the object being read now.
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    current_object_type = models.CharField(_("reading"), max_length=64, blank=True, default="")
    error_code = models.CharField(_("error"), max_length=100, blank=True, default="")
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            # One sync per connection at a time, also in the database.
            models.UniqueConstraint(
                fields=["workspace", "connection"],
                condition=models.Q(status="running"),
                name="integrations_syncrun_workspace_connection_one_running_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(finished_at__isnull=True)
                | models.Q(finished_at__gte=models.F("started_at")),
                name="integrations_syncrun_finished_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "connection", "-started_at"], name="integ_run_ws_conn_started_idx"
            ),
            models.Index(fields=["workspace", "-started_at", "-id"], name="integ_run_ws_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


# --- Mappings ----------------------------------------------------------------------------------------


class StageMapping(WorkspaceScopedModel):
    """A CRM pipeline stage mapped to a funnel stage (or ignored). Defaults are made with the connection;
    the user confirms or changes them (``confirmed_at``)."""

    class Target(models.TextChoices):
        APPOINTMENT = "appointment", _("appointment")
        MEETING = "meeting", _("meeting")
        PROPOSAL = "proposal", _("proposal")
        WON = "won", _("won")
        LOST = "lost", _("lost")
        IGNORE = "ignore", _("not counted")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="stage_mappings", verbose_name=_("connection")
    )
    pipeline = models.CharField(_("pipeline"), max_length=64, blank=True, default="")  # "" in Salesforce
    stage = models.CharField(_("CRM stage id"), max_length=100)
    label = models.CharField(_("CRM stage name"), max_length=200, blank=True, default="")
    funnel_stage = models.CharField(_("funnel stage"), max_length=16, choices=Target.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_default = models.BooleanField(_("default mapping"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("stage mapping")
        verbose_name_plural = _("stage mappings")
        ordering = ("pipeline", "position", "stage")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "connection", "pipeline", "stage"],
                name="integrations_stagemapping_workspace_connection_stage_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline}/{self.stage} -> {self.funnel_stage}"


class ActivityTypeMapping(WorkspaceScopedModel):
    """A CRM activity type (HubSpot's object, Salesforce's Task type or Event) mapped to ours, or ignored."""

    class Target(models.TextChoices):
        CALL = "call", _("call")
        EMAIL = "email", _("e-mail")
        MEETING = "meeting", _("meeting")
        TASK = "task", _("task")
        IGNORE = "ignore", _("not counted")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="activity_mappings", verbose_name=_("connection")
    )
    raw_type = models.CharField(_("CRM activity type"), max_length=100)
    activity_type = models.CharField(_("activity type"), max_length=16, choices=Target.choices)
    is_default = models.BooleanField(_("default mapping"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("activity type mapping")
        verbose_name_plural = _("activity type mappings")
        ordering = ("raw_type",)
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "connection", "raw_type"],
                name="integrations_activitytypemapping_workspace_conn_type_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.raw_type} -> {self.activity_type}"


class LeadDefinition(WorkspaceScopedModel):
    """What counts as a lead, an MQL and an SQL for one connection (checklist B13).

    ``source`` says which records are leads: contacts whose lifecycle stage is in ``lead_stages``
    (HubSpot's default), the CRM's Leads object (Salesforce's default; every Lead counts, or those whose
    status is in ``lead_stages`` when it is not empty), or every contact (CSV). ``mql_stages`` and
    ``sql_stages`` list the lifecycle stages (HubSpot) or Lead statuses (Salesforce) at or past MQL / SQL.
    """

    class Source(models.TextChoices):
        LIFECYCLE = "lifecycle", _("contacts by lifecycle stage")
        LEADS_OBJECT = "leads_object", _("the CRM's Leads object")
        ALL_CONTACTS = "all_contacts", _("every contact")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="lead_definitions", verbose_name=_("connection")
    )
    source = models.CharField(_("leads are"), max_length=16, choices=Source.choices)
    lead_stages = models.JSONField(_("lead stages"), default=list, blank=True)
    mql_stages = models.JSONField(_("MQL stages"), default=list, blank=True)
    sql_stages = models.JSONField(_("SQL stages"), default=list, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("lead definition")
        verbose_name_plural = _("lead definitions")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "connection"],
                name="integrations_leaddefinition_workspace_connection_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.source}"


class MetricRuleOverride(WorkspaceScopedModel):
    """A workspace's own rule for one base metric, replacing the default of ``integrations.rollups.rules``
    (or feeding a metric of its own): another event of the same vocabulary, another stage or activity type."""

    metric_key = models.SlugField(_("metric"), max_length=63)
    event = models.CharField(_("counts"), max_length=16, choices=[(e.value, e.value) for e in Event])
    measure = models.CharField(_("measure"), max_length=8, choices=[(m.value, m.value) for m in Measure],
                               default=Measure.COUNT.value)  # fmt: skip
    stage = models.CharField(_("funnel stage"), max_length=16, blank=True, default="")
    activity_type = models.CharField(_("activity type"), max_length=16, blank=True, default="")
    completed_only = models.BooleanField(_("completed only"), default=False)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("metric rule")
        verbose_name_plural = _("metric rules")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "metric_key"], name="integrations_metricrule_workspace_metric_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_key}: {self.event}"

    def as_rule(self) -> MetricRule:
        return MetricRule(
            self.metric_key, event_source(Event(self.event)), Event(self.event), Measure(self.measure),
            stage=self.stage or None, activity_type=self.activity_type or None,
            completed_only=self.completed_only,
        )  # fmt: skip


class CsvColumnMapping(WorkspaceScopedModel):
    """The column mapping a user confirmed for one CSV connection and object type (our field -> the file's
    header), offered again for the next file of that connection and type. ``header_fingerprint`` identifies
    the header it was confirmed on (the same export layout)."""

    class ObjectType(models.TextChoices):
        DEALS = "deals", _("deals")
        CONTACTS = "contacts", _("contacts")
        ACTIVITIES = "activities", _("activities")

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="csv_mappings", verbose_name=_("connection")
    )
    object_type = models.CharField(_("records"), max_length=16, choices=ObjectType.choices)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    header_fingerprint = models.CharField(_("header fingerprint"), max_length=64, blank=True, default="")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("confirmed by"),
    )  # fmt: skip

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("CSV column mapping")
        verbose_name_plural = _("CSV column mappings")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "connection", "object_type"],
                name="integrations_csvcolumnmapping_workspace_connection_type_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.object_type}"


# --- Canonical records -------------------------------------------------------------------------------


class CanonicalRecord(WorkspaceScopedModel):
    """What every canonical record has: its key, the raw payload, the CRM's modstamp, delete and merge."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("connection"))  # fmt: skip
    external_id = models.CharField(_("CRM id"), max_length=64)
    raw = models.JSONField(_("CRM payload"), default=dict, blank=True)
    modstamp = models.DateTimeField(_("modified in the CRM"), null=True, blank=True)
    # The version as mapped (integrations.mapping.content_hash): a replay of the same version writes nothing.
    content_hash = models.CharField(_("content hash"), max_length=32, blank=True, default="", editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )

    class Meta(WorkspaceScopedModel.Meta):
        abstract = True
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "connection", "external_id"],
                name="%(app_label)s_%(class)s_workspace_connection_external_uniq",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")),
                name="%(app_label)s_%(class)s_not_merged_into_self",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_live(self) -> bool:
        """Counted by metrics: neither deleted nor merged away."""
        return self.deleted_at is None and self.merged_into_id is None


class CrmOwner(CanonicalRecord):
    """A CRM user who owns records; ``member`` is the workspace member they are (matched by e-mail, or set
    by hand, which the matching run then leaves alone)."""

    class MatchSource(models.TextChoices):
        NONE = "", _("not matched")
        EMAIL = "email", _("matched by e-mail")
        MANUAL = "manual", _("set by hand")

    email = models.CharField(_("e-mail address"), max_length=254, blank=True, default="")
    first_name = models.CharField(_("first name"), max_length=150, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=150, blank=True, default="")
    active = models.BooleanField(_("active in the CRM"), default=True)
    member = models.ForeignKey(
        "tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("member"),
    )  # fmt: skip
    match_source = models.CharField(
        _("match"), max_length=8, choices=MatchSource.choices, blank=True, default=""
    )

    class Meta(CanonicalRecord.Meta):
        verbose_name = _("CRM owner")
        verbose_name_plural = _("CRM owners")
        indexes = [
            models.Index(fields=["workspace", "connection", "email"], name="integ_owner_ws_conn_email_idx")
        ]

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name) if part)


class CrmCompany(CanonicalRecord):
    name = models.CharField(_("name"), max_length=300, blank=True, default="")
    domain = models.CharField(_("domain"), max_length=253, blank=True, default="")

    class Meta(CanonicalRecord.Meta):
        verbose_name = _("CRM company")
        verbose_name_plural = _("CRM companies")


class CrmContact(CanonicalRecord):
    """A contact or lead (Salesforce's Lead and Contact, HubSpot's contact)."""

    email = models.CharField(_("e-mail address"), max_length=254, blank=True, default="")
    first_name = models.CharField(_("first name"), max_length=150, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=150, blank=True, default="")
    company_external_id = models.CharField(_("CRM company id"), max_length=64, blank=True, default="")
    company = models.ForeignKey(CrmCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("company"))  # fmt: skip
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=100, blank=True, default="")
    is_lead = models.BooleanField(_("lead"), default=False)
    became_lead_at = models.DateTimeField(_("became a lead"), null=True, blank=True)
    # The workspace's calendar day of became_lead_at, written with the record: metrics count by it.
    became_lead_on = models.DateField(_("became a lead on"), null=True, blank=True)
    owner_external_id = models.CharField(_("CRM owner id"), max_length=64, blank=True, default="")
    owner = models.ForeignKey(CrmOwner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))  # fmt: skip
    created_at_crm = models.DateTimeField(_("created in the CRM"), null=True, blank=True)

    class Meta(CanonicalRecord.Meta):
        verbose_name = _("CRM contact")
        verbose_name_plural = _("CRM contacts")
        indexes = [models.Index(fields=["workspace", "became_lead_on"], name="integ_contact_ws_lead_on_idx")]


class CrmDeal(CanonicalRecord):
    """A deal or opportunity. ``amount`` is in JPY (null when the CRM gave none, or a value like "N/A", which
    sets ``amount_invalid``). ``stage`` is the CRM's stage id, ``funnel_stage`` its mapping; the
    ``*_date`` columns hold the date (workspace time zone) the deal first reached each funnel stage, filled
    cumulatively (see integrations.funnel)."""

    name = models.CharField(_("name"), max_length=300, blank=True, default="")
    pipeline = models.CharField(_("pipeline"), max_length=64, blank=True, default="")
    stage = models.CharField(_("CRM stage id"), max_length=100, blank=True, default="")
    funnel_stage = models.CharField(_("funnel stage"), max_length=16, choices=StageMapping.Target.choices,
                                    blank=True, default="")  # fmt: skip
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, null=True, blank=True)
    amount_invalid = models.BooleanField(_("amount unreadable"), default=False)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="")
    created_at_crm = models.DateTimeField(_("created in the CRM"), null=True, blank=True)
    close_date = models.DateField(_("close date"), null=True, blank=True)
    is_closed = models.BooleanField(_("closed"), default=False)
    is_won = models.BooleanField(_("won"), default=False)
    owner_external_id = models.CharField(_("CRM owner id"), max_length=64, blank=True, default="")
    owner = models.ForeignKey(CrmOwner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))  # fmt: skip
    company_external_id = models.CharField(_("CRM company id"), max_length=64, blank=True, default="")
    company = models.ForeignKey(CrmCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("company"))  # fmt: skip
    # {raw stage id: ISO datetime} as the CRM reported it, so a changed stage mapping re-derives the dates.
    stage_entered_at = models.JSONField(_("stage history"), default=dict, blank=True)
    appointment_date = models.DateField(_("reached appointment"), null=True, blank=True)
    meeting_date = models.DateField(_("reached meeting"), null=True, blank=True)
    proposal_date = models.DateField(_("reached proposal"), null=True, blank=True)
    won_date = models.DateField(_("won on"), null=True, blank=True)
    lost_date = models.DateField(_("lost on"), null=True, blank=True)

    class Meta(CanonicalRecord.Meta):
        verbose_name = _("CRM deal")
        verbose_name_plural = _("CRM deals")
        constraints = [
            *CanonicalRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(amount_invalid=False) | models.Q(amount__isnull=True),
                name="integrations_crmdeal_invalid_amount_is_null",
            ),
            models.CheckConstraint(
                condition=models.Q(is_won=False) | models.Q(is_closed=True),
                name="integrations_crmdeal_won_is_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "close_date"], name="integ_deal_ws_close_idx"),
            models.Index(fields=["workspace", "appointment_date"], name="integ_deal_ws_appt_idx"),
            models.Index(fields=["workspace", "meeting_date"], name="integ_deal_ws_meeting_idx"),
            models.Index(fields=["workspace", "proposal_date"], name="integ_deal_ws_proposal_idx"),
            models.Index(
                fields=["workspace", "connection", "pipeline", "stage"], name="integ_deal_ws_stage_idx"
            ),
        ]


class CrmActivity(CanonicalRecord):
    """A call, e-mail, meeting or task. ``raw_type`` is the CRM's type (the mapper's ``activity_type``);
    ``activity_type`` is its mapping through ActivityTypeMapping ("ignore" when not counted, "" unmapped).
    The first linked deal, contact and company are foreign keys; every linked id is kept in the lists."""

    raw_type = models.CharField(_("CRM activity type"), max_length=100, blank=True, default="")
    activity_type = models.CharField(_("activity type"), max_length=16, choices=ActivityTypeMapping.Target.choices,
                                     blank=True, default="")  # fmt: skip
    occurred_at = models.DateTimeField(_("when"), null=True, blank=True)
    # The workspace's calendar day of occurred_at, written with the record: metrics count by it.
    occurred_on = models.DateField(_("on"), null=True, blank=True)
    owner_external_id = models.CharField(_("CRM owner id"), max_length=64, blank=True, default="")
    owner = models.ForeignKey(CrmOwner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))  # fmt: skip
    outcome = models.CharField(_("outcome"), max_length=100, blank=True, default="")
    completed = models.BooleanField(_("completed"), default=False)
    deal = models.ForeignKey(CrmDeal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("deal"))  # fmt: skip
    contact = models.ForeignKey(CrmContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("contact"))  # fmt: skip
    company = models.ForeignKey(CrmCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("company"))  # fmt: skip
    deal_external_ids = models.JSONField(_("CRM deal ids"), default=list, blank=True)
    contact_external_ids = models.JSONField(_("CRM contact ids"), default=list, blank=True)
    company_external_ids = models.JSONField(_("CRM company ids"), default=list, blank=True)

    class Meta(CanonicalRecord.Meta):
        verbose_name = _("CRM activity")
        verbose_name_plural = _("CRM activities")
        indexes = [models.Index(fields=["workspace", "occurred_on"], name="integ_activity_ws_on_idx")]
