"""Reading the configuration from the environment (the only source of configuration).

Every variable is documented in the README's configuration table; keep both in step.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on", "oui"}
FALSE_WORDS = {"0", "false", "no", "off", "non", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value; an empty value counts as unset (`DATABASE_URL= make …`)."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEV_MAILBOX_BACKEND = "mcf.domain.mailing.backends.DevMailboxBackend"


def mailers_from_email_url(email_url: str) -> dict:
    """Translate ``EMAIL_URL`` into Django 6.1's ``MAILERS`` setting.

    Accepted forms: ``smtp://host:port`` (plain), ``smtp+tls://user:password@host:port``
    (STARTTLS), ``smtps://user:password@host:port`` (implicit TLS), ``console:`` and
    ``devmailbox:`` (the dev-only mailbox page).
    """
    parts = urlsplit(email_url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    if scheme == "devmailbox":
        return {"default": {"BACKEND": DEV_MAILBOX_BACKEND}}
    if scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not supported "
            "(use smtp://, smtp+tls://, smtps://, console: or devmailbox:)"
        )
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must name a host, e.g. smtp://127.0.0.1:1025")
    default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
    try:
        port = parts.port or default_port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL has an invalid port: {error}") from error
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname,
                "port": port,
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": scheme == "smtp+tls",
                "use_ssl": scheme == "smtps",
                # A slow relay must not hold a worker forever; the outbox retries.
                "timeout": 20,
            },
        }
    }


def dev_fernet_key(secret: str, purpose: str) -> str:
    """A Fernet-format key derived from the dev secret (DEBUG only; production sets keys)."""
    import base64
    import hashlib

    digest = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
