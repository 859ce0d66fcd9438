"""Message codes of the control plane (workspaces, memberships, API keys)."""

from django.utils.translation import gettext_lazy as _

from core.messages import messages_register

MESSAGES = {
    "tenants.workspace.slug_taken": _("A workspace with this slug already exists."),
    "tenants.workspace.unknown_setting": _("Unknown setting: %(name)s"),
    "tenants.workspace.invalid_thresholds": _(
        "The at-risk threshold must be above zero and below the on-track threshold (at most 1)."
    ),
    "tenants.membership.consultant_assigned_by_firm": _("Only the consulting firm can assign consultants."),
    "tenants.membership.consultant_changed_by_firm": _("Only the consulting firm can change a consultant."),
    "tenants.membership.consultant_not_firm_member": _(
        "A consultant must be a member of the workspace's consulting firm."
    ),
    "tenants.membership.invalid_role": _("Unknown role."),
    "tenants.membership.already_member": _("This person is already a member."),
    "tenants.membership.last_admin": _("The workspace must keep at least one client admin."),
    "tenants.api_key.invalid_scope": _("Unknown scope."),
    "tenants.api_key.no_scope": _("Choose at least one scope."),
    "tenants.api_key.expiry_in_past": _("The expiry date must be in the future."),
    "tenants.api_key.not_found": _("Not found."),
}

messages_register(MESSAGES)
