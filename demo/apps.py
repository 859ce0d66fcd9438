from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for every app (``manage.py seed_demo``); the apps themselves never import it."""

    name = "demo"
