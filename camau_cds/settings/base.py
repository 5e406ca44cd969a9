"""Settings for the Cà Mau CĐS portal, shared by every process (`camau_cds.settings`).

Driven by the environment (django-environ). Defaults are safe for production: DEBUG is off
unless DJANGO_DEBUG says otherwise, and without DEBUG a missing secret key is a startup error.
`make run` sets DJANGO_DEBUG=1 for the embedded SQLite + eager Celery mode. What the test suite
changes is in test.py; production.py refuses DEBUG.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is a convenience for developers; real deployments pass the environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The suite's settings (test.py, or DJANGO_TESTING=1 for the processes the suite starts) import
# this module first and need no secret from the environment.
_FOR_TESTS = os.environ.get("DJANGO_SETTINGS_MODULE") == "camau_cds.settings.test" or env.bool(
    "DJANGO_TESTING", default=False
)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or _FOR_TESTS:
        SECRET_KEY = _DEV_SECRET
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=0) needs a long random "
            "secret key; see .env.example."
        )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "simple_history",
    "axes",
    "core",
    "divisions",
    "targets",
    "teams",
    "reports",
    "attainment",
    "dashboards",
    "documents",
]
# Demo, seed and benchmark commands: installed where the package is (not in production images).
if importlib.util.find_spec("devtools") is not None:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "camau_cds.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "camau_cds.middleware.DefaultVietnameseLocaleMiddleware",
    "camau_cds.middleware.PrivateCacheMiddleware",
    "camau_cds.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on GET responses and 304 for a matching If-None-Match (API lists and pages alike).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "camau_cds.urls"
WSGI_APPLICATION = "camau_cds.wsgi.application"

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
                "divisions.context_processors.access",
            ],
        },
    }
]

# Database: SQLite file by default so `make run` works on a bare machine; PostgreSQL through
# DATABASE_URL in CI and production.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    # Several writers (runserver threads, eager tasks) share one file: wait, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "camau_cds.validators.VietnameseMinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Internationalisation: Vietnamese first, English available. Source strings of the portal's
# own UI are written in Vietnamese (the default language works without any catalogue); the
# English catalogue lives in locale/en/.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["camau_cds.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Email: console by default (reminders are printed), SMTP through EMAIL_URL in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="cds-portal@camau.gov.vn")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production defaults; DEBUG relaxes only what a plain-HTTP localhost needs.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes are called over plain HTTP inside the deployment network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Excel uploads: refuse anything larger before it reaches the importer.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024
)
# Spreadsheet uploads (core/uploads.py): each limit is checked before the parse allocates
# for it; a legitimate district file (a few thousand rows of ten columns) is far below them.
IMPORT_MAX_UPLOAD_BYTES = env.int("CDS_IMPORT_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("CDS_IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_MEMBER_ROWS = env.int("CDS_IMPORT_MAX_MEMBER_ROWS", default=200)
IMPORT_MAX_COLUMNS = env.int("CDS_IMPORT_MAX_COLUMNS", default=60)
IMPORT_MAX_CELLS = env.int("CDS_IMPORT_MAX_CELLS", default=400_000)
IMPORT_MAX_UNZIPPED_BYTES = env.int("CDS_IMPORT_MAX_UNZIPPED_BYTES", default=40 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env.int("CDS_IMPORT_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_CELL_CHARS = env.int("CDS_IMPORT_MAX_CELL_CHARS", default=5000)
IMPORT_MAX_SECONDS = env.float("CDS_IMPORT_MAX_SECONDS", default=20.0)
# A previewed file waits here (shared by the web workers of one host) until it is confirmed.
UPLOAD_PREVIEW_DIR = env.str(
    "CDS_UPLOAD_PREVIEW_DIR", default=str(Path(tempfile.gettempdir()) / "cds-upload-previews")
)
UPLOAD_PREVIEW_MAX_AGE = env.int("CDS_UPLOAD_PREVIEW_MAX_AGE", default=3600)

# django-axes: lock an account+IP after repeated failures. Behind the reverse proxy of
# docker-compose the client address comes from X-Forwarded-For with one trusted proxy.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# django-ipware is not installed: without this axes would only ever see the proxy's address.
AXES_CLIENT_IP_CALLABLE = "camau_cds.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Celery: with no broker configured every task runs eagerly in-process (the `make run` mode).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Never used to carry a task (they run in-process), but an eager send still opens a
    # producer: an in-memory broker with a host named, so kombu neither connects anywhere nor
    # warns "No hostname was supplied" on every approval.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    # How long an unacknowledged task (its worker died) waits before redelivery.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
# A web request must not hang on a dead broker: publishing gives up fast; the outbox keeps
# the work and the periodic drain sends it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Attainment recomputes: one writer at a time; a recompute waits this long for the writer
# lock, then gives up and is retried (the outbox keeps a drain's work).
CDS_RECOMPUTE_LOCK_WAIT_SECONDS = env.float("CDS_RECOMPUTE_LOCK_WAIT_SECONDS", default=10.0)
# A full recompute queued this long ago and not running (its worker died, or the task failed
# for good) is queued again by the watchdog (beat, every minute), up to the attempts below.
CDS_RECOMPUTE_LEASE_SECONDS = env.int("CDS_RECOMPUTE_LEASE_SECONDS", default=120)
CDS_RECOMPUTE_MAX_ATTEMPTS = env.int("CDS_RECOMPUTE_MAX_ATTEMPTS", default=5)
# Readiness probe (`/readyz`): the longest it waits on the database or the broker, each.
CDS_HEALTH_TIMEOUT_SECONDS = env.float("CDS_HEALTH_TIMEOUT_SECONDS", default=1.0)

# Reporting calendar (reports app): monthly reports due on this day of the following month.
CDS_REPORT_DUE_DAY = env.int("CDS_REPORT_DUE_DAY", default=20)
# Separation of duties: who submitted a report may not approve it, unless this is on (a
# steering committee of one person, a training installation).
CDS_ALLOW_SELF_APPROVAL = env.bool("CDS_ALLOW_SELF_APPROVAL", default=False)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "divisions.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "divisions.permissions.TokenWriteAllowed",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.api.renderers.CSVRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.StrictFormatNegotiation",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StableCursorPagination",
    "EXCEPTION_HANDLER": "core.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="3000/minute"),
    },
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    # The docs page's title, as the API root's (/api/v1/): Vietnamese is the portal's default
    # language. The schema's info.title is replaced by an ASCII one (core.api.schema).
    "TITLE": "API của Cổng chuyển đổi số tỉnh Cà Mau",
    "DESCRIPTION": "Indicators, targets, approved figures and attainment of Cà Mau's digital "
    "transformation programme (Resolution 05-NQ/TU).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_problem_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
