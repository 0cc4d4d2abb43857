"""One settings file, driven by the environment (see README "Configuration")."""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def envbool(name, default):
    value = os.environ.get(name, default)
    if value not in ("True", "False", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value in ("True", "1")


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "False")
# No production default: a missing key is an error unless DEBUG is on, or the command only reads
# the models and signs nothing (a migration check in a bare shell).
KEYLESS = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] in (["makemigrations"], ["showmigrations"])
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not KEYLESS:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_celery_beat",
    "csp",
    "bureau",
    "offices",
    "vehicles",
    "energy",
    "logistics",
    "party",
    "performance",
]

MIDDLEWARE = [
    "bureau.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bureau.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bureau.middleware.SessionIdleTimeoutMiddleware",
    "bureau.middleware.AuditContextMiddleware",
    "bureau.middleware.ServiceUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bureau.urls"
WSGI_APPLICATION = "bureau.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "bureau.context_processors.navigation",
            ],
        },
    },
]

# The one-command demo runs on SQLite; production and CI set DATABASE_URL to PostgreSQL.
# Production serves as a runtime role (DATABASE_URL) that may only add to and read the audit trail,
# and changes the schema as the tables' owner (DATABASE_OWNER_URL): the commands below use the owner.
# `grant_runtime_role`, run after each migrate, creates the runtime role and grants it.
OWNER_COMMANDS = ("migrate", "grant_runtime_role", "seed_demo", "createdb", "backup", "restore")
COMMAND = sys.argv[1] if Path(sys.argv[0]).name == "manage.py" and len(sys.argv) > 1 else None
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
RUNTIME_DATABASE = dj_database_url.parse(DATABASE_URL)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_OWNER_URL") if env("DATABASE_OWNER_URL") and COMMAND in OWNER_COMMANDS else DATABASE_URL,
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an absolute limit (cookie age) and an idle limit (SessionIdleTimeoutMiddleware).
SESSION_COOKIE_AGE = envint("SESSION_ABSOLUTE_SECONDS", str(8 * 3600))
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", str(30 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout: counted per username *and* address, so nobody can lock out every user behind a
# shared proxy by failing logins from it. Admins unlock in the admin or with `axes_reset`.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "30") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address (lockout and audit trail), found by django-ipware as django-axes expects.
# AXES_PROXY_COUNT reverse proxies stand in front of the portal, each appending the address it saw
# to X-Forwarded-For; the client is the address the outermost one saw, whatever the client wrote
# into the header itself. Without a proxy the header is the client's word and is not read.
TRUSTED_PROXIES = envint("AXES_PROXY_COUNT", "0")
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXIES else ["REMOTE_ADDR"]
AXES_IPWARE_PROXY_ORDER = "left-most"
# ipware counts the proxies named in the header; the last one is in REMOTE_ADDR instead.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES - 1 if TRUSTED_PROXIES else None
IPWARE_STRICT = False  # a header longer than expected (the client's own entries first) is still read
# A liaison's navigation badge counts returned submissions and those due within this many days.
TASK_BADGE_DAYS = envint("TASK_BADGE_DAYS", "7")
# Who unlocks an account or resets a password: shown on the lockout page.
SUPPORT_CONTACT = env("SUPPORT_CONTACT", "局信息中心")

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
FORMAT_MODULE_PATH = ["bureau.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Everything is served from this host: a CDN reference would be blocked, as on the intranet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# HTTPS hardening, on by default outside DEBUG (`check --deploy` passes).
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", str(not DEBUG))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@jgswj.example")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other")

# Without a broker the tasks run eagerly in-process (the demo); production sets REDIS_URL.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Long jobs (the annual workbook, large exports and imports) are stopped after JOB_TIME_LIMIT
# seconds. The idempotent ones are acknowledged only when done, so a job whose worker dies is
# delivered again; the broker redelivers an unacknowledged job after the visibility timeout, which
# must therefore outlast the longest job, or a live job would be started a second time.
JOB_TIME_LIMIT = envint("JOB_TIME_LIMIT", "7200")
JOB_VISIBILITY_TIMEOUT = envint("CELERY_VISIBILITY_TIMEOUT", str(JOB_TIME_LIMIT + 3600))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": JOB_VISIBILITY_TIMEOUT}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds no job it has not started
# A running job beats every JOB_HEARTBEAT_SECONDS; the sweep (every 5 minutes) fails one whose last
# beat is older than JOB_STALE_SECONDS, and removes what it left in its scratch directory.
JOB_HEARTBEAT_SECONDS = envint("JOB_HEARTBEAT_SECONDS", "30")
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", "300")
JOB_SCRATCH_DIR = Path(env("JOB_SCRATCH_DIR", os.path.join(tempfile.gettempdir(), "bureau-jobs")))

CACHES = {
    # Short timeouts: an unreachable Redis costs one of them, then the cache steps aside (bureau.cache).
    "default": {
        "BACKEND": "bureau.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10_000}}
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "bureau.apiconf.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bureau.apiconf.ScopedPermission"],
    "DEFAULT_PARSER_CLASSES": [
        "bureau.apiconf.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["bureau.apiconf.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "bureau.apiconf.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bureau.rest.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "机关事务管理局门户 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "bureau.apiconf.document_errors"],
    # Choice sets that share a field name across areas get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "RoomCategoryEnum": "offices.choices.RoomCategory",
        "BuildingStatusEnum": "offices.choices.BuildingStatus",
        "VehicleCategoryEnum": "vehicles.choices.Category",
        "VehicleStatusEnum": "vehicles.choices.Status",
        "SupportStatusEnum": "vehicles.choices.SupportStatus",
        "MeetingFrequencyEnum": "party.choices.Frequency",
        "RequestFrequencyEnum": "bureau.choices.Frequency",
    },
}

# Portal settings an administrator may change through the environment.
PAGE_SIZE = 50
# Completeness grid: yellow when a submission's deadline is this many days away or fewer.
REQUEST_DUE_SOON_DAYS = envint("REQUEST_DUE_SOON_DAYS", "3")
# Reminder e-mails: this many days before the deadline, and every N days once overdue.
REMINDER_DAYS_BEFORE = [int(d) for d in envlist("REMINDER_DAYS_BEFORE", "7,1")]
REMINDER_OVERDUE_EVERY_DAYS = envint("REMINDER_OVERDUE_EVERY_DAYS", "7")
PORTAL_URL = env("PORTAL_URL", "http://127.0.0.1:8000")
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
# Excel uploads are checked against these before parsing (zip bombs, runaway files).
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", "200000")
# The last column any sheet of an upload may use (IV, as in Excel 2003): a template has a few dozen.
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", "256")
# A larger upload is imported by a background job (bureau.jobs.import_upload) with a progress page.
IMPORT_SYNC_MAX_ROWS = envint("IMPORT_SYNC_MAX_ROWS", "5000")
IMPORT_MAX_UNCOMPRESSED = envint("IMPORT_MAX_UNCOMPRESSED", str(200 * 1024 * 1024))
IMPORT_MAX_RATIO = envint("IMPORT_MAX_RATIO", "100")
IMPORT_MAX_MEMBERS = envint("IMPORT_MAX_MEMBERS", "500")
# Larger list exports run as a background job with a progress page.
EXPORT_SYNC_MAX_ROWS = envint("EXPORT_SYNC_MAX_ROWS", "5000")
# API list pages are kept this long in the cache, and dropped at once when a table they read is
# written (bureau.tablecache); 0 turns the cache off.
LIST_CACHE_SECONDS = envint("LIST_CACHE_SECONDS", "300")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOG_LEVEL = env("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own console handler (DEBUG only) would print each of its lines a second time.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL}},
}
