"""Settings the API benchmark serves the product with: production's, on a throwaway database, plus the
baseline views (bench/urls.py). Secrets come from the benchmark runner's environment."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"principal": "100000000/min"}}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
