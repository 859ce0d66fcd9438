"""Production: every secret from the environment; refuses to start with an insecure default."""

from django.core.exceptions import ImproperlyConfigured

from integrations.crypto import KeyConfigError, Keyring

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False

if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the product serves.")
_KEYS_HELP = (
    "FIELD_ENCRYPTION_KEYS must hold at least one key, newest first: each urlsafe base64 of 32 random bytes "
    "(the Fernet key format), optionally written <id>:<key>."
)
if not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured(_KEYS_HELP)
try:
    Keyring.from_strings(FIELD_ENCRYPTION_KEYS)  # noqa: F405
except KeyConfigError as exc:
    raise ImproperlyConfigured(f"{_KEYS_HELP} ({exc})") from exc
if not IS_POSTGRES:  # noqa: F405
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
# Static files served by the application itself (no CDN, works behind firewalls).
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")  # noqa: F405
