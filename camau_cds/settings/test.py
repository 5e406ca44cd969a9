"""Settings of the test suite (pytest's DJANGO_SETTINGS_MODULE): base, plus what a test run
needs. The environment still chooses the database and the broker (CI: PostgreSQL and Redis)."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, STORAGES, env

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The test client speaks plain HTTP and no files are collected.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# The suite makes thousands of API calls from one address; throttling is tested separately.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
