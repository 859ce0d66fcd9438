"""The metric rules in words (``integrations.rollups.rules``), for the definition book and the mapping page."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

RULES = {
    "integrations.rule.became_lead": _(
        "People who became a lead, by the day they became one (each person once)"
    ),
    "integrations.rule.reached_stage": _(
        "Deals that reached the %(stage)s stage or a later one, by the day they first did"
    ),
    "integrations.rule.closed_won": _("Deals closed won, by close date"),
    "integrations.rule.closed_won.amount": _("The amount of the deals closed won, by close date"),
    "integrations.rule.closed_lost": _("Deals closed lost, by close date"),
    "integrations.rule.activity": _("%(type)s activities, by the day they happened"),
    "integrations.rule.activity_completed": _("Completed %(type)s activities, by the day they happened"),
    "integrations.stage.appointment": pgettext_lazy("funnel stage", "appointment"),
    "integrations.stage.meeting": pgettext_lazy("funnel stage", "meeting"),
    "integrations.stage.proposal": pgettext_lazy("funnel stage", "proposal"),
    "integrations.stage.won": pgettext_lazy("funnel stage", "won"),
    "integrations.activity.call": pgettext_lazy("activity type", "call"),
    "integrations.activity.email": pgettext_lazy("activity type", "e-mail"),
    "integrations.activity.meeting": pgettext_lazy("activity type", "meeting"),
    "integrations.activity.task": pgettext_lazy("activity type", "task"),
}

messages_register(RULES)
