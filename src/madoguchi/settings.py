"""madoguchi settings: one file, driven by the environment.

Every value that differs between the embedded demo (SQLite, local files, database task
queue) and a production deployment (PostgreSQL, Redis, S3-compatible storage, several app
servers behind a proxy) is read from an environment variable. The defaults are the safe
embedded set-up; see docs/operations.md for the production variables.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from madoguchi.accounts import oidc_config

BASE_DIR = Path(__file__).resolve().parent  # src/madoguchi
PROJECT_DIR = BASE_DIR.parent.parent  # repository root

env = environ.Env()

VAR_DIR = Path(env.str("MADOGUCHI_VAR_DIR", default=str(PROJECT_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("MADOGUCHI_TESTING", default="pytest" in sys.modules)


def _secret_key() -> str:
    """Use SECRET_KEY when given; otherwise keep a random key in var/ so that sessions
    survive restarts of the embedded set-up without any key ever being committed."""
    if value := env.str("SECRET_KEY", default=""):
        return value
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(64)
    key_file.write_text(value)
    key_file.chmod(0o600)
    return value


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public base URL, used in e-mails and OpenID Connect redirects built outside a request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # madoguchi apps first so that their templates override those of the libraries.
    "madoguchi.core",
    "madoguchi.accounts",
    "madoguchi.audit",
    "madoguchi.notifications",
    "madoguchi.japanese",
    "madoguchi.api",
    "madoguchi.portal",
    "madoguchi.payments",
    "madoguchi.procedures",
    "madoguchi.facilities",
    # The sandbox payment gateway (an outside company played by madoguchi; not for production).
    "madoguchi.paysandbox",
    # Wagtail: the website and the staff console shell.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    # Translations of pages kept in step with their source (segments, per-language status).
    "wagtail_localize",
    "wagtail_localize.locales",
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
    # Accounts: e-mail sign-up, OpenID Connect and second factors.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    # Background work on Django's Tasks API.
    "django_tasks",
    "django_tasks_db",
    # API.
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "madoguchi.core.middleware.RequestIdMiddleware",
    "madoguchi.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "madoguchi.core.csp.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "madoguchi.core.middleware.HostMunicipalityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "madoguchi.api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "madoguchi.accounts.middleware.StaffSecondFactorMiddleware",
    "madoguchi.core.middleware.MunicipalityMiddleware",
    # Wagtail's, also on municipalities bound to their own host name.
    "madoguchi.portal.redirects.RedirectMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "madoguchi.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    # An empty DATABASE_URL means the embedded default, as an unset one does.
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'madoguchi.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the task worker and the web server use the file at the same time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not Django's shared in-memory database: the browser tests' live
    # server answers several requests at once, and threads sharing one in-memory
    # connection trip over each other's transactions.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # TEST_SQLITE_NAME lets several test runs share a checkout without sharing a file.
    # A bare name is a file in VAR_DIR; a path (var/test-x.sqlite3) is taken as given.
    test_file = env.str("TEST_SQLITE_NAME", default="test-madoguchi.sqlite3")
    test_path = Path(test_file) if "/" in test_file else VAR_DIR / test_file
    DATABASES["default"].setdefault("TEST", {"NAME": str(test_path.resolve())})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue -------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="madoguchi"),
        }
    }
else:
    # The database cache is shared by the web server and the worker, which lock-outs and
    # rate limits need; a per-process memory cache would let each process count alone.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "madoguchi_cache",
        }
    }

# The website's page cache for anonymous readers (portal/cache.py): on except in tests
# (a test turns it on where it checks it); how long a page is kept, in seconds.
PORTAL_PAGE_CACHE = env.bool("PORTAL_PAGE_CACHE", default=not TESTING)
PORTAL_PAGE_CACHE_TTL = env.int("PORTAL_PAGE_CACHE_TTL", default=300)

TASK_BACKEND = env.str("TASK_BACKEND", default="rq" if REDIS_URL else "database")
if TASK_BACKEND == "rq":
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    # Workers run django-tasks' jobs with its Job class, and need the scheduler for
    # deferred tasks (retries): `manage.py rqworker --with-scheduler default`.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Storage --------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# whitenoise looks at STATIC_ROOT at start-up even when it serves from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

S3_BUCKET = env.str("S3_BUCKET", default="")
# Files with personal data (attachments of applications) go to the "private" storage:
# never under MEDIA_URL, served only through views that check who asks.
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(VAR_DIR / ("test-private" if TESTING else "private"))))
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(PRIVATE_ROOT)}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**STORAGES["default"]["OPTIONS"], "location": "private"},  # type: ignore[dict-item]
    }
# Without a collected manifest (demo, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG or TESTING or not S3_BUCKET)
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://" if not TESTING else "memorymail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = str(VAR_DIR / "mail")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="madoguchi <no-reply@madoguchi.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS: list[str] = []  # each app keeps its own catalogue in <app>/locale/
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"
LANGUAGE_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
LANGUAGE_COOKIE_SAMESITE = "Lax"

# The website's content languages (wagtail-localize translates pages between them):
# Japanese first, always; English by default; more from the environment, e.g.
# CONTENT_LANGUAGES=ja,en,zh-hans,ko,vi. A further content language is served under its own
# prefix (/ko/...), so it joins LANGUAGES too; the staff console stays in ja/en.
KNOWN_CONTENT_LANGUAGES = {
    "ja": "日本語",
    "en": "English",
    "zh-hans": "简体中文",
    "zh-hant": "繁體中文",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "pt": "Português",
    "es": "Español",
    "tl": "Tagalog",
    "ne": "नेपाली",
    "id": "Bahasa Indonesia",
    "th": "ไทย",
}
CONTENT_LANGUAGE_CODES = env.list("CONTENT_LANGUAGES", default=["ja", "en"])
if not CONTENT_LANGUAGE_CODES or CONTENT_LANGUAGE_CODES[0] != "ja" or "en" not in CONTENT_LANGUAGE_CODES:
    raise ImproperlyConfigured("CONTENT_LANGUAGES must start with ja and include en (e.g. ja,en,ko)")
_unknown_languages = [code for code in CONTENT_LANGUAGE_CODES if code not in KNOWN_CONTENT_LANGUAGES]
if _unknown_languages:
    raise ImproperlyConfigured(f"CONTENT_LANGUAGES: unknown language codes {_unknown_languages}")
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [(code, KNOWN_CONTENT_LANGUAGES[code]) for code in CONTENT_LANGUAGE_CODES]
WAGTAILADMIN_PERMITTED_LANGUAGES = list(LANGUAGES)
LANGUAGES += [language for language in WAGTAIL_CONTENT_LANGUAGES if language not in LANGUAGES]

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "madoguchi.accounts.backends.StaffRoleBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_ADAPTER = "madoguchi.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "madoguchi.accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[madoguchi] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env.bool("SECURE_COOKIES", default=False) else "http"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_FORMS = {"login": "madoguchi.accounts.forms.LoginForm", "signup": "madoguchi.accounts.forms.SignupForm"}
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Repeated failures lock the account out (5 in 15 minutes per e-mail address, also when
# the second factor is wrong) and the client address (30 in 15 minutes: a kiosk or a
# city hall shares one address among many people) for a while, right password or not.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="30/15m/ip,5/15m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_FORMS = {"signup": "madoguchi.accounts.forms.SocialSignupForm"}
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# An address a provider does not vouch for is verified like any other (the provider's
# entry may say "email_verified": true, e.g. gBizID, whose account ID is the address).
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
# OpenID Connect providers of this deployment, e.g. the Digital Agency's digital
# authentication app for residents and gBizID for businesses: a JSON list, checked at
# start-up (format in docs/modules/accounts.md and madoguchi/accounts/oidc_config.py).
OIDC_PROVIDERS = oidc_config.parse_providers(env.str("OIDC_PROVIDERS", default=""))
SOCIALACCOUNT_PROVIDERS = oidc_config.socialaccount_providers(OIDC_PROVIDERS)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
# A second factor is asked at every sign-in: no "trust this browser".
MFA_TRUST_ENABLED = False
MFA_FORMS = {"authenticate": "madoguchi.accounts.forms.SecondFactorForm"}
MFA_ADAPTER = "madoguchi.accounts.adapters.MFAAdapter"
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="madoguchi")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING

# --- Sessions and security ------------------------------------------------------------
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A rejected form gets the site's translated page, not Django's developer page.
CSRF_FAILURE_VIEW = "madoguchi.core.views.csrf_failure"
# Idle timeout: a session ends after this many seconds without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind the deployment's reverse proxy (nginx, a load balancer): trust its
# X-Forwarded-Proto/-Host, and take the client's address from X-Forwarded-For as written
# by the last TRUSTED_PROXY_COUNT proxies (ClientAddressMiddleware).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [
            SELF,
            *oidc_config.form_action_origins(OIDC_PROVIDERS),
            *env.list("CSP_FORM_ACTION_EXTRA", default=[]),
        ],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Wagtail --------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "madoguchi"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No avatars from gravatar.com: they would send a hash of each staff e-mail address to a
# third party on every page of the staff console (and need a CSP exception).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "svg"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "docx", "xlsx", "odt", "ods", "txt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Every image needs its alt text (代替テキスト): the description is required (portal/images.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "madoguchi.portal.images.AltTextRequiredImageForm"
# Moving a page or changing its slug leaves a redirect from the old address (the default,
# said here because residents' bookmarks and printed URLs depend on it).
WAGTAILREDIRECTS_AUTO_CREATE = True

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["madoguchi.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["madoguchi.api.permissions.DenyAll"],
    "DEFAULT_SCHEMA_CLASS": "madoguchi.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "madoguchi.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "madoguchi.api.throttling.AnonymousRateThrottle",
        "madoguchi.api.throttling.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/min"),
        "token": env.str("API_TOKEN_RATE", default="600/min"),
    },
    # REMOTE_ADDR is the client's own address (behind a proxy, ClientAddressMiddleware
    # sets it); X-Forwarded-For, which anyone can send, is never read for rate limits.
    "NUM_PROXIES": 0,
    "EXCEPTION_HANDLER": "madoguchi.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "madoguchi API",
    "DESCRIPTION": (
        "窓口（madoguchi）の REST API。団体（市区町村）ごとのデータは /api/v1/{municipality_slug}/… にあり、"
        "その団体の管理者が発行したAPIトークン（`Authorization: Bearer mdg_…`）で呼び出します。"
        "トークンは発行先の団体でだけ使え、代理する職員アカウントの役割の範囲で動作します。\n\n"
        "The REST API of madoguchi. A municipality's data lives under /api/v1/{municipality_slug}/… and is "
        "called with an API token issued by that municipality's administrator (`Authorization: Bearer mdg_…`). "
        "A token works only in its own municipality, with the roles of the staff account it acts for.\n\n"
        '- Errors / エラー: always `{"error": {"status", "code", "message", "request_id", "fields"?}}`; '
        "`message` follows `Accept-Language` (ja, en).\n"
        "- Lists / 一覧: `?limit=` (1–200, default 50) and `?offset=`; the answer has `count`, `next`, "
        "`previous`, `results`.\n"
        "- Rate limits / 回数制限: per token and per client address; 429 with `Retry-After` when exceeded."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The document is public and says nothing about the caller: no token is looked at.
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1(/\{municipality_slug\})?",
    "PREPROCESSING_HOOKS": ["madoguchi.api.schema.only_api_v1"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"RoleEnum": "madoguchi.accounts.models.Role"},
    "OAS_VERSION": "3.0.3",
}

# --- Logging --------------------------------------------------------------------------
# INFO includes one access record per request (logger madoguchi.access); WARNING leaves
# them out. LOG_FORMAT=json writes JSON lines for a log collector, text is for people.
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING" if TESTING else "INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "madoguchi.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "madoguchi.core.logging.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

# --- madoguchi ------------------------------------------------------------------------
# Path segments that can never be a municipality's slug, because the deployment uses them.
RESERVED_SLUGS = {
    "facilities",
    "opendata",
    "payment-gateways",
    "sandbox-gateway",
    "signing-sandbox",
    "accounts",
    "admin",
    "api",
    "django-admin",
    "healthz",
    "readyz",
    "media",
    "static",
    "staff",
    "i18n",
    "en",
    "ja",
    "preferences",
    "postal-codes",
    "banks",
    "documents",
    "images",
    "sandbox",
    "municipalities",
    "schema",
    "robots.txt",
    "favicon.ico",
    "_util",
}
# How long an access reason given before opening a resident's personal data stays valid.
PERSONAL_DATA_REASON_TTL = env.int("PERSONAL_DATA_REASON_TTL", default=15 * 60)
# The key of the audit log's hash chain (HMAC). Without it the key is derived from
# SECRET_KEY; a production deployment sets its own and keeps it as long as the log is
# kept. After a rotation, list the old keys in AUDIT_CHAIN_KEY_FALLBACKS.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
AUDIT_CHAIN_KEY_FALLBACKS = env.list("AUDIT_CHAIN_KEY_FALLBACKS", default=[])
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)

# Electronic signatures (公的個人認証): the trust anchors (PEM files of the CA certificates
# a signer's certificate must chain to) and the certificate revocation lists (DER or PEM
# files, refreshed by the operator). Empty: the demo certificate authority under
# var/demo-ca/ (made by `manage.py demo_ca`). A real deployment lists the JPKI CA here.
SIGNATURE_TRUST_ANCHORS = env.list("SIGNATURE_TRUST_ANCHORS", default=[])
SIGNATURE_CRLS = env.list("SIGNATURE_CRLS", default=[])
DEMO_CA_DIR = Path(env.str("DEMO_CA_DIR", default=str(VAR_DIR / "demo-ca")))
# The demo signing app (an outside JPKI client played by madoguchi) at /signing-sandbox/.
SIGNING_SANDBOX = env.bool("SIGNING_SANDBOX", default=True)
# Attachments to applications: largest file and the types accepted (checked by content).
PROCEDURE_ATTACHMENT_MAX_BYTES = env.int("PROCEDURE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
