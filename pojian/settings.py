"""Settings come from the environment.

With nothing set the portal runs for a newcomer: SQLite in the project folder, Celery tasks
executed in-process. DEBUG is off unless DJANGO_DEBUG=1 (`make run` sets it), so a refusal or a
missing page shows the portal's own Chinese 403/404/500 pages, never Django's debug page. With DATABASE_URL / CELERY_BROKER_URL it runs on PostgreSQL
and Redis, as in production and CI. DJANGO_ENV=production turns on the hardened settings
that `manage.py check --deploy` asks for.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

PRODUCTION = env("DJANGO_ENV", default="development") == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    # A generated key kept in an ignored file, so sessions survive restarts in development.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or _local_secret_key()
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "pojian",  # first, so its templates (registration/, admin/) win
    "pojian.apps.PortalAdminConfig",  # django.contrib.admin, asking office users for their second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "csp",
    "enterprises",
    "incubators",
    "finance",
    "reviews",
    "assessment",
    "funding",
    "reports",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "techtransfer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pojian.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pojian.middleware.RefuseNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pojian.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pojian.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pojian.urls"
# A stale or missing CSRF token: the Chinese page with a way back (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "pojian.views.csrf_failure"
WSGI_APPLICATION = "pojian.wsgi.application"

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
                "pojian.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections double a list page's throughput under gunicorn (DESIGN.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # `make run` without settings: SQLite cannot defer the policy-number constraint (PostgreSQL does);
    # the demo loses nothing by it, so its warning would only alarm a newcomer.
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pojian.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

# Two-factor sign-in (django-otp): required for office staff, approvers and admin users. Only a
# demo on a laptop turns it off (`make run` does); production warns in `check --deploy` if off.
POJIAN_OTP_REQUIRED = env.bool("POJIAN_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="破茧成蝶")
# A personal API token of an account that must use the second factor is made only from a session
# that passed it, and lasts at most this many days (api/domain/tokens.py); others up to 366.
API_TOKEN_MAX_DAYS_TWO_FACTOR = env.int("API_TOKEN_MAX_DAYS_TWO_FACTOR", default=30)

# django-axes (pojian/domain/signin.py): five failures lock one (user name, address) pair, twenty
# failures from one address over all user names lock the address; both lift after the cool-off,
# counted from the last counted failure (attempts while locked out are not counted).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
POJIAN_ADDRESS_FAILURE_LIMIT = env.int("POJIAN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "pojian.domain.signin.PortalAxesHandler"
AXES_LOCKOUT_CALLABLE = "pojian.account_views.locked_out"  # the portal page, HTTP 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # failed sign-ins, kept for each user's "recent sign-ins"
AXES_VERBOSE = False
# The client's address: behind the TLS proxy, the header it sets (e.g. X-Forwarded-For or
# X-Real-IP); empty when clients reach the portal directly. With X-Forwarded-For, the entry
# POJIAN_TRUSTED_PROXY_COUNT places from the right (the one our own proxy appended) is used.
POJIAN_CLIENT_IP_HEADER = env("POJIAN_CLIENT_IP_HEADER", default="")
POJIAN_TRUSTED_PROXY_COUNT = env.int("POJIAN_TRUSTED_PROXY_COUNT", default=1)
AXES_CLIENT_IP_CALLABLE = "pojian.domain.signin.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Outside production WhiteNoise serves straight from the apps' static folders, so the portal keeps
# its styles with DEBUG off and no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
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
# Uploaded letters and reports: refuse anything larger than this, with a clear message.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# A stored file not under a server-chosen name is judged by this many first bytes when downloaded (pojian/downloads.py).
DOWNLOAD_SNIFF_BYTES = env.int("DOWNLOAD_SNIFF_BYTES", default=1024 * 1024)
# An imported workbook is refused before its rows are read when it unpacks to more than this
# (a zip bomb: a small file that unpacks to gigabytes) or holds more rows than this.
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="pojian@kjt.jl.gov.cn")
# The portal's own address, for links in e-mails (password reset): never taken from a request.
SITE_URL = env("SITE_URL", default=f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION else "http://127.0.0.1:8000")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 3600)  # seconds a reset link works

# Celery: without a broker, tasks run in-process so `make run` needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None) or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than the longest task (the annual report), so Redis does not redeliver it mid-run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Sending a task to a broker that is away fails within about a second (then the job stays queued).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A job queued this many seconds and never started is sent again by the beat task (its message was lost).
JOB_RESEND_AFTER = env.int("JOB_RESEND_AFTER", default=300)
# Installed into the database schedule by the beat scheduler at start-up.
CELERY_BEAT_SCHEDULE = {
    "pojian.send_daily_digests": {
        "task": "pojian.tasks.send_daily_digests",
        "schedule": crontab(hour=8, minute=0),
    },
}

DEMO_PASSWORD = env("DEMO_PASSWORD", default="pojian-demo")

SESSION_COOKIE_HTTPONLY = True
# Sessions end after this many idle minutes (pojian.middleware.IdleTimeoutMiddleware); the page
# warns POJIAN_SESSION_WARN_MINUTES before. The cookie and the stored session expire with them.
POJIAN_SESSION_IDLE_MINUTES = env.int("POJIAN_SESSION_IDLE_MINUTES", default=30)
POJIAN_SESSION_WARN_MINUTES = env.int("POJIAN_SESSION_WARN_MINUTES", default=2)
SESSION_COOKIE_AGE = POJIAN_SESSION_IDLE_MINUTES * 60 + 120
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A site-wide Content-Security-Policy (django-csp): scripts and styles only from the portal's own
# static files, no inline script, no inline style, no eval, no framing. Bootstrap's CSS draws its
# icons (select arrows, close buttons) as data: images. File downloads carry their own stricter
# policy (`sandbox`, pojian/downloads.py). README, "Security".
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
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": env("CSP_REPORT_URI")} if env("CSP_REPORT_URI", default="") else {}),
    },
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

PORTAL_NAME = _("Jilin Tech SME 'Chrysalis to Butterfly' Programme")


# The REST API (api/): tokens or the session, the apps' own rules, cursor pages, throttles per caller.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ScopedRulesPermission"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NewestFirst",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle", "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="1200/min"),
        "anon": env.str("API_RATE_ANON", default="60/min"),
        "public": env.str("API_RATE_PUBLIC", default="120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "破茧成蝶 API",
    "DESCRIPTION": "吉林省科技型中小微企业“破茧成蝶”专项行动管理平台的接口 (the portal's REST API).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served by the portal itself: an intranet has no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, whatever the field is called (industry, field; the many "state"s).
    "ENUM_NAME_OVERRIDES": {
        "IndustryEnum": "enterprises.models.Industry",
        "NominationStateEnum": "pojian.models.NominationState",
        "GrantStateEnum": "funding.models.GrantState",
        "PaymentStateEnum": "funding.models.Payment.State",
        "ResultStateEnum": "techtransfer.models.Result.State",
        "PoolStatusEnum": "enterprises.models_pool.PoolEntry.Status",
    },
}
