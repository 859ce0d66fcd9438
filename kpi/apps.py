from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("KPI design")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kpi import messages, receivers  # noqa: F401  (the message codes; the membership signal's answer)
