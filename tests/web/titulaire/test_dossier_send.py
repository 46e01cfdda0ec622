"""Sur temps de travail (the employer's agreement and its deadlines) and « Transmettre au
financeur » (the recap, what is missing with the step that fixes it, the consent)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import DossierTransition, WorkingTime
from tests.domain.dossiers.builders import ANGLAIS_CODE, dossier_world, ready_dossier
from tests.web.keys import form_key, submit
from tests.web.titulaire.dossier_helpers import fresh, holder_of, page, step, text

pytestmark = pytest.mark.django_db
CONSENT = "J'accepte que mes heures soient mobilisées pour cette formation"


@pytest.fixture
def world():
    return dossier_world()


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_the_send_page_lists_what_is_missing_with_the_step_that_fixes_it(world):
    draft = actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    response = holder_of(world).get(page(draft, "transmettre"))
    html, page_text = response.content.decode(), text(response)
    assert "Le dossier ne peut pas encore être transmis" in page_text
    assert "Indiquez le SIRET de l'organisme de formation." in page_text
    assert (
        f'href="{step(draft, "organisme")}">corriger à l\'étape « Organisme de formation »' in html
    )
    assert f'href="{step(draft, "dates")}">corriger' in html
    assert f'href="{step(draft, "financement")}">corriger' in html
    assert CONSENT in page_text and "Transmettre au financeur" in page_text


def test_without_consent_nothing_is_sent(world):
    dossier = ready_dossier(world, consent=False)
    client = holder_of(world)
    response = submit(client, page(dossier, "transmettre"), {"version": dossier.version})
    assert response.status_code == 200
    assert "sans votre accord, le dossier ne peut pas être transmis" in text(response)
    assert 'href="#id_consent"' in response.content.decode()
    assert fresh(dossier).state == "brouillon" and fresh(dossier).consent_at is None


def test_with_consent_the_dossier_goes_to_its_financeur_once(world):
    dossier = ready_dossier(world, consent=False)
    client = holder_of(world)
    key = form_key(client, page(dossier, "transmettre"))
    data = {"version": dossier.version, "consent": "on", "idempotency_key": key}
    first = client.post(page(dossier, "transmettre"), data)
    second = client.post(page(dossier, "transmettre"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    sent = fresh(dossier)
    assert sent.state == "transmis" and sent.consent_at is not None
    assert DossierTransition.objects.filter(dossier=dossier, name="transmettre").count() == 1
    # Now with the financeur: the form's pages send back to the dossier.
    assert client.get(step(dossier, "dates")).status_code == 302


def test_an_incomplete_dossier_is_not_sent_and_its_consent_not_kept(world):
    draft = actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)
    response = submit(
        holder_of(world), page(draft, "transmettre"), {"version": draft.version, "consent": "on"}
    )
    assert response.status_code == 409
    assert "Le dossier ne peut pas encore être transmis : complétez-le." in text(response)
    assert f'href="{step(draft, "organisme")}"' in response.content.decode()
    assert fresh(draft).state == "brouillon" and fresh(draft).consent_at is None


def test_a_stale_send_changes_nothing(world):
    dossier = ready_dossier(world)
    client = holder_of(world)
    key = form_key(client, page(dossier, "transmettre"))
    actions.update_dossier(
        dossier.pk, by=world.holder, version=dossier.version, values={"comments": "Ajout"}
    )
    response = client.post(
        page(dossier, "transmettre"),
        {"version": dossier.version, "consent": "on", "idempotency_key": key},
    )
    assert response.status_code == 409
    assert "Ce dossier a changé depuis que vous avez ouvert cette page" in text(response)
    assert fresh(dossier).state == "brouillon"


def test_sur_temps_de_travail_the_employer_is_asked_and_the_deadlines_shown(world):
    dossier = ready_dossier(world, working_time=WorkingTime.SUR, start_in_days=90)
    client = holder_of(world)
    url = page(dossier, "employeur")
    page_text = text(client.get(url))
    deadline = dossier.start_date - datetime.timedelta(days=60)
    assert f"au plus tard le {deadline:%d/%m/%Y} (60 jours avant le début" in page_text
    assert "Demande à faire" in page_text
    # Sending is refused until the request date is recorded.
    send_text = text(client.get(page(dossier, "transmettre")))
    assert "indiquez la date de votre demande d'accord à l'employeur" in send_text
    asked = days(-3)
    response = submit(
        client,
        url,
        {"formulaire": "demande", "version": dossier.version,
         "employer_requested_on": asked.strftime("%d/%m/%Y")},
    )  # fmt: skip
    assert response.status_code == 302
    assert fresh(dossier).employer_requested_on == asked
    page_text = text(client.get(url))
    due = asked + datetime.timedelta(days=30)
    assert f"Votre employeur doit répondre au plus tard le {due:%d/%m/%Y}" in page_text
    assert "son accord est acquis (accord tacite)" in page_text
    response = submit(
        client,
        url,
        {"formulaire": "reponse", "version": fresh(dossier).version, "answer": "accord",
         "employer_answered_on": days(-1).strftime("%d/%m/%Y")},
    )  # fmt: skip
    assert response.status_code == 302
    assert fresh(dossier).employer_answer == "accord"
    assert "Accord donné le" in text(client.get(url))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"formulaire": "demande", "employer_requested_on": ""},
         "Indiquez la date de votre demande à l'employeur."),
        ({"formulaire": "demande", "employer_requested_on": "01/01/2099"},
         "La date de la demande ne peut pas être dans le futur."),
        ({"formulaire": "reponse", "employer_answered_on": "01/01/2020"},
         "Choisissez la réponse de l'employeur."),
    ],
)  # fmt: skip
def test_bad_employer_dates_are_refused_next_to_the_field(world, data, message):
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version, requested_on=days(-3)
    )
    dossier = fresh(dossier)
    response = submit(
        holder_of(world), page(dossier, "employeur"), data | {"version": dossier.version}
    )
    assert response.status_code == 200
    assert message in text(response) and "Votre saisie est à corriger" in text(response)
    assert fresh(dossier).version == dossier.version


def test_hors_temps_de_travail_no_agreement_is_needed(world):
    dossier = ready_dossier(world)
    page_text = text(holder_of(world).get(page(dossier, "employeur")))
    assert "l'accord de votre employeur n'est pas nécessaire" in page_text
