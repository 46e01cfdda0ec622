"""The holder's « Rechercher une formation » (his own situation) and the offer pages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.accounts.models import EmploymentStatus
from tests.web.catalogue.conftest import more_offers, session
from tests.web.catalogue.test_search_page import titles

pytestmark = pytest.mark.django_db

URL = "/titulaire/rechercher-une-formation/"


def holder_client(client, holder, **situation):
    for field, value in situation.items():
        setattr(holder, field, value)
    holder.save()
    client.force_login(holder)
    return client


def every_field(catalogue, status) -> dict:
    """A situation with every field filled, whatever the status uses of it."""
    return {
        "employment_status": status,
        "branch_id": catalogue.branch_id,
        "work_region_id": "53",
        "home_region_id": "84",
    }


def test_login_is_required(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/titulaire/connexion/")
    assert client.get(f"{URL}{catalogue.anglais.pk}/").status_code == 302


def test_an_operator_gets_no_holder_search(client, catalogue, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="op", password="x"))
    assert client.get(URL).status_code == 403


def test_the_menu_entry_is_the_search_now(client, catalogue, holder):
    html = holder_client(client, holder).get(URL).content.decode()
    assert "Bientôt disponible" not in html
    assert "<h1>Rechercher une formation</h1>" in html
    assert 'aria-current="page">Rechercher une formation</a>' in html
    # The holder's situation is his own: no situation fields on his page.
    assert 'name="statut"' not in html


def test_a_salarie_sees_the_lni_his_branch_and_his_workplace_region(client, catalogue, holder):
    client = holder_client(client, holder, **every_field(catalogue, EmploymentStatus.SALARIE))
    html = client.get(URL).content.decode()
    assert titles(html) == {
        catalogue.anglais.title,
        catalogue.soudure.title,
        catalogue.usinage.title,
    }
    text = unescape(html)
    assert "salarié(e), branche Métallurgie, lieu de travail en région Bretagne" in text
    assert "Votre situation est incomplète" not in text


def test_a_job_seeker_sees_the_lni_and_his_home_region_never_a_branch(client, catalogue, holder):
    client = holder_client(
        client, holder, **every_field(catalogue, EmploymentStatus.DEMANDEUR_EMPLOI)
    )
    html = client.get(URL).content.decode()
    assert titles(html) == {catalogue.anglais.title, catalogue.compta.title}
    # Filters of the URL cannot widen his eligibility.
    html = client.get(URL, {"statut": "salarie", "region_situation": "53"}).content.decode()
    assert titles(html) == {catalogue.anglais.title, catalogue.compta.title}


@pytest.mark.parametrize(
    ("situation", "missing"),
    [
        ({}, "votre situation professionnelle"),
        ({"employment_status": EmploymentStatus.SALARIE}, "la branche professionnelle"),
        ({"employment_status": EmploymentStatus.DEMANDEUR_EMPLOI}, "la région de votre domicile"),
    ],
)
def test_an_incomplete_situation_gets_a_notice_and_the_national_list(
    client, catalogue, holder, situation, missing
):
    html = holder_client(client, holder, **situation).get(URL).content.decode()
    text = unescape(html)
    assert "Votre situation est incomplète" in text
    assert missing in text
    assert 'href="/titulaire/informations-personnelles/">Mes informations personnelles</a>' in html
    assert titles(html) == {catalogue.anglais.title}
    assert "(liste nationale (LNI))" in text


def test_the_notice_names_the_lists_used_meanwhile(client, catalogue, holder):
    client = holder_client(
        client, holder, employment_status=EmploymentStatus.SALARIE, work_region_id="53"
    )
    text = unescape(client.get(URL).content.decode())
    assert "indiquez la branche professionnelle de votre employeur dans" in text
    assert "(liste nationale (LNI), liste de votre région)" in text


def test_the_holder_search_answers_htmx_with_the_fragment(client, catalogue, holder):
    client = holder_client(client, holder)
    response = client.get(URL, {"q": "anglais"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="resultats"' in html
    assert response["HX-Push-Url"] == f"{URL}?q=anglais"
    assert f'href="{URL}{catalogue.anglais.pk}/?q=anglais"' in html
    assert "no-store" in response["Cache-Control"]


def test_holder_search_query_count_is_flat(client, catalogue, holder):
    client = holder_client(client, holder, **every_field(catalogue, EmploymentStatus.SALARIE))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": "bureautique"}).status_code == 200
        return len(queries)

    more_offers(5)
    small = count()
    more_offers(45)
    assert count() == small


# --------------------------------------------------------------------------------------
# Offer pages
# --------------------------------------------------------------------------------------


def test_the_offer_page_shows_the_organisme_the_certification_and_the_lists(client, catalogue):
    offer = catalogue.anglais
    offer.organisme.email = "contact@organisme.example"
    offer.organisme.phone = "01 23 45 67 89"
    offer.organisme.activity_declaration_number = "11755555575"
    offer.organisme.save()
    offer.certification.formacodes = ["15254", "15234"]
    offer.certification.save()
    offer.content = "Module 1\nModule 2"
    offer.strengths = "Petits groupes"
    offer.save()
    response = client.get(f"/formations/{offer.pk}/", {"q": "anglais"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "<h1>Anglais professionnel</h1>" in html
    assert "732 829 320 00074" in html  # SIRET formatted
    assert "11755555575" in html and "contact@organisme.example" in html
    assert "Répertoire spécifique (inventaire)" in html
    assert "15254, 15234" in html
    assert "Communiquer en anglais au travail." in html
    assert "Module 1<br>Module 2" in html and "Petits groupes" in html
    assert "1\u202f200\u00a0€ TTC" in html and "40\u00a0h" in html
    assert "Formation à distance." in html
    assert "236593" in html and "LNI" in html
    assert html.count("<li>du ") == 1  # the past session is not offered
    assert 'href="/formations/?q=anglais">Retour à la recherche' in html
    assert f'href="/formations/{offer.pk}/dossier/">Créer un dossier de formation' in html


def test_the_address_block_of_an_offer_on_site(client, catalogue):
    offer = catalogue.soudure
    offer.address = "12 rue de Siam"
    offer.save()
    html = unescape(client.get(f"/formations/{offer.pk}/").content.decode())
    assert re.search(
        r"<address[^>]*>\s*12 rue de Siam<br>\s*29200 Brest<br>\s*Finistère, Bretagne", html
    )


def test_create_a_dossier_is_honestly_not_available_yet(client, catalogue):
    html = client.get(f"/formations/{catalogue.anglais.pk}/dossier/").content.decode()
    assert "Bientôt disponible" in html
    assert "<h1>Créer un dossier de formation</h1>" in html


@pytest.mark.parametrize("path", ["/formations/987654/", "/formations/987654/dossier/"])
def test_an_unknown_offer_is_a_french_404(client, catalogue, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Formation introuvable" in response.content.decode()


def test_an_offer_no_longer_listed_says_it_cannot_be_funded(client, catalogue):
    from mcf.domain.catalogue.models import ListedCertification

    ListedCertification.objects.filter(certification=catalogue.usinage.certification).delete()
    html = unescape(client.get(f"/formations/{catalogue.usinage.pk}/").content.decode())
    assert "Formation non éligible aujourd'hui" in html
    assert "Créer un dossier de formation</a>" not in html


def test_the_holder_offer_page_has_his_menu_and_says_which_list_he_may_use(
    client, catalogue, holder
):
    client = holder_client(
        client, holder, employment_status=EmploymentStatus.DEMANDEUR_EMPLOI, home_region_id="53"
    )
    html = unescape(client.get(f"{URL}{catalogue.soudure.pk}/").content.decode())
    assert "Mon compte d'heures" in html  # the holder's side menu
    assert "Vous pouvez utiliser cette liste" in html
    assert f'href="{URL}{catalogue.soudure.pk}/dossier/"' in html
    html = unescape(client.get(f"{URL}{catalogue.usinage.pk}/").content.decode())
    assert "Formation non éligible pour votre situation" in html
    assert "Liste non ouverte à votre situation" in html
    dossier = client.get(f"{URL}{catalogue.soudure.pk}/dossier/").content.decode()
    # The holder has not entered his DIF yet: the dossier waits for it (the holder's own
    # dossier pages: tests/web/titulaire/test_dossier_create.py).
    assert "Heures DIF non renseignées" in dossier and "Mon compte d" in dossier


@pytest.mark.parametrize("sessions", [0, 30])
def test_offer_page_query_count_is_flat(client, catalogue, django_assert_num_queries, sessions):
    for i in range(sessions):
        session(catalogue.anglais, i, i + 1)
    # The offer with its organisme and certification, its lists, its sessions.
    with django_assert_num_queries(3):
        client.get(f"/formations/{catalogue.anglais.pk}/")


def test_the_public_offer_page_follows_the_situation_chosen_in_the_search(client, catalogue):
    path = f"/formations/{catalogue.usinage.pk}/"
    html = unescape(client.get(path, {"statut": "demandeur_emploi"}).content.decode())
    assert "Formation non éligible pour votre situation" in html
    assert "la situation choisie dans votre recherche" in html
    assert "Créer un dossier de formation</a>" not in html
    params = {"statut": "salarie", "branche": "3248", "q": "usinage"}
    html = unescape(client.get(path, params).content.decode())
    assert "Vous pouvez utiliser cette liste" in html
    assert "Retour à la recherche" in html and "statut=salarie" in html
    html = unescape(client.get(path).content.decode())
    assert "Pour vous" not in html
