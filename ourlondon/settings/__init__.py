"""Settings read from the environment (12-factor).

Every variable read here is documented in `.env.example`; a test fails when one is
not. `ourlondon/test_settings.py` only forces safe values on top of this module.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from ourlondon.core import clock

# Lets `admin.ModelAdmin[Model]` and similar generics work at run time as well as
# in mypy.
django_stubs_ext.monkeypatch()

# Run as if it were this London moment (tests and previews only; `manage.py
# check` warns when set). First, so nothing reads the real clock before it moves.
OURLONDON_NOW = os.environ.get("OURLONDON_NOW", "")
try:
    clock.travel_from_environment()
except ValueError as exc:
    raise ImproperlyConfigured(f"OURLONDON_NOW: {exc}") from None

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("OURLONDON_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    # Production sets SECRET_KEY; `make run` writes var/secret_key once so a laptop
    # needs no configuration. Never fall back to a constant: a known key forges
    # sessions and signed unsubscribe links.
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is required. Set it in the environment, or run `make run`, "
        "which generates var/secret_key for local use."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ourlondon.core",
    "ourlondon.catalogue",
    "ourlondon.search",
    "ourlondon.ingest",
    "ourlondon.subscriptions",
    "ourlondon.support",
    "ourlondon.funding",
    "ourlondon.api",
    # django-ninja's templates and static Swagger UI, so /api/v1/docs loads
    # nothing from a CDN.
    "ninja",
    "ourlondon.web",
    "ourlondon.ops",
    # The job queue's consumer (`manage.py run_huey`, started by `make run`).
    "huey.contrib.djhuey",
    # Accounts for providers and moderators (#8): allauth (email login, mandatory
    # verification, TOTP), axes (login throttling), our audit log and portal.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "ourlondon.audit",
    "ourlondon.accounts",
    "ourlondon.providers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # allauth's login stages. Reads no session on other pages, so public pages
    # still set no cookie.
    "allauth.account.middleware.AccountMiddleware",
    # Moderators (and all staff) reach /staff/ and /moderation/ only after TOTP.
    "ourlondon.accounts.middleware.StaffMFAMiddleware",
    # Answers a locked-out login with 429 (axes: last, as its docs ask).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ourlondon.urls"
WSGI_APPLICATION = "ourlondon.wsgi.application"
ASGI_APPLICATION = "ourlondon.asgi.application"

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
                "ourlondon.web.context.site",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "") or DEFAULT_DATABASE_URL,
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
SQLITE_MMAP_BYTES = int(os.environ.get("SQLITE_MMAP_BYTES", "") or 1024**3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the web workers) carry on while a writer (an import or
    # load_demo) commits; IMMEDIATE transactions avoid "database is locked" on the
    # read-then-write upgrade; a busy timeout waits instead of failing.
    # Connections are kept between requests (DB_CONN_MAX_AGE) so each worker
    # thread keeps its warm page cache instead of reopening the file per request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=wal;"
            "PRAGMA synchronous=normal;"
            "PRAGMA foreign_keys=on;"
            "PRAGMA temp_store=memory;"
            # Searches read a few hundred MB at London scale: keep pages in memory.
            "PRAGMA cache_size=-65536;"
            # Map the whole file (up to SQLITE_MMAP_BYTES): pages are read from
            # the OS's file cache in place instead of copied into SQLite's. At a
            # million sessions (a 545 MB file) search p50 went from 6.7 to 5.0 ms
            # against a 256 MB map. Mapped pages are shared by every worker,
            # though `ps` counts the ones touched in each process's RSS.
            f"PRAGMA mmap_size={SQLITE_MMAP_BYTES};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Searches are many short queries: parallel workers cost more to start than
    # they save (measured 15-25 ms each on a 2-core machine).
    DATABASES["default"].setdefault("OPTIONS", {})
    # JIT compilation likewise costs ~10 ms up front for queries that run in a
    # few: off.
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", "-c max_parallel_workers_per_gather=0 -c jit=off"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts (#8) ------------------------------------------------------------------
# axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "providers:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up, login and password reset say the same whether or not an address has an
# account (allauth's default, stated because it is a requirement).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "ourlondon.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ourlondon] "
# "Remember me" is offered to providers; moderators' sessions always end when the
# browser closes (the adapter sees to it).
ACCOUNT_SESSION_REMEMBER = None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ourlondon"
# A session lasts two weeks at most, whatever the browser keeps.
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Login throttling: five failures for one address from one IP lock both for
# 30 minutes; a success clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# allauth's own limit stays for one address trying many accounts; the per-account
# count is axes' (which locks, answers 429 and is in the audit log).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
AXES_USERNAME_CALLABLE = "ourlondon.accounts.security.login_identifier"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Safeguarding policy uploads (PDF): the largest accepted, in bytes.
POLICY_MAX_BYTES = int(os.environ.get("POLICY_MAX_BYTES", "") or 5 * 1024 * 1024)
# Invitations to join an organisation are valid this many days.
INVITATION_DAYS = 7
# Spreadsheet uploads of listings: the largest file (bytes) and the most rows.
BULK_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
BULK_UPLOAD_MAX_ROWS = 500
# Providers' iCalendar feeds: the largest calendar fetched (bytes), how far ahead
# repeating events are expanded (weeks), and at most how many dates per event.
PROVIDER_FEED_MAX_BYTES = 5 * 1024 * 1024
PROVIDER_FEED_WEEKS = 26
PROVIDER_FEED_MAX_DATES = 200
# Freshness (providers/freshness.py): a provider-managed listing is reminded at
# 90 days since its last confirmation and hidden at 120; the emailed "still
# running" link works this many days (beyond 120, so it can bring one back).
FRESHNESS_REMIND_DAYS = 90
FRESHNESS_HIDE_DAYS = 120
FRESHNESS_LINK_DAYS = 60
# Axes' login records (access logs, failure logs, attempts) are kept this many
# days, then removed by `purge_login_records` (daily).
LOGIN_RECORDS_DAYS = int(os.environ.get("LOGIN_RECORDS_DAYS", "") or 90)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Uploaded files (safeguarding policies). Never served publicly: moderators read
# them through a view that checks who is asking.
MEDIA_ROOT = VAR_DIR / "media"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
if SECURE_SSL_REDIRECT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# Redis when REDIS_URL is set (shared by all workers); otherwise each process keeps
# its own small in-memory cache, which is right for a laptop and for tests.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ourlondon",
            # Fail fast: the API serves uncached rather than wait on a dead Redis.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ourlondon",
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Product settings.
# Occurrences are materialised this many weeks ahead of today.
OCCURRENCE_WINDOW_WEEKS = int(os.environ.get("OCCURRENCE_WINDOW_WEEKS", "12"))
# Seconds API responses may be reused: Cache-Control max-age and the server cache.
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "60"))

# Public site ----------------------------------------------------------------
# Where "Exit this page" (and Shift pressed three times) goes: a neutral site.
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "") or "https://www.bbc.co.uk/weather"
# Map tiles: a URL template for Leaflet, or empty for no tiles (the map still
# shows borough outlines from our own data). Tests run with none.
MAP_TILE_URL = os.environ.get(
    "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors",
)
# "Report a problem with this listing": reports accepted per address per hour.
REPORT_RATE = os.environ.get("REPORT_RATE", "") or "5/h"

# Job queue (huey): Redis when REDIS_URL is set, else a SQLite file of its own in
# var/ (apart from the main database, so queue writes never wait on its lock).
# Given as a dict, so the queue is built when the app loads, not when settings are
# merely read (mypy's Django plugin reads them on a clean checkout).
HUEY: dict[str, object] = (
    {"huey_class": "huey.RedisHuey", "name": "ourlondon", "url": REDIS_URL}
    if REDIS_URL
    else {
        "huey_class": "huey.SqliteHuey",
        "name": "ourlondon",
        "filename": str(VAR_DIR / "huey.sqlite3"),
    }
)
HUEY["immediate"] = False
# An idle worker checks the SQLite queue at least once a second (huey backs off
# up to 10 s otherwise), so a feed due every 8 s is polled on time.
HUEY["consumer"] = {"max_delay": 1.0}
if not REDIS_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# Importers may fetch loopback and private addresses only when this is True: for
# tests and local development, never from the environment in production.
SAFE_FETCH_ALLOW_PRIVATE = False

# Email ------------------------------------------------------------------------
# SMTP when EMAIL_HOST is set; otherwise messages are printed to the console (a
# laptop needs no mail server).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL", "") or "updates@ourlondon.example"
)
# Where links in emails point (no request to take it from when a job sends).
SITE_URL = os.environ.get("SITE_URL", "") or "http://127.0.0.1:8000"
