from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing; an app only so Django finds its management commands and its messages."""

    name = "core"

    def ready(self) -> None:
        from core import catalogue  # noqa: F401  (registers the shared message codes)
