"""Waishi settings: one module, driven by environment variables.

Every variable is documented in docs/admin.md. Defaults suit `make run` on a laptop (SQLite, DEBUG);
production sets WAISHI_ENV=production and supplies secrets and keys through the environment.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WAISHI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("WAISHI_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "waishi-development-only-not-secret-" + "x" * 32)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "waishi.core",
    "waishi.directory",
    "waishi.users",
    "waishi.travel",
    "waishi.passports",
    "waishi.partners",
    "waishi.stats",
]

# The security headers' middleware come before WhiteNoise, which answers static files itself: those answers
# carry the same headers as pages (QUALITY.md Security 10: every response).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "waishi.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "waishi.core.middleware.LoginRequiredMiddleware",
    "waishi.users.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "waishi.core.middleware.RequestContextMiddleware",
    "waishi.core.middleware.SettingsMiddleware",
    "waishi.core.middleware.SessionLifetimeMiddleware",
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
                "waishi.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL when DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles a statement whose estimated cost is high; this application's statements
        # run in milliseconds, and compiling the larger ones (the statistics, the targets' union) took
        # seconds (docs/performance.md). Off for every connection, unless DATABASE_URL sets options.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("WAISHI_SQLITE_PATH", VAR_DIR / "waishi.sqlite3"),
            # IMMEDIATE takes the write lock when a transaction starts, so compare-and-set and the
            # audit chain never interleave; WAL lets readers go on while one writer works.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so that concurrent tests wait for the lock as production does.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "waishi.users.backends.AccountBackend"]
# Lockout (QUALITY.md Security 3): five wrong passwords lock the account, by username, for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("WAISHI_LOCKOUT_FAILURES", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("WAISHI_LOCKOUT_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "users/locked.html"
AXES_VERBOSE = False
# MLPS asks for a lock by account; rotating the client cannot unlock an account, so the IP is not a parameter.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "waishi.users.validators.CharacterClassValidator"},
]

# Passwords are changed every 90 days (QUALITY.md Security 2); users.policy.password_expired.
WAISHI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("WAISHI_PASSWORD_MAX_AGE_DAYS", 90))
# TOTP second factor for FAO and administrator accounts (QUALITY.md Security 4; users.policy). The issuer
# names the entry in the authenticator app; wrong codes also count toward the lockout above.
OTP_TOTP_ISSUER = os.environ.get("WAISHI_TOTP_ISSUER", "Waishi")

# Sessions: 30 minutes idle, 8 hours absolute. The idle expiry is renewed by the requests of a signed-in user,
# at most once every WAISHI_SESSION_RENEW_SECONDS (a write a page would cost a database commit a page).
SESSION_COOKIE_AGE = int(os.environ.get("WAISHI_SESSION_IDLE_SECONDS", 30 * 60))
WAISHI_SESSION_RENEW_SECONDS = int(os.environ.get("WAISHI_SESSION_RENEW_SECONDS", 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
WAISHI_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("WAISHI_SESSION_ABSOLUTE_SECONDS", 8 * 3600))

# Internationalisation: Simplified Chinese by default, English selectable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("WAISHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("WAISHI_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("WAISHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: attachments are checked by content and size (core.attachments).
WAISHI_UPLOAD_MAX_BYTES = int(os.environ.get("WAISHI_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = WAISHI_UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Excel: rows read from the database per query while an export streams (core.excel), and rows written per
# batch by an import (a constant number of queries per batch).
WAISHI_EXPORT_CHUNK_ROWS = int(os.environ.get("WAISHI_EXPORT_CHUNK_ROWS", 2000))
WAISHI_IMPORT_BATCH_ROWS = int(os.environ.get("WAISHI_IMPORT_BATCH_ROWS", 500))
# Lists (core.pagination): up to this many rows a list shows its exact count; beyond it "about N" (the
# PostgreSQL planner's estimate) or "more than N". Numbered pages reach this far; deeper pages use a cursor.
WAISHI_LIST_EXACT_COUNT_LIMIT = int(os.environ.get("WAISHI_LIST_EXACT_COUNT_LIMIT", 10000))
WAISHI_LIST_NUMBERED_PAGES = int(os.environ.get("WAISHI_LIST_NUMBERED_PAGES", 5))
# Summary pages (the home page's work queue, the custody page, the collection and custody rates): each
# section shows its count and at most this many of its records, the ones that matter most first, and links
# to the full list for the rest.
WAISHI_SUMMARY_ROWS = int(os.environ.get("WAISHI_SUMMARY_ROWS", 20))
# The sister-city targets page shows the targets still running, and those that ended this year or in the
# years before it up to this many; the list of all targets gives the older ones. The statistics and the
# annual report of a span name the targets that ended since as many years before the span's.
WAISHI_TARGETS_PAST_YEARS = int(os.environ.get("WAISHI_TARGETS_PAST_YEARS", 1))
# A select of records lists them all up to this many; beyond, it lists the chosen ones and searches the
# others on the server as the user types, showing at most WAISHI_CHOICES_SEARCH_LIMIT matches.
WAISHI_CHOICES_INLINE_MAX = int(os.environ.get("WAISHI_CHOICES_INLINE_MAX", 100))
WAISHI_CHOICES_SEARCH_LIMIT = int(os.environ.get("WAISHI_CHOICES_SEARCH_LIMIT", 20))


# Cryptography (QUALITY.md line 9): SM4-GCM keys by id, the active one encrypts, all decrypt.
# WAISHI_CRYPTO_KEYS="k1:<32 hex>,k2:<32 hex>", WAISHI_CRYPTO_ACTIVE_KEY="k2",
# WAISHI_BLIND_INDEX_KEY and WAISHI_AUDIT_KEY: 64 hex characters each.
def _dev_key(label: str, length: int) -> str:
    return hashlib.sha256(f"{SECRET_KEY}:{label}".encode()).hexdigest()[: length * 2]


if PRODUCTION:
    WAISHI_CRYPTO_KEYS = dict(item.split(":", 1) for item in env_list("WAISHI_CRYPTO_KEYS"))
    WAISHI_CRYPTO_ACTIVE_KEY = os.environ["WAISHI_CRYPTO_ACTIVE_KEY"]
    WAISHI_BLIND_INDEX_KEY = os.environ["WAISHI_BLIND_INDEX_KEY"]
    WAISHI_AUDIT_KEY = os.environ["WAISHI_AUDIT_KEY"]
else:
    WAISHI_CRYPTO_KEYS = dict(item.split(":", 1) for item in env_list("WAISHI_CRYPTO_KEYS")) or {
        "dev1": _dev_key("sm4", 16)
    }
    WAISHI_CRYPTO_ACTIVE_KEY = os.environ.get("WAISHI_CRYPTO_ACTIVE_KEY", next(iter(WAISHI_CRYPTO_KEYS)))
    WAISHI_BLIND_INDEX_KEY = os.environ.get("WAISHI_BLIND_INDEX_KEY", _dev_key("blind-index", 32))
    WAISHI_AUDIT_KEY = os.environ.get("WAISHI_AUDIT_KEY", _dev_key("audit", 32))
# Audit rows younger than this are never deleted (QUALITY.md Security 8; MLPS asks for 6 months).
WAISHI_AUDIT_MIN_RETENTION_DAYS = max(184, int(os.environ.get("WAISHI_AUDIT_MIN_RETENTION_DAYS", 184)))
WAISHI_CRYPTO_PROVIDER = os.environ.get("WAISHI_CRYPTO_PROVIDER", "waishi.core.crypto.SoftwareProvider")

# Security headers (QUALITY.md line 10).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # ECharts and Bootstrap set style attributes at run time.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["waishi.core.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "waishi.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "waishi.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "waishi.core.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Waishi API",
    "DESCRIPTION": "Waishi (外事) REST API. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its Swagger UI, like every other address, for signed-in users and tokens only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TripStateEnum": "waishi.travel.choices.TripState",
        "DocumentStateEnum": "waishi.passports.choices.DocumentState",
        "PartnerLevelEnum": "waishi.partners.choices.PartnerLevel",
        "OrganizationLevelEnum": "waishi.directory.choices.OrganizationLevel",
    },
}

# Tables are written by waishi.core.tables.html as django-tables2's Bootstrap 5 template writes them.
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "waishi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WAISHI_LOG_LEVEL", "WARNING")},
}

WAISHI_SITE_NAME = _("Waishi")
