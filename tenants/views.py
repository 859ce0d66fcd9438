"""Web pages of the control plane: sign-in and the list of one's workspaces."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from core.api.errors import json_bad_request, json_error, json_not_found, json_server_error
from tenants import services
from tenants.access import principal_for_user, workspaces_visible_to


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        services.memberships_accept(user=user)
        # The person's saved language follows them to every device.
        if user.language:
            response.set_cookie("django_language", user.language, samesite="Lax")
            translation.activate(user.language)
        return response


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes: too many failed sign-ins for this account or address. Same page, plainly said."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-in attempts. For your security, signing in is locked for %(minutes)s minutes. "
        "If you need access sooner, ask your administrator to unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return json_error(request, "locked_out", message, status=429)
    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "locked_out": message}, status=429)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspaces = list(workspaces_visible_to(request.user).select_related("firm").order_by("name"))
    rows = []
    for workspace in workspaces:
        principal = principal_for_user(user=request.user, workspace=workspace)
        rows.append(
            {"workspace": workspace, "role": principal.role.label if principal and principal.role else None}
        )
    return render(request, "tenants/home.html", {"rows": rows})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a bad host): the error format for the API."""
    if request.path.startswith("/api/"):
        return json_bad_request(request, exception)
    return HttpResponseBadRequest(_("Bad request."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return render(request, "500.html", status=500)
