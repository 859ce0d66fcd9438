from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class IkkanAdminSite(admin.AdminSite):
    site_header = _("Ikkan consultant admin")
    site_title = _("Ikkan admin")
    index_title = _("Client workspaces")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or (user.is_staff and user.firm_id)))


class IkkanAdminConfig(AdminConfig):
    default = False
    default_site = "tenants.admin_site.IkkanAdminSite"
