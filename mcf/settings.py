"""Django settings for Mon Compte Formation.

All configuration comes from the environment (see ``mcf/config.py`` and the README's
configuration table). Nothing here depends on which machine runs the code.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from mcf.config import (
    DEV_MAILBOX_BACKEND,
    env_bool,
    env_int,
    env_list,
    env_str,
    mailers_from_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    # Development only: a fixed key is harmless on a developer's laptop.
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

PORT = env_int("PORT", 8000)
HOST = env_str("HOST", "127.0.0.1")

# The public base URL used in e-mail links. Links are never built from the Host header.
# Production must give it (a default would send every citizen dead links); in development
# it is the address `make run` serves (HOST and PORT), so links work on any port.
SITE_URL = env_str("SITE_URL").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("SITE_URL is required when DEBUG is off.")
    _host = "localhost" if HOST in ("0.0.0.0", "::", "[::]") else HOST  # noqa: S104 - every address  # nosec B104
    if ":" in _host and not _host.startswith("["):
        _host = f"[{_host}]"  # an IPv6 address in a URL
    SITE_URL = f"http://{_host}:{PORT}"

# Number of reverse proxies in front of gunicorn whose X-Forwarded-For we trust (AUTH-06).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Protection of the NIR at rest (PRIV-01): Fernet keys (comma-separated, the first one
# encrypts, all decrypt: rotation) and the HMAC key of the lookup hash.
NIR_ENCRYPTION_KEYS = env_list("NIR_ENCRYPTION_KEYS", [])
NIR_HASH_KEY = env_str("NIR_HASH_KEY")
if not (NIR_ENCRYPTION_KEYS and NIR_HASH_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "NIR_ENCRYPTION_KEYS and NIR_HASH_KEY are required when DEBUG is off."
        )
    # Development only: keys derived from the dev secret, stable across restarts.
    from mcf.config import dev_fernet_key

    NIR_ENCRYPTION_KEYS = NIR_ENCRYPTION_KEYS or [dev_fernet_key(SECRET_KEY, "nir")]
    NIR_HASH_KEY = NIR_HASH_KEY or dev_fernet_key(SECRET_KEY, "nir-hash")

# Registration captcha (AUTH-08). Test mode accepts the answer « PASSED »: never in production
# (a deploy check fails when it is on).
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", default=False)

# Where messages from « Nous contacter » go.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "contact@moncompteformation.example")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Mon compte formation <ne-pas-repondre@moncompteformation.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # django-dsfr before django.forms: its widget templates (django/forms/widgets/…) must
    # win, or a RadioSelect renders Django's bare <label><input></label> instead of the
    # DSFR's radio buttons (fr-radio-group, with their focus ring).
    "dsfr",
    "django.forms",
    "widget_tweaks",
    # Before django_tasks_db: its `db_worker` command, resilient (mcf/core/tasks_worker.py).
    "mcf.core",
    # django-tasks-db and django-otp's TOTP, with French names (the back office shows them).
    "mcf.web.backoffice.third_party_apps.TasksInFrench",
    # Second factor (AUTH-15): TOTP devices of professionals and back-office operators.
    "django_otp",
    "mcf.web.backoffice.third_party_apps.TotpInFrench",
    # htmx, served from the package's static files (the training search).
    "django_htmx",
    # The open API (docs/api.md): django-ninja (its Swagger UI's static files) and the
    # OAuth 2 server of the financeurs' clients.
    "ninja",
    "mcf.web.backoffice.third_party_apps.OAuthInFrench",
    # Domain packages: models, rules, actions, notifications.
    "mcf.domain.accounts",
    "mcf.domain.mailing",
    "mcf.domain.contact",
    "mcf.domain.antibot",
    "mcf.domain.hours",
    "mcf.domain.organisations",
    "mcf.domain.journal",
    "mcf.domain.retention",
    "mcf.domain.catalogue",
    "mcf.domain.idempotency",
    "mcf.domain.dossiers",
    "mcf.domain.delegations",
    "mcf.domain.integrations",
    # Web packages: one per space (views, forms, urls, templates).
    "mcf.web.public",
    "mcf.web.catalogue",
    "mcf.web.titulaire",
    "mcf.web.professionnel",
    "mcf.web.backoffice",
    "mcf.web.api",
    "mcf.web.devmail",
    # Demo data for `make run`.
    "mcf.demo",
]

MIDDLEWARE = [
    "mcf.core.middleware.RequestIdMiddleware",
    # HEAD is answered as GET without a body, on every page (load balancers' probes).
    "mcf.core.middleware.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A busy process answers « service très sollicité » at once (mcf/core/overload.py).
    "mcf.core.overload.LoadSheddingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): password AND second factor (AUTH-15).
    "django_otp.middleware.OTPMiddleware",
    "mcf.domain.accounts.session_lifetime.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mcf.core.middleware.SecurityHeadersMiddleware",
    # Turns a rate-limit refusal into RATELIMIT_VIEW (a French 429 page).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# --- Load shedding (mcf/core/overload.py, docs/decisions/0018) --------------------------
# gunicorn's threads per worker (gunicorn.conf.py reads the same variable); two of them stay
# free to answer the busy page while the others serve.
WEB_THREADS = env_int("WEB_THREADS", 8)
MAX_REQUESTS_IN_FLIGHT = env_int("MAX_REQUESTS_IN_FLIGHT", max(1, WEB_THREADS - 2))
# Password checks (Argon2id) at once per process, and how long a login waits for a slot.
PASSWORD_SLOTS = env_int("PASSWORD_SLOTS", 1)
PASSWORD_SLOT_WAIT = env_int("PASSWORD_SLOT_WAIT_MS", 2000) / 1000
BUSY_RETRY_AFTER_SECONDS = env_int("BUSY_RETRY_AFTER_SECONDS", 30)

ROOT_URLCONF = "mcf.urls"
WSGI_APPLICATION = "mcf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mcf" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mcf.core.context_processors.site",
                "mcf.web.public.context_processors.navigation",
                "mcf.web.titulaire.context_processors.space_menu",
            ],
            # {% idempotency_key "space:route" %} beside {% csrf_token %} (REL-04).
            "builtins": ["mcf.web.public.templatetags.idempotency"],
            # {% load french %}: elision before a variable (« d'OPCA Démo »).
            "libraries": {"french": "mcf.core.french"},
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
# SQLite under var/ is the embedded default so that `make run` needs nothing else;
# PostgreSQL (DATABASE_URL=postgres://…) is the production database.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel workers inside one query: starting them costs ~10 ms on our machines,
    # more than the queries of a page take; a search already runs its two statements on two
    # connections (docs/search.md), and the batch work reads temporary tables, which parallel
    # workers cannot read anyway.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c max_parallel_workers_per_gather=0"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Shared between gunicorn workers and the task worker (rate limits need that).
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "mcf_cache",
    }
}

# --- Background tasks -----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    MAILERS = mailers_from_email_url(EMAIL_URL)
elif DEBUG:
    MAILERS = {"default": {"BACKEND": DEV_MAILBOX_BACKEND}}
else:
    raise ImproperlyConfigured("EMAIL_URL is required when DEBUG is off.")
DEV_MAILBOX_ENABLED = DEBUG and MAILERS["default"]["BACKEND"] == DEV_MAILBOX_BACKEND

# Outbox: tries before a mail is dead-lettered, and the first retry delay (doubling).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_FIRST_RETRY_SECONDS = env_int("OUTBOX_FIRST_RETRY_SECONDS", 60)

# Yearly feed uploaded in the back office: where files wait for the worker (shared by the web
# servers and the worker; deleted once loaded) and the size cap of one upload.
FEED_UPLOAD_DIR = Path(env_str("FEED_UPLOAD_DIR", str(VAR_DIR / "alimentation")))
FEED_UPLOAD_MAX_BYTES = env_int("FEED_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# A declarations file at least this large is read by two processes (feed/parallel.py).
FEED_TWO_PROCESSES_MIN_BYTES = env_int("FEED_TWO_PROCESSES_MIN_BYTES", 4 * 1024 * 1024)

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "mcf.domain.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# « Mot de passe oublié » links: single use, 1 hour (AUTH-12; Django's default is 3 days).
PASSWORD_RESET_TIMEOUT = 3600
# The seed's composition rule, common passwords, context (NIR, names, e-mail): AUTH-01/02.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "mcf.domain.accounts.password_rules.SeedCompositionValidator"},
    {"NAME": "mcf.domain.accounts.password_rules.ContextValidator"},
    {"NAME": "mcf.domain.accounts.password_rules.CommonPasswordsValidator"},
]

# --- Sessions, cookies, security headers (HDR-01, SESS-02, CFG-01) --------------------
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "mcf.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if not DEBUG:
    # Production runs behind TLS. The proxy header is trusted only when proxies are declared.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- prefix: Secure, no Domain, Path=/ (SESS-02).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Rate limits (django-ratelimit) read the client address from our trusted-proxy rule.
RATELIMIT_IP_META_KEY = "mcf.core.client_ip.client_ip"
RATELIMIT_VIEW = "mcf.core.errors.too_many_requests"

# --- Open API (docs/api.md) ----------------------------------------------------------------
# OAuth 2 client credentials for the financeurs' information systems: short-lived tokens,
# scopes within the client's own (mcf/domain/integrations/oauth.py), secrets hashed.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    # The scopes' one list (mcf/domain/integrations/models.py SCOPES reads it).
    "SCOPES": {
        "dossiers:lire": "Lire les dossiers de l'organisation et leur historique",
        "dossiers:instruire": "Valider, demander un complément, refuser, clore, annuler",
    },
    "DEFAULT_SCOPES": ["dossiers:lire"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 600),
    "OAUTH2_VALIDATOR_CLASS": "mcf.domain.integrations.oauth.ClientCredentialsValidator",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # RFC 9700 (OAuth 2.0 Security BCP), every point the toolkit offers: tokens stored as
    # their checksum only, never accepted in a URL, no implicit nor password grant (we
    # allow client credentials alone anyway: integrations/oauth.py).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,  # a setting's name  # nosec B105
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,  # a setting's name  # nosec B105
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # a setting's name  # nosec B105
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,  # a setting's name  # nosec B105
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # a setting's name  # nosec B105
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,  # a setting's name  # nosec B105
}
# Webhooks: HTTPS to public addresses only, unless told (the demo's local receiver).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = 10

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "fr"
# Our French texts first (mcf/locale/fr: a few of the admin's titles, see its .po).
LOCALE_PATHS = [BASE_DIR / "mcf" / "locale"]
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "static"))
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


def _static_file_headers(headers, path, url):
    """Static files leave through whitenoise before XFrameOptionsMiddleware: the DAST scan
    (docs/reliability.md) found them without X-Frame-Options. Nothing of ours is to be
    framed, files included."""
    headers["X-Frame-Options"] = "DENY"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_file_headers

# --- Logging: one JSON-ish line per event, with the request's correlation id ----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mcf.core.logging.RequestIdFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default "django" logger has a console handler of its own under DEBUG:
        # every line of the task worker (django.tasks) was printed twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The OAuth 2 libraries write requests (credentials included) at DEBUG: never.
        "oauthlib": {"level": "WARNING"},
        "oauth2_provider": {"level": "WARNING"},
    },
}
