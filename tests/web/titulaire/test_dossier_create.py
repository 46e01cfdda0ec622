"""« Créer un dossier de formation »: by a code CPF, or from an offer of the search; the
refusals say why and where to go on."""

from __future__ import annotations

import pytest

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.accounts.personal_information import update_situation
from mcf.domain.catalogue.models import Region
from mcf.domain.dossiers.models import Dossier
from mcf.domain.journal.models import Action, JournalEntry
from tests.domain.dossiers.builders import ANGLAIS_CODE, dossier_world
from tests.web.keys import form_key, submit
from tests.web.titulaire.dossier_helpers import NEW, holder_of, step, text

pytestmark = pytest.mark.django_db
OFFER = "/titulaire/rechercher-une-formation/{}/dossier/"


@pytest.fixture
def world():
    return dossier_world()


def test_a_code_cpf_creates_a_draft_and_opens_its_first_step(world):
    client = holder_of(world)
    response = submit(client, NEW, {"code_cpf": f" {ANGLAIS_CODE} "})
    dossier = Dossier.objects.get(holder=world.holder)
    assert response.status_code == 302
    assert response["Location"] == step(dossier, "organisme")
    assert dossier.state == "brouillon" and dossier.code_cpf == ANGLAIS_CODE
    assert (
        JournalEntry.objects.filter(holder=world.holder, action=Action.DOSSIER_CREATED).count() == 1
    )
    page = text(client.get(response["Location"]))
    assert f"Votre dossier n° {dossier.number_display} est créé" in page
    assert "Organisme de formation" in page and "Anglais professionnel" in page


def test_a_double_submit_creates_one_dossier(world):
    client = holder_of(world)
    key = form_key(client, NEW)
    first = client.post(NEW, {"code_cpf": ANGLAIS_CODE, "idempotency_key": key})
    second = client.post(NEW, {"code_cpf": ANGLAIS_CODE, "idempotency_key": key})
    assert first["Location"] == second["Location"]
    assert Dossier.objects.filter(holder=world.holder).count() == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez le code CPF de la formation."),
        ("abc", "Le code CPF est un nombre de 1 à 9 chiffres"),
        ("２３６５９３", "Le code CPF est un nombre de 1 à 9 chiffres"),  # full-width digits
        ("23659³", "Le code CPF est un nombre de 1 à 9 chiffres"),
        ("-5", "Le code CPF est un nombre de 1 à 9 chiffres"),
        ("999999", "Le code CPF 999999 ne correspond à aucune formation éligible"),
    ],
)
def test_a_bad_or_unknown_code_is_refused_next_to_the_field(world, typed, message):
    client = holder_of(world)
    response = submit(client, NEW, {"code_cpf": typed})
    page = text(response)
    assert response.status_code == 200
    assert message in page
    assert "Votre saisie est à corriger" in page  # the summary at the top, linking to it
    assert 'href="#id_code_cpf"' in response.content.decode()
    assert f'value="{typed}"' in response.content.decode() or not typed
    assert not Dossier.objects.exists()


def test_a_code_on_a_list_closed_to_the_holder_names_the_open_lists(world):
    # Soudure is on the COPAREF Bretagne list: a demandeur d'emploi of Auvergne-Rhône-Alpes
    # may not use it.
    update_situation(
        world.holder,
        employment_status=EmploymentStatus.DEMANDEUR_EMPLOI,
        branch=None,
        work_region=None,
        home_region=Region.objects.get(pk="84"),
    )
    code = world.catalogue.soudure.certification.listings.first().code_cpf
    page = text(submit(holder_of(world), NEW, {"code_cpf": code}))
    assert f"Le code CPF {code} n'est pas inscrit sur une liste ouverte à votre situation" in page
    assert "Les listes ouvertes à votre situation sont :" in page
    assert not Dossier.objects.exists()


def test_without_dif_the_holder_is_sent_to_his_hours():
    world = dossier_world(dif=None)
    client = holder_of(world)
    for response in (client.get(NEW), client.get(OFFER.format(world.catalogue.anglais.pk))):
        page = text(response)
        assert "Heures DIF non renseignées" in page
        assert 'href="/titulaire/compte-d-heures/"' in response.content.decode()
        assert "Saisir mes heures DIF dans « Mon compte d'heures »" in page
    assert not Dossier.objects.exists()


def test_from_an_offer_confirm_then_create_with_the_offer_copied(world):
    offer = world.catalogue.anglais
    client = holder_of(world)
    response = client.get(OFFER.format(offer.pk))
    page = text(response)
    assert "Créer un dossier de formation" in page and offer.title in page
    # The price and the duration the French way (« 1200.00 € » was the template's own).
    html = response.content.decode()
    assert "<dd>1\u202f200\u00a0€</dd>" in html and "<dd>40\u00a0h</dd>" in html
    assert "Bientôt disponible" not in page
    assert not Dossier.objects.exists()  # a GET creates nothing
    response = submit(client, OFFER.format(offer.pk))
    dossier = Dossier.objects.get()
    assert response["Location"] == step(dossier, "organisme")
    assert dossier.offer == offer and dossier.duration_hours == offer.duration_hours
    assert dossier.organisme_siret == offer.organisme.siret and dossier.cost == offer.price


def test_an_offer_closed_to_the_holder_is_refused_with_the_open_lists(world):
    offer = world.catalogue.compta  # COPAREF Auvergne-Rhône-Alpes: not for a Breton salarié
    client = holder_of(world)
    page = text(client.get(OFFER.format(offer.pk)))
    assert "Cette formation n'est pas inscrite sur une liste ouverte à votre situation" in page
    assert "Les listes ouvertes à votre situation sont :" in page
    response = client.post(OFFER.format(offer.pk), {"idempotency_key": "x"})
    assert response.status_code == 409
    assert not Dossier.objects.exists()


def test_an_unknown_offer_is_a_404(world):
    assert holder_of(world).get(OFFER.format(987654)).status_code == 404
