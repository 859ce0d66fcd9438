"""The package-versus-scratch decision matrix: its weights, options with scores, signal answers, the decision.

Only inputs are stored here; every number (totals, ranking, stability, the signals' reading) is computed
on read by ``checklist.decisions.scoring``. Weights are stored as decimal strings so they stay exact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from checklist.decisions.criteria import OptionKind
from tenants.db import WorkspaceScopedModel

__all__ = ["DecisionMatrix", "MatrixOption"]

OPTION_KIND_CHOICES = [
    (OptionKind.PACKAGE.value, _("MA/SFA package")),
    (OptionKind.HYBRID.value, _("hybrid (package + custom dashboard)")),
    (OptionKind.SCRATCH.value, _("full-scratch build")),
]


class DecisionMatrix(WorkspaceScopedModel):
    """One package-versus-scratch comparison (a workspace may hold several, e.g. one per engagement).

    ``weights`` maps criterion key -> weight (decimal string); ``signal_answers`` maps signal key -> bool
    (a missing key is unanswered). The final decision lives on the matrix: recording it sets ``status`` to
    decided and locks weights, options and signals until it is reopened.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DECIDED = "decided", _("decided")
        ARCHIVED = "archived", _("archived")

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    weights = models.JSONField(_("criterion weights"), default=dict, blank=True)
    signal_answers = models.JSONField(_("signal answers"), default=dict, blank=True)

    decided_option = models.ForeignKey(
        "checklist.MatrixOption",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided option"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by (user)"),
    )
    decided_by_membership = models.ForeignKey(
        "tenants.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by (membership)"),
    )
    decided_by_label = models.CharField(_("decided by"), max_length=200, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    requirements = models.TextField(_("requirements (text or links)"), blank=True)
    development_plan = models.TextField(_("development plan (text or links)"), blank=True)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("decision matrix")
        verbose_name_plural = _("decision matrices")
        ordering = ("-created_at",)
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "name"], name="checklist_matrix_workspace_name_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_decided(self) -> bool:
        return self.status == self.Status.DECIDED and self.decided_at is not None


class MatrixOption(WorkspaceScopedModel):
    """A candidate (HubSpot, Salesforce, kintone, a full-scratch build, a hybrid): scores 1-5 with rationales.

    ``scores`` maps criterion key -> int; a criterion not in it is not scored yet. ``rationales`` maps
    criterion key -> text. ``template_key`` names the default option template (``checklist.decisions.criteria``)
    it was created from, if any.
    """

    matrix = models.ForeignKey(
        DecisionMatrix, on_delete=models.CASCADE, related_name="options", verbose_name=_("matrix")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OPTION_KIND_CHOICES)
    template_key = models.CharField(_("template"), max_length=32, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    rationales = models.JSONField(_("rationales"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta(WorkspaceScopedModel.Meta):
        verbose_name = _("matrix option")
        verbose_name_plural = _("matrix options")
        ordering = ("position", "created_at")
        constraints = [
            *WorkspaceScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["workspace", "matrix", "name"], name="checklist_matrixoption_ws_name_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.name
