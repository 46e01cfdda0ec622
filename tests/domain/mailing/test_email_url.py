"""REL-05: EMAIL_URL, the only mail configuration, becomes Django 6.1's MAILERS setting."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import mailers
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from mcf.config import DEV_MAILBOX_BACKEND, mailers_from_email_url
from mcf.domain.mailing.backends import DevMailboxBackend

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def smtp_options(url: str) -> dict:
    config = mailers_from_email_url(url)
    assert set(config) == {"default"}
    assert config["default"]["BACKEND"] == SMTP_BACKEND
    return config["default"]["OPTIONS"]


def test_rel05_plain_smtp_with_port():
    options = smtp_options("smtp://mail.example.org:1025")

    assert options["host"] == "mail.example.org"
    assert options["port"] == 1025
    assert options["use_tls"] is False
    assert options["use_ssl"] is False
    assert options["username"] == ""
    assert options["password"] == ""
    # A worker never waits forever on a slow relay.
    assert 0 < options["timeout"] <= 60


def test_rel05_starttls_with_credentials_unquotes_the_password():
    options = smtp_options("smtp+tls://user:p%40ss@smtp.example.org:587")

    assert options["host"] == "smtp.example.org"
    assert options["port"] == 587
    assert options["use_tls"] is True
    assert options["use_ssl"] is False
    assert options["username"] == "user"
    assert options["password"] == "p@ss"


def test_rel05_smtps_is_implicit_tls():
    options = smtp_options("smtps://relay%2Bcpf:s3cr%C3%A9t@smtp.example.org:465")

    assert options["use_ssl"] is True
    assert options["use_tls"] is False
    assert options["port"] == 465
    assert options["username"] == "relay+cpf"
    assert options["password"] == "s3crét"


@pytest.mark.parametrize(
    ("url", "port"),
    [("smtp://mail.example.org", 25), ("smtp+tls://mail.example.org", 587), ("smtps://m.x", 465)],
)
def test_rel05_default_port_follows_the_scheme(url, port):
    assert smtp_options(url)["port"] == port


def test_rel05_console():
    assert mailers_from_email_url("console:") == {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    }


def test_rel05_devmailbox():
    assert mailers_from_email_url("devmailbox:") == {"default": {"BACKEND": DEV_MAILBOX_BACKEND}}


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtpx://mail.example.org:25", "mail.example.org:25", ""]
)
def test_rel05_unsupported_scheme_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        mailers_from_email_url(url)


@pytest.mark.parametrize("url", ["smtp://", "smtp+tls://user:pw@:587", "smtps:///path"])
def test_rel05_missing_host_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="must name a host"):
        mailers_from_email_url(url)


@pytest.mark.parametrize(
    ("url", "backend_class", "attributes"),
    [
        (
            "smtp+tls://user:p%40ss@smtp.example.org:2587",
            SMTPBackend,
            {"host": "smtp.example.org", "port": 2587, "use_tls": True, "password": "p@ss"},
        ),
        ("smtps://smtp.example.org", SMTPBackend, {"use_ssl": True, "port": 465}),
        ("console:", ConsoleBackend, {}),
        ("devmailbox:", DevMailboxBackend, {}),
    ],
)
def test_rel05_django_builds_the_default_mailer_from_the_result(
    settings, url, backend_class, attributes
):
    """The OPTIONS are ones Django 6.1 accepts (it raises InvalidMailer on unknown ones)."""
    settings.MAILERS = mailers_from_email_url(url)

    mailer = mailers.default

    assert type(mailer) is backend_class
    for name, value in attributes.items():
        assert getattr(mailer, name) == value
