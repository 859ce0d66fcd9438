"""The KPI engine's messages: every code the engine says something with, mapped to its gettext text.

English is the source text; the Japanese is in ``kpi/locale/ja/LC_MESSAGES/django.po``. Pure modules
(``kpi.formulas``, ``kpi.planning``, ``kpi.units``, ``kpi.params``) only name these codes with parameters;
the text is made at the edge (the API, the admin, the definition book). Short or common texts carry a
context (``pgettext``) so that no other app's translation of the same English can replace ours.

A literal ``%`` is written ``%%``. ``%(column)s`` in a formula message is the position prefix ("column 3: ",
「3文字目: 」), or nothing when the error is about the whole formula.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

FORMULA = {
    "kpi.formula.column": pgettext_lazy("formula error position", "column %(column)s: "),
    "kpi.formula.path_separator": pgettext_lazy("formula cycle path", " -> "),
    "kpi.formula.unrecognised": pgettext_lazy("formula error without a text", "%(column)s%(code)s"),
    "kpi.formula.syntax": _("%(column)sthe formula is not written correctly"),
    "kpi.formula.syntax.not_text": _("%(column)sthe formula must be text"),
    "kpi.formula.syntax.incomplete": _("%(column)sthe formula is incomplete"),
    "kpi.formula.syntax.unclosed": _("%(column)sparenthesis '(' is never closed"),
    "kpi.formula.syntax.unopened": _("%(column)s')' has no matching '('"),
    "kpi.formula.empty": _("%(column)sthe formula is empty"),
    "kpi.formula.too_long": _("%(column)sthe formula is too long (%(length)s characters, the limit is %(limit)s)"),
    "kpi.formula.too_complex": _(
        "%(column)sthe formula is too complex (at most %(limit)s numbers, names and operations)"
    ),
    "kpi.formula.too_deep": _(
        "%(column)sparentheses and function calls are nested too deeply (at most %(limit)s levels)"
    ),
    "kpi.formula.bad_character": _("%(column)scharacter %(char)s is not allowed"),
    "kpi.formula.bad_character.fullwidth": _(
        "%(column)sfull-width character %(char)s is not allowed; type '%(suggestion)s' instead"
    ),
    "kpi.formula.bad_character.newline": _("%(column)sline breaks are not allowed in a formula"),
    "kpi.formula.bad_character.comment": _("%(column)s'#' (comments) is not allowed"),
    "kpi.formula.bad_number": _(
        "%(column)snumber '%(text)s' is not allowed (at most %(max_integer_digits)s integer and "
        "%(max_fraction_digits)s decimal digits, no exponents or 0x-style literals)"
    ),
    "kpi.formula.bad_name": _(
        "%(column)sname '%(name)s' is not allowed (a lowercase letter followed by lowercase letters, digits "
        "or _, at most 63 characters)"
    ),
    "kpi.formula.bad_name.function": _("%(column)s'%(name)s' is a function; use it as %(name)s(...)"),
    "kpi.formula.unknown_name": _("%(column)sunknown metric '%(name)s'"),
    "kpi.formula.unknown_name.in_formula": _("%(column)sunknown metric '%(name)s' in the formula of '%(formula)s'"),
    "kpi.formula.unknown_function": _("%(column)sfunction '%(name)s' is not allowed (available: %(allowed)s)"),
    "kpi.formula.unsupported.operator": _("%(column)soperator '%(operator)s' is not allowed"),
    "kpi.formula.unsupported.construct": _("%(column)s%(construct)s is not allowed"),
    "kpi.formula.bad_arguments.exact": _(
        "%(column)sfunction '%(function)s' takes %(expected)s argument(s) (%(given)s given)"
    ),
    "kpi.formula.bad_arguments.at_least": _(
        "%(column)sfunction '%(function)s' takes at least %(expected)s arguments (%(given)s given)"
    ),
    "kpi.formula.bad_arguments.keyword": _("%(column)sfunction '%(function)s' does not accept named arguments"),
    "kpi.formula.bad_arguments.star": _(
        "%(column)sfunction '%(function)s' does not accept * or ** argument unpacking"
    ),
    "kpi.formula.bad_arguments.round_places": _(
        "%(column)sthe number of decimal places for round must be a whole number from 0 to 6"
    ),
    "kpi.formula.division_by_zero": _("%(column)sdivision by zero"),
    "kpi.formula.cycle": _("%(column)scircular reference: %(path)s"),
    # What an unsupported construct is called inside "... is not allowed".
    "kpi.formula.construct.attribute": pgettext_lazy("formula construct", "attribute access '.'"),
    "kpi.formula.construct.subscript": pgettext_lazy("formula construct", "subscripting '[...]'"),
    "kpi.formula.construct.lambda": pgettext_lazy("formula construct", "a lambda"),
    "kpi.formula.construct.comprehension": pgettext_lazy("formula construct", "a comprehension"),
    "kpi.formula.construct.string": pgettext_lazy("formula construct", "a string"),
    "kpi.formula.construct.bytes": pgettext_lazy("formula construct", "a bytes literal"),
    "kpi.formula.construct.fstring": pgettext_lazy("formula construct", "an f-string"),
    "kpi.formula.construct.constant": pgettext_lazy("formula construct", "the constant '%(token)s'"),
    "kpi.formula.construct.walrus": pgettext_lazy("formula construct", "the assignment expression ':='"),
    "kpi.formula.construct.conditional": pgettext_lazy("formula construct", "a conditional expression (if/else)"),
    "kpi.formula.construct.tuple": pgettext_lazy("formula construct", "a comma-separated list of values"),
    "kpi.formula.construct.list": pgettext_lazy("formula construct", "a list '[...]'"),
    "kpi.formula.construct.set_or_dict": pgettext_lazy("formula construct", "a set or dict '{...}'"),
    "kpi.formula.construct.await": pgettext_lazy("formula construct", "await"),
    "kpi.formula.construct.call": pgettext_lazy("formula construct", "calling something that is not a function"),
    "kpi.formula.construct.other": pgettext_lazy("formula construct", "the syntax %(token)s"),
}  # fmt: skip

CALENDAR = {
    "kpi.calendar.invalid_period": _("Period end %(end)s is before its start %(start)s."),
    "kpi.calendar.invalid_start_month": _(
        "The fiscal-year start month must be an integer from 1 to 12 (got %(value)s)."
    ),
    "kpi.calendar.invalid_fiscal_year": _("The fiscal year must be an integer from %(low)s to %(high)s (got %(value)s)."),
    "kpi.calendar.invalid_period_kind": _("Unknown period kind %(value)s; expected one of %(allowed)s."),
    "kpi.calendar.holiday_calendar_unavailable": _(
        "No Japanese holiday calendar for %(year)s (supported: %(first)s to %(last)s)."
    ),
    # Period labels: a fiscal year is named by the calendar year it starts in; weeks by ISO year and number.
    "kpi.period.fiscal_year": pgettext_lazy("period label", "FY%(year)s"),
    "kpi.period.half.1": pgettext_lazy("period label", "FY%(year)s H1"),
    "kpi.period.half.2": pgettext_lazy("period label", "FY%(year)s H2"),
    "kpi.period.quarter": pgettext_lazy("period label", "FY%(year)s Q%(quarter)s"),
    "kpi.period.month.1": pgettext_lazy("period label", "Jan %(year)s"),
    "kpi.period.month.2": pgettext_lazy("period label", "Feb %(year)s"),
    "kpi.period.month.3": pgettext_lazy("period label", "Mar %(year)s"),
    "kpi.period.month.4": pgettext_lazy("period label", "Apr %(year)s"),
    "kpi.period.month.5": pgettext_lazy("period label", "May %(year)s"),
    "kpi.period.month.6": pgettext_lazy("period label", "Jun %(year)s"),
    "kpi.period.month.7": pgettext_lazy("period label", "Jul %(year)s"),
    "kpi.period.month.8": pgettext_lazy("period label", "Aug %(year)s"),
    "kpi.period.month.9": pgettext_lazy("period label", "Sep %(year)s"),
    "kpi.period.month.10": pgettext_lazy("period label", "Oct %(year)s"),
    "kpi.period.month.11": pgettext_lazy("period label", "Nov %(year)s"),
    "kpi.period.month.12": pgettext_lazy("period label", "Dec %(year)s"),
    "kpi.period.week": pgettext_lazy("period label: ISO week such as 2026-W15", "%(week)s"),
    "kpi.period.day": pgettext_lazy("period label: a day in ISO form", "%(date)s"),
    "kpi.period.span": pgettext_lazy("period label", "%(start)s to %(end)s"),
}  # fmt: skip

CASCADE = {
    "kpi.cascade.invalid_number": _("%(name)s must be a Decimal or an int (got %(value)s)."),
    "kpi.cascade.not_finite": _("%(name)s must be a finite number (got %(value)s)."),
    "kpi.cascade.invalid_quantum": _("The rounding quantum must be positive (got %(quantum)s)."),
    "kpi.cascade.ratio_not_additive": _(
        "A %(unit_kind)s target is not additive and cannot be cascaded by summing; use cascade_ratio to give "
        "every period the same target rate."
    ),
    "kpi.cascade.invalid_cascade_mode": _("Unknown cascade mode %(value)s; expected one of %(allowed)s."),
    "kpi.cascade.no_periods": _("There are no periods to cascade the target to."),
    "kpi.cascade.nothing_to_apportion": _("There is nothing to apportion to."),
    "kpi.cascade.weights_length_mismatch": _(
        "Got %(given)s weights for %(expected)s periods; give exactly one weight per period."
    ),
    "kpi.cascade.negative_weight": _("Weights must not be negative (weight %(position)s is %(value)s)."),
    "kpi.cascade.weights_all_zero": _("All weights are zero; give at least one period a positive weight."),
    "kpi.cascade.total_not_multiple_of_quantum": _(
        "The total %(total)s is not a whole multiple of the quantum %(quantum)s."
    ),
    "kpi.cascade.unexpected_weights": _("Weights are only used with mode 'weights' (mode is '%(mode)s')."),
    "kpi.cascade.weights_required": _("Mode 'weights' needs one weight per period."),
    "kpi.cascade.monthly_weights_required": _("Mode 'weights' needs 12 monthly weights."),
    "kpi.cascade.child_outside_parent": _("Period '%(child)s' is not inside its parent period '%(parent)s'."),
}

PACING = {
    "kpi.pacing.invalid_choice": _("Unknown %(name)s %(value)s; expected one of %(allowed)s."),
    "kpi.pacing.not_a_number": pgettext_lazy("pacing input", "%(name)s must be a Decimal or an int (got %(value)s)."),
    "kpi.pacing.not_finite": pgettext_lazy("pacing input", "%(name)s must be a finite number (got %(value)s)."),
    "kpi.pacing.invalid_thresholds": _(
        "Thresholds must satisfy 0 < behind (%(behind)s) < at_risk (%(at_risk)s) <= 1."
    ),
    "kpi.status.on_track": pgettext_lazy("pace status", "on track"),
    "kpi.status.at_risk": pgettext_lazy("pace status", "at risk"),
    "kpi.status.behind": pgettext_lazy("pace status", "behind"),
    "kpi.status.no_target": pgettext_lazy("pace status", "no target"),
    "kpi.status.no_data": pgettext_lazy("pace status", "no actuals"),
    "kpi.status.sentence": _("%(node)s: actual %(actual)s against %(expected)s expected to date (%(status)s)"),
    "kpi.status.sentence.no_target": _("%(node)s: no target is set."),
    "kpi.status.sentence.no_data": _("%(node)s: no actuals in this period."),
    "kpi.series.range_too_long": _("A daily series covers at most %(days)s days."),
}  # fmt: skip

REVERSE = {
    "kpi.reverse.not_decimal": _("%(field)s must be a Decimal or an int (floats are not accepted)."),
    "kpi.reverse.not_finite": _("%(field)s must be a finite number."),
    "kpi.reverse.negative_value": _("%(field)s must not be negative (got %(value)s)."),
    "kpi.reverse.stage_chain_broken": _(
        "Stage %(stage)s must convert into '%(expected)s' (got '%(given)s'). Order the stages from the bottom "
        "(closest to wins) upwards, each feeding the one before it."
    ),
    "kpi.reverse.stage_chain_cycle": _(
        "Stage %(stage)s converts from '%(key)s', which already appears in the chain."
    ),
    "kpi.reverse.invalid_periods": _("periods must be a whole number of at least 1."),
    "kpi.reverse.no_unknown": _(
        "Every value is given, so there is nothing to solve for. Leave exactly one value empty."
    ),
    "kpi.reverse.too_many_unknowns": _("%(count)s values are missing (%(slots)s); only one can be solved for."),
    "kpi.reverse.indeterminate": _(
        "%(divisor)s is 0 and the value needed is 0, so the levels above are indeterminate (0 / 0)."
    ),
    "kpi.reverse.division_by_zero": _(
        "%(divisor)s is 0, so no count at the levels above can reach the target (division by zero, no solution)."
    ),
    "kpi.reverse.solve_indeterminate": _(
        "Revenue and %(zeros)s are 0, so any %(unknown)s satisfies the equation; it is indeterminate."
    ),
    "kpi.reverse.solve_division_by_zero": _(
        "%(zeros)s is 0, so no %(unknown)s reaches revenue %(revenue)s (division by zero, no solution)."
    ),
    "kpi.reverse.solve_rate_infeasible": _(
        "%(rate)s would have to be %(value)s to reach revenue %(revenue)s, above 100%%: no conversion rate can "
        "do that, so the plan is infeasible with these values."
    ),
    "kpi.reverse.slot.revenue": pgettext_lazy("value to solve for", "revenue"),
    "kpi.reverse.slot.top_volume": pgettext_lazy("value to solve for", "top-of-funnel volume"),
    "kpi.reverse.slot.avg_deal_size": pgettext_lazy("value to solve for", "average deal size"),
    "kpi.reverse.slot.rate": pgettext_lazy("value to solve for", "rate %(number)s (%(slot)s)"),
    "kpi.reverse.slot_separator": pgettext_lazy("between values to solve for", ", "),
    "kpi.reverse.rounding_rule": _(
        "Counts are rounded up at every stage, each computed from the previous stage's rounded-up count; an "
        "exact quotient is not rounded up. Amounts are rounded half-up to whole yen. A per-period count is "
        "the annual required count divided by the number of periods, rounded up."
    ),
    "kpi.reverse.rounding_rule.amount": _("Amounts are rounded half-up to whole yen (ROUND_HALF_UP)."),
    "kpi.reverse.rounding_rule.count": _("Counts are rounded up (an exact quotient is kept as is)."),
    "kpi.reverse.rounding_rule.rate": _(
        "Rates are rounded up to 0.01 percentage point (a required rate is never understated)."
    ),
}  # fmt: skip

SENSITIVITY = {
    "kpi.sensitivity.method": _(
        "KGI = product of the drivers (rates in %%). The bottleneck is the driver whose reaching plan alone "
        "would raise the KGI most (in a multiplicative chain, the driver with the lowest attainment). A driver "
        "without an actual is assumed at plan. Higher-is-better drivers only."
    ),
    "kpi.sensitivity.revenue": pgettext_lazy("the KGI when it has no name", "revenue"),
    "kpi.sensitivity.not_a_driver": _(
        "'%(key)s' is not a catalogue count, rate or amount KPI, so it cannot be a driver."
    ),
    "kpi.sensitivity.invalid_elapsed_fraction": _("elapsed_fraction must be greater than 0 and at most 1."),
    "kpi.sensitivity.no_drivers": _("At least one driver is needed."),
    "kpi.sensitivity.duplicate_driver": _("Driver '%(key)s' appears more than once."),
    "kpi.sensitivity.unknown_driver_kind": _("Driver '%(key)s' has kind '%(kind)s'; use volume, rate or amount."),
    "kpi.sensitivity.actual_missing": _("No actual for %(driver)s; the projection assumes it is at plan."),
    "kpi.sensitivity.actual_negative": _(
        "The actual of %(driver)s to date is negative (%(actual)s); it is counted as 0. Check the entries."
    ),
    "kpi.sensitivity.plan_zero": _("The plan for %(driver)s is 0, so its attainment is undefined."),
    "kpi.sensitivity.summary.no_actuals": _("No actuals have been entered yet, so no bottleneck can be identified."),
    "kpi.sensitivity.summary.on_plan": _(
        "Every driver is at or above plan. Projected %(kgi)s at current actuals is about %(projected)s "
        "(plan %(plan)s)."
    ),
    "kpi.sensitivity.summary.bottleneck.plan.uplift": _(
        "The biggest bottleneck is %(driver)s: plan %(plan)s, actual %(actual)s (%(attainment)s of plan). "
        "Bringing it up to plan would raise projected %(kgi)s by about %(uplift)s."
    ),
    "kpi.sensitivity.summary.bottleneck.pro_rated.uplift": _(
        "The biggest bottleneck is %(driver)s: plan to date %(plan)s, actual %(actual)s (%(attainment)s of "
        "plan). Bringing it up to plan would raise projected %(kgi)s by about %(uplift)s."
    ),
    "kpi.sensitivity.summary.bottleneck.plan.no_uplift": _(
        "The biggest bottleneck is %(driver)s: plan %(plan)s, actual %(actual)s (%(attainment)s of plan). "
        "Another driver is also at 0, so bringing this one alone to plan would not raise projected %(kgi)s."
    ),
    "kpi.sensitivity.summary.bottleneck.pro_rated.no_uplift": _(
        "The biggest bottleneck is %(driver)s: plan to date %(plan)s, actual %(actual)s (%(attainment)s of "
        "plan). Another driver is also at 0, so bringing this one alone to plan would not raise projected "
        "%(kgi)s."
    ),
    "kpi.sensitivity.unavailable": _(
        "The KPI tree has no chain of a count x conversion rates x average deal size (for example "
        "appointments x meeting rate x win rate x average deal size), so there is nothing to analyse."
    ),
}  # fmt: skip

SMART = {
    # Several reasons of one check, one after the other (no space between Japanese sentences).
    "kpi.smart.reasons": pgettext_lazy("reasons one after the other", "%(first)s %(rest)s"),
    "kpi.smart.specific_definition_missing": _("The definition is empty; state in words what is counted."),
    "kpi.smart.specific_definition_too_short": _(
        "The definition has %(length)s characters; at least %(minimum)s are needed to say what is counted, "
        "over which period and how."
    ),
    "kpi.smart.specific_unit_missing": _("No unit is given."),
    "kpi.smart.specific_unit_unknown": _("Unit '%(unit)s' is not one of %(allowed)s."),
    "kpi.smart.specific_target_missing": _('No numeric target; state it as a number ("100 a month"), not as "increase".'),
    "kpi.smart.specific_ok": _("Definition, unit and target are clear."),
    "kpi.smart.measurable_formula_missing": _("No formula is given."),
    "kpi.smart.measurable_data_source_missing": _(
        "No data source (which system and field the values come from) is given."
    ),
    "kpi.smart.measurable_ok": _("Formula and data source are set."),
    "kpi.smart.achievable_no_target": _("Without a target, achievability cannot be judged."),
    "kpi.smart.achievable_unknown_direction": _(
        "Unknown direction '%(direction)s' (use higher_is_better or lower_is_better)."
    ),
    "kpi.smart.achievable_no_history": _("No history yet; recheck the target once actuals exist."),
    "kpi.smart.achievable_no_usable_history": _(
        "The best recent actual is 0 or less, so it is no baseline; recheck later."
    ),
    "kpi.smart.achievable_target_too_high": _(
        "The target %(target)s is %(ratio)s%% of the best recent actual %(best)s, above the %(limit)s%% limit."
    ),
    "kpi.smart.achievable_target_too_low": _(
        "The target %(target)s is below %(percent)s%% of the best recent actual %(best)s (%(limit)s); the step "
        "is too large."
    ),
    "kpi.smart.achievable_ok": _("The target is within a realistic range of recent actuals."),
    "kpi.smart.relevant_ok": _("It is on a path to the KGI."),
    "kpi.smart.relevant_not_on_kgi_path": _(
        "It is not on a path to the KGI in the KPI tree; place it under a KSF or drop it."
    ),
    "kpi.smart.time_bound_unknown_cadence": _("Cadence '%(cadence)s' is not one of %(allowed)s."),
    "kpi.smart.time_bound_missing": _('Neither a target period nor a cadence is set; say "by when" or "per month".'),
    "kpi.smart.time_bound_ok": _("A target period or cadence is set."),
    "kpi.smart.kgi_target_missing": _("The KGI has no numeric target; set it as a number first."),
    "kpi.smart.kgi_target_invalid": _("The KGI target is not a Decimal or an int."),
    "kpi.smart.kgi_target_not_positive": _("The KGI target must be a number greater than 0."),
    "kpi.smart.kgi_target_ok": _("The KGI has a numeric target."),
    "kpi.smart.company_kpi_count_low": _("There are %(count)s company-wide KPIs; %(low)s-%(high)s is the guideline."),
    "kpi.smart.company_kpi_count_high": _(
        "There are %(count)s company-wide KPIs. More KPIs do not mean more results; narrow them to "
        "%(low)s-%(high)s."
    ),
    "kpi.smart.company_kpi_count_ok": _("%(count)s company-wide KPIs, within the guideline."),
    "kpi.smart.department_kpi_count_ok": _("%(department)s: %(count)s KPIs, within the guideline."),
    "kpi.smart.department_kpi_count_low": _(
        "%(department)s has %(count)s KPIs; %(low)s-%(high)s per department is the guideline."
    ),
    "kpi.smart.department_kpi_count_high": _(
        "%(department)s has %(count)s KPIs; %(low)s-%(high)s per department is the guideline."
    ),
    "kpi.smart.indicator_unknown": _("Some KPIs are neither leading nor lagging."),
    "kpi.smart.no_leading_kpi": _(
        "There is no leading indicator (daily activity such as calls or appointments). Lagging measures alone "
        "only show a miss after the fact, with nothing to act on day to day."
    ),
    "kpi.smart.no_lagging_kpi": _(
        "There is no lagging indicator (outcomes such as wins or revenue), so there is no way to see whether "
        "the activity turns into the KGI."
    ),
    "kpi.smart.leading_lagging_ok": _("Both leading and lagging indicators are present."),
    "kpi.smart.no_kpis": _("There are no KPIs; decompose the KGI into KSFs and design KPIs for each."),
    "kpi.smart.duplicate_kpi_keys": _("Several KPIs share the same key."),
    "kpi.smart.kpi_owner_missing": _("%(count)s KPIs have no owner; every KPI needs a responsible owner."),
    "kpi.smart.kpi_owners_ok": _("Every KPI has an owner."),
    "kpi.smart.smart_failed": _("%(count)s KPIs do not pass the SMART check."),
    "kpi.smart.smart_all_passed": _("Every KPI passes the SMART check."),
}  # fmt: skip

UNITS = {
    # A value with its unit (the number already written with thousands separators).
    "kpi.unit.count": pgettext_lazy("a count", "%(number)s"),
    "kpi.unit.percent": pgettext_lazy("a percentage", "%(number)s%%"),
    "kpi.unit.jpy": pgettext_lazy("an amount in yen", "JPY %(number)s"),
    "kpi.unit.months": pgettext_lazy("a number of months", "%(number)s months"),
    # An amount to read at a glance: the Japanese reads it in 万 and 億, rounded; the English in whole yen.
    "kpi.amount.yen": pgettext_lazy("an amount below ten thousand yen", "JPY %(yen)s"),
    "kpi.amount.man": pgettext_lazy("an amount rounded to ten thousand yen (man)", "JPY %(yen)s"),
    "kpi.amount.oku": pgettext_lazy("an amount rounded to a hundred million yen (oku)", "JPY %(yen)s"),
    "kpi.amount.oku_man": pgettext_lazy("an amount in hundred millions and ten thousands of yen", "JPY %(yen)s"),
}  # fmt: skip

SERVICES = {
    "kpi.metric.key_taken": pgettext_lazy("metric key", "This key is already used."),
    "kpi.plan.check_failed": _(
        "This plan version does not pass its check (%(codes)s). Fix the findings, or activate it with "
        "confirmation."
    ),
    "kpi.plan.archived": _("This plan version is archived; re-plan to change it."),
    "kpi.tree.kgi_has_parent": _("The KGI is the root and has no parent."),
    "kpi.tree.second_kgi": _("A plan has exactly one KGI."),
    "kpi.tree.parent_required": _("KSFs and KPIs need a parent."),
    "kpi.tree.parent_other_plan": _("The parent belongs to another plan."),
    "kpi.tree.parent_kind": _("A KSF sits under the KGI; a KPI sits under a KSF or another KPI."),
    "kpi.tree.parent_gone": _("The parent no longer exists."),
    "kpi.tree.cycle": _("A node cannot be moved under its own descendant."),
    "kpi.owner_not_member": pgettext_lazy("KPI owner", "The owner must be a member of this workspace."),
    "kpi.node.key_taken": pgettext_lazy("KPI tree node key", "This key is already used in the plan."),
    "kpi.node.in_use": _("Other KPIs' formulas use this key: %(keys)s"),
    "kpi.target.no_annual_target": _("Set the node's annual target first."),
    "kpi.actual.negative": _("%(metric)s does not take negative values (got %(value)s)."),
    "kpi.actual.fed_by_crm": _(
        "%(metric)s is fed by a CRM connection: change it in the CRM (or the metric's rule), not here."
    ),
}

BOOK = {
    "kpi.book.title": pgettext_lazy("definition book", "KPI definition book"),
    "kpi.book.column.kind": pgettext_lazy("definition book column", "Level"),
    "kpi.book.column.key": pgettext_lazy("definition book column", "Key"),
    "kpi.book.column.name": pgettext_lazy("definition book column", "Name"),
    "kpi.book.column.parent": pgettext_lazy("definition book column", "Parent"),
    "kpi.book.column.definition": pgettext_lazy("definition book column", "Definition"),
    "kpi.book.column.formula": pgettext_lazy("definition book column", "Formula"),
    "kpi.book.column.unit": pgettext_lazy("definition book column", "Unit"),
    "kpi.book.column.direction": pgettext_lazy("definition book column", "Direction"),
    "kpi.book.column.indicator": pgettext_lazy("definition book column", "Leading/lagging"),
    "kpi.book.column.department": pgettext_lazy("definition book column", "Department"),
    "kpi.book.column.owner": pgettext_lazy("definition book column", "Owner"),
    "kpi.book.column.cadence": pgettext_lazy("definition book column", "Cadence"),
    "kpi.book.column.data_source": pgettext_lazy("definition book column", "Data source"),
    "kpi.book.column.crm_rule": pgettext_lazy("definition book column", "Counted from the CRM"),
    "kpi.book.column.target_fy": pgettext_lazy("definition book column", "Annual target"),
    "kpi.book.unit.count": pgettext_lazy("definition book unit", "count"),
    "kpi.book.unit.percent": pgettext_lazy("definition book unit", "%%"),
    "kpi.book.unit.jpy": pgettext_lazy("definition book unit", "JPY"),
    "kpi.book.unit.months": pgettext_lazy("definition book unit", "months"),
    "kpi.book.direction.higher_is_better": pgettext_lazy("definition book direction", "higher is better"),
    "kpi.book.direction.lower_is_better": pgettext_lazy("definition book direction", "lower is better"),
    "kpi.book.indicator.leading": pgettext_lazy("definition book indicator", "leading"),
    "kpi.book.indicator.lagging": pgettext_lazy("definition book indicator", "lagging"),
    "kpi.book.cadence.daily": pgettext_lazy("definition book cadence", "daily"),
    "kpi.book.cadence.weekly": pgettext_lazy("definition book cadence", "weekly"),
    "kpi.book.cadence.monthly": pgettext_lazy("definition book cadence", "monthly"),
}

MESSAGES = {**FORMULA, **CALENDAR, **CASCADE, **PACING, **REVERSE, **SENSITIVITY, **SMART, **UNITS, **SERVICES,
            **BOOK}  # fmt: skip

messages_register(MESSAGES)
