"""Control plane (users, firms, workspaces, memberships, API keys) and the audit trail."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from tenants.db import BaseModel, WorkspaceScopedModel, uuid7
from tenants.roles import FirmRole, WorkspaceRole


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None gives an unusable password (invited, not yet set)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Firm(BaseModel):
    """A consulting firm: the paying customer, owning many client workspaces."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("consulting firm")
        verbose_name_plural = _("consulting firms")

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: the firm's people and the clients' people. E-mail is the login."""

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.JA)
    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("firm")
    )
    firm_role = models.PositiveSmallIntegerField(
        _("firm role"), choices=FirmRole.choices, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="tenants_user_email_lower_uniq"),
            models.CheckConstraint(
                condition=models.Q(firm__isnull=True, firm_role__isnull=True)
                | models.Q(firm__isnull=False, firm_role__isnull=False),
                name="tenants_user_firm_role_together",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_firm_member(self) -> bool:
        return self.firm_id is not None


def _validate_time_zone(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Workspace(BaseModel):
    """One client company of a firm: the tenant."""

    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, related_name="workspaces", verbose_name=_("firm")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year start month"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[_validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    # Pacing: attainment (actual / expected to date) at or above at_risk is on track, at or above behind
    # is at risk, below is behind.
    pace_at_risk_threshold = models.DecimalField(
        _("on-track threshold"), max_digits=3, decimal_places=2, default=Decimal("0.90")
    )
    pace_behind_threshold = models.DecimalField(
        _("at-risk threshold"), max_digits=3, decimal_places=2, default=Decimal("0.70")
    )

    class Meta:
        verbose_name = _("client workspace")
        verbose_name_plural = _("client workspaces")
        constraints = [
            models.UniqueConstraint(fields=["firm", "slug"], name="tenants_workspace_firm_slug_uniq"),
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="tenants_workspace_fiscal_month_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    pace_behind_threshold__gt=0,
                    pace_behind_threshold__lt=models.F("pace_at_risk_threshold"),
                    pace_at_risk_threshold__lte=1,
                ),
                name="tenants_workspace_pace_thresholds",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActiveMembershipManager(models.Manager):
    """Memberships in force. A removed member's row stays (deactivated) so their history keeps its name."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deactivated_at__isnull=True)


class Membership(BaseModel):
    """A user's role in one workspace; a consultant's assignment is a membership with that role.

    Removing a member deactivates the membership (as Salesforce and HubSpot deactivate users): access ends
    at once, forward-looking responsibilities are released, and the history they made stays attributed.
    ``objects`` sees active memberships only; ``all_memberships`` (also the base manager, so an actual's
    owner still resolves) sees every one.
    """

    objects = ActiveMembershipManager()
    all_memberships = models.Manager()

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("workspace")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.PositiveSmallIntegerField(_("role"), choices=WorkspaceRole.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    # An invitation is pending until the person first signs in after it. Until then the workspace sees the
    # name the inviter typed, never the account's own (which another workspace may have set).
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, default=timezone.now)
    invited_name = models.CharField(_("name given at invitation"), max_length=150, blank=True, default="")
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        base_manager_name = "all_memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="tenants_membership_workspace_user_uniq"
            ),
            models.UniqueConstraint(fields=["workspace", "id"], name="tenants_membership_workspace_id_uniq"),
        ]
        indexes = [models.Index(fields=["user", "workspace"], name="tenants_membership_user_ws_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None

    @property
    def display_name(self) -> str:
        """The name this workspace may show: the inviter's until the invitation is accepted."""
        return self.invited_name if self.is_pending else self.user.full_name


class WorkspaceApiKeyManager(BaseAPIKeyManager):
    def get_usable_keys(self) -> models.QuerySet:
        # A request authenticated by a key works in the key's workspace: read it with the key, in one query.
        return super().get_usable_keys().select_related("workspace__firm")


class WorkspaceApiKey(AbstractAPIKey):
    """A partner system's key: bound to one workspace, with scopes; only a hash of the secret is kept."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("workspace")
    )
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = WorkspaceApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        indexes = [models.Index(fields=["workspace", "created"], name="tenants_apikey_ws_created_idx")]


class AuditEvent(WorkspaceScopedModel):
    """Who did what, when, in which workspace. Written by services, append-only."""

    actor_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    actor_api_key_prefix = models.CharField(_("API key prefix"), max_length=16, blank=True)
    actor_label = models.CharField(_("actor"), max_length=254)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="tenants_audit_ws_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
