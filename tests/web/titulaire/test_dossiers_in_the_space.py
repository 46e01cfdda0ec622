"""What the holder's space shows of his dossiers outside their own page: the synthèse's
counts, « Mon compte d'heures » (the dossier behind each movement), the data export
(PRIV-03). The history's links: test_read_dossier.py."""

from __future__ import annotations

import json
from html import unescape

import pytest
from django.test import Client

from mcf.domain.dossiers import actions
from tests.domain.dossiers.builders import dossier_world, ready_dossier, validated_dossier
from tests.factories import NIR_B, registered_holder
from tests.web.titulaire import dossier_helpers
from tests.web.titulaire.dossier_helpers import text
from tests.web.titulaire.test_personal_information import export, logged_in
from tests.web.titulaire.test_read_dossier import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return dossier_world()


@pytest.fixture
def browser(world) -> Client:
    return dossier_helpers.browser(world.holder)


def test_summary_counts_ongoing_closed_and_cancelled_apart(world, browser):
    ready_dossier(world)  # élaboration
    validated = validated_dossier(world)  # validé
    draft = actions.create_dossier_for_code(world.holder, 236593)
    actions.cancel_by_holder(draft.pk, by=world.holder, version=draft.version, motif="Non")
    page = text(browser.get("/titulaire/"))
    ongoing = page.partition("Dossiers en cours")[2].partition("Dossiers clos")[0]
    closed = page.partition("Dossiers clos")[2]
    assert "2 Dossiers de formation en cours" in ongoing
    assert "0 Dossiers de formation clos" in closed and "Et 1 dossier annulé." in closed
    actions.close_dossier(validated.pk, by=world.financeur, version=validated.version, hours_done=0)
    page = text(browser.get("/titulaire/"))
    assert "1 Dossiers de formation en cours" in page
    assert "1 Dossiers de formation clos" in page


def test_summary_query_count_is_flat(world, browser, django_assert_num_queries):
    ready_dossier(world)
    browser.get("/titulaire/")
    # session, user, counter, « CPF moved? », the counts, the session's save (3).
    with django_assert_num_queries(8) as one:
        browser.get("/titulaire/")
    for _ in range(49):
        actions.create_dossier_for_code(world.holder, 236593)
    with django_assert_num_queries(len(one.captured_queries)):
        browser.get("/titulaire/")


def test_hours_page_links_each_movement_to_its_dossier(world, browser, django_assert_num_queries):
    dossier = validated_dossier(world)  # 120 DIF + 30 CPF reserved
    page = browser.get("/titulaire/compte-d-heures/")
    html = page.content.decode()
    shown = text(page)
    assert "Réservées pour un dossier 30 h 120 h" in shown
    assert "Mouvements du compte d'heures DIF" in shown
    # One link in the CPF table, one in the DIF table.
    assert html.count(f'href="{page_of(dossier)}"') == 2
    # The movement's label is the link, naming the dossier once.
    label = f"Réservation pour le dossier n° {dossier.number_display}"
    assert f'href="{page_of(dossier)}">{label}</a>' in unescape(html)
    assert shown.count(dossier.number_display) == 2
    # session, user, counter, movements, their dossiers, « CPF moved? », the chart's
    # years, the session's save (3).
    with django_assert_num_queries(10) as one:
        browser.get("/titulaire/compte-d-heures/")
    actions.close_dossier(dossier.pk, by=world.financeur, version=dossier.version, hours_done=10)
    for _ in range(3):
        other = validated_dossier(world, duration=1)
        actions.cancel_validated(other.pk, by=world.financeur, version=other.version, motif="x")
    with django_assert_num_queries(len(one.captured_queries)):
        html = browser.get("/titulaire/compte-d-heures/").content.decode()
    assert html.count(f'href="{page_of(dossier)}"') == 5  # reserve ×2, release ×2, debit


def test_priv03_export_holds_the_dossiers_and_no_one_elses(world, browser):
    dossier = validated_dossier(world)
    registered_holder(NIR_B, email="autre@example.org")
    exported = export(logged_in())
    [mine] = exported["dossiers_de_formation"]
    assert mine["numero"] == dossier.number and mine["etat"] == "Validé"
    assert mine["financeur"] == "OPCA Démo"
    assert mine["plan_des_heures"]["heures_dif"] == 120
    assert mine["organisme_de_formation"]["raison_sociale"] == "Organisme Démo"
    document = json.dumps(exported, ensure_ascii=False)
    # Of the financeur's staff, only the label the holder's history shows.
    assert "Amandine M." in document
    assert "Martin" not in document and "amandine.martin@opca.example" not in document
    other_export = export(logged_in(NIR_B))
    assert other_export["dossiers_de_formation"] == []
