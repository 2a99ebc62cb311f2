"""Settings of Portail Familles, read from environment variables (see docs/settings.md).

Every value comes through one of the small typed helpers below, which fail loudly on a value
they cannot read rather than guessing.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PORTAL_TESTING", False)

if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
else:
    SECRET_KEY = env_str("SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the portal: links in e-mails are built from it, never from the
# request's Host header (which an attacker controls).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "post_office",
    "simple_history",
    "csp",
    "phonenumber_field",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "portal",
    "accounts",
    "families",
    "students",
    "billing",
    "reenrolment",
    "importing",
    "preinscription",
    "messaging",
    "payments",
    "frontdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the middleware that may refuse a request (CommonMiddleware's 400 for a bad Host):
    # error pages get the CSP and X-Frame-Options too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: a body declared too large gets the 413 page unread.
    "portal.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff accounts reach nothing but the second-factor pages until their session is verified.
    "accounts.middleware.StaffSecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.PrivatePagesMiddleware",
    # After authentication and messages: ends idle or too old sessions (portal.sessions).
    "portal.sessions.SessionLimitsMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Connections are kept across requests, and checked before use.
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.IdentifiantBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# CNIL 2022: at least 12 characters when the password is the only factor.
AUTH_PASSWORD_VALIDATORS = [
    # Django's, saying "identifiant" where Django says "nom d'utilisateur".
    {"NAME": "accounts.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# "Mot de passe perdu" (accounts.services.record_password_reset_request): within the window,
# at most this many requests per address typed and e-mails per account are sent, and this many
# requests per client IP are recorded; the page answers the same in every case.
RESET_REQUEST_WINDOW = timedelta(minutes=env_int("RESET_REQUEST_WINDOW_MINUTES", 60))
RESET_REQUESTS_PER_ADDRESS = env_int("RESET_REQUESTS_PER_ADDRESS", 3)
RESET_REQUESTS_PER_ACCOUNT = env_int("RESET_REQUESTS_PER_ACCOUNT", 3)
RESET_REQUESTS_PER_IP = env_int("RESET_REQUESTS_PER_IP", 10)
# The one-time links to choose a password (accounts.tokens): "mot de passe perdu" lives 1 hour,
# the link of the portal access e-mail (sent by staff, maybe read days later) 72 hours.
PASSWORD_RESET_TIMEOUT = int(timedelta(hours=1).total_seconds())
ACCESS_LINK_TIMEOUT = int(timedelta(hours=72).total_seconds())
# "Envoyer les accès au portail" sends one e-mail per account in this interval, however often
# the button is pressed.
ACCESS_EMAIL_INTERVAL = timedelta(minutes=env_int("ACCESS_EMAIL_INTERVAL_MINUTES", 10))
# Payment reminders (`manage.py send_payment_reminders`): an invoice still owed this many days
# after its due date gets a first, then a second reminder e-mail.
REMINDER_FIRST_DAYS = env_int("REMINDER_FIRST_DAYS", 15)
REMINDER_SECOND_DAYS = env_int("REMINDER_SECOND_DAYS", 30)
if not 0 <= REMINDER_FIRST_DAYS < REMINDER_SECOND_DAYS:
    raise ImproperlyConfigured(
        "REMINDER_SECOND_DAYS must be greater than REMINDER_FIRST_DAYS (both 0 or more)."
    )
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (accounts.throttling): 5 failures on one account from one IP lock that pair,
# 20 on one account from any IPs lock the account, 20 from one IP on any accounts lock the IP,
# each for 15 minutes from the failure that set it. The account is the resolved one, whatever
# alias was typed (identifiant, e-mail, reference e-mail).
AXES_HANDLER = "accounts.throttling.PortalAxesHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
# Pré-inscription (no account): posts of the form per client IP per hour, applications per
# e-mail address per day (preinscription.services.rate_limit_message).
PREINSCRIPTION_IP_LIMIT = env_int("PREINSCRIPTION_IP_LIMIT", 20)
PREINSCRIPTION_EMAIL_LIMIT = env_int("PREINSCRIPTION_EMAIL_LIMIT", 3)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# In the order of accounts.throttling.limits().
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# A successful login lifts its account's failures only (accounts.throttling.reset_account):
# axes' own reset would also clear the IP's failures on other accounts.
AXES_RESET_ON_SUCCESS = False
# The lock ends AXES_COOLOFF_TIME after it began: attempts during it do not restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Reverse proxies in front of the application whose X-Forwarded-For is trusted (nginx = 1); 0
# reads REMOTE_ADDR. One function (portal.client_ip) gives the client IP to axes and the logs.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip_or_none"

# SEPA direct debit: the centre's creditor identifier (ICS, e.g. FR12ZZZ123456) shown on the
# mandates and in the pain.008 files, and the account the debits are paid into. Without an ICS
# families cannot sign a mandate online (a sample ICS in development and tests only).
_SEPA_SAMPLE = DEBUG or TESTING
SEPA_CREDITOR_ID = env_str("SEPA_CREDITOR_ID", "FR11ZZZ123456" if _SEPA_SAMPLE else "")
SEPA_CREDITOR_NAME = env_str("SEPA_CREDITOR_NAME", "")  # empty: the centre's name
SEPA_CREDITOR_IBAN = env_str(
    "SEPA_CREDITOR_IBAN", "FR7630006000011234567890189" if _SEPA_SAMPLE else ""
)
SEPA_CREDITOR_BIC = env_str("SEPA_CREDITOR_BIC", "AGRIFRPPXXX" if _SEPA_SAMPLE else "")

# Online payment through eopayment (see docs/settings.md, "Paiement en ligne"): the backend's name
# (`payfip_ws` for a régie's PayFiP, `systempayv2`, `paybox`, `mollie`…; `dummy`, a simulated
# service, in development and tests; empty: no online payment) and its options as a JSON object
# (for PayFiP: {"numcli": "123456", "saisie": "W"}). The return and notification URLs are the
# portal's own, built from SITE_URL.
PAYMENT_BACKEND = env_str("PAYMENT_BACKEND", "dummy" if DEBUG or TESTING else "")
PAYMENT_OPTIONS = env_str("PAYMENT_OPTIONS", "{}")
# Where the family is sent to pay, instead of the service's own address: the portal's simulated
# service for `dummy` (development, tests), a test double of PayFiP. Empty: the service's.
PAYMENT_SERVICE_URL = env_str("PAYMENT_SERVICE_URL", "")
# `payfip_ws` only: the address of PayFiP's SOAP web service, instead of the one in its WSDL.
PAYMENT_PAYFIP_SOAP_URL = env_str("PAYMENT_PAYFIP_SOAP_URL", "")

# Staff second factor (django-otp): a TOTP application, and 10 single-use backup codes.
# Wrong codes are throttled per device (1 s, 2 s, 4 s… after each failure): keep the factors > 0.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Portail Familles")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODES_COUNT = 10
# The admin lists the devices (deleting one is a reset) but never shows a secret or a code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# French unless the visitor picks English in the footer (Django's set_language view, stored in
# this cookie) or their browser asks for it (Accept-Language): the English catalogue is
# complete, and a test keeps it so. E-mails and PDFs stay French (translation.override("fr")).
LANGUAGE_COOKIE_AGE = int(timedelta(days=365).total_seconds())
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
# One way of writing dates and times on every page ("2 décembre 2026", "10 h 00"), and its
# English twin: portal/formats/<language>/formats.py, used through portal.dates.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True

# Phone numbers: typed the French way by default, stored in E.164; a French number shows
# nationally ("06 12 34 56 78") in inputs, any other internationally ("+44 20 7946 0958").
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "private")))
# Private files have no public URL: no URL pattern serves MEDIA_URL (it is set only because
# Django's tooling expects a value); files are served by views after an ownership check.
MEDIA_URL = "/_fichiers-prives-non-servis/"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Stored files (documents, billing PDFs, logos) are readable by the portal's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Form data besides files; more answers 413 (portal.views.bad_request).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body: a 10 MB document (students.uploads.MAX_UPLOAD_SIZE) and the form's
# other fields. Larger gets the 413 page unread (portal.middleware.RequestBodyLimitMiddleware);
# the proxy's limit (nginx `client_max_body_size 11m`, docs/deployment.md) is the same.
MAX_REQUEST_BODY_SIZE = 11 * 1024 * 1024

# Every upload is scanned by ClamAV's daemon (clamd) before it is stored: `tcp://host:3310` or
# `unix:///run/clamav/clamd.ctl`; empty = no scan (the demo). When set, an upload that cannot be
# scanned (daemon down, timeout) is refused, never stored unscanned (students/antivirus.py).
ANTIVIRUS_URL = env_str("ANTIVIRUS_URL", "")
if ANTIVIRUS_URL and not ANTIVIRUS_URL.startswith(("tcp://", "unix://")):
    raise ImproperlyConfigured(
        f"ANTIVIRUS_URL must be tcp://host:port or unix:///path, not {ANTIVIRUS_URL!r}."
    )
ANTIVIRUS_TIMEOUT = env_int("ANTIVIRUS_TIMEOUT", 30)

# Portal forms are rendered by django-crispy-forms; templates/bootstrap5/ overrides the files
# of the pack where the portal's markup differs (see docs/PORTAL.md).
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: every message is queued in the database by django-post-office in the same
# transaction as the change that causes it, then sent by `send_queued_mail` (cron/systemd).
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Portail Familles <portail@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "post_office.EmailBackend"
if os.environ.get("EMAIL_HOST"):
    DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
elif DEBUG:
    DELIVERY_BACKEND = "portal.mail_backends.EmlFileBackend"
else:
    DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Local mode: deliver right after the transaction commits instead of waiting for cron.
EMAIL_DELIVER_ON_COMMIT = env_bool("EMAIL_DELIVER_ON_COMMIT", DEBUG)
POST_OFFICE = {
    "BACKENDS": {"default": DELIVERY_BACKEND},
    "DEFAULT_PRIORITY": "medium",
    "MAX_RETRIES": 5,
    "RETRY_INTERVAL": timedelta(minutes=10),
    "LOG_LEVEL": 1,
    "MESSAGE_ID_ENABLED": True,
    "THREADS_PER_PROCESS": 1,
}

# Background tasks (django-tasks, the backport of Django 6's django.tasks): issuing runs of
# invoices. TASKS_BACKEND=database (default) keeps the queue in the portal's database, worked by
# `manage.py db_worker`; TASKS_BACKEND=rq puts it on Redis (REDIS_URL), worked by any number of
# `manage.py rqworker --job-class django_tasks_rq.Job default` (docs/deployment.md).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database or rq, not {TASKS_BACKEND!r}.")

# Sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request, and in any case
# SESSION_MAX_HOURS after the login (portal.sessions.SessionLimitsMiddleware; both times are
# kept in the session store). The cookie itself ends when the browser closes.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_MAX_HOURS", 8))
if min(SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT) <= timedelta(0):
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT_MINUTES and SESSION_MAX_HOURS must be > 0.")

# Security headers. The CSP forbids inline scripts and styles everywhere.
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times in UTC with their offset (2026-12-02T10:05:29+00:00), whatever TIME_ZONE says.
    "formatters": {
        "plain": {
            "()": "portal.security_log.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "portal.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# `make bench` only: installs the dev-only `bench` app (its `bench_seed` command and the
# reference page /_bench/reference/).
BENCH = env_bool("BENCH", False)
if BENCH:
    INSTALLED_APPS.append("bench")

# Importing the previous software's CSV exports (importing/, django-import-export,
# docs/import.md): each file in one transaction, rolled back when a row is refused; the
# uploaded file waits for the confirmation in the system's temporary folder and is removed
# once imported.
IMPORT_EXPORT_USE_TRANSACTIONS = True
