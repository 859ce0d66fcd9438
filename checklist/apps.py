from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistConfig(AppConfig):
    name = "checklist"
    verbose_name = _("Engagement delivery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from checklist import receivers  # noqa: F401  (answers the control plane's membership signal)

        # Registers the message codes (messages) and the rule evaluators of the self-verifying items (rules).
        from checklist.checklists import messages as checklists_messages  # noqa: F401
        from checklist.checklists import rules as checklists_rules  # noqa: F401
        from checklist.decisions import messages as decisions_messages  # noqa: F401  (its message codes)
        from checklist.decisions import rules as decisions_rules  # noqa: F401
        from checklist.reviews import messages as reviews_messages  # noqa: F401
        from checklist.reviews import rules as reviews_rules  # noqa: F401
