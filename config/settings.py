"""Django settings for the MASH platform.

Everything that varies between a laptop demo, CI and production comes from the
environment, so the same code runs on the embedded SQLite database and on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("MASH_DEBUG", False)
# A fixed development key is acceptable only because production must set MASH_SECRET_KEY;
# the system check in mash.accounts.checks refuses to start without it when DEBUG is off
# and MASH_DEMO is not set.
SECRET_KEY = os.environ.get("MASH_SECRET_KEY", "insecure-development-key-set-MASH_SECRET_KEY")
DEMO_MODE = env_bool("MASH_DEMO", False)
ALLOWED_HOSTS = [h for h in os.environ.get("MASH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "govuk_frontend_django",
    "mash.core",
    "mash.audit",
    "mash.accounts",
    "mash.partnership",
    "mash.people",
    "mash.intake",
    "mash.triage",
    "mash.decisions",
    "mash.workqueue",
    "mash.sharing",
    "mash.strategy",
    "mash.disputes",
    "mash.oversight",
    "mash.matching",
    "mash.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "mash.accounts.middleware.TwoFactorMiddleware",
    "mash.core.middleware.NoStoreMiddleware",
    # Axes must come last so it sees the outcome of authentication.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mash.core.context_processors.mash",
            ],
        },
    },
]
FORM_RENDERER = "mash.core.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'mash.sqlite3'}",
        conn_max_age=int(os.environ.get("MASH_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker and the web server use the file at the same time.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "workqueue:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Lockout: five failures for one account, or from one address, lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("MASH_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("MASH_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Two-factor authentication for staff: required unless switched off for the local demo.
MASH_REQUIRE_TWO_FACTOR = env_bool("MASH_REQUIRE_TWO_FACTOR", not DEMO_MODE)
OTP_TOTP_ISSUER = "MASH"

SESSION_COOKIE_AGE = 60 * 60 * 9  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("MASH_SECURE_COOKIES", not DEBUG and not DEMO_MODE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("govuk-frontend", NODE_MODULES / "govuk-frontend"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
# Served straight from the finders, so a fresh clone works without collectstatic first.
WHITENOISE_USE_FINDERS = True
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
# The compiled GOV.UK stylesheet refers to fonts and images under /assets/ at the site root.
WHITENOISE_ROOT = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Agencies' duty inboxes are told of new, tightened and chased requests. The demo writes those
# e-mails to var/mail/ instead of sending them.
EMAIL_BACKEND = os.environ.get(
    "MASH_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEMO_MODE else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("MASH_FROM_EMAIL", "mash-noreply@localhost")

# Agency extracts uploaded on the matching page; bigger files go through `manage.py link_people --extract`.
MASH_MATCHING_MAX_EXTRACT_MB = int(os.environ.get("MASH_MATCHING_MAX_EXTRACT_MB", "50"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("MASH_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MASH_LOG_LEVEL", "WARNING")},
}
