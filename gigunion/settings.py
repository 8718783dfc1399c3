"""Settings for gigunion.

Every setting comes from the environment, with a safe embedded default. The embedded
mode (GIGUNION_ENV=embedded, the default) keeps its database, keys and uploads under
var/ and generates the keys it needs on first start. Production (GIGUNION_ENV=production)
takes every secret from the environment and refuses to start without them
(system checks gigunion.E001-E004).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from gigunion.core.envsettings import env_bool, env_int, env_list, env_str, load_embedded_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GIGUNION_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("GIGUNION_ENV", "embedded")
PRODUCTION = ENVIRONMENT == "production"

# Secrets: from the environment; in embedded mode generated once into var/secrets.env.
_embedded = {} if PRODUCTION else load_embedded_secrets(VAR_DIR / "secrets.env")
SECRET_KEY = env_str("GIGUNION_SECRET_KEY", _embedded.get("GIGUNION_SECRET_KEY", ""))
# Fernet keys for personal data; the first encrypts, all decrypt (rotation).
DATA_ENCRYPTION_KEYS = env_list("GIGUNION_DATA_KEYS", _embedded.get("GIGUNION_DATA_KEYS", ""))
# HMAC key of the blind index (exact lookup of encrypted values). Never rotated casually:
# changing it needs a re-index of every blind index column.
BLIND_INDEX_KEY = env_str("GIGUNION_BLIND_INDEX_KEY", _embedded.get("GIGUNION_BLIND_INDEX_KEY", ""))

DEBUG = env_bool("GIGUNION_DEBUG", False)
ALLOWED_HOSTS = env_list("GIGUNION_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("GIGUNION_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # domain
    "gigunion.core",
    "gigunion.regions",
    "gigunion.orgs",
    "gigunion.enterprises",
    "gigunion.founding",
    "gigunion.members",
    "gigunion.platforms",
    "gigunion.ledger",
    "gigunion.surveys",
    "gigunion.campaigns",
    "gigunion.stations",
    "gigunion.appeals",
    "gigunion.jobs",
    "gigunion.demo",
    # interfaces
    "gigunion.office",
    "gigunion.mobile",
    "gigunion.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gigunion.api.middleware.ApiCallMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gigunion.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gigunion.core.middleware.DomainErrorMiddleware",
    # Last, so that a locked-out login answers before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gigunion.urls"
WSGI_APPLICATION = "gigunion.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gigunion" / "templates"],
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

# Database: DATABASE_URL (postgres://… in production, sqlite:///path for another file);
# default is an SQLite file under var/ in WAL mode.
_default_sqlite = f"sqlite:///{VAR_DIR / 'gigunion.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite),
        # Keep connections for a minute (checked before reuse): opening one costs ~3 ms on SQLite and more
        # on PostgreSQL, more than the nearby-stations answer itself (bench/stations.py).
        conn_max_age=env_int("GIGUNION_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env_str("GIGUNION_TEST_SQLITE", "") or None}

CACHES = {
    # Per process: what one process may keep for itself (the nearby stations' grid).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by the processes of one machine: a job's progress, written by the worker inside its
    # transaction and read by the web process's progress bar (GIGUNION_PROGRESS_DIR to move it).
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("GIGUNION_PROGRESS_DIR", str(VAR_DIR / "progress")),
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "office:login"
LOGIN_REDIRECT_URL = "office:home"
LOGOUT_REDIRECT_URL = "office:login"

# Lockout after repeated failures (django-axes): by user name and IP together.
AXES_FAILURE_LIMIT = env_int("GIGUNION_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("GIGUNION_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "office/locked_out.html"
AXES_VERBOSE = False

# Sessions expire: an idle back-office session ends after GIGUNION_SESSION_MINUTES.
SESSION_COOKIE_AGE = env_int("GIGUNION_SESSION_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("GIGUNION_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("GIGUNION_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("GIGUNION_MAP_TILE_HOSTS", "")],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Internationalization: Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [Path(env_str("GIGUNION_LOCALE_DIR", str(BASE_DIR / "gigunion" / "locale")))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "gigunion" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(env_str("GIGUNION_MEDIA_ROOT", str(VAR_DIR / "media")))

# Background jobs: the Django tasks API; django-tasks-db runs them from the database
# (manage.py db_worker). Tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env_str("GIGUNION_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GIGUNION_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Outer-edge services: pluggable backends with offline defaults.
# SMS: console (log), file, memory (tests), http, or a dotted class path (core/sms.py).
SMS_BACKEND = env_str("GIGUNION_SMS_BACKEND", "console")
SMS_SIGN = env_str("GIGUNION_SMS_SIGN", "工会服务")
SMS_FILE_PATH = env_str("GIGUNION_SMS_FILE", str(VAR_DIR / "sms.jsonl"))
SMS_HTTP_URL = env_str("GIGUNION_SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("GIGUNION_SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("GIGUNION_SMS_HTTP_TIMEOUT", 5)
# Real-name checks: offline (checksum, birth date, address code), http, or a dotted class path.
IDENTITY_BACKEND = env_str("GIGUNION_IDENTITY_BACKEND", "offline")
IDENTITY_HTTP_URL = env_str("GIGUNION_IDENTITY_HTTP_URL", "")
IDENTITY_HTTP_TOKEN = env_str("GIGUNION_IDENTITY_HTTP_TOKEN", "")

# Membership (members app).
SMS_CODE_MINUTES = env_int("GIGUNION_SMS_CODE_MINUTES", 10)
MEMBER_CARD_TOKEN_SECONDS = env_int("GIGUNION_MEMBER_CARD_TOKEN_SECONDS", 600)  # a card QR shown on a phone
JOIN_TOKEN_SECONDS = env_int("GIGUNION_JOIN_TOKEN_SECONDS", 900)  # one-tap join tokens from platforms
LAPSE_CANDIDATE_DAYS = env_int("GIGUNION_LAPSE_CANDIDATE_DAYS", 183)  # no dues and no participation
# The address printed in QR codes; empty means the address of the request.
PUBLIC_BASE_URL = env_str("GIGUNION_PUBLIC_BASE_URL", "")

# Maps (stations, merchants): the base layer's tile URL template ({z}/{x}/{y}, e.g. an official 天地图
# service with its key) and its attribution. Empty: no base layer, markers on a plain background
# (offline and in tests). Add the tile host to GIGUNION_MAP_TILE_HOSTS so the browser may load it.
MAP_TILE_URL = env_str("GIGUNION_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("GIGUNION_MAP_TILE_ATTRIBUTION", "")

DEMO_PASSWORD = env_str("GIGUNION_DEMO_PASSWORD", "" if PRODUCTION else "Gongren-2026")
