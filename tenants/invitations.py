"""The invitation e-mail, sent by a task after the membership is committed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from tenants.models import Membership


def invitation_send(*, workspace_id: Any, membership_id: Any, inviter_label: str) -> None:
    """E-mail the invitee; a new user gets a link to choose a password (Django's reset token)."""
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(id=membership_id, workspace_id=workspace_id)
        .first()
    )
    if membership is None:  # removed before the mail went out: nothing to send
        return
    user, workspace = membership.user, membership.workspace
    with translation.override(user.language):
        login_url = settings.SITE_URL + reverse("login")
        if user.has_usable_password():
            link = login_url
        else:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            link = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
        subject = _("You have been invited to %(workspace)s on Ikkan") % {"workspace": workspace.name}
        body = _(
            "%(inviter)s invited you to the workspace %(workspace)s.\n\nOpen this link to sign in:\n%(link)s\n"
        ) % {"inviter": inviter_label, "workspace": workspace.name, "link": link}
    send_mail(subject, body, None, [user.email])
