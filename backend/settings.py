"""Micromoments settings: one module, configured only from the environment.

Defaults are for development (the embedded quick-start: SQLite and a filesystem broker under var/).
Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from backend import logs
from backend.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MICROMOMENTS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-micromoments-not-for-production"  # noqa: S105
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cms",
    "learning",
    "nudges",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
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
    "django_filters",
    # ninja's own Swagger UI and ReDoc files: /api/v1/docs works with no internet.
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # Failed-login lockouts for the admin sign-in pages (see "Sign-in throttling" below).
    "axes",
    "django_prometheus",
    # The admin's single sign-on (authorization code flow): see "Single sign-on" below.
    "mozilla_django_oidc",
]

MIDDLEWARE = [
    # HTTP figures for /metrics (django-prometheus): the first and the last middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A request id on every log line of the request, and in its response (X-Request-ID).
    "backend.logs.RequestIdMiddleware",
    # Outermost but security: whatever a lower layer answers under /api/ leaves as JSON.
    "backend.api_edge.JsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The admin login page's "Sign in with single sign-on", when it is configured.
                "backend.oidc_admin.sso_login",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# PostgreSQL in production and tests; SQLite under var/ only for the embedded quick-start.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'micromoments.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
# Database figures for /metrics: django-prometheus's wrapper around the same engine.
DATABASE_ENGINE = DATABASES["default"]["ENGINE"]
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}.get(DATABASE_ENGINE, DATABASE_ENGINE)
if DATABASE_ENGINE == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The quick-start runs a web server and a worker against one file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mm"),
        }
    }
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Redis redelivers unacked (late-ack) messages after this; keep it above the longest
        # ETA plus run time so a slow task is not run twice.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # Serverless broker for the quick-start: kombu's filesystem transport under var/.
    _broker_dir = VAR_DIR / "broker"
    # kombu's filesystem transport expects its folders; the web process publishes there too.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# Every periodic job, in one place, each naming the domain function it drives.
CELERY_BEAT_SCHEDULE = {
    # Wagtail's `publish_scheduled` command: go_live_at / expire_at happen only when it runs.
    "publish-scheduled-pages": {
        "task": "cms.tasks.publish_scheduled_pages",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # nudges.planning.plan_nudges: claim learners due for a check, write the nudges they should get.
    "nudges-plan": {
        "task": "nudges.tasks.plan",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # nudges.sending.dispatch_due: hand due nudges to send_batch tasks, ≤500 ids each.
    "nudges-dispatch": {
        "task": "nudges.tasks.dispatch",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # nudges.sending.reap_stuck: `sending` rows of dead workers back to `planned`.
    "nudges-reap": {
        "task": "nudges.tasks.reap",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # nudges.sending.deactivate_stale_devices: devices not seen for 270 days.
    "nudges-deactivate-stale-devices": {
        "task": "nudges.tasks.deactivate_stale_devices",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
    # nudges.purge: push payloads and delivery rows older than NUDGES_KEEP_DAYS.
    "nudges-purge-old-records": {
        "task": "nudges.tasks.purge_old_records",
        "schedule": crontab(hour=4, minute=7),
        "options": {"expires": 3600},
    },
    # learning.ledger.lrs: the ledger and practice answers to the LRS, when LRS_ENDPOINT is set.
    "lrs-forward": {
        "task": "learning.tasks.forward_to_lrs",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # cms.handoff: an event's audience whose enrolment the broker lost is enrolled by this sweep.
    "reconcile-enrolments": {
        "task": "learning.tasks.reconcile_enrolments",
        "schedule": crontab(minute="*/10"),
    },
    # learning.practice.calibration.fit_all: FSRS fitted to our own review log, adopted if better.
    "practice-fit-scheduler": {
        "task": "learning.tasks.fit_scheduler",
        "schedule": crontab(day_of_week="sunday", hour=2, minute=23),
        "options": {"expires": 6 * 3600},
    },
    # backend.auth.purge_expired_tokens: revoke tokens past their sliding expiry.
    "purge-expired-tokens": {
        "task": "backend.tasks.purge_expired_tokens",
        "schedule": crontab(hour=3, minute=41),
        "options": {"expires": 3600},
    },
}

# Wagtail's own background work (reference index, file clean-up) runs as django-tasks. The immediate
# backend runs it in-process right after the transaction commits: nothing extra to operate.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Auth, i18n, static ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: the hook that revokes a person's API tokens whenever their password changes.
    {"NAME": "backend.auth.SignOutOnPasswordChange"},
]
LOGIN_URL = "wagtailadmin_login"
# Axes' lockout check first; it authenticates no one itself. The OIDC backend answers only the
# single sign-on callback (/oidc/callback/), and only for people allowed into the admin.
AUTHENTICATION_BACKENDS = [
    "backend.signin.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
    "backend.oidc_admin.AdminOIDCBackend",
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
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
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Security (production) ------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Wagtail's live preview frames our own pages: SAMEORIGIN, not DENY (hence W019 is silenced).
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Structured logs (backend.logs, structlog): JSON lines in production (DJANGO_DEBUG=0, or
# LOG_FORMAT=json), readable lines otherwise; a request id, task id and learner id on each line.
LOG_FORMAT = env_str("LOG_FORMAT", "console" if DEBUG else "json")
LOGGING = logs.logging_config(
    json_lines=LOG_FORMAT == "json",
    level=env_str("LOG_LEVEL", "INFO"),
    tasks_level=env_str("LOG_LEVEL_TASKS", "WARNING"),
)
logs.configure_structlog()

# /metrics (backend.metrics) answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset, it
# is closed (404).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# Errors to Sentry when SENTRY_DSN is set (sentry-sdk's Django and Celery integrations), else
# nothing is sent anywhere. No personal data: Sentry is told not to attach users, cookies or
# request bodies (send_default_pii off), as the logs carry ids only.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
        send_default_pii=False,
    )

# --- Wagtail --------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Micromoments"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# No Gravatar: the admin asks no other host for anything (offline installs showed broken avatars).
# None makes Wagtail fall back to its own default avatar, or the picture a user uploads.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor releases.wagtail.org, which a superuser's browser asks on every visit to the dashboard.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Micromoments ---------------------------------------------------------------------------------
# A module longer than this (minutes) is no longer bite-sized: the editor warns on save.
MICROMOMENTS_BITE_SIZE_MINUTES = env_int("MICROMOMENTS_BITE_SIZE_MINUTES", 7)
MICROMOMENTS_WORDS_PER_MINUTE = env_int("MICROMOMENTS_WORDS_PER_MINUTE", 200)
MICROMOMENTS_API_PAGE_SIZE = env_int("MICROMOMENTS_API_PAGE_SIZE", 20)
# Publishing an onboarding event enrols learners who started at most this many days ago.
MICROMOMENTS_ONBOARDING_WINDOW_DAYS = env_int("MICROMOMENTS_ONBOARDING_WINDOW_DAYS", 90)
# A learner with available steps and no activity for this many days is "drifting".
MICROMOMENTS_DRIFTING_AFTER_DAYS = env_int("MICROMOMENTS_DRIFTING_AFTER_DAYS", 5)
# The today feed fits what it offers into the minutes a learner has: a practice review counts this
# many seconds, and a journey step with no module and no estimate of its own this many minutes.
MICROMOMENTS_REVIEW_SECONDS = env_int("MICROMOMENTS_REVIEW_SECONDS", 30)
MICROMOMENTS_STEP_MINUTES = env_int("MICROMOMENTS_STEP_MINUTES", 5)
# A learner's own views (today, journeys, progress, due practice) are served from the cache while
# nothing they read has changed (learning.cached), for at most this many seconds (the retention
# figures move with time alone); 0 turns the cache off.
MICROMOMENTS_VIEW_CACHE_SECONDS = env_int("MICROMOMENTS_VIEW_CACHE_SECONDS", 300)
# The authors' moments of pain: overrides of learning.analytics.modules.PainThresholds' defaults
# (a dict of its field names, e.g. {"low_rating": 2.5}); empty keeps them all.
MICROMOMENTS_PAIN_THRESHOLDS: dict = {}
READYZ_TIMEOUT = timedelta(seconds=env_int("READYZ_TIMEOUT_SECONDS", 2))

NINJA_PAGINATION_PER_PAGE = MICROMOMENTS_API_PAGE_SIZE
NINJA_PAGINATION_MAX_LIMIT = 100

if DATABASE_ENGINE == "django.db.backends.postgresql":
    # English stemming so "refunds" finds "refund"; SQLite's FTS5 (quick-start) has its own.
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "english"

# --- API tokens and throttling --------------------------------------------------------------------
API_TOKEN_TTL = timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30))
# A token's last use is written at most hourly: the sliding expiry needs no more, and a write on
# every request was the hot path's one UPDATE.
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 3600
# Every API request, per bearer token and (unauthenticated) per client address; 429 with Retry-After.
API_RATE_PER_TOKEN = env_str("API_RATE_PER_TOKEN", "600/min")
API_RATE_PER_ADDRESS_UNAUTHENTICATED = env_str("API_RATE_PER_ADDRESS_UNAUTHENTICATED", "120/min")
# A JSON body over this is 413 (a full /events batch of 500 items is about 150 KB).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_048_576)
# Events and answers dated further back than this are rejected: a phone offline for weeks is fine,
# a clock at 1970 or year 1 is not.
API_MAX_EVENT_AGE_DAYS = env_int("API_MAX_EVENT_AGE_DAYS", 60)
# Failed sign-ins allowed per window before further attempts get 429 with Retry-After. Tight per
# (username, address), so an attacker locks out only their own address; loose per username, which
# no single address can reach (it is stopped by the tight limit first) but a spread guess can.
API_SIGNIN_FAILURES_PER_USERNAME_ADDRESS = env_str(
    "API_SIGNIN_FAILURES_PER_USERNAME_ADDRESS", "5/15min"
)
API_SIGNIN_FAILURES_PER_USERNAME = env_str("API_SIGNIN_FAILURES_PER_USERNAME", "50/15min")
API_SIGNIN_FAILURES_PER_ADDRESS = env_str("API_SIGNIN_FAILURES_PER_ADDRESS", "20/15min")

# --- Sign-in throttling: client address, admin lockouts -------------------------------------------
# Proxies in front of Django that append to X-Forwarded-For. 0: the peer address (REMOTE_ADDR) is the
# client; N: the Nth address from the right of X-Forwarded-For is. backend.signin.client_address
# applies it for the sign-in throttles and axes; ninja's own throttles read the same count.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")
# ninja: None would trust the whole header, 0 is REMOTE_ADDR, N the Nth from the right.
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT
# django-axes guards /cms/login/ and /django-admin/login/: after AXES_FAILURE_LIMIT failures for one
# (username, address) pair that pair gets a 429 page for AXES_COOLOFF_TIME; the person can still
# sign in from elsewhere. Database handler: the same on SQLite and PostgreSQL, lockouts listed (and
# cleared) under Axes in /django-admin/, rows removed as their cool-off passes. POST /auth/token is
# left to its own throttles above (backend.signin.axes_ignores).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "backend.signin.client_address"
# backend.signin.axes_ignores, and the single sign-on callback (see backend.oidc_admin).
AXES_WHITELIST_CALLABLE = "backend.oidc_admin.axes_ignores"
AXES_LOCKOUT_CALLABLE = "backend.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# No row per successful login kept forever: the attempts table is what the lockouts need.
AXES_DISABLE_ACCESS_LOG = True

# --- Spaced practice ------------------------------------------------------------------------------
# fsrs spreads review intervals by a few days so cards learnt together don't fall due together;
# tests turn it off to get exact dates.
PRACTICE_FUZZING = env_bool("PRACTICE_FUZZING", True)
# A right answer slower than this is rated Hard, faster than PRACTICE_EASY_MS Easy (learning.practice).
PRACTICE_HARD_MS = env_int("PRACTICE_HARD_MS", 15_000)
PRACTICE_EASY_MS = env_int("PRACTICE_EASY_MS", 5_000)
# The weekly fit of FSRS's parameters to our own review log (learning.practice.calibration): the
# workforce's, and each change event's, only where the log holds this many counted reviews from
# this many learners (below that a fit is noise and the set in force stays).
PRACTICE_FIT_MIN_REVIEWS = env_int("PRACTICE_FIT_MIN_REVIEWS", 1_000)
PRACTICE_FIT_MIN_LEARNERS = env_int("PRACTICE_FIT_MIN_LEARNERS", 50)
# Minutes of practice a learner is offered per day at most (learning.practice.budget), until an
# administrator sets the organisation's own in the admin (Settings → Practice budget).
PRACTICE_DAILY_BUDGET_MINUTES = env_int("PRACTICE_DAILY_BUDGET_MINUTES", 5)

# Learning records out to the organisation's LRS as xAPI statements (learning.ledger.lrs), every
# minute; unset LRS_ENDPOINT, nothing is sent.
LRS_ENDPOINT = env_str("LRS_ENDPOINT", "")
LRS_KEY = env_str("LRS_KEY", "")
LRS_SECRET = env_str("LRS_SECRET", "")
LRS_XAPI_VERSION = env_str("LRS_XAPI_VERSION", "1.0.3")

# --- Nudges ---------------------------------------------------------------------------------------
# Push backends follow Django's EMAIL_BACKEND pattern: FCM (firebase-admin) when Firebase credentials
# are configured, else the console/outbox backend of the quick-start.
FIREBASE_CREDENTIALS_FILE = env_str("FIREBASE_CREDENTIALS_FILE")
# The one place the backend is chosen (nudges.backends reads only this); an empty value is unset.
NUDGES_PUSH_BACKEND = env_str("NUDGES_PUSH_BACKEND") or (
    "nudges.backends.fcm.FCMBackend"
    if FIREBASE_CREDENTIALS_FILE or env_str("GOOGLE_APPLICATION_CREDENTIALS")
    else "nudges.backends.console.ConsoleBackend"
)
# Where the FCM backend sends (a loopback stand-in in tests, a stub in staging); empty is Google.
NUDGES_FCM_BASE_URL = env_str("NUDGES_FCM_BASE_URL") or "https://fcm.googleapis.com"
# firebase-admin's own retries of 5xx inside one request (its own default is 4); 429 always comes
# back to our back-off.
NUDGES_FCM_HTTP_RETRIES = env_int("NUDGES_FCM_HTTP_RETRIES", 4)
NUDGES_MAX_ATTEMPTS = env_int("NUDGES_MAX_ATTEMPTS", 5)
# Seconds a nudge may stay `sending` before the reaper hands it back; above CELERY_TASK_TIME_LIMIT.
NUDGES_SENDING_TIMEOUT = env_int("NUDGES_SENDING_TIMEOUT", 600)
NUDGES_DEFAULT_WINDOW = ("12:30", "13:00")  # local time, for learners without dead-time windows
# Planner tasks started each minute; they share the due learners (FOR UPDATE SKIP LOCKED).
NUDGES_PLANNERS = env_int("NUDGES_PLANNERS", 2)
# Push payloads (the outbox) and per-device delivery rows are purged after this many days; the
# nudge analytics read at most the last 90, so fewer is raised to that.
NUDGES_KEEP_DAYS = max(env_int("NUDGES_KEEP_DAYS", 180), 90)
NUDGES_MAX_CHECK_INTERVAL_DAYS = env_int("NUDGES_MAX_CHECK_INTERVAL_DAYS", 7)
NUDGES_BANDIT_PRIOR_STRENGTH = env_int("NUDGES_BANDIT_PRIOR_STRENGTH", 10)

# --- Email: invitations and password links ---------------------------------------------------
# SMTP when EMAIL_HOST is set; otherwise the console backend (the quick-start prints the emails).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 20)
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Micromoments <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long an invitation or password link works (Django's password-reset token, single use).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_DAYS", 7) * 24 * 3600
# The app's own link for setting a password (uid and token are added as query parameters); the
# email also carries the web page at PUBLIC_BASE_URL as the fallback for a phone without the app.
APP_SET_PASSWORD_URL = env_str("APP_SET_PASSWORD_URL", "micromoments://set-password")
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
# POST /auth/password/reset: per address and per email address asked for.
API_PASSWORD_RESET_PER_ADDRESS = env_str("API_PASSWORD_RESET_PER_ADDRESS", "10/h")
API_PASSWORD_RESET_PER_EMAIL = env_str("API_PASSWORD_RESET_PER_EMAIL", "3/h")

# --- Single sign-on (OpenID Connect) -------------------------------------------------------------
# Empty OIDC_ISSUER: no single sign-on (POST /auth/token/oidc answers 404, no admin button).
# Exactly as the issuer writes it in its tokens' `iss` (Auth0's ends with a slash, Entra's not);
# discovery is fetched from <issuer without a trailing slash>/.well-known/openid-configuration.
OIDC_ISSUER = env_str("OIDC_ISSUER").strip()
# The app's client ids: an ID token's `aud` must hold one of them.
OIDC_AUDIENCE = env_list("OIDC_AUDIENCE", [])
# The admin's confidential client (authorization code flow, mozilla-django-oidc).
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
# Only people whose email is in one of these domains may sign in by SSO; empty allows any.
OIDC_ALLOWED_EMAIL_DOMAINS = [d.lower() for d in env_list("OIDC_ALLOWED_EMAIL_DOMAINS", [])]
# Nobody is created by signing in unless this is on (then as a learner, inactive users stay out).
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
OIDC_LEEWAY_SECONDS = env_int("OIDC_LEEWAY_SECONDS", 60)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
# Discovery and JWKS are cached this long; an unknown `kid` refetches the keys at once.
OIDC_CACHE_SECONDS = env_int("OIDC_CACHE_SECONDS", 3600)
# ... but at most once in this many seconds, whatever kids forged tokens name.
OIDC_JWKS_REFETCH_SECONDS = env_int("OIDC_JWKS_REFETCH_SECONDS", 60)
# POST /auth/token/oidc: failed sign-ins per client address, before 429 (a history of their own).
API_OIDC_SIGNIN_FAILURES_PER_ADDRESS = env_str("API_OIDC_SIGNIN_FAILURES_PER_ADDRESS", "20/15min")
# mozilla-django-oidc, for the admin. Its endpoints (OIDC_OP_AUTHORIZATION_ENDPOINT, _TOKEN_, _USER_,
# _JWKS_) are not settings here: backend.oidc_admin reads them from discovery when a sign-in starts.
OIDC_AUTHENTICATE_CLASS = "backend.oidc_admin.AdminSignInView"
OIDC_CALLBACK_CLASS = "backend.oidc_admin.AdminCallbackView"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = OIDC_CREATE_USERS  # backend.oidc.person_for decides; stated for mozilla too
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False
LOGIN_REDIRECT_URL = "wagtailadmin_home"
LOGIN_REDIRECT_URL_FAILURE = "wagtailadmin_login"

# --- Accounts that follow HR ---------------------------------------------------------------------
# import_learners --full refuses to deactivate more than this share of active learners at once (a
# truncated export must not empty the company); --allow-mass-deactivation overrides it.
HR_MAX_DEACTIVATE_SHARE = float(env_str("HR_MAX_DEACTIVATE_SHARE", "0.2"))
if not 0 <= HR_MAX_DEACTIVATE_SHARE <= 1:
    raise ImproperlyConfigured("HR_MAX_DEACTIVATE_SHARE must be between 0 and 1.")
