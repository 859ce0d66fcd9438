"""Local development and the demo: safe defaults so the product runs with no configuration."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# A fixed development key is fine here and only here: production.py refuses to start without a real one.
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only-key-do-not-use-in-production"  # noqa: F405
# Log lines for people in a terminal (production keeps one JSON object per line).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "text")  # noqa: F405
# A fixed development key for CRM credentials, like SECRET_KEY above: production.py requires real ones.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["dev:ZGV2ZWxvcG1lbnQtb25seS1rZXktMzItYnl0ZXMhISE="]  # noqa: F405
# The fake CRM servers of the demo listen on plain http://127.0.0.1.
INTEGRATIONS_ALLOW_HTTP_BASE_URL = env_bool("INTEGRATIONS_ALLOW_HTTP_BASE_URL", DEBUG)
# The demo's fake CRM servers listen on 127.0.0.1, which the outbound allow-list refuses elsewhere.
INTEGRATIONS_ALLOW_PRIVATE_HOSTS = env_bool("INTEGRATIONS_ALLOW_PRIVATE_HOSTS", DEBUG)
