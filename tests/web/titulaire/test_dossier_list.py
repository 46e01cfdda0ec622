"""« Mes dossiers de formation »: the list of the holder's dossiers, and its empty state."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.dossiers import actions
from tests.domain.dossiers.builders import (
    ANGLAIS_CODE,
    dossier_world,
    ready_dossier,
    sent_dossier,
    validated_dossier,
)
from tests.web.titulaire.dossier_helpers import (
    LIST,
    NEW,
    browser,
    holder_of,
    second_holder,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return dossier_world()


def test_empty_list_explains_how_to_start(world):
    response = holder_of(world).get(LIST)
    assert response.status_code == 200
    page = text(response)
    assert "Mes dossiers de formation" in page
    assert "Vous n'avez pas encore de dossier de formation" in page
    assert "« Mon compte d'heures »" in page and "« Rechercher une formation »" in page
    html = response.content.decode()
    assert f'href="{NEW}"' in html and "Créer un dossier de formation" in page
    # The menu entry is the real page now, not « Bientôt disponible ».
    assert "Bientôt disponible" not in page


def test_list_shows_each_dossier_with_its_badge_and_next_step(world):
    draft = actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    ready = ready_dossier(world)
    sent = sent_dossier(world)
    validated = validated_dossier(world, duration=20)
    cancelled = actions.cancel_by_holder(
        ready.pk, by=world.holder, version=ready.version, motif="Changement de projet"
    )
    html = holder_of(world).get(LIST).content.decode()
    page = text(holder_of(world).get(LIST))
    for dossier in (draft, ready, sent, validated, cancelled):
        assert dossier.number_display in page
    assert page.count("En cours d'élaboration") == 2  # the draft and the sent one
    assert "Transmis au financeur" in page
    assert 'fr-badge fr-badge--success">Validé' in html
    assert 'fr-badge fr-badge--error">Annulé' in html
    assert "Organisme Démo" in page and "Anglais professionnel" in page
    assert f"du {validated.start_date:%d/%m/%Y} au {validated.end_date:%d/%m/%Y}" in page
    assert "20 h (20 h DIF et 0 h CPF réservées)" in page
    assert "200 h (prévu : 120 h DIF et 30 h CPF)" in page
    # The draft misses its organisme: the next step is the first step of its form.
    assert (
        f'href="{LIST}{draft.public_id}/etape/organisme/">Compléter : organisme de formation'
        in html
    )
    assert "Attendre la décision du financeur" in page


def test_a_complete_draft_is_next_sent(world):
    ready = ready_dossier(world)
    html = holder_of(world).get(LIST).content.decode()
    assert f'href="{LIST}{ready.public_id}/transmettre/">Transmettre au financeur' in html


def test_another_holders_dossiers_are_not_listed(world):
    other = second_holder(world)
    mine = ready_dossier(world)
    page = text(browser(other).get(LIST))
    assert mine.number_display not in page
    assert "Vous n'avez pas encore de dossier" in page


def queries(client, url: str) -> int:
    """The queries of one request, counted at once: the next request's request_started
    signal empties the log a CaptureQueriesContext reads lazily."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_is_flat_from_1_to_50_dossiers(world):
    client = holder_of(world)
    ready_dossier(world)
    client.get(LIST)
    one = queries(client, LIST)
    for _ in range(49):
        actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    fifty = queries(client, LIST)
    assert text(client.get(LIST)).count("Dossier n°") == 0  # numbers are shown bare
    assert 0 < fifty == one <= 10
