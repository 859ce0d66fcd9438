"""The metric rules in words (``integrations.rollups.rules``), for the definition book and the mapping page."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

RULES = {
    "integrations.rule.none": _("Not fed by the CRM"),
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

# Refusals of a workspace's own metric rule (integrations.services.metric_rule_set).
RULE_ERRORS = {
    "integrations.rule.metric_unknown": _("The workspace has no base metric %(metric)s."),
    "integrations.rule.stage_required": _(
        "Choose the funnel stage the deals must reach (appointment, meeting, proposal or won)."
    ),
    "integrations.rule.stage_unexpected": _("Only a 'reached stage' rule takes a funnel stage."),
    "integrations.rule.activity_type_required": _(
        "Choose the activity type (call, e-mail, meeting or task)."
    ),
    "integrations.rule.activity_type_unexpected": _("Only an activity rule takes an activity type."),
    "integrations.rule.completed_only_unexpected": _(
        "Only an activity rule can count completed activities only."
    ),
    "integrations.rule.amount_needs_deals": _("Only deals have an amount: an amount rule counts won deals."),
    "integrations.rule.measure_unit": _(
        "%(metric)s is measured in %(unit)s: a rule that counts records cannot feed it (or the reverse)."
    ),
}

messages_register({**RULES, **RULE_ERRORS})
