"""Message codes of the review cycle: the refusals, the rules' evidence, the agenda and the calendar.

English is the gettext source; the Japanese is in ``checklist/locale/ja/LC_MESSAGES/django.po``.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

MESSAGES = {
    # --- Labels used in sentences ---
    "checklist.reviews.kind.weekly": pgettext_lazy("review cadence", "weekly"),
    "checklist.reviews.kind.monthly": pgettext_lazy("review cadence", "monthly"),
    "checklist.reviews.kind.quarterly": pgettext_lazy("review cadence", "quarterly"),
    "checklist.reviews.field.weekday": pgettext_lazy("review cadence", "weekday"),
    "checklist.reviews.field.day_of_month": pgettext_lazy("review cadence", "day of month"),
    "checklist.reviews.field.month_of_quarter": pgettext_lazy("review cadence", "month of the quarter"),
    # --- Refusals ---
    "checklist.reviews.rule_field_required": _("This kind of cadence needs a %(label)s."),
    "checklist.reviews.rule_field_not_for_kind": _("A %(label)s does not apply to this kind of cadence."),
    "checklist.reviews.end_before_start": _("The last date is before the first date."),
    "checklist.reviews.attendee_not_member": _("Attendees must be members of this workspace."),
    "checklist.reviews.unknown_field": _("This field cannot be changed."),
    "checklist.reviews.count_out_of_range": _("The count must be between 1 and %(max)s."),
    "checklist.reviews.not_found": _("Not found."),
    "checklist.reviews.kpi_node_required": _("Choose the KPI."),
    "checklist.reviews.date_out_of_range": _("Give a date between 2000 and 2100."),
    "checklist.reviews.feed_needs_a_person": _("A person issues the subscription URL, not an API key."),
    # --- Evidence of the review rules (checklist.reviews.rules) ---
    "checklist.reviews.evidence.no_cadence": _("No active review cadence is set."),
    "checklist.reviews.evidence.cadences": _("Active review cadences: %(kinds)s (%(count)s)."),
    "checklist.reviews.evidence.no_upcoming_meeting": _("No upcoming review meeting is scheduled."),
    "checklist.reviews.evidence.meeting_without_feed": _(
        "The next meeting (%(starts_at)s) is scheduled, but no calendar subscription URL is issued."
    ),
    "checklist.reviews.evidence.meeting_and_feed": _(
        'Next meeting %(starts_at)s "%(title)s"; the iCalendar subscription URL is issued.'
    ),
    "checklist.reviews.evidence.quarterly_without_date": _(
        "A quarterly KPI revision cadence exists but has no next date."
    ),
    "checklist.reviews.evidence.no_quarterly_cadence": _("No quarterly KPI revision cadence is set."),
    "checklist.reviews.evidence.quarterly_next": _(
        'Quarterly KPI revision "%(title)s": next on %(starts_at)s.'
    ),
    "checklist.reviews.evidence.no_plan": _("There is no KPI plan."),
    "checklist.reviews.evidence.nothing_tracked": _(
        "No KPI has both a target and actuals yet, so follow-up on KPIs behind cannot be checked."
    ),
    "checklist.reviews.evidence.nothing_behind": _("No KPI is behind (%(count)s checked)."),
    "checklist.reviews.evidence.behind_without_plan": _("KPIs behind without an action plan: %(kpis)s."),
    "checklist.reviews.evidence.behind_all_planned": _("All %(count)s KPIs behind have an open action plan."),
    # --- The agenda (checklist.reviews.selectors) ---
    "checklist.reviews.agenda.no_plan": _("There is no KPI plan yet."),
    "checklist.reviews.agenda.nothing_behind": _("No KPI is behind pace or at risk."),
    "checklist.reviews.agenda.nothing_behind_in": _("No KPI is behind pace or at risk (%(periods)s)."),
    "checklist.reviews.agenda.no_plan_for_period": _("No KPI plan covers %(period)s, so it is not judged."),
    "checklist.reviews.agenda.kpi_in_period": pgettext_lazy(
        "agenda item: a KPI in the reviewed period", "[%(period)s] %(status)s"
    ),
    "checklist.reviews.agenda.bottleneck": _("Bottleneck: %(summary)s"),
    "checklist.reviews.agenda.action_overdue": _("Overdue action: %(title)s (due %(due)s)"),
    "checklist.reviews.agenda.action_overdue_owned": _(
        "Overdue action: %(title)s (owner: %(owner)s, due %(due)s)"
    ),
    "checklist.reviews.agenda.action_due": _("Due by next meeting: %(title)s (due %(due)s)"),
    "checklist.reviews.agenda.action_due_owned": _(
        "Due by next meeting: %(title)s (owner: %(owner)s, due %(due)s)"
    ),
    "checklist.reviews.agenda.target": "%(kpi)s %(target)s",
    "checklist.reviews.agenda.next_month": _("Plan and actions for next month (%(month)s): %(targets)s"),
    "checklist.reviews.agenda.next_month_without_targets": _(
        "Plan and actions for next month (%(month)s): no monthly targets set"
    ),
    "checklist.reviews.agenda.revision": _(
        "KPI revision: check that the %(count)s KPIs' measures, formulas and targets still fit the business, and "
        "re-plan if they do not."
    ),
    # --- The calendar document ---
    "checklist.reviews.calendar.name": _("%(workspace)s Reviews"),
    "checklist.reviews.calendar.no_agenda": _("Agenda not generated yet."),
}

messages_register(MESSAGES)
