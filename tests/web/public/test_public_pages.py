"""The public site: every page answers, with a fixed number of SQL queries."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.contact.actions import submit_contact_message
from tests.web.public.conftest import public_urls

pytestmark = pytest.mark.django_db

SEED_HOME_LABELS = [
    "Titulaire",
    "Mes droits",
    "Mes interlocuteurs",
    "Accéder à mon espace sécurisé",
    "Rechercher une formation",
    "Employeurs",
    "Informer sur les heures DIF",
    "L'accompagnement par l'OPCA",
    "Compétences et parcours professionnel des salariés",
    "Le financement du compte personnel de formation",
    "Professionnels",
    "de l'emploi et de la formation professionnelle",
    "Espace professionnel",
    "EN SAVOIR +",
    "Mon compte formation",
    "Rechercher sur le site",
    "Le compte personnel de formation",
    "Questions fréquentes",
    "Espaces dédiés",
    "Conditions Générales d'Utilisation",
    "Nous contacter",
    "En poursuivant votre navigation sur le site, vous acceptez l'utilisation des cookies.",
    "En savoir plus et gérer vos cookies",
    "Devenez acteur de votre parcours professionnel",
]


def test_home_shows_the_seed_labels(client):
    html = unescape(client.get("/").content.decode())
    for label in SEED_HOME_LABELS:
        assert label in html, label
    # Three audience blocks, each with its « EN SAVOIR + ».
    assert html.count("EN SAVOIR +") == 3


def test_home_block_links_all_lead_to_real_pages(client):
    html = client.get("/").content.decode()
    block_area = html.split('id="contenu"', 1)[1].split("pied-de-page", 1)[0]
    links = set(re.findall(r'href="(/[^"]*)"', block_area))
    assert len(links) >= 10
    for href in links:
        assert client.get(href).status_code == 200, href


def test_every_internal_link_of_every_public_page_works(client):
    """Crawl: menus, footer and the links inside the pages' text never lead to a 404."""
    seen, checked = set(), 0
    for url in public_urls():
        html = client.get(url).content.decode()
        for href in re.findall(r'href="(/[^"#?]*)', html):
            if href in seen or href.startswith("/static/"):
                continue
            seen.add(href)
            response = client.get(href)
            assert response.status_code == 200, f"{href} (linked from {url})"
            checked += 1
    assert checked >= 25


@pytest.mark.parametrize("url", public_urls())
def test_public_page_is_french_and_has_one_h1(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "lorem" not in html.lower()


@pytest.mark.parametrize("url", public_urls())
def test_public_page_query_count_is_flat_as_data_grows(client, url, django_assert_num_queries):
    """Public pages read nothing from the database, however many rows exist."""
    with django_assert_num_queries(0):
        client.get(url)
    for i in range(50):
        submit_contact_message(
            full_name=f"Personne {i}",
            email=f"p{i}@example.org",
            topic="autre",
            message="Une question sur mon compte.",
        )
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 0


def test_content_page_unknown_slug_is_a_french_404(client):
    response = client.get("/informations/nexiste-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_cgu_is_versioned(client):
    from mcf.domain.legal import cgu

    html = client.get("/conditions-generales-utilisation/").content.decode()
    assert f"Version {cgu.CURRENT.version}" in html
    assert client.get("/conditions-generales-utilisation/version/1999-01/").status_code == 404
