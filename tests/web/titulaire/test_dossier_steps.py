"""The dossier's form, step by step: what is typed is kept on error, the messages stand
next to the fields with a summary at the top, nothing is written; a stale form changes
nothing; the hours plan follows the duration (DIF first, 150 h at most)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mcf.domain.dossiers import actions
from mcf.domain.journal.models import Action, JournalEntry
from tests.domain.dossiers.builders import (
    ANGLAIS_CODE,
    ORGANISME_SIRET,
    dossier_world,
    ready_dossier,
)
from tests.web.keys import form_key, submit
from tests.web.titulaire.dossier_helpers import (
    browser,
    fresh,
    holder_of,
    page,
    second_holder,
    step,
    text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return dossier_world()


@pytest.fixture
def draft(world):
    return actions.create_dossier_for_code(world.holder, ANGLAIS_CODE)


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).strftime("%d/%m/%Y")


DATES = {"start_date": in_days(90), "end_date": in_days(150), "duration_hours": "200 h",
         "cost": "2 400,50 €", "working_time": "hors"}  # fmt: skip


def test_the_organisme_step_saves_and_goes_on(world, draft):
    client = holder_of(world)
    response = submit(
        client,
        step(draft, "organisme"),
        {
            "organisme_siret": "732 829 320 00074",
            "organisme_name": "Organisme Démo",
            "organisme_email": "contact@organisme.fr",
            "organisme_phone": "01 23 45 67 89",
            "organisme_postal_code": "75015",
            "version": draft.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == step(draft, "dates")
    saved = fresh(draft)
    assert saved.organisme_siret == ORGANISME_SIRET and saved.organisme_phone == "+33123456789"
    assert saved.version == draft.version + 1
    assert JournalEntry.objects.filter(action=Action.DOSSIER_UPDATED).count() == 1
    assert "« Organisme de formation » est enregistré." in text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("slug", "typed", "field", "message"),
    [
        ("organisme", {"organisme_siret": "732 829 320 00075"}, "organisme_siret",
         "Ce numéro SIRET n'existe pas"),
        ("organisme", {"organisme_siret": "７３２８２９３２０００７４"}, "organisme_siret",
         "Le numéro SIRET doit comporter 14 chiffres."),
        ("organisme", {"organisme_postal_code": "7501"}, "organisme_postal_code",
         "Le code postal comporte 5 chiffres"),
        ("dates", DATES | {"start_date": in_days(-1)}, "start_date",
         "La date de début ne peut pas être passée."),
        ("dates", DATES | {"end_date": in_days(80)}, "end_date",
         "La date de fin doit être postérieure ou égale à la date de début."),
        ("dates", DATES | {"start_date": "31/02/2027"}, "start_date", "Saisissez une date valide"),
        ("dates", DATES | {"start_date": "１５/01/2027"}, "start_date",
         "Saisissez une date valide"),
        ("dates", DATES | {"duration_hours": "0"}, "duration_hours",
         "La durée doit être comprise entre 1 et 5000 heures."),
        ("dates", DATES | {"duration_hours": "10 000"}, "duration_hours",
         "La durée doit être comprise entre 1 et 5000 heures."),
        ("dates", DATES | {"duration_hours": "35²"}, "duration_hours",
         "Saisissez un nombre entier d'heures"),
        ("dates", DATES | {"cost": "-5"}, "cost", "Le coût doit être un montant positif"),
        ("dates", DATES | {"cost": "12,345"}, "cost", "Saisissez un montant en euros"),
        ("dates", DATES | {"working_time": "parfois"}, "working_time",
         "Choisissez « sur » ou « hors temps de travail »."),
        ("financement", {"financeur": "999999"}, "financeur",
         "Choisissez un financeur de la liste."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_next_to_the_field_kept_and_nothing_written(
    world, draft, slug, typed, field, message
):
    client = holder_of(world)
    before = JournalEntry.objects.count()
    response = submit(client, step(draft, slug), typed | {"version": draft.version})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in text(response)
    assert "Votre saisie est à corriger" in text(response)
    assert f'href="#id_{field}"' in html or f'href="#radio-id_{field}"' in html
    # What was typed is shown again, as typed.
    for name, value in typed.items():
        if name not in ("working_time", "financeur"):
            assert f'value="{value}"' in html or value in html, name
    # Nothing written: same version, no journal entry.
    assert fresh(draft).version == draft.version
    assert JournalEntry.objects.count() == before


def test_the_dates_step_saves_typed_numbers_and_shows_the_plan(world, draft):
    client = holder_of(world)
    response = submit(client, step(draft, "dates"), DATES | {"version": draft.version})
    assert response["Location"] == step(draft, "financement")
    saved = fresh(draft)
    assert saved.duration_hours == 200 and str(saved.cost) == "2400.50"
    assert (saved.plan_dif, saved.plan_cpf) == (120, 30)
    page_text = text(client.get(step(draft, "dates")))
    assert "120 h" in page_text and "50 h restent à financer" in page_text


def test_the_dates_step_shows_the_saved_cost_in_french_and_reads_it_back(world, draft):
    client = holder_of(world)
    submit(client, step(draft, "dates"), DATES | {"version": draft.version})
    html = client.get(step(draft, "dates")).content.decode()
    shown = "2\u202f400,50"  # not « 2400.50 »
    assert f'value="{shown}"' in html
    saved = fresh(draft)
    again = submit(client, step(draft, "dates"), DATES | {"cost": shown, "version": saved.version})
    assert again.status_code == 302
    assert str(fresh(draft).cost) == "2400.50"


def test_a_stale_form_changes_nothing_and_says_so(world, draft):
    client = holder_of(world)
    key = form_key(client, step(draft, "organisme"))
    # Meanwhile, in another tab, the dossier changed.
    actions.update_dossier(
        draft.pk, by=world.holder, version=draft.version, values={"organisme_name": "Autre"}
    )
    response = client.post(
        step(draft, "organisme"),
        {"organisme_name": "Mon organisme", "version": draft.version, "idempotency_key": key},
    )
    assert response.status_code == 409
    assert "Ce dossier a changé depuis que vous avez ouvert cette page" in text(response)
    assert fresh(draft).organisme_name == "Autre"
    assert 'value="Mon organisme"' in response.content.decode()  # kept, to send again


def test_another_holders_dossier_is_a_404_on_every_page(world, draft):
    other = browser(second_holder(world))
    for url in (step(draft, "organisme"), page(draft, "plan"), page(draft, "employeur"),
                page(draft, "transmettre")):  # fmt: skip
        assert other.get(url).status_code == 404
    assert other.post(step(draft, "organisme"), {"organisme_name": "x"}).status_code == 404
    assert fresh(draft).organisme_name == ""


def test_an_unknown_step_is_a_404(world, draft):
    assert holder_of(world).get(step(draft, "inconnue")).status_code == 404


def test_the_financeurs_are_those_of_the_holders_situation(world, draft):
    client = holder_of(world)
    page_text = text(client.get(step(draft, "financement")))
    assert "OPCA Démo" in page_text and "OPCA Autre" in page_text
    response = submit(
        client,
        step(draft, "financement"),
        {"financeur": world.opca.pk, "confidential": "on", "version": draft.version},
    )
    assert response["Location"] == page(draft, "transmettre")
    saved = fresh(draft)
    assert saved.financeur == world.opca and saved.confidential


@pytest.mark.parametrize(
    ("duree", "shown"),
    [
        # The example: 120 DIF + 48 CPF, 200 h → 120 + 30 = 150, 50 h to finance,
        # 18 CPF hours stay on the account.
        ("200", ["120 h", "30 h", "150 h de vos compteurs", "50 h restent à financer", "18 h"]),
        ("100", ["100 h de vos compteurs", "Vos heures couvrent toute la formation."]),
        ("0", ["La durée doit être comprise entre 1 et 5000 heures."]),
        ("abc", ["Saisissez un nombre entier d'heures"]),
        ("", ["Indiquez la durée de la formation pour voir le plan."]),
    ],
)
def test_the_live_plan_fragment(world, draft, duree, shown):
    response = holder_of(world).get(page(draft, "plan"), {"duree": duree})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # a fragment
    for part in shown:
        assert part in text(response), part


def test_the_plan_reads_the_field_htmx_sends(world, draft):
    response = holder_of(world).get(page(draft, "plan"), {"duration_hours": "200"})
    assert "50 h restent à financer" in text(response)


def test_a_sent_dossier_cannot_be_edited_any_more(world):
    dossier = ready_dossier(world)
    dossier = actions.send_dossier(dossier.pk, by=world.holder, version=dossier.version)
    client = holder_of(world)
    response = client.get(step(dossier, "organisme"))
    assert response.status_code == 302
    response = client.post(step(dossier, "organisme"), {"organisme_name": "x"})
    assert response.status_code == 302
    assert fresh(dossier).organisme_name == "Organisme Démo"


def test_a_step_posted_twice_is_saved_once(world, draft):
    client = holder_of(world)
    key = form_key(client, step(draft, "organisme"))
    data = {"organisme_name": "Organisme Démo", "version": draft.version, "idempotency_key": key}
    first = client.post(step(draft, "organisme"), data)
    second = client.post(step(draft, "organisme"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == step(draft, "dates")
    assert fresh(draft).version == draft.version + 1  # one change, not a stale second one
    assert JournalEntry.objects.filter(action=Action.DOSSIER_UPDATED).count() == 1


def test_a_step_sur_temps_de_travail_leads_to_the_employers_page(world):
    dossier = ready_dossier(world, working_time="sur")
    response = submit(
        holder_of(world),
        step(dossier, "financement"),
        {"financeur": world.opca.pk, "version": dossier.version},
    )
    assert response["Location"] == page(dossier, "employeur")
