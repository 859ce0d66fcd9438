"""Settings shared by every environment, read from the environment (twelve-factor)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tenants.admin_site.IkkanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "tenants",
    "kpi",
    "checklist",
    "integrations",
    "demo",
    "axes",
]

MIDDLEWARE = [
    "core.health.HealthCheckMiddleware",
    "core.requests.RequestIdMiddleware",
    "core.middleware.ForbiddenCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tenants.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# The embedded default is a SQLite file; production and CI use PostgreSQL via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Persistent connections (a new PostgreSQL connection per request cost more than most endpoints' work);
# checked before reuse, so a restarted database is reconnected rather than answered with an error.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
# One transaction per request: the tenant is set with set_config(..., is_local=true) inside it,
# so it can never leak to the next request on a reused connection.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# On PostgreSQL the application LOGS IN as a role that is not superuser, not owner and not BYPASSRLS
# (DATABASE_URL), so no statement it runs (RESET ROLE included) can step out of row-level security.
# Migrations run as the schema owner (DATABASE_OWNER_URL), which also creates the application role.
# Given only DATABASE_URL (a development convenience), that URL is the owner's and the application logs
# in as DATABASE_APP_ROLE on the same server (password DATABASE_APP_PASSWORD, if the server wants one).
DATABASE_OWNER: dict | None = None
if IS_POSTGRES:
    if os.environ.get("DATABASE_OWNER_URL"):
        DATABASE_OWNER = dj_database_url.parse(os.environ["DATABASE_OWNER_URL"])
    else:
        DATABASE_OWNER = dict(DATABASES["default"])
        DATABASES["default"]["USER"] = os.environ.get("DATABASE_APP_ROLE", "ikkan_app")
        DATABASES["default"]["PASSWORD"] = os.environ.get("DATABASE_APP_PASSWORD", "")
DATABASE_APP_ROLE = DATABASES["default"].get("USER") or "ikkan_app"
DATABASE_APP_PASSWORD = DATABASES["default"].get("PASSWORD") or ""

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenants.User"
# django-axes first: it refuses a sign-in once an account or an address has failed too often.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
# Per account and, separately, per address: a password guessed across many accounts is stopped too.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tenants.views.login_locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# Behind the load balancer, the client is the left-most X-Forwarded-For address (set AXES_IPWARE_* to
# match the deployment's proxies); locally REMOTE_ADDR.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Locale: Japanese first -----------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ikkan",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Without Redis the product still works end to end: tasks run inline, cache is per process.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ikkan"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
# Longer than the longest task or countdown, so Redis does not redeliver a task still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The beat queues every CRM connection whose next sync is due (each connection says its own interval).
CELERY_BEAT_SCHEDULE = {
    "integrations-connections-due": {"task": "integrations.connections_due_dispatch", "schedule": 60.0},
}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ikkan <no-reply@ikkan.localhost>")
# Base URL used in links sent by e-mail (invitations).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- Secrets at rest ------------------------------------------------------------------------
# Comma-separated keys, newest first: CRM credentials are encrypted (AES-256-GCM, integrations/crypto.py)
# with the first and read with whichever one encrypted them, so keys rotate without downtime
# (`manage.py credentials_rotate`). A key is urlsafe base64 of 32 random bytes, the format of a Fernet
# key (`python -c "from integrations.crypto import key_generate; print(key_generate())"`), optionally
# named `<id>:<key>`.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
# A connection's API base URL must be https, except where plain http is allowed for local fake CRM servers.
INTEGRATIONS_ALLOW_HTTP_BASE_URL = env_bool("INTEGRATIONS_ALLOW_HTTP_BASE_URL", DEBUG)
# Outbound allow-list (integrations/providers/outbound.py): the CRM clients refuse hosts that are or resolve to
# private, loopback, link-local or reserved addresses (SSRF), unless private hosts are allowed (local fakes) or
# listed here (host names or CIDR networks, comma-separated).
INTEGRATIONS_ALLOW_PRIVATE_HOSTS = env_bool("INTEGRATIONS_ALLOW_PRIVATE_HOSTS", False)
INTEGRATIONS_OUTBOUND_ALLOWED_HOSTS = env_list("INTEGRATIONS_OUTBOUND_ALLOWED_HOSTS")

# --- CRM apps (OAuth) -------------------------------------------------------------------------
# The public OAuth apps registered at HubSpot and Salesforce. The redirect URI defaults to
# SITE_URL + /integrations/oauth/<provider>/callback/ and must be registered with the app as is. The HubSpot
# app's client secret also verifies its webhook calls (signature v3).
HUBSPOT_CLIENT_ID = os.environ.get("HUBSPOT_CLIENT_ID", "")
HUBSPOT_CLIENT_SECRET = os.environ.get("HUBSPOT_CLIENT_SECRET", "")
HUBSPOT_REDIRECT_URI = os.environ.get("HUBSPOT_REDIRECT_URI", "")
HUBSPOT_SCOPES = env_list(
    "HUBSPOT_SCOPES",
    "oauth,crm.objects.owners.read,crm.objects.companies.read,crm.objects.contacts.read,crm.objects.deals.read",
)
SALESFORCE_CLIENT_ID = os.environ.get("SALESFORCE_CLIENT_ID", "")
SALESFORCE_CLIENT_SECRET = os.environ.get("SALESFORCE_CLIENT_SECRET", "")
SALESFORCE_REDIRECT_URI = os.environ.get("SALESFORCE_REDIRECT_URI", "")
SALESFORCE_SCOPES = env_list("SALESFORCE_SCOPES", "api,refresh_token")

# The largest CSV file a connection takes (bytes); larger uploads are refused (integrations.csv.too_large).
INTEGRATIONS_CSV_MAX_BYTES = int(os.environ.get("INTEGRATIONS_CSV_MAX_BYTES", 50 * 1024 * 1024))

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.api.authentication.WorkspaceApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.api.permissions.IsAuthenticatedPrincipal"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["tenants.api.throttling.PrincipalRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"principal": os.environ.get("API_THROTTLE_RATE", "1200/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The secret calendar feed (/calendar/<token>.ics), fetched by calendar apps: per token and per address.
CALENDAR_FEED_TOKEN_RATE = os.environ.get("CALENDAR_FEED_TOKEN_RATE", "30/min")
CALENDAR_FEED_ADDRESS_RATE = os.environ.get("CALENDAR_FEED_ADDRESS_RATE", "120/min")
# Unique constraints a concurrent request can win after our service checked the value was free: an
# IntegrityError on one of these answers 409 conflict (retry); any other is a bug and answers 500.
API_CONFLICT_CONSTRAINTS = frozenset(
    {
        "tenants_user_email_lower_uniq",
        "tenants_workspace_firm_slug_uniq",
        "tenants_membership_workspace_user_uniq",
        "kpi_metric_workspace_key_uniq",
        "kpi_kpiplan_workspace_fy_version_uniq",
        "kpi_kpiplan_workspace_fy_one_active_uniq",
        "kpi_kpinode_workspace_plan_key_uniq",
        "kpi_kpinode_workspace_plan_one_kgi_uniq",
        "kpi_kpitarget_workspace_node_period_uniq",
        "checklist_template_global_key_ver_uniq",
        "checklist_template_firm_key_ver_uniq",
        "checklist_checklist_ws_template_uniq",
        "checklist_matrix_workspace_name_uniq",
        "checklist_matrixoption_ws_name_uniq",
        "checklist_attendee_ws_cadence_member_uniq",
        "checklist_reviewmeeting_ws_cadence_date_uniq",
        "checklist_calfeed_ws_one_active_uniq",
    }
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Ikkan API",
    "DESCRIPTION": (
        "KGI → KSF → KPI design, targets and pacing, implementation checklists and CRM integration, "
        "per client workspace. Authenticate with a session or a partner API key: "
        "`Authorization: Api-Key <prefix>.<secret>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: the product works offline and behind firewalls.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization"},
        }
    },
    "SECURITY": [{"ApiKeyAuth": []}, {"cookieAuth": []}],
    # Choice sets that share a field name with another ("status", "kind") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "PaceStatusEnum": "kpi.selectors.STATUSES",
        "SolveStatusEnum": ["solved", "undefined", "infeasible"],
        "DriverKindEnum": ["volume", "rate", "amount"],
        "NodeKindEnum": "kpi.models.KpiNode.Kind",
        "MatrixStatusEnum": "checklist.decisions.models.DecisionMatrix.Status",
        "LeadSourceEnum": "integrations.models.LeadDefinition.Source",
    },
}

# One JSON object per line, each with the request id and the workspace id (LOG_FORMAT=text for people).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.requests.RequestIdLogFilter"},
        "workspace_id": {"()": "tenants.logging.WorkspaceLogFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(workspace_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s workspace=%(workspace_id)s] "
            "%(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "workspace_id"],
            "formatter": os.environ.get("LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful sign-in at INFO; failures and lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Errors to Sentry when SENTRY_DSN is set; nothing personal is sent.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
