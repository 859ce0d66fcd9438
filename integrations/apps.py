from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("CRM integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The message codes (the app's own, the CSV import's refusals, the metric rules in words), the checklist
        # rules it proves, and the Celery tasks, registered in every process: the services queue them by name.
        from integrations import actuals, checklist_rules, messages, tasks  # noqa: F401
        from integrations.csv_import import messages as csv_messages  # noqa: F401
        from integrations.rollups import messages as rule_messages  # noqa: F401
        from kpi.feeds import feed_register

        feed_register(actuals.CRM_FEED)
