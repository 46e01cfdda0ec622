"""The holder's dossier pages with real dossiers, in the browser: the list with a dossier
in every state, the dates step whose hours plan follows the duration typed (htmx), the
employer's agreement sur temps de travail, the send page of a complete dossier and of an
incomplete one. Each state passes the layout checks and axe at 1280 and 375 px and joins
the screenshot gallery (``make screenshots``); the generic states of these routes (empty,
filled, errors) come from test_every_page.py."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import WorkingTime
from tests.browser import test_every_page as every_page
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_every_page import Review, _log_in
from tests.domain.dossiers.builders import (
    ANGLAIS_CODE,
    dossier_world,
    ready_dossier,
    sent_dossier,
    validated_dossier,
)
from tests.web.titulaire.dossier_helpers import LIST, page, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The fixtures of the gallery's pages (a browser page that checks and photographs).
review_context = every_page.review_context
review = every_page.review


def _look(pages: Review, name: str, state: str) -> None:
    pages.check("titulaire", name, state)
    assert_no_axe_violations(pages.page)


def test_the_dossier_pages_with_real_dossiers(review, live_server):
    world = dossier_world()
    draft = actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    client = Client()
    client.force_login(world.holder)
    browser, base = review.page, live_server.url
    _log_in(browser, base, client)

    # The live plan: the example, 200 h with 120 DIF and 48 CPF available.
    browser.goto(base + step(draft, "dates"))
    browser.fill("#id_duration_hours", "200")
    plan = browser.locator("#plan-heures")
    plan.get_by_text("50 h restent à financer").wait_for()
    assert "150 h de vos compteurs" in plan.inner_text()
    assert "18 h" in plan.inner_text()  # CPF hours left on the account
    _look(review, "dossier_step", "dates-plan-200h")
    browser.fill("#id_duration_hours", "0")
    plan.get_by_text("La durée doit être comprise entre 1 et 5000 heures.").wait_for()

    complete = ready_dossier(world)
    sur = ready_dossier(world, working_time=WorkingTime.SUR)
    actions.record_employer_request(
        sur.pk,
        by=world.holder,
        version=sur.version,
        requested_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    sent_dossier(world)
    validated_dossier(world, duration=30)
    cancelled = ready_dossier(world)
    actions.cancel_by_holder(
        cancelled.pk, by=world.holder, version=cancelled.version, motif="Autre projet"
    )
    browser.goto(base + LIST)
    assert browser.locator(".mcf-dossier").count() == 6
    _look(review, "dossiers", "six-etats")

    browser.goto(base + page(sur, "employeur"))
    _look(review, "dossier_employer", "sur-temps-demande-faite")

    browser.goto(base + page(complete, "transmettre"))
    _look(review, "dossier_send", "complet")
    browser.goto(base + page(draft, "transmettre"))
    _look(review, "dossier_send", "incomplet")
    browser.locator("label[for=id_consent]").click()  # the DSFR's checkbox is its label
    browser.get_by_role("button", name="Transmettre au financeur").click()
    browser.get_by_text("Le dossier ne peut pas encore être transmis : complétez-le.").wait_for()
    _look(review, "dossier_send", "refus")
    review.assert_no_problem()
