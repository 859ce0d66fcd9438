"""Local development and the demo: safe defaults so the product runs with no configuration."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# A fixed development key is fine here and only here: production.py refuses to start without a real one.
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only-key-do-not-use-in-production"  # noqa: F405
# Log lines for people in a terminal (production keeps one JSON object per line).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "text")  # noqa: F405
