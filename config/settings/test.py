"""Test settings: the same as local, with fast hashing and no outside e-mail."""

import os

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"principal": "100000/min"}}  # noqa: F405
FIELD_ENCRYPTION_KEYS = ["0Xwz-VVgeY8sMMq0O3xRHzYR2IbfuUSsv9ihyV7Ng2A="]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Keys of this run only, so runs sharing a Redis never see each other's throttles or locks.
CACHES["default"]["KEY_PREFIX"] = f"ikkan-test-{os.getpid()}"  # noqa: F405
DATABASE_APP_ROLE_CAN_TRUNCATE = True
# Service tests run tasks inline; tests/integration/test_broker.py sends them through the real broker
# (Redis when REDIS_URL is set, else Celery's in-memory transport) to a live worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# The fake CRM servers of the tests listen on plain http://127.0.0.1.
INTEGRATIONS_ALLOW_HTTP_BASE_URL = True
# ... and the outbound allow-list lets them through (tests/integrations/test_outbound.py turns it on).
INTEGRATIONS_ALLOW_PRIVATE_HOSTS = True
