"""A holder's dossier page passes axe-core in each state of the dossier, with the cancel
form's error, after a refused act (409), and the hours page with its dossier links."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import WorkingTime
from tests.browser.conftest import assert_no_axe_violations, wait_for_dsfr
from tests.browser.test_accessibility_holder_space import check, log_in, submit
from tests.domain.dossiers.builders import (
    dossier_world,
    ready_dossier,
    sent_dossier,
    validated_dossier,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_of(dossier) -> str:
    return f"/titulaire/dossiers-de-formation/{dossier.public_id}/"


@pytest.fixture(autouse=True)
def _log_out_afterwards(axe_page: Page):
    yield
    axe_page.context.clear_cookies()


def test_dossier_page_in_every_state(axe_page: Page, live_server):
    world = dossier_world()
    draft = actions.create_dossier_for_code(world.holder, 236593)
    sur = ready_dossier(world, working_time=WorkingTime.SUR)
    sur = actions.record_employer_request(
        sur.pk, by=world.holder, version=sur.version, requested_on=timezone.localdate()
    )
    sent = sent_dossier(world, duration=10)
    complement = sent_dossier(world, duration=10)
    actions.request_complement(
        complement.pk, by=world.financeur, version=complement.version, message="Le programme."
    )
    closed = validated_dossier(world, duration=10)
    actions.close_dossier(closed.pk, by=world.financeur, version=closed.version, hours_done=8)
    cancelled = validated_dossier(world, duration=10)
    actions.cancel_validated(
        cancelled.pk, by=world.financeur, version=cancelled.version, motif="Session supprimée."
    )
    validated = validated_dossier(world, duration=10)
    log_in(axe_page, live_server.url)
    for dossier in (draft, sur, sent, complement, validated, closed, cancelled):
        check(axe_page, live_server.url, page_of(dossier))
    check(axe_page, live_server.url, "/titulaire/compte-d-heures/")
    check(axe_page, live_server.url, "/titulaire/historique/")


def test_cancel_error_and_a_refused_act(axe_page: Page, live_server):
    world = dossier_world()
    dossier = sent_dossier(world)
    log_in(axe_page, live_server.url)
    axe_page.goto(live_server.url + page_of(dossier))
    submit(axe_page, "Annuler le dossier")
    assert "Indiquez le motif de l'annulation." in axe_page.content()
    assert_no_axe_violations(axe_page)
    # Meanwhile the dossier was taken back elsewhere: this page's form is stale.
    actions.withdraw_dossier(dossier.pk, by=world.holder, version=dossier.version)
    axe_page.get_by_label("Motif de l'annulation").fill("Formation reportée")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Annuler le dossier").click()
    wait_for_dsfr(axe_page)
    assert "Rien n'a été modifié" in axe_page.content()
    assert_no_axe_violations(axe_page)
