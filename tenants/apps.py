from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenancy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants import dbrole

        connection_created.connect(dbrole.on_connection_created, dispatch_uid="ikkan_app_role")
        pre_migrate.connect(dbrole.on_pre_migrate, dispatch_uid="ikkan_app_role_pre")
        post_migrate.connect(dbrole.on_post_migrate, dispatch_uid="ikkan_app_role_post")
