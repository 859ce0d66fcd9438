"""Message codes of the CRM integrations: a connection's status as a client admin reads it, and the
refusals of the services. English is the source text; the Japanese is in
``integrations/locale/ja/LC_MESSAGES/django.po``.

``integrations.status.<status>`` is the default sentence for each connection status; a more precise
reason (``Connection.status_code``, e.g. ``integrations.status.token_revoked``) replaces it.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.messages import messages_register

STATUS = {
    "integrations.status.connected": pgettext_lazy("connection status", "Connected."),
    "integrations.status.syncing": pgettext_lazy("connection status", "Syncing now."),
    "integrations.status.needs_attention": _(
        "The connection needs attention: syncing has stopped. Check the connection's settings."
    ),
    "integrations.status.disconnected": _(
        "Disconnected. Data synced so far is kept; nothing new is read from the CRM."
    ),
    "integrations.status.credentials_missing": _(
        "The CRM account is not authorised yet. Connect it to start syncing."
    ),
    "integrations.status.token_revoked": _(
        "%(provider)s no longer accepts this connection's authorisation (it was revoked or expired). "
        "Connect the account again to resume syncing."
    ),
    "integrations.status.credentials_unreadable": _(
        "The stored authorisation can no longer be read (its encryption key was retired). "
        "Connect the account again to resume syncing."
    ),
    "integrations.status.rate_limited": _(
        "%(provider)s's API limit for the day was reached. Syncing resumes automatically after the limit resets."
    ),
    "integrations.status.permission_denied": _(
        "The %(provider)s user who connected the account lacks a permission the sync needs: %(detail)s"
    ),
}

ERRORS = {
    "integrations.connection.disconnected": _(
        "This connection is disconnected and can no longer be changed."
    ),
    "integrations.connection.account_taken": _("This CRM account is already connected to the workspace."),
    "integrations.connection.base_url_insecure": _("The API base URL must start with https://."),
    "integrations.connection.unknown_credential": _("Unknown credential field: %(name)s"),
    "integrations.connection.credentials_not_text": _("Every credential value must be text."),
    "integrations.connection.unknown_field": _("This field cannot be changed: %(name)s"),
    "integrations.connection.interval_range": _(
        "The sync interval must be between %(min)s and %(max)s minutes."
    ),
    "integrations.credentials.unreadable": _(
        "The stored credentials cannot be read with the configured keys. Connect the account again."
    ),
    "integrations.mapping.duplicate": _("The same CRM stage or activity type is listed twice: %(name)s"),
    "integrations.lead.stages_required": _("Choose at least one lifecycle stage that counts as a lead."),
    "integrations.owner.not_a_member": _("Choose an active member of this workspace."),
    "integrations.sync.worker_lost": _(
        "The sync stopped unexpectedly (its worker ended); the next sync continues from the last saved point."
    ),
}

messages_register({**STATUS, **ERRORS})
