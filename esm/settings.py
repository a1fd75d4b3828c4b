"""One settings file, read from the environment by typed helpers with safe local defaults.

Every variable is listed in `.env.example`. A variable `NAME_FILE` is read from that file
instead (for secrets mounted by the platform).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ESM_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("ESM_DEBUG", False)
SECRET_KEY = env_str("ESM_SECRET_KEY", "")
if not SECRET_KEY:
    if not env_bool("ESM_INSECURE_DEFAULTS", True):
        raise ImproperlyConfigured("ESM_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-local-only-key-change-me-in-production-0123456789abcdefghij"
ALLOWED_HOSTS = env_list("ESM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ESM_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "ninja",
    "esm.core",
    "esm.accounts",
    "esm.buildings",
    "esm.cases",
    "esm.mail",
    "esm.replies",
    "esm.knowledge",
    "esm.api",
    "esm.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "esm.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "esm.accounts.middleware.ActivateUserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "esm.api.middleware.MethodNotAllowedProblemMiddleware",
]

ROOT_URLCONF = "esm.urls"
WSGI_APPLICATION = "esm.wsgi.application"
ASGI_APPLICATION = "esm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "esm.web.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite file under var/ unless DATABASE_URL is set (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("ESM_DB_CONN_MAX_AGE", 600), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("ESM_SQLITE_PATH", str(VAR_DIR / "esm.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared between processes (rate limits live here). Database table by default,
# Redis when ESM_REDIS_URL is set.
REDIS_URL = env_str("ESM_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "esm_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in rate limit: attempts per username and per address within the window.
ESM_LOGIN_MAX_ATTEMPTS = env_int("ESM_LOGIN_MAX_ATTEMPTS", 5)
ESM_LOGIN_WINDOW_SECONDS = env_int("ESM_LOGIN_WINDOW_SECONDS", 300)
ESM_API_TOKEN_DAYS = env_int("ESM_API_TOKEN_DAYS", 30)

# Language: Danish by default, English available per user.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "esm" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Copenhagen"
FORMAT_MODULE_PATH = ["esm.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("ESM_MANIFEST_STATIC", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("ESM_MEDIA_ROOT", str(VAR_DIR / "media")))

# Attachments
ESM_ATTACHMENT_MAX_BYTES = env_int("ESM_ATTACHMENT_MAX_MB", 25) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# Case rules
ESM_REOPEN_DAYS = env_int("ESM_REOPEN_DAYS", 14)
ESM_CASE_NUMBER_PREFIX = env_str("ESM_CASE_NUMBER_PREFIX", "S")
ESM_SLA_SOON_FRACTION = 0.8  # "breach soon" when 80 % of the target has elapsed

# Celery: an embedded filesystem broker by default (no external service); Redis or
# RabbitMQ in production via CELERY_BROKER_URL.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "close-resolved-cases": {"task": "esm.cases.tasks.close_resolved_cases", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The address links in e-mails point to.
ESM_SITE_URL = env_str("ESM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- E-mail in (esm.mail: ingest, threading, mailboxes) -------------------------------
# The helpdesk's own address: mail to it opens or continues cases.
ESM_MAIL_HELPDESK_ADDRESS = env_str("ESM_MAIL_HELPDESK_ADDRESS", "helpdesk@ejendomme.kk.dk")
# Replies reach the case by a per-case plus address (helpdesk+s-2026-000123-1a2b3c4d@…) when the mail server allows it.
ESM_MAIL_REPLY_PLUS_ADDRESSING = env_bool("ESM_MAIL_REPLY_PLUS_ADDRESSING", False)
# Mail from an unknown address: "tenant" (becomes a private tenant), "domain" (a customer of the organisation
# its domain is registered to, else held) or "hold" (held in quarantine for a person to decide).
ESM_MAIL_UNKNOWN_SENDERS = env_str("ESM_MAIL_UNKNOWN_SENDERS", "tenant")
if ESM_MAIL_UNKNOWN_SENDERS not in {"tenant", "domain", "hold"}:
    raise ImproperlyConfigured("ESM_MAIL_UNKNOWN_SENDERS must be tenant, domain or hold")
ESM_MAIL_DEFAULT_CATEGORY = env_str("ESM_MAIL_DEFAULT_CATEGORY", "other")
# Larger messages are stored as received and held in quarantine, never parsed.
ESM_MAIL_MAX_BYTES = env_int("ESM_MAIL_MAX_MB", 50) * 1024 * 1024
# IMAP mailboxes the worker polls, comma-separated URLs (user and password URL-encoded):
#   imaps://helpdesk%40kk.dk:secret@imap.kk.dk:993/INBOX?processed=Behandlet
#   imap://user:secret@mail.local:143/INBOX?starttls=1
# Options: processed=<folder> (move there; else flag \Seen and a keyword), starttls=1, cafile=<path>, batch=<n>.
ESM_IMAP_MAILBOXES = env_list("ESM_IMAP_MAILBOXES", [])
ESM_IMAP_AUTH = env_str("ESM_IMAP_AUTH", "password")  # password | xoauth2 (Microsoft 365)
if ESM_IMAP_AUTH not in {"password", "xoauth2"}:
    raise ImproperlyConfigured("ESM_IMAP_AUTH must be password or xoauth2")
ESM_IMAP_OAUTH_TOKEN_URL = env_str("ESM_IMAP_OAUTH_TOKEN_URL", "")
ESM_IMAP_OAUTH_CLIENT_ID = env_str("ESM_IMAP_OAUTH_CLIENT_ID", "")
ESM_IMAP_OAUTH_CLIENT_SECRET = env_str("ESM_IMAP_OAUTH_CLIENT_SECRET", "")
ESM_IMAP_OAUTH_SCOPE = env_str("ESM_IMAP_OAUTH_SCOPE", "https://outlook.office365.com/.default")
ESM_IMAP_TIMEOUT = env_int("ESM_IMAP_TIMEOUT", 60)
# A Microsoft 365 mailbox read through Microsoft Graph (application permission Mail.ReadWrite, Mail.Send).
ESM_GRAPH_MAILBOX = env_str("ESM_GRAPH_MAILBOX", "")
ESM_GRAPH_TENANT_ID = env_str("ESM_GRAPH_TENANT_ID", "")
ESM_GRAPH_CLIENT_ID = env_str("ESM_GRAPH_CLIENT_ID", "")
ESM_GRAPH_CLIENT_SECRET = env_str("ESM_GRAPH_CLIENT_SECRET", "")
ESM_GRAPH_BASE_URL = env_str("ESM_GRAPH_BASE_URL", "https://graph.microsoft.com/v1.0").rstrip("/")
ESM_GRAPH_TOKEN_URL = env_str(
    "ESM_GRAPH_TOKEN_URL", f"https://login.microsoftonline.com/{ESM_GRAPH_TENANT_ID or 'common'}/oauth2/v2.0/token"
)
ESM_GRAPH_SCOPE = env_str("ESM_GRAPH_SCOPE", "https://graph.microsoft.com/.default")
ESM_GRAPH_FOLDER = env_str("ESM_GRAPH_FOLDER", "inbox")
ESM_GRAPH_PROCESSED_FOLDER = env_str("ESM_GRAPH_PROCESSED_FOLDER", "archive")
ESM_GRAPH_TIMEOUT = env_int("ESM_GRAPH_TIMEOUT", 60)
ESM_MAIL_POLL_SECONDS = env_int("ESM_MAIL_POLL_SECONDS", 60)
CELERY_BEAT_SCHEDULE["poll-mailboxes"] = {
    "task": "esm.mail.tasks.poll_mailboxes",
    "schedule": float(ESM_MAIL_POLL_SECONDS),
}
# Heals a crash between storing a message and processing it.
CELERY_BEAT_SCHEDULE["process-pending-mail"] = {"task": "esm.mail.tasks.process_pending_mail", "schedule": 300.0}

# --- E-mail out (esm.mail: notifications, SMTP) ---------------------------------------
# With no EMAIL_HOST, messages are written as files to var/outbox (works with nothing
# installed); with EMAIL_HOST set, Django's SMTP backend sends them (STARTTLS or TLS, login).
# Mail goes out from the helpdesk's own address (ESM_MAIL_HELPDESK_ADDRESS, with mail in above) under this name.
ESM_MAIL_FROM_NAME = env_str("ESM_MAIL_FROM_NAME", "Ejendomsservice")
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the first byte, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{ESM_MAIL_FROM_NAME} <{ESM_MAIL_HELPDESK_ADDRESS}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Status changes the customer is told about ("resolved" sends the resolution mail with the confirm/reopen link).
ESM_MAIL_NOTIFY_STATUSES = env_list(
    "ESM_MAIL_NOTIFY_STATUSES", ["in_progress", "waiting_customer", "waiting_supplier", "resolved", "cancelled"]
)
# Loop protection: automatic messages (receipt, status, refused attachment) to one address per hour.
ESM_MAIL_AUTO_ANSWERS_PER_HOUR = env_int("ESM_MAIL_AUTO_ANSWERS_PER_HOUR", 5)
# Sending: attempts before a message is given up (and shown on the case), and the first retry delay,
# doubled after every failed attempt (at most an hour).
ESM_MAIL_MAX_ATTEMPTS = env_int("ESM_MAIL_MAX_ATTEMPTS", 6)
ESM_MAIL_RETRY_SECONDS = env_int("ESM_MAIL_RETRY_SECONDS", 120)
# The timeline is read every 10 s, due retries every minute; a run not started in time is dropped (the next one
# does its work), so a stopped worker does not come back to a pile of them.
CELERY_BEAT_SCHEDULE["dispatch-mail"] = {
    "task": "esm.mail.tasks.dispatch_mail",
    "schedule": 10.0,
    "options": {"expires": 9.0},
}
CELERY_BEAT_SCHEDULE["send-due-mail"] = {
    "task": "esm.mail.tasks.send_due_mail",
    "schedule": 60.0,
    "options": {"expires": 55.0},
}

# --- Building registry (esm.buildings: imports, external register, planned maintenance) --
# (add settings and beat entries for buildings and planned maintenance here)
# Imports (CSV, XLSX, JSON) at /desk/buildings/import/ and `manage.py import_buildings`.
ESM_BUILDING_IMPORT_MAX_MB = env_int("ESM_BUILDING_IMPORT_MAX_MB", 50)
# The external building register: "local" (a JSON file of BBR building objects keyed by BBR id; the
# sample covers the demo's buildings) or "http" (GET {URL}/bygninger?id_lokalId=<uuid>, BBR-style JSON).
ESM_BUILDING_REGISTER = env_str("ESM_BUILDING_REGISTER", "local")
ESM_BUILDING_REGISTER_FILE = env_str(
    "ESM_BUILDING_REGISTER_FILE", str(BASE_DIR / "esm" / "buildings" / "adapters" / "sample_register.json")
)
ESM_BUILDING_REGISTER_URL = env_str("ESM_BUILDING_REGISTER_URL", "")
ESM_BUILDING_REGISTER_TIMEOUT = env_int("ESM_BUILDING_REGISTER_TIMEOUT", 10)  # seconds per request
# Facts older than this are fetched again by the schedule, at most BATCH buildings an hour.
ESM_BUILDING_REGISTER_MAX_AGE_DAYS = env_int("ESM_BUILDING_REGISTER_MAX_AGE_DAYS", 30)
ESM_BUILDING_REGISTER_BATCH = env_int("ESM_BUILDING_REGISTER_BATCH", 200)
CELERY_BEAT_SCHEDULE["fail-stalled-imports"] = {"task": "esm.buildings.tasks.fail_stalled_imports", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["refresh-building-facts"] = {
    "task": "esm.buildings.tasks.refresh_stale_buildings",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["generate-maintenance-cases"] = {  # planned maintenance: idempotent, so hourly heals gaps
    "task": "esm.cases.tasks.generate_maintenance_cases",
    "schedule": 3600.0,
}

# Security: production settings pass `manage.py check --deploy`.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and env_bool("ESM_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("ESM_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ESM_LOG_LEVEL", "INFO")},
}
