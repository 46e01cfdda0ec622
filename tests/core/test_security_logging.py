"""LOG-01: security events are logged, pseudonymous; secrets never reach the logs."""

import logging
import re

import pytest
from django.test import Client

from mcf.core.logging import security_event
from mcf.domain.mailing.models import OutboxEmail
from tests.factories import NIR_A, PASSWORD, run_password_reset_requests
from tests.web.keys import submit

pytestmark = pytest.mark.django_db


def test_log01_a_whole_account_life_logs_events_but_no_secret(client, caplog, settings):
    settings.CAPTCHA_TEST_MODE = True
    with caplog.at_level(logging.DEBUG):
        client.post("/titulaire/inscription/", {"accept": "on"})
        client.get("/titulaire/inscription/identite/")
        client.post(
            "/titulaire/inscription/identite/",
            {
                "nir": "1 85 05 78 006 084 91",
                "civility": "madame",
                "birth_name": "Orange",
                "email": "t@example.org",
                "email_confirmation": "t@example.org",
                "captcha": "PASSED",
            },
        )
        submit(
            client,
            "/titulaire/inscription/mot-de-passe/",
            {"password": PASSWORD, "password_confirmation": PASSWORD},
        )
        confirmation = OutboxEmail.objects.get(kind="inscription_confirmation").body
        token = re.search(r"/confirmation/([^/\s]+)/", confirmation).group(1)
        client.post(f"/titulaire/inscription/confirmation/{token}/")
        Client().post("/titulaire/connexion/", {"nir": NIR_A, "password": "Mauvais-2026-x"})
        Client().post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
        Client().post("/titulaire/mot-de-passe-oublie/", {"nir": NIR_A})
        run_password_reset_requests()
        reset = OutboxEmail.objects.get(kind="mot_de_passe_oublie").body
        reset_token = re.search(r"/mot-de-passe-oublie/[^/]+/([^/\s]+)/", reset).group(1)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for event in [
        "event=registration outcome=pending",
        "outcome=activated",
        "event=login outcome=failure",
        "event=login outcome=success",
        "event=password_reset.request outcome=mail_queued",
    ]:
        assert event in logged, event
    for secret in [
        NIR_A,
        NIR_A[:13],
        "1 85 05 78 006 084 91",
        PASSWORD,
        "Mauvais-2026-x",
        token,
        reset_token,
        "PASSED",
    ]:
        assert secret not in logged, secret


def test_log01_log_injection_is_neutralised(caplog):
    with caplog.at_level(logging.INFO, logger="mcf.security"):
        security_event("login", outcome="failure", ip="1.2.3.4\nevent=login outcome=success")
    (record,) = caplog.records
    assert "\n" not in record.getMessage()
