"""The Celery app. Tasks are routed to queues by kind; the beat schedule lives in code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("ikkan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = {
    "kpi.*": {"queue": "kpi"},
    "integrations.*": {"queue": "integrations"},
    "notifications.*": {"queue": "notifications"},
}
app.autodiscover_tasks()
