"""« Historique de vos actions » names who acted (issue 13): « Vous », « Le service »,
« La Caisse des Dépôts », « OPCA Démo (Amandine D.) », at a flat number of queries."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from mcf.domain.hours.ledger import correct_cpf
from mcf.domain.hours.models import Counter
from mcf.domain.journal import actions as journal
from mcf.domain.journal.actions import SERVICE, Actor
from mcf.domain.journal.models import Action
from tests.domain.organisations.builders import SIRET_B, new_organisation, operator_client
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db
HISTORY = "/titulaire/historique/"


def rows(html: str) -> list[list[str]]:
    """The table's rows, each cell's text."""
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        for cells in (
            re.findall(r"<td>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
        )
        if cells
    ]


def test_the_history_names_the_holder_the_service_the_cdc_and_a_professional():
    holder = registered_holder()
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    journal.record(holder, Action.HOURS_FED, by=SERVICE, details="20 h au titre de 2025.")
    operator, _ = operator_client("jeanne.operatrice")
    correct_cpf(Counter.objects.get(holder=holder).pk, hours=5, reason="Oubli", operator=operator)
    opca = new_organisation("OPCA Démo", first_name="Amandine", last_name="Dupont").user
    journal.record(holder, Action.DOSSIER_VALIDATED, by=Actor.professional(opca))
    table = rows(client.get(HISTORY).content.decode())
    assert [row[1:] for row in table[:4]] == [
        ["Dossier validé", "OPCA Démo (Amandine D.)"],
        ["Correction de votre compte CPF — Correction de +5 h : Oubli", "La Caisse des Dépôts"],
        ["Alimentation de votre compte CPF — 20 h au titre de 2025.", "Le service"],
        ["Connexion", "Vous"],
    ]
    assert "jeanne" not in str(table)  # never the operator's identifier


def test_the_history_of_many_actors_costs_the_same_queries(django_assert_num_queries):
    holder = registered_holder()
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    with django_assert_num_queries(7) as few:
        client.get(HISTORY)
    other = new_organisation("Région Démo", siret=SIRET_B, email="r@example.org").user
    for index in range(30):
        by = Actor.professional(other) if index % 2 else SERVICE
        journal.record(holder, Action.DOSSIER_SENT, by=by)
    with django_assert_num_queries(len(few.captured_queries)):
        assert "Région Démo (Amandine M.)" in client.get(HISTORY).content.decode()
