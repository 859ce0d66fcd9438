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
    "integrations.status.sync_failing": _(
        "The last %(failures)s syncs could not reach the CRM. Ikkan keeps retrying; if this goes on, check the "
        "CRM's status page."
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
    "integrations.connection.base_url_host_refused": _(
        "The API base URL points at a private or internal address, which Ikkan does not call. Use the CRM's "
        "public address."
    ),
    "integrations.connection.base_url_host_unresolvable": _(
        "The host name of the API base URL could not be found."
    ),
    "integrations.connection.token_refused": _(
        "%(provider)s refused the token. Check that it was copied whole and that the private app is still installed."
    ),
    "integrations.connection.account_unreachable": _(
        "%(provider)s could not be reached to check the credentials. Nothing was saved; try again in a few minutes."
    ),
    "integrations.connection.account_mismatch": _(
        "The token belongs to another %(provider)s account than the account id given."
    ),
    # OAuth: the start, and the callback page the CRM sends the browser back to.
    "integrations.oauth.not_configured": _(
        "Connecting %(provider)s is not set up on this server yet (the app's client id and secret are missing). "
        "Ask your Ikkan administrator."
    ),
    "integrations.oauth.state_invalid": _(
        "This connection link is not valid. Start connecting again from Ikkan."
    ),
    "integrations.oauth.state_expired": _(
        "This connection link has expired (it is valid for 10 minutes). Start connecting again from Ikkan."
    ),
    "integrations.oauth.state_used": _(
        "This connection link has already been used. Start connecting again from Ikkan."
    ),
    "integrations.oauth.sign_in_required": _(
        "Sign in to Ikkan as the person who started connecting, then start connecting again."
    ),
    "integrations.oauth.wrong_user": _(
        "Another person started this connection. Sign in as that person, or start connecting again yourself."
    ),
    "integrations.oauth.forbidden": _("You may not manage this workspace's CRM connections."),
    "integrations.oauth.denied": _(
        "%(provider)s did not authorise the connection (it was cancelled or refused). Start again to connect."
    ),
    "integrations.oauth.code_refused": _(
        "%(provider)s did not accept the authorisation. Start connecting again."
    ),
    "integrations.oauth.provider_unreachable": _(
        "%(provider)s could not be reached to finish connecting. Nothing was saved; try again in a few minutes."
    ),
    "integrations.oauth.connected": _("%(provider)s is connected. The first sync has started."),
    # The HubSpot webhook receiver (answered to HubSpot, logged).
    "integrations.webhook.signature_invalid": _(
        "The webhook call is not signed by the app, or its signature is too old."
    ),
    "integrations.webhook.not_configured": _(
        "Webhooks of %(provider)s are not set up on this server (the app's client secret is missing)."
    ),
    "integrations.webhook.body_invalid": _("The webhook call's body is not a list of events."),
    "integrations.credentials.unreadable": _(
        "The stored credentials cannot be read with the configured keys. Connect the account again."
    ),
    "integrations.mapping.duplicate": _("The same CRM stage or activity type is listed twice: %(name)s"),
    "integrations.lead.stages_required": _("Choose at least one lifecycle stage that counts as a lead."),
    "integrations.owner.not_a_member": _("Choose an active member of this workspace."),
    "integrations.sync.worker_lost": _(
        "The sync stopped unexpectedly (its worker ended); the next sync continues from the last saved point."
    ),
    "integrations.sync.csv_by_file": _("A CSV connection is updated by uploading a file, not by syncing."),
    "integrations.sync.already_running": _("This connection is syncing now. Wait for the sync to finish."),
    "integrations.sync.internal_error": _(
        "The sync stopped because of an error in Ikkan. It has been logged; the next sync continues from the "
        "last saved point."
    ),
}

# What a provider client stops with (integrations.providers.base), as the run's error and the connection's
# detail: a client admin reads these, so they say what happened and what to do, not the HTTP status.
PROVIDER = {
    "integrations.provider.error": _("The CRM answered with an error."),
    "integrations.provider.rate_limited": _(
        "The CRM asked us to slow down; the sync waits and continues by itself."
    ),
    "integrations.provider.daily_limit_reached": _(
        "Today's API allowance of %(provider)s is used up; the sync continues automatically tomorrow."
    ),
    "integrations.provider.auth_failed": _(
        "The CRM no longer accepts the connection's sign-in. Connect the account again."
    ),
    "integrations.provider.token_expired": _("The CRM sign-in expired and is being renewed."),
    "integrations.provider.transient": _(
        "The CRM did not answer properly for a while; the sync retries by itself."
    ),
    "integrations.provider.missing_scopes": _(
        "The CRM account does not allow us to read everything the sync needs. Connect it again and allow every "
        "requested permission."
    ),
    "integrations.provider.missing_access": _(
        "The CRM user of this connection may not read some of the records. Ask the CRM's administrator for "
        "access, or connect with another user."
    ),
    "integrations.provider.uri_too_long": _("The CRM refused a request as too long."),
    "integrations.provider.invalid_field": _(
        "A field the sync reads does not exist in this CRM (it may have been deleted or renamed)."
    ),
    "integrations.provider.malformed_query": _("The CRM refused the sync's query."),
    "integrations.provider.query_timeout": _("The CRM took too long to answer the sync's query."),
    "integrations.provider.query_locator_invalid": _(
        "The CRM forgot where the sync was; it restarts that part."
    ),
    "integrations.provider.no_instance_url": _(
        "The CRM sign-in did not say which server to use. Connect the account again."
    ),
    "integrations.provider.rejected": _("The CRM refused a request of the sync."),
    "integrations.outbound.host_refused": _(
        "The connection's address points at a private or internal network, which Ikkan does not call. Set the "
        "CRM's public address."
    ),
    "integrations.outbound.host_unresolvable": _(
        "The host name of the connection's address could not be found. Check the connection's address."
    ),
}

# Evidence of the checklist rules the integration proves (integrations.checklist_rules).
EVIDENCE = {
    "integrations.evidence.no_connection": _("No CRM is connected to the workspace yet."),
    "integrations.evidence.synced": _("%(name)s synced successfully at %(when)s."),
    "integrations.evidence.never_synced": _("%(names)s has not finished a sync yet."),
    "integrations.evidence.sync_stale": _(
        "The last successful sync (%(name)s, %(when)s) is more than 24 hours old."
    ),
    "integrations.evidence.no_crm_kpis": _("No KPI of the plan reads a metric the CRM feeds."),
    "integrations.evidence.metrics_not_fed": _(
        "These metrics of CRM-sourced KPIs have no rule that counts them from the CRM: %(metrics)s"
    ),
    "integrations.evidence.mapping.deals": _("the pipeline stages of %(name)s"),
    "integrations.evidence.mapping.activities": _("the activity types of %(name)s"),
    "integrations.evidence.mapping.contacts": _("the lead definition of %(name)s"),
    "integrations.evidence.mappings_unconfirmed": _("Still to be confirmed by a person: %(mappings)s"),
    "integrations.evidence.kpis_mapped": _(
        "All %(count)s CRM-sourced KPIs read metrics mapped to confirmed CRM fields: %(kpis)s"
    ),
    "integrations.evidence.kpis_not_computed": _("Not yet computed from synced CRM data: %(kpis)s"),
    "integrations.evidence.kpis_computed": _(
        "All %(count)s CRM-sourced KPIs are computed from the synced CRM records: %(kpis)s"
    ),
}

messages_register({**STATUS, **ERRORS, **PROVIDER, **EVIDENCE})
