"""The Celery app. Tasks are routed to queues by kind; the beat schedule lives in code."""

import os

from celery import Celery

# Production unless told otherwise: an image started on its own must never run with DEBUG and the
# published development key (manage.py and the Makefile's demo choose the local settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("ikkan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = {
    "kpi.*": {"queue": "kpi"},
    "integrations.*": {"queue": "integrations"},
    "notifications.*": {"queue": "notifications"},
}
app.autodiscover_tasks()
