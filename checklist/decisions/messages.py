"""Message codes of the decision matrix (``checklist.decisions.*``): its errors, sentences and evidence.

English is the source; the Japanese is in ``checklist/locale/ja/LC_MESSAGES/django.po``. Scoring, the
services and the rules speak in these codes with parameters (``core.messages.Message``); the API, the
Markdown report and the checklist render them in the reader's language. Criterion and default-option names
are data (``checklist.decisions.criteria``); they reach a sentence as display parameters
(``checklist.decisions.scoring.params``). The report's own labels are in its template.

Short, generic texts (list joins, kind labels) carry the context "decision matrix" so another app's
translation of the same English can never replace ours.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

C = "decision matrix"

MESSAGES = {
    # Composition of sentences and lists (see scoring.params.Listing).
    "checklist.decisions.sentences": pgettext_lazy(C, "%(sentences)s"),
    "checklist.decisions.join.sentences": pgettext_lazy(C, "%(left)s %(right)s"),
    "checklist.decisions.join.and": pgettext_lazy(C, "%(left)s and %(right)s"),
    "checklist.decisions.join.comma": pgettext_lazy(C, "%(left)s, %(right)s"),
    "checklist.decisions.join.semicolon": pgettext_lazy(C, "%(left)s; %(right)s"),
    "checklist.decisions.quoted": pgettext_lazy(C, "'%(text)s'"),
    # Option kinds, in a sentence and short.
    "checklist.decisions.kind.package": pgettext_lazy(C, "an MA/SFA package"),
    "checklist.decisions.kind.hybrid": pgettext_lazy(C, "a hybrid (package + custom dashboard)"),
    "checklist.decisions.kind.scratch": pgettext_lazy(C, "a full-scratch build"),
    "checklist.decisions.kind_short.package": pgettext_lazy(C, "package"),
    "checklist.decisions.kind_short.hybrid": pgettext_lazy(C, "hybrid"),
    "checklist.decisions.kind_short.scratch": pgettext_lazy(C, "full scratch"),
    # Scoring: invalid matrix input.
    "checklist.decisions.no_criteria": _("The matrix has no criteria."),
    "checklist.decisions.no_options": _("The matrix has no options."),
    "checklist.decisions.weight_type": _(
        "The weight of criterion '%(criterion)s' must be a Decimal or an integer, got %(value)s."
    ),
    "checklist.decisions.weight_not_finite": _(
        "The weight of criterion '%(criterion)s' is not a finite number: %(value)s."
    ),
    "checklist.decisions.weight_negative": _(
        "The weight of criterion '%(criterion)s' is negative (%(weight)s); weights must be 0 or more."
    ),
    "checklist.decisions.weights_all_zero": _(
        "All weights are zero; give at least one criterion a positive weight."
    ),
    "checklist.decisions.scores_invalid": _(
        "The scores of option '%(option)s' are not a mapping of criterion to score."
    ),
    "checklist.decisions.score_unknown_criterion": _(
        "Option '%(option)s' is scored on '%(criterion)s', which is not a criterion of the matrix."
    ),
    "checklist.decisions.score_missing": _("Option '%(option)s' has no score for criterion '%(criterion)s'."),
    "checklist.decisions.score_not_integer": _(
        "The score of option '%(option)s' on criterion '%(criterion)s' must be an integer, got %(value)s."
    ),
    "checklist.decisions.score_out_of_range": _(
        "The score %(score)s of option '%(option)s' on criterion '%(criterion)s' is out of range "
        "(%(min)s-%(max)s)."
    ),
    "checklist.decisions.signal_unknown": _("Unknown signal '%(signal)s'."),
    "checklist.decisions.signal_not_bool": _(
        "The answer to signal '%(signal)s' must be yes/no (a bool), got %(value)s."
    ),
    "checklist.decisions.option_kind_invalid": _(
        "Option '%(option)s' has an invalid kind '%(kind)s' (package, hybrid or scratch)."
    ),
    "checklist.decisions.option_kind_missing": _(
        "Option '%(option)s' has no kind (package, hybrid or scratch)."
    ),
    # Services: input and state the scoring cannot judge.
    "checklist.decisions.criterion_unknown": _("There is no criterion '%(criterion)s'."),
    "checklist.decisions.weight_not_number": _("A weight must be a number."),
    "checklist.decisions.weight_out_of_bounds": _(
        "A weight must be at most %(max)s with up to %(places)s decimal places."
    ),
    "checklist.decisions.rationale_invalid": _("A rationale must be text of at most %(max)s characters."),
    "checklist.decisions.matrix_decided": _(
        "A decision is recorded on this matrix; reopen the decision before changing it."
    ),
    "checklist.decisions.matrix_archived": _("An archived matrix cannot be changed."),
    "checklist.decisions.matrix_name_taken": _("A matrix with this name already exists."),
    "checklist.decisions.option_name_taken": _("This matrix already has an option with that name."),
    "checklist.decisions.template_unknown": _("There is no option template '%(template)s'."),
    "checklist.decisions.name_required": _("A name is required."),
    "checklist.decisions.kind_required": _("A kind (package, hybrid, scratch) is required."),
    "checklist.decisions.option_not_in_matrix": _("The option is not part of this matrix."),
    "checklist.decisions.reason_required": _("Give the reason for the decision."),
    "checklist.decisions.no_decision": _("No decision is recorded on this matrix."),
    # The six "package falls short" questions and their reading.
    "checklist.decisions.signal.multi_source_kpi": _(
        "Do KPI calculations need to integrate several data sources?"
    ),
    "checklist.decisions.signal.custom_dashboard": _(
        "Are custom dashboards needed beyond the package's standard features?"
    ),
    "checklist.decisions.signal.realtime_speed": _(
        "Are there real-time or speed requirements a package cannot meet?"
    ),
    "checklist.decisions.signal.business_specific_kpis": _("Does the business model need KPIs of its own?"),
    "checklist.decisions.signal.advanced_analysis": _(
        "Is advanced data analysis needed that a package cannot provide?"
    ),
    "checklist.decisions.signal.long_term_cost_extensibility": _(
        "Are long-term cost reduction or extensibility priorities?"
    ),
    "checklist.decisions.signals.reading.package": _(
        '%(yes)s of %(total)s "package falls short" signals are yes: a package should do.'
    ),
    "checklist.decisions.signals.reading.hybrid": _(
        '%(yes)s of %(total)s "package falls short" signals are yes: a hybrid (package + custom dashboard) is '
        "worth considering."
    ),
    "checklist.decisions.signals.reading.scratch": _(
        '%(yes)s of %(total)s "package falls short" signals are yes: a full-scratch build is likely needed.'
    ),
    "checklist.decisions.signals.unanswered": _("%(count)s unanswered; the reading may change."),
    # Stability: the smallest weight change that overturns the recommendation.
    "checklist.decisions.stability.flip_increase": _(
        "Raising the weight of '%(criterion)s' by %(change)s (%(current)s -> %(new)s) brings %(challengers)s "
        "level with the leader and overturns the recommendation."
    ),
    "checklist.decisions.stability.flip_decrease": _(
        "Lowering the weight of '%(criterion)s' by %(change)s (%(current)s -> %(new)s) brings %(challengers)s "
        "level with the leader and overturns the recommendation."
    ),
    "checklist.decisions.stability.stable": _(
        "No change to a single criterion's weight (keeping weights >= 0) can overturn it: stable."
    ),
    "checklist.decisions.stability.tied": _(
        "First place is tied, so there is no single recommendation to test."
    ),
    "checklist.decisions.stability.single_option": _(
        "There is only one option, so there is nothing to compare against."
    ),
    # The final recommendation: the matrix read with the signals.
    "checklist.decisions.final.consistent": _(
        "The matrix recommends '%(option)s' (%(kind)s). %(yes)s of %(total)s \"package falls short\" signals "
        "are yes, which points to %(implication)s. The two agree."
    ),
    "checklist.decisions.final.consider_heavier": _(
        "The matrix recommends '%(option)s' (%(kind)s). %(yes)s of %(total)s \"package falls short\" signals "
        "are yes, which points to %(implication)s. The recommendation stands, but %(implication)s is worth "
        "considering. Check that the recommended option covers the needs behind the yes answers."
    ),
    "checklist.decisions.final.consider_lighter": _(
        "The matrix recommends '%(option)s' (%(kind)s). %(yes)s of %(total)s \"package falls short\" signals "
        "are yes, which points to %(implication)s. The recommendation stands, but %(implication)s is worth "
        "considering. A lighter set-up may be enough; check the scores do not overstate the needs."
    ),
    "checklist.decisions.final.conflict": _(
        "The matrix and the signals disagree. The matrix recommends '%(option)s' (%(kind)s), but %(yes)s of "
        '%(total)s "package falls short" signals are yes, which points to %(implication)s. The consultant '
        "should review the weights and scores before recording a decision."
    ),
    "checklist.decisions.final.tie": _(
        "The matrix gives no single recommendation: %(tied)s tie for first place. %(yes)s of %(total)s "
        '"package falls short" signals are yes, which points to %(implication)s.'
    ),
    "checklist.decisions.final.tie_matching_one": _("Of the tied options, %(options)s matches the signals."),
    "checklist.decisions.final.tie_matching_many": _("Of the tied options, %(options)s match the signals."),
    "checklist.decisions.final.consultant_decides": _("The consultant decides."),
    "checklist.decisions.final.unanswered": _("%(count)s signal question(s) are unanswered."),
    # The Markdown report's sentences (its labels are in the template).
    "checklist.decisions.export.recommend_only": _("**%(option)s** (the only option)."),
    "checklist.decisions.export.recommend": _(
        "**%(option)s** is recommended (ahead of '%(runner_up)s' by %(margin)s weighted points, "
        "%(margin_normalised)s normalised points)."
    ),
    "checklist.decisions.export.tie": _(
        "First place is tied (%(options)s), so there is no single recommendation."
    ),
    # Checklist evidence (rules A11-A13).
    "checklist.decisions.rule.no_matrix": _("No decision matrix has been created yet."),
    "checklist.decisions.rule.matrix_scored": _(
        "Decision matrix '%(matrix)s' scores %(options)s options on all %(criteria)s criteria and answers all "
        "six signals (%(yes)s yes)."
    ),
    "checklist.decisions.rule.matrix_incomplete": _(
        "Decision matrix '%(matrix)s' is not complete: %(gaps)s."
    ),
    "checklist.decisions.rule.gap_options": _("it has %(options)s option(s) to compare (two or more needed)"),
    "checklist.decisions.rule.gap_scores": _("%(missing)s score(s) are missing across %(options)s option(s)"),
    "checklist.decisions.rule.gap_signals": _("%(count)s signal question(s) are unanswered"),
    "checklist.decisions.rule.no_decision": _(
        "No final package-versus-scratch decision has been recorded yet."
    ),
    "checklist.decisions.rule.decision_recorded": _(
        "Matrix '%(matrix)s' chose '%(option)s', recorded by %(decided_by)s on %(decided_at)s (reason: "
        "%(reason)s)."
    ),
    "checklist.decisions.rule.requirements_undecided": _(
        "No decision is recorded yet, so whether a scratch or hybrid build needs requirements and a "
        "development plan is still open."
    ),
    "checklist.decisions.rule.package_chosen": _(
        "The decision is the package '%(option)s', so this does not apply."
    ),
    "checklist.decisions.rule.requirements_recorded": _(
        "Requirements and a development plan for '%(option)s' are recorded with the decision."
    ),
    "checklist.decisions.rule.requirements_missing_both": _(
        "'%(option)s' was chosen, but requirements and a development plan are not recorded yet."
    ),
    "checklist.decisions.rule.requirements_missing": _(
        "'%(option)s' was chosen, but requirements are not recorded yet."
    ),
    "checklist.decisions.rule.plan_missing": _(
        "'%(option)s' was chosen, but a development plan is not recorded yet."
    ),
}

messages_register(MESSAGES)
