"""Integrations URLs outside the API's workspace prefix (the CRMs call these): the OAuth callback and the HubSpot
webhook receiver."""

from django.urls import path, re_path

from integrations import web

urlpatterns = [
    re_path(
        r"^oauth/(?P<provider>hubspot|salesforce)/callback/$",
        web.oauth_callback,
        name="integrations-oauth-callback",
    ),
    path("webhooks/hubspot/", web.hubspot_webhook, name="integrations-webhook-hubspot"),
]
