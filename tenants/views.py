"""Web pages of the control plane: sign-in and the list of one's workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from core.api.errors import json_not_found, json_server_error
from tenants.access import principal_for_user, workspaces_visible_to


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The person's saved language follows them to every device.
        user = form.get_user()
        if user.language:
            response.set_cookie("django_language", user.language, samesite="Lax")
            translation.activate(user.language)
        return response


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


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return render(request, "500.html", status=500)
