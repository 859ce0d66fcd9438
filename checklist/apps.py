from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistConfig(AppConfig):
    name = "checklist"
    verbose_name = _("Engagement delivery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the rule evaluators of the self-verifying items.
        from checklist.rules import decisions, kpi, reviews  # noqa: F401
