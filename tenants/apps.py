from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenancy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants import dbrole, messages  # noqa: F401  (messages registers the control plane's codes)

        post_migrate.connect(dbrole.on_post_migrate, dispatch_uid="ikkan_app_role_post")
