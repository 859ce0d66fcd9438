"""Checklist templates (control plane) and the checklists a workspace adopts (tenant plane).

A template is global (``firm`` null: checklist A ``kpi_design`` and B ``sales_metrics`` from
``checklist.checklists.catalog``) or a firm's own. Each (firm, key, version) is one immutable row with its items; a new
version is a new row. Adopting a template COPIES its items into the workspace's ``ChecklistItem`` rows and
records the version, so a later version never rewrites a workspace's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from checklist.checklists.catalog import Axis, ItemStatus
from tenants.db import BaseModel, WorkspaceScopedModel

__all__ = ["Checklist", "ChecklistItem", "ChecklistTemplate", "ChecklistTemplateItem"]

AXIS_CHOICES = [(axis.value, axis.value) for axis in Axis]


class FirmReferenceQuerySet(models.QuerySet):
    def visible_to_firms(self, firm_ids: Iterable[Any]) -> FirmReferenceQuerySet:
        """The global rows (firm null) and those of the given firms, never another firm's."""
        return self.filter(models.Q(firm__isnull=True) | models.Q(firm_id__in=list(firm_ids)))


class ChecklistTemplate(BaseModel):
    """One version of a template. Global when ``firm`` is null; otherwise visible to that firm's workspaces."""

    # The API mixin and the isolation walker read firm-scoped models through ``visible_to_firms``.
    firm_scoped = True
    objects = FirmReferenceQuerySet.as_manager()

    firm = models.ForeignKey(
        "tenants.Firm",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("firm"),
    )
    key = models.SlugField(_("key"), max_length=63)
    version = models.PositiveIntegerField(_("version"), default=1)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ("key", "version")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=models.Q(firm__isnull=True),
                name="checklist_template_global_key_ver_uniq",
            ),
            models.UniqueConstraint(
                fields=["firm", "key", "version"], name="checklist_template_firm_key_ver_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_ja


class ChecklistTemplateItem(BaseModel):
    """An item of one template version: stable key, axis, texts and the verification rule (if any)."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    key = models.CharField(_("key"), max_length=16)
    axis = models.CharField(_("axis"), max_length=1, choices=AXIS_CHOICES)
    text_ja = models.CharField(_("text (Japanese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    rule = models.CharField(_("verification rule"), max_length=63, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist template item")
        verbose_name_plural = _("checklist template items")
        ordering = ("template", "order")
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="checklist_templateitem_key_uniq"),
        ]

    def __str__(self) -> str:
        return self.key


class Checklist(WorkspaceScopedModel):
    """A template adopted by a workspace, at the version it had then."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("template")
    )
    template_key = models.SlugField(_("template key"), max_length=63)
    template_version = models.PositiveIntegerField(_("template version"))
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("workspace checklist")
        verbose_name_plural = _("workspace checklists")
        ordering = ("created_at",)
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "template_key"], name="checklist_checklist_ws_template_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} v{self.template_version}"

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_ja


class ChecklistItem(WorkspaceScopedModel):
    """One item of a workspace's checklist: a copy of the template item plus the workspace's own progress."""

    class Status(models.TextChoices):
        TODO = ItemStatus.TODO.value, _("Not started")
        IN_PROGRESS = ItemStatus.IN_PROGRESS.value, _("In progress")
        DONE = ItemStatus.DONE.value, _("Done")
        NOT_APPLICABLE = ItemStatus.NOT_APPLICABLE.value, _("Not applicable")

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", verbose_name=_("checklist")
    )
    key = models.CharField(_("key"), max_length=16)
    axis = models.CharField(_("axis"), max_length=1, choices=AXIS_CHOICES)
    text_ja = models.CharField(_("text (Japanese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    rule = models.CharField(_("verification rule"), max_length=63, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.TODO)
    not_applicable_reason = models.CharField(_("reason it does not apply"), max_length=500, blank=True)
    owner = models.ForeignKey(
        "tenants.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    evidence_note = models.TextField(_("evidence note"), blank=True)
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ("checklist", "order")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "checklist", "key"], name="checklist_item_ws_checklist_key_uniq"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="not_applicable") | ~models.Q(not_applicable_reason=""),
                name="checklist_item_na_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "checklist", "order"], name="checklist_item_ws_order_idx")
        ]

    def __str__(self) -> str:
        return self.key

    def text(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text_ja
