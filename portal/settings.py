"""Settings for the early help portal.

Every value comes from the environment. With nothing set the portal runs embedded:
SQLite, an in-memory channel layer, tasks run immediately, email to the console and
debug on. ``DJANGO_ENV=production`` switches to production and refuses to start
without a real secret key, keys for encrypted fields, PostgreSQL, Redis and allowed hosts.
"""

import base64
import binascii
import datetime
import hashlib
import os
import tempfile
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"


def _required(name):
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return value


if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")
    DATABASE_URL = _required("DATABASE_URL")
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
    REDIS_URL = _required("REDIS_URL")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
    # Keys for what is kept encrypted in the database (portal/fields.py): the first
    # writes, all read. Kept apart from the database and its backups.
    FIELD_ENCRYPTION_KEYS = [
        k.strip() for k in _required("FIELD_ENCRYPTION_KEYS").split(",") if k.strip()
    ]
    DEBUG = False
else:
    # Development only: a fixed key so sessions survive restarts. Never used in production.
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key")
    DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    REDIS_URL = env.str("REDIS_URL", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    # Development only: a key made from the development secret key.
    FIELD_ENCRYPTION_KEYS = env.list(
        "FIELD_ENCRYPTION_KEYS",
        default=[base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()],
    )
    DEBUG = env.bool("DEBUG", default=True)

for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except (ValueError, binascii.Error):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be keys of 32 random bytes, URL-safe base64 "
            "(make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        ) from None

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "csp",
    # The core comes before allauth and Wagtail so its templates override theirs.
    "portal",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "notifications",
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Feature apps build on the core.
    "plans",
    "peer_mentors",
    "chat",
    "content",
    "safeguarding",
    "casework",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are mostly repeated markup (the plan page: 115 KB of HTML, 8 KB gzipped).
    # Below WhiteNoise, which serves its own pre-compressed files. Django's gzip adds
    # random bytes against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.StaffMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
# Requests each page worker (WSGI) runs at once; the rest of its threads wait, holding
# only their connection. 0: no limit. Many threads running Django at once on few cores
# share one interpreter lock and cost each page half as much again (benchmarks/pages).
PAGE_WORKER_CONCURRENCY = env.int("PAGE_WORKER_CONCURRENCY", default=4)
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# 0 under ASGI: Django runs each request's sync code in a thread of its own, so a kept
# connection is never reused and they pile up until PostgreSQL refuses more
# (benchmarks/pages). Raise it only for pages served by a WSGI server.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the ASGI server read while a write is in flight.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not Django's shared in-memory database: its table locks ignore the
    # busy timeout, so the browser tests' live server and a test writing at once failed
    # with "database table is locked".
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "portal.backends.PortalBackend",
    # Sessions signed in before PortalBackend keep working until they end.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.shared_redis.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
    # Pub/sub does not drop messages when a process is busy, unlike the list-based
    # layer; no socket timeout so idle consumers are not cut off (channels_redis #422).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": None, "socket_connect_timeout": 5}
                ],
                "prefix": env.str("CHANNEL_PREFIX", default="portal"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if env.bool("TASKS_USE_DATABASE", default=PRODUCTION)
        else "django_tasks.backends.immediate.ImmediateBackend",
    }
}
# How long the database backend's rows of finished tasks are kept (portal.tasks prunes).
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=7)

# With Redis, a signed-in request reads its session from the cache, not the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Email
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Family support <no-reply@example.org>")
if PRODUCTION:
    vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )

# Internationalisation: English only for now, every string marked for translation.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Off DEBUG (production, and `make run`, which runs collectstatic first) WhiteNoise serves
# hashed, compressed files cached for a year; under DEBUG, files as they are edited.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SITE_ID = 1

# django-allauth: email only, mandatory verification, invitation-only sign-up.
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Early help portal")

# Wagtail
WAGTAIL_SITE_NAME = env.str("SERVICE_NAME", default="Family support")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
# Nothing about staff leaves the portal: no avatars fetched from Gravatar by email hash.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "csv", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAIL_I18N_ENABLED = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Editors cannot publish; a page goes live when a second editor approves it.
WAGTAIL_FINISH_WORKFLOW_ACTION = "content.workflows.publish_approved"

# Notifications
DJANGO_NOTIFICATIONS_CONFIG = {"USE_JSONFIELD": True, "SOFT_DELETE": False}

# Content Security Policy with nonces for the few inline scripts. The Wagtail and Django
# admin ship inline scripts of their own, so they are excluded and protected by MFA instead.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Security. Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Service details shown to families.
SERVICE_NAME = WAGTAIL_SITE_NAME
SERVICE_PHONE = env.str("SERVICE_PHONE", default="024 7683 3003")
EMERGENCY_TEXT = _("If you or a child are in danger now, call 999.")
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
STAFF_REASON_VALID_MINUTES = 30
# Where "Exit this page" sends someone: a neutral site that is quick to load.
EXIT_PAGE_URL = env.str("EXIT_PAGE_URL", default="https://www.bbc.co.uk/weather")
# Family uploads (chat photos and PDFs) live outside MEDIA_ROOT and are only served
# through views that check access.
CHAT_ATTACHMENT_ROOT = env.path("CHAT_ATTACHMENT_ROOT", default=BASE_DIR / "private" / "chat")
CHAT_ATTACHMENT_MAX_BYTES = env.int("CHAT_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Larger images could exhaust memory when they are decoded and cleaned.
CHAT_IMAGE_MAX_PIXELS = 24_000_000
# Shown beside the emergency contacts when a key worker is outside their working hours.
CHAT_OUT_OF_HOURS_TEXT = env.str("CHAT_OUT_OF_HOURS_TEXT", default="")
# Messages one person may send, and in how many seconds.
CHAT_SEND_RATE = (30, 60)
# Threads each ASGI worker writes chat messages from; 0 means 8 on PostgreSQL and the
# single thread Channels uses on SQLite (chat/consumers.py).
CHAT_DB_THREADS = env.int("CHAT_DB_THREADS", default=0)
# The biggest socket frame the chat reads; a bigger one closes the socket with 4009 (the
# portal's "message too big") and a message the page shows. Below daphne's own 1 MiB
# (which drops the connection without a close frame) and uvicorn's 16 MiB, so every
# server behaves the same.
# A message of the longest allowed length (chat.services.MAX_BODY) needs under 13 KiB.
CHAT_MAX_FRAME_BYTES = 16 * 1024
# Frames one socket may send: a burst, then so many a second ("Slow down a little" beyond).
CHAT_FRAME_RATE = (60, 20)
# How often each ASGI worker checks that the Redis channel layer still delivers; sockets
# are told to resume once it does again (chat.live.LayerWatch).
CHAT_LAYER_PROBE_SECONDS = env.float("CHAT_LAYER_PROBE_SECONDS", default=2.0)

# Peer mentors: how long a DBS check counts for, how long a mentor has to answer a
# request, and how often a mentor's supervision falls due.
PEER_MENTOR_DBS_VALID_DAYS = env.int("PEER_MENTOR_DBS_VALID_DAYS", default=3 * 365)
PEER_MENTOR_RESPONSE_DAYS = env.int("PEER_MENTOR_RESPONSE_DAYS", default=5)
PEER_MENTOR_SUPERVISION_DAYS = env.int("PEER_MENTOR_SUPERVISION_DAYS", default=60)

# Safeguarding concerns: a manager must record a decision within this much working time,
# or the concern goes to every manager, and again after each such time until decided.
# Working time is the service's working hours (UK time) on its working days (0 is Monday),
# less England's bank holidays and the days the council closes besides (ISO dates, such as
# 2026-12-24,2026-12-31), counted in portal/working_time.py.
SAFEGUARDING_DECISION_MINUTES = env.int("SAFEGUARDING_DECISION_MINUTES", default=60)
SERVICE_WORKING_DAYS = (0, 1, 2, 3, 4)
SERVICE_WORKING_HOURS = ("09:00", "17:00")
SERVICE_CLOSED_DAYS = frozenset(
    datetime.date.fromisoformat(day) for day in env.list("SERVICE_CLOSED_DAYS", default=[])
)
# Concerns one person may raise, and in how many seconds (more is not one person's worry).
SAFEGUARDING_RAISE_RATE = (10, 60 * 60)
