"""Settings of Escalade. Everything comes from the environment, with safe defaults
for the embedded mode (SQLite under var/). See docs/operations/configuration.md."""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from escalade.core import logs

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(os.environ.get("ESCALADE_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("ESCALADE_VAR", PROJECT_DIR / "var"))

_INSECURE_KEY = "escalade-embedded-insecure-key-change-me"
SECRET_KEY = os.environ.get("ESCALADE_SECRET_KEY", _INSECURE_KEY)
DEBUG = os.environ.get("ESCALADE_DEBUG", "0") == "1"
PRODUCTION = os.environ.get("ESCALADE_PRODUCTION", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ESCALADE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
if PRODUCTION and (DEBUG or SECRET_KEY == _INSECURE_KEY):
    raise ImproperlyConfigured(
        "ESCALADE_PRODUCTION=1 refuses DEBUG and the default secret key: "
        "set ESCALADE_SECRET_KEY and leave ESCALADE_DEBUG unset."
    )

# Fernet keys of sealed content (core/seal.py), newest first, comma-separated.
ESCALADE_SEAL_KEYS = [k for k in os.environ.get("ESCALADE_SEAL_KEYS", "").split(",") if k.strip()]
if PRODUCTION and not ESCALADE_SEAL_KEYS:
    raise ImproperlyConfigured(
        "ESCALADE_PRODUCTION=1 needs ESCALADE_SEAL_KEYS (Fernet keys: python -c "
        "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "django_tasks_db",
    "escalade.core",
    "escalade.accounts",
    "escalade.incidents",
    "escalade.actions",
    "escalade.catalog",
    "escalade.routing",
    "escalade.telesessions",
    "escalade.notifications",
    "escalade.reports",
    "escalade.problems",
    "escalade.renewals",
    "escalade.notices",
    "escalade.runbooks",
    "escalade.oncall",
    "escalade.mailin",
    "escalade.datasources",
]

MIDDLEWARE = [
    "escalade.core.api_guard.RequestId",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "escalade.accounts.middleware.IdleTimeout",
    "escalade.accounts.middleware.ProviderRecheck",
    "escalade.accounts.middleware.SecondFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "escalade.core.api_guard.ApiInputGuard",
    "escalade.core.idempotency.IdempotencyMiddleware",
    "escalade.core.middleware.SecurityHeadersMiddleware",
    "escalade.accounts.middleware.InstitutionTimezoneMiddleware",
]

ROOT_URLCONF = "escalade.config.urls"
ESCALADE_API = "escalade.config.api.api"  # the NinjaAPI (export_openapi prints its schema)
WSGI_APPLICATION = "escalade.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "escalade.accounts.context.escalade_context",
                "escalade.notifications.context.notifications_context",
                "escalade.notices.context.notice_banner",
                "escalade.runbooks.context.broadcast_banner",
            ],
        },
    },
]

# Database: DATABASE_URL selects it (sqlite:///path or postgres://...).
_default_sqlite = f"sqlite:///{VAR_DIR / 'escalade.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + busy timeout + IMMEDIATE transactions: no "database is locked" under
    # concurrent writers (measured on this machine: with Django's defaults, 4 threads
    # writing at once got 876 such errors out of 1,000; with these, none).
    # Writers queue on a file lock rather than SQLite's polling busy handler.
    DATABASES["default"]["ENGINE"] = "escalade.core.backends.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ESCALADE_TEST_SQLITE") or ":memory:"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and statements run 5 times on a connection kept as
    # prepared statements: PostgreSQL parses and plans each intake statement once per
    # connection (bench: 267 -> 366 incidents/s, its CPU per incident halved; see
    # docs/benchmarks.md). ESCALADE_PG_PREPARE=0 turns prepared statements off, for a
    # pooler in transaction mode (PgBouncer without max_prepared_statements).
    _prepare = int(os.environ.get("ESCALADE_PG_PREPARE", "5"))
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": _prepare if _prepare > 0 else None,
    }
# Connections are kept between requests (SQLite too: reconnecting runs the PRAGMAs above
# on every request).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("ESCALADE_CONN_MAX_AGE", "60"))
# PgBouncer in transaction mode in front of PostgreSQL (ESCALADE_PG_POOLER=transaction):
# a server connection changes between transactions, so no prepared statement (PgBouncer
# 1.18 has no max_prepared_statements) and no server-side cursor survives one.
_pg = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _pg and os.environ.get("ESCALADE_PG_POOLER") == "transaction":
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A PostgreSQL streaming replica for the heavy reads (statistics, exports, lists): see
# core/replica.py. Used while it answers and is at most ESCALADE_REPLICA_MAX_LAG seconds
# behind; the primary answers otherwise. Tests use the primary (MIRROR) unless they
# start a replica of their own.
if os.environ.get("ESCALADE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["ESCALADE_REPLICA_URL"]),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["escalade.core.replica.ReplicaRouter"]
ESCALADE_REPLICA_MAX_LAG = float(os.environ.get("ESCALADE_REPLICA_MAX_LAG", "2"))
ESCALADE_REPLICA_CHECK_SECONDS = float(os.environ.get("ESCALADE_REPLICA_CHECK_SECONDS", "5"))
# The intake's hand-written SQL (core/prepared.py, each app's sql.py) is measured faster;
# ESCALADE_RAW_SQL=0 runs the same writes and reads through the ORM, so a Django upgrade
# can be checked against both (the tests run the intake both ways).
ESCALADE_RAW_SQL = os.environ.get("ESCALADE_RAW_SQL", "1") != "0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr-ca", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Montreal"  # overridden per request by the user's institution

MEDIA_ROOT = Path(os.environ.get("ESCALADE_MEDIA", VAR_DIR / "media"))
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Mail: SMTP when ESCALADE_EMAIL_HOST is set, else files under var/mail (embedded mode).
if os.environ.get("ESCALADE_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["ESCALADE_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("ESCALADE_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("ESCALADE_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ESCALADE_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("ESCALADE_EMAIL_TLS", "0") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("ESCALADE_EMAIL_FROM", "escalade@localhost")
# The address of this instance, for links in e-mails and feeds.
ESCALADE_BASE_URL = os.environ.get("ESCALADE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Outgoing mail is retried with backoff: after 1, 2, 4, 8... minutes, this many times.
ESCALADE_MAIL_MAX_ATTEMPTS = int(os.environ.get("ESCALADE_MAIL_MAX_ATTEMPTS", "6"))
# SMS through a Kannel gateway (on-call pages): its smsbox's sendsms address and user;
# empty: no SMS. Kannel calls back /sms/kannel/?secret=... with the replies (sms-service
# get-url), the secret below proving it is Kannel that speaks.
ESCALADE_SMS_SENDSMS_URL = os.environ.get("ESCALADE_SMS_SENDSMS_URL", "")
ESCALADE_SMS_USER = os.environ.get("ESCALADE_SMS_USER", "")
ESCALADE_SMS_PASSWORD = os.environ.get("ESCALADE_SMS_PASSWORD", "")
ESCALADE_SMS_FROM = os.environ.get("ESCALADE_SMS_FROM", "")
ESCALADE_SMS_SECRET = os.environ.get("ESCALADE_SMS_SECRET", "")
# E-mail in (mailin): what an attachment may be. A message with one over the limit, of a
# type that runs code, or with too many, is refused (its sender told once).
ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("ESCALADE_MAIL_ATTACHMENT_MAX_BYTES", str(5_000_000))
)
# How long a collector holds a mailbox without news (renewed after each batch of 50).
ESCALADE_MAIL_FETCH_LEASE_SECONDS = float(
    os.environ.get("ESCALADE_MAIL_FETCH_LEASE_SECONDS", "120")
)
ESCALADE_MAIL_MAX_ATTACHMENTS = int(os.environ.get("ESCALADE_MAIL_MAX_ATTACHMENTS", "10"))
# Extensions refused beside the built-in list of mailin/rules.py (comma-separated).
ESCALADE_MAIL_REFUSED_EXTENSIONS = [
    e.strip().lower().lstrip(".")
    for e in os.environ.get("ESCALADE_MAIL_REFUSED_EXTENSIONS", "").split(",")
    if e.strip()
]
# Alertmanager's webhook: the most alerts in one call (set Alertmanager's max_alerts to it).
ESCALADE_ALERTS_MAX_PER_CALL = int(os.environ.get("ESCALADE_ALERTS_MAX_PER_CALL", "500"))
# A call of more alerts than this is taken in the background (the webhook answers 202).
ESCALADE_ALERTS_INLINE = int(os.environ.get("ESCALADE_ALERTS_INLINE", "20"))
# Codes on the Fly worksheets (datasources): the most rows taken, and the most bytes an
# XLSX may unpack to (checked before it is opened: a zip bomb is refused unread).
ESCALADE_WORKSHEET_MAX_ROWS = int(os.environ.get("ESCALADE_WORKSHEET_MAX_ROWS", "10000"))
# An upload of more rows than this is imported by a worker, its progress shown.
ESCALADE_WORKSHEET_INLINE_ROWS = int(os.environ.get("ESCALADE_WORKSHEET_INLINE_ROWS", "2000"))
ESCALADE_WORKSHEET_MAX_INFLATED_BYTES = int(
    os.environ.get("ESCALADE_WORKSHEET_MAX_INFLATED_BYTES", str(50_000_000))
)
# Whether a message comes from its From domain (mailin/authenticity.py): the names
# (authserv-id) of the hospital's mail servers whose Authentication-Results header is
# believed, comma-separated; and the DNS server asked for DKIM keys ("host:port"; empty:
# the system's resolver).
ESCALADE_MAIL_TRUSTED_RELAYS = [
    r.strip().lower()
    for r in os.environ.get("ESCALADE_MAIL_TRUSTED_RELAYS", "").split(",")
    if r.strip()
]
ESCALADE_MAIL_DNS = os.environ.get("ESCALADE_MAIL_DNS", "")
# Background work (core/workers.py): every worker and scheduler writes a heartbeat this
# often; a task held by a worker silent for longer than the lease is taken again.
ESCALADE_HEARTBEAT_SECONDS = float(os.environ.get("ESCALADE_HEARTBEAT_SECONDS", "5"))
ESCALADE_TASK_LEASE_SECONDS = float(os.environ.get("ESCALADE_TASK_LEASE_SECONDS", "60"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = os.environ.get("ESCALADE_SSL_REDIRECT", "1") == "1"

# Every process's log lines carry their time and the request's id (core/logs.py); text,
# or one JSON object per line for a log shipper (ESCALADE_LOG_FORMAT=json).
LOGGING = logs.config(
    level=os.environ.get("ESCALADE_LOG_LEVEL", "WARNING"),
    fmt=os.environ.get("ESCALADE_LOG_FORMAT", "text"),
)

# Login throttling: failed attempts per username and per address in a window.
ESCALADE_LOGIN_MAX_FAILURES = int(os.environ.get("ESCALADE_LOGIN_MAX_FAILURES", "5"))
ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS", "50")
)
# Behind the TLS proxy: the client's address is the last of X-Forwarded-For.
ESCALADE_BEHIND_PROXY = os.environ.get("ESCALADE_BEHIND_PROXY", "0") == "1"
# Reads without sign-in (current broadcasts, CAP, Atom, kiosk display): optionally only
# from the workstation networks (CIDR, comma-separated) or with a display token.
ESCALADE_PUBLIC_NETWORKS = [
    n.strip() for n in os.environ.get("ESCALADE_PUBLIC_NETWORKS", "").split(",") if n.strip()
]
ESCALADE_DISPLAY_TOKEN = os.environ.get("ESCALADE_DISPLAY_TOKEN", "")
ESCALADE_LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("ESCALADE_LOGIN_MAX_DELAY_SECONDS", "30"))
ESCALADE_LOGIN_WINDOW_SECONDS = int(os.environ.get("ESCALADE_LOGIN_WINDOW_SECONDS", "900"))
ESCALADE_PAGE_SIZE = 50
# Idempotency-Key records (core/idempotency.py) answer retries for this long.
ESCALADE_IDEMPOTENCY_HOURS = int(os.environ.get("ESCALADE_IDEMPOTENCY_HOURS", "24"))
# lists count their rows exactly up to this many; past it PostgreSQL estimates (core/pagination.py)
ESCALADE_COUNT_EXACT_BELOW = int(os.environ.get("ESCALADE_COUNT_EXACT_BELOW", "10000"))
# Certificate probes (renewals): networks that may be reached although internal (comma-
# separated CIDR, e.g. "10.20.0.0/16"); loopback, link-local and private addresses are
# refused otherwise. Seconds to wait for the server.
ESCALADE_PROBE_ALLOW = [
    n.strip() for n in os.environ.get("ESCALADE_PROBE_ALLOW", "").split(",") if n.strip()
]
ESCALADE_PROBE_TIMEOUT = float(os.environ.get("ESCALADE_PROBE_TIMEOUT", "3"))
# The JSON API's input limits (core/api_guard.py): characters in a text, in a URL; bytes
# in a body (Django's own setting).
ESCALADE_API_MAX_TEXT = int(os.environ.get("ESCALADE_API_MAX_TEXT", "20000"))
ESCALADE_API_MAX_URL = int(os.environ.get("ESCALADE_API_MAX_URL", "4096"))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ESCALADE_API_MAX_BODY", str(2_621_440)))
# Files sent to the operations that take one (a worksheet, a sealed report).
ESCALADE_API_MAX_UPLOAD = int(os.environ.get("ESCALADE_API_MAX_UPLOAD", str(20_000_000)))
# /healthz fails when the oldest task waiting is older than this, or when no scheduler
# (or no worker) wrote its heartbeat for this long.
ESCALADE_HEALTH_QUEUE_AGE_SECONDS = int(os.environ.get("ESCALADE_HEALTH_QUEUE_AGE_SECONDS", "300"))
ESCALADE_HEALTH_HEARTBEAT_SECONDS = int(os.environ.get("ESCALADE_HEALTH_HEARTBEAT_SECONDS", "120"))
# API tokens stop working this many days after they are made (a new one from the
# "API tokens" page or `escalade create_api_token`).
ESCALADE_TOKEN_DAYS = int(os.environ.get("ESCALADE_TOKEN_DAYS", "90"))
# Shared workstations: a session is signed out after this many minutes without activity
# (0: never), with a warning this many seconds before.
ESCALADE_IDLE_MINUTES = float(os.environ.get("ESCALADE_IDLE_MINUTES", "30"))
ESCALADE_IDLE_WARNING_SECONDS = int(os.environ.get("ESCALADE_IDLE_WARNING_SECONDS", "120"))
LOGIN_URL_PATH = "/login/"

# -- Signing in with the hospital's directory (accounts/directory.py, ldap.py, oidc.py) --
# LDAP / Active Directory: set ESCALADE_LDAP_URL (ldap://host:389 with StartTLS, or
# ldaps://host:636) to turn it on. Local accounts (break-glass, administrators) still
# sign in with their password when the directory does not answer.
ESCALADE_LDAP = None
if os.environ.get("ESCALADE_LDAP_URL"):
    ESCALADE_LDAP = {
        "url": os.environ["ESCALADE_LDAP_URL"],
        "start_tls": os.environ.get("ESCALADE_LDAP_START_TLS", "1") == "1",
        "ca_file": os.environ.get("ESCALADE_LDAP_CA_FILE", ""),
        "bind_dn": os.environ.get("ESCALADE_LDAP_BIND_DN", ""),
        "bind_password": os.environ.get("ESCALADE_LDAP_BIND_PASSWORD", ""),
        "user_base": os.environ.get("ESCALADE_LDAP_USER_BASE", ""),
        # {username} is escaped; Active Directory: (sAMAccountName={username})
        "user_filter": os.environ.get("ESCALADE_LDAP_USER_FILTER", "(uid={username})"),
        "group_base": os.environ.get("ESCALADE_LDAP_GROUP_BASE", ""),
        # an account matching this is disabled (default: Active Directory's flag)
        "disabled_filter": os.environ.get(
            "ESCALADE_LDAP_DISABLED_FILTER", "(userAccountControl:1.2.840.113556.1.4.803:=2)"
        ),
        "timeout": float(os.environ.get("ESCALADE_LDAP_TIMEOUT", "5")),
    }
# OpenID Connect providers (Microsoft Entra ID, an institution's own): a JSON list, each
# {"name", "label_fr", "label_en", "discovery", "client_id", "client_secret",
#  "groups_claim" (default "groups"), "username_claim" (default "preferred_username")}.
ESCALADE_OIDC_PROVIDERS = json.loads(os.environ.get("ESCALADE_OIDC_PROVIDERS", "[]") or "[]")
# The sign-in page keeps its username and password form (local accounts, the directory)
# unless this is 0 (then only the providers' buttons are shown).
ESCALADE_LOCAL_SIGN_IN = os.environ.get("ESCALADE_LOCAL_SIGN_IN", "1") == "1"
# A session signed in through a provider is checked again (its refresh token) this often:
# a refusal ends it and the account's API tokens.
ESCALADE_OIDC_RECHECK_SECONDS = int(os.environ.get("ESCALADE_OIDC_RECHECK_SECONDS", "300"))
# Local passwords first (a directory account has none), then the directory; each
# backend answers nothing when its part is not configured.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "escalade.accounts.services.ldap.DirectoryBackend",
]
# A second factor for local accounts (django-otp: TOTP); required of administrators
# (superusers) when ESCALADE_PRODUCTION=1, or of every local account with ESCALADE_OTP=all.
ESCALADE_OTP = os.environ.get("ESCALADE_OTP", "admins" if PRODUCTION else "optional")
OTP_TOTP_ISSUER = "Escalade"
# Passkeys (WebAuthn, django-otp-webauthn) as the second factor, where the browser offers
# them; never a sign-in without the password. The relying party is the host the browser
# sees (ALLOWED_HOSTS vouches for it) unless ESCALADE_WEBAUTHN_RP_ID names the domain
# (a passkey then works on its subdomains too); ESCALADE_WEBAUTHN_ORIGINS adds origins
# (comma-separated https://...) beyond the page's own.
ESCALADE_WEBAUTHN_RP_ID = os.environ.get("ESCALADE_WEBAUTHN_RP_ID", "")
OTP_WEBAUTHN_RP_NAME = "Escalade"
OTP_WEBAUTHN_RP_ID_CALLABLE = "escalade.accounts.services.otp.relying_party"
OTP_WEBAUTHN_HELPER_CLASS = "escalade.accounts.services.otp.PasskeyHelper"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    o.strip().rstrip("/")
    for o in os.environ.get("ESCALADE_WEBAUTHN_ORIGINS", ESCALADE_BASE_URL).split(",")
    if o.strip().startswith(("https://", "http://localhost"))
] or ["http://localhost:8000"]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "escalade.passkeys"
