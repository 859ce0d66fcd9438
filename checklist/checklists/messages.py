"""Message codes of the checklists: the services' refusals, the items' verification, the rules' evidence.

English is the gettext source; the Japanese is in ``checklist/locale/ja/LC_MESSAGES/django.po``.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

# Separators of joined parameters (``checklist.checklists.params.Joined``), a quoted name, a transitional pair.
LIST = "checklist.checklists.list"
CLAUSES = "checklist.checklists.clauses"
QUOTED = "checklist.checklists.quoted"
LEGACY_TEXT = "checklist.checklists.legacy_text"

MESSAGES = {
    LIST: pgettext_lazy("list separator", ", "),
    CLAUSES: pgettext_lazy("clause separator", "; "),
    QUOTED: pgettext_lazy("a quoted name", "'%(name)s'"),
    # Transitional: a sentence still made as a Japanese/English pair by a module not yet on the message layer
    # (``checklist.checklists.params.legacy_text``).
    LEGACY_TEXT: "%(text)s",
    # --- Refusals of the services ---
    "checklist.checklists.items_required": _("Give at least one item."),
    "checklist.checklists.too_many_items": _("A template has at most %(max)s items."),
    "checklist.checklists.duplicate_item_keys": _("Duplicate item keys: %(keys)s"),
    "checklist.checklists.invalid_axis": _("Axis is S, M or D."),
    "checklist.checklists.unknown_rule": _("There is no verification rule '%(rule)s'."),
    "checklist.checklists.template_key_reserved": _("This key belongs to a standard template."),
    "checklist.checklists.template_key_taken": _(
        "A template with this key exists; publish a new version of it instead."
    ),
    "checklist.checklists.template_global": _(
        "Standard templates are revised only through the product's catalogue."
    ),
    "checklist.checklists.wrong_workspace": _("Wrong workspace."),
    "checklist.checklists.template_not_found": _("Template not found."),
    "checklist.checklists.template_already_adopted": _(
        "Template %(template)s is already adopted (version %(version)s)."
    ),
    "checklist.checklists.invalid_links": _("Links are a list of URLs."),
    "checklist.checklists.too_many_links": _("At most %(max)s links."),
    "checklist.checklists.invalid_link": _("Each link must be an http(s) URL."),
    "checklist.checklists.unknown_field": _("Unknown field."),
    "checklist.checklists.invalid_status": _("Unknown status."),
    "checklist.checklists.owner_not_member": pgettext_lazy(
        "checklist item", "The owner must be a member of this workspace."
    ),
    "checklist.checklists.reason_required": _("Marking an item not applicable needs a reason."),
    "checklist.checklists.reason_only_when_not_applicable": _(
        "A reason is given only when marking the item not applicable."
    ),
    # --- An item's verification ---
    "checklist.checklists.verification.manual": _(
        "The product holds no state that proves this item; it is ticked by hand."
    ),
    "checklist.checklists.verification.not_built": _(
        "The capability that proves this item is not built yet; it will be verified automatically once it is."
    ),
    "checklist.checklists.verification.contradicted": _(
        "Marked done by hand, but the product's evidence does not confirm it: %(evidence)s"
    ),
    "checklist.checklists.verification.verified": _("Verified from the product's own state."),
    "checklist.checklists.verification.not_applicable": _("This does not apply to this workspace."),
    "checklist.checklists.verification.not_proven": _("The product's state does not prove it yet."),
    # --- Evidence of the KPI rules (checklist.checklists.rules) ---
    "checklist.checklists.evidence.no_plan": _(
        "There is no KPI plan yet; create one in the KPI section and set the KGI."
    ),
    "checklist.checklists.evidence.plan_without_kgi": _("The plan '%(plan)s' has no KGI."),
    "checklist.checklists.evidence.kgi_without_target": _(
        "The KGI '%(kgi)s' has no positive numeric target."
    ),
    "checklist.checklists.evidence.kgi_target": _("KGI '%(kgi)s': target %(target)s"),
    "checklist.checklists.evidence.no_ksf": _("No KSF sits under the KGI."),
    "checklist.checklists.evidence.ksfs_under_kgi": _("%(count)s KSF(s) under the KGI: %(ksfs)s"),
    "checklist.checklists.evidence.no_ksf_for_kpis": _(
        "There are no KSFs, so no KPI can be designed from them."
    ),
    "checklist.checklists.evidence.ksfs_without_kpis": _("KSFs without any KPI: %(ksfs)s"),
    "checklist.checklists.evidence.every_ksf_has_kpis": _("Every KSF (%(count)s) has at least one KPI."),
    "checklist.checklists.evidence.no_kpis": _("There are no KPIs."),
    "checklist.checklists.evidence.kpis_not_smart": _(
        "%(count)s of %(total)s KPIs fail the SMART check: %(failing)s"
    ),
    "checklist.checklists.evidence.all_kpis_smart": _("All %(count)s KPIs pass the SMART check."),
    "checklist.checklists.evidence.kpi_count": "%(findings)s",
    "checklist.checklists.evidence.tree_incomplete": _(
        "The tree is incomplete (KGI %(kgi)s, KSF %(ksf)s, KPI %(kpi)s)."
    ),
    "checklist.checklists.evidence.kpis_unlinked": _("KPIs not linked up to the KGI: %(kpis)s"),
    "checklist.checklists.evidence.tree_complete": _(
        "Plan '%(plan)s' holds a KGI -> %(ksf)s KSF(s) -> %(kpi)s KPI(s) tree; every KPI links up to the KGI."
    ),
    "checklist.checklists.evidence.leading_and_lagging": _("Leading: %(leading)s / lagging: %(lagging)s"),
    "checklist.checklists.evidence.indicators_missing": "%(findings)s",
    "checklist.checklists.evidence.indicators_needed": _("Both leading and lagging indicators are needed."),
    "checklist.checklists.evidence.kpis_without_owner": _("KPIs without an owner: %(kpis)s"),
    "checklist.checklists.evidence.all_kpis_owned": _("Every KPI (%(count)s) has an owner: %(owners)s"),
}

messages_register(MESSAGES)
