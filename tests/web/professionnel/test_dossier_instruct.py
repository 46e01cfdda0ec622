"""The instruct page and its acts (domain.md §5, AC-01, AC-03, REL-04): each act goes
through its action function, once per key, on the version the page showed; a refusal
shows the French message next to its field and a summary, and writes nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import Abondement, Dossier, DossierTransition, State
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.journal.models import JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.dossiers.builders import ready_dossier, sent_dossier, validated_dossier
from tests.factories import NIR_A
from tests.web.keys import client_key, form_key
from tests.web.professionnel.dossier_helpers import (
    act_url,
    client_of,
    page_of,
    post_act,
    sent_sur_temps,
    text,
)

pytestmark = pytest.mark.django_db

PLAN = {"valider-dif": "120", "valider-cpf": "30", "valider-dif_attestation_checked": "on"}
EMPTY_LINES = {
    "abondements-TOTAL_FORMS": "3",
    "abondements-INITIAL_FORMS": "0",
    "abondements-MIN_NUM_FORMS": "0",
    "abondements-MAX_NUM_FORMS": "20",
}


def _state(dossier) -> tuple:
    """What an act may change: the dossier, its log, the ledger, the mails, the journal."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    counter = Counter.objects.get(holder_id=dossier.holder_id)
    return (
        dossier.state,
        dossier.version,
        dossier.plan_dif,
        dossier.plan_cpf,
        DossierTransition.objects.filter(dossier=dossier).count(),
        Abondement.objects.filter(dossier=dossier).count(),
        (counter.dif_balance, counter.dif_reserved, counter.cpf_balance, counter.cpf_reserved),
        Entry.objects.count(),
        OutboxEmail.objects.count(),
        JournalEntry.objects.count(),
    )


def test_the_page_shows_the_masked_holder_hours_now_training_and_proposed_plan(world, financeur):
    dossier = sent_dossier(world)
    response = financeur.get(page_of(dossier))
    html = text(response)
    assert response.status_code == 200
    assert f"<h1>Dossier n°&nbsp;{dossier.number_display}</h1>" in html
    assert "Touria ORANGE" in html
    assert "1 85 •• •• ••• ••• 91" in html
    assert NIR_A not in re.sub(r"\s", "", html)
    assert "Salarié" in html
    assert re.search(r"Heures DIF disponibles aujourd'hui</dt><dd>120\xa0h", html)
    assert re.search(r"Heures CPF disponibles aujourd'hui</dt><dd>48\xa0h", html)
    assert "Anglais" in html or dossier.training_title in html
    assert "Organisme Démo" in html
    # The example of the issue: 200 h → 120 DIF + 30 CPF, 50 h to finance otherwise.
    assert re.search(r"Reste à financer</dt><dd>50\xa0h", html)
    assert 'name="valider-dif" value="120"' in html
    assert 'name="valider-cpf" value="30"' in html
    for button in ("Valider le dossier", "Demander un complément", "Refuser le dossier"):
        assert f">{button}</button>" in html
    assert ">Clore le dossier</button>" not in html


def test_validating_reserves_the_hours_locks_the_dif_journals_and_mails(world, financeur):
    dossier = sent_dossier(world)
    lines = {
        **EMPTY_LINES,
        "abondements-0-payer": "employeur",
        "abondements-0-hours": "50",
        "abondements-0-amount": "1 200,50 €",
        "abondements-1-payer": "titulaire",
        "abondements-1-amount": "100",
    }
    response = post_act(financeur, dossier, "valider", {**PLAN, **lines})
    assert response.status_code == 302
    assert response["Location"] == page_of(dossier)
    dossier.refresh_from_db()
    assert dossier.state == State.VALIDE
    assert (dossier.plan_dif, dossier.plan_cpf, dossier.dif_attestation_checked) == (120, 30, True)
    assert sorted(dossier.abondements.values_list("payer", "hours", "amount")) == [
        ("employeur", 50, pytest.approx(1200.50)),
        ("titulaire", 0, 100),
    ]
    counter = Counter.objects.get(holder=world.holder)
    assert (counter.dif_reserved, counter.cpf_reserved) == (120, 30)
    assert counter.dif_locked_at is not None
    entry = JournalEntry.objects.filter(holder=world.holder).order_by("-pk").first()
    assert entry.actor_user == world.financeur
    assert entry.actor_organisation == world.opca
    assert OutboxEmail.objects.filter(to=world.holder.email, subject__contains="validé").exists()
    html = text(financeur.get(page_of(dossier)))
    assert "est validé" in html  # the success message
    assert "Employeur" in html and "1\u202f200,50\xa0€" in html
    assert ">Clore le dossier</button>" in html and ">Annuler le dossier</button>" in html
    assert ">Valider le dossier</button>" not in html


def test_a_double_submit_validates_once(world, financeur):
    dossier = sent_dossier(world)
    key = form_key(financeur, page_of(dossier), act_url(dossier, "valider"))
    data = {"idempotency_key": key, "version": dossier.version, **PLAN, **EMPTY_LINES}
    first = financeur.post(act_url(dossier, "valider"), data)
    again = financeur.post(act_url(dossier, "valider"), data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert DossierTransition.objects.filter(dossier=dossier, name="valider").count() == 1
    assert Entry.objects.filter(source=dossier.ledger_source).count() == 2  # DIF + CPF
    # The same key with other values: 422, nothing more.
    other = financeur.post(act_url(dossier, "valider"), {**data, "valider-cpf": "20"})
    assert other.status_code == 422
    assert Entry.objects.filter(source=dossier.ledger_source).count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message", "status"),
    [
        ({"valider-dif": "121"}, "valider-dif", "ne dispose que de 120 h de DIF", 422),
        ({"valider-cpf": "49"}, "valider-cpf", "ne dispose que de 48 h de CPF", 422),
        ({"valider-dif": "100", "valider-cpf": "30"}, "valider-dif", "mobilisées en premier", 422),
        ({"valider-dif": "151"}, "valider-dif", "Saisissez 150 heures au plus.", 422),
        ({"valider-dif": "²"}, "valider-dif", "Saisissez un nombre entier d&#x27;heures", 422),
        ({"valider-cpf": "３０"}, "valider-cpf", "Saisissez un nombre entier d&#x27;heures", 422),
        ({"valider-cpf": "-1"}, "valider-cpf", "ne peut pas être négatif", 422),
        ({"valider-cpf": ""}, "valider-cpf", "Indiquez un nombre d&#x27;heures", 422),
        (
            {"valider-dif_attestation_checked": ""},
            "valider-dif_attestation_checked",
            "cochez « Attestation DIF vérifiée »",
            422,
        ),
        (
            {"abondements-0-hours": "10"},
            "abondements-0-payer",
            "Choisissez qui finance cet abondement.",
            422,
        ),
        (
            {"abondements-0-payer": "opca", "abondements-0-amount": "-5"},
            "abondements-0-amount",
            "Le montant ne peut pas être négatif.",
            422,
        ),
        (
            {"abondements-0-payer": "pirate", "abondements-0-hours": "5"},
            "abondements-0-payer",
            "Choisissez un financeur de la liste.",
            422,
        ),
    ],
)
def test_a_refused_plan_is_shown_next_to_its_field_and_writes_nothing(
    world, financeur, data, field, message, status
):
    dossier = sent_dossier(world)
    before = _state(dossier)
    posted = {**PLAN, **EMPTY_LINES, **data}
    posted = {k: v for k, v in posted.items() if v != "" or k == "valider-cpf"}
    response = post_act(financeur, dossier, "valider", posted)
    html = text(response)
    assert response.status_code == status
    assert _state(dossier) == before
    assert "Rien n'a été modifié" in html
    assert f'href="#id_{field}"' in html  # the summary links to the field…
    assert html.count(message) >= 2  # …and the message is beside it too
    # What was typed is kept.
    for name, value in data.items():
        if value and name != "valider-dif_attestation_checked" and "payer" not in name:
            assert f'name="{name}" value="{value}"' in html


def test_a_stale_form_is_refused_with_409_and_changes_nothing(world, financeur):
    dossier = sent_dossier(world)
    old_page_key = form_key(financeur, page_of(dossier), act_url(dossier, "valider"))
    # Meanwhile, a colleague asks the holder for a complement.
    actions.request_complement(
        dossier.pk, by=world.financeur, version=dossier.version, message="Devis signé"
    )
    before = _state(dossier)
    response = financeur.post(
        act_url(dossier, "valider"),
        {"idempotency_key": old_page_key, "version": dossier.version, **PLAN, **EMPTY_LINES},
    )
    html = text(response)
    assert response.status_code == 409
    assert "Ce dossier a changé depuis que vous avez ouvert cette page" in html
    assert _state(dossier) == before
    # A version that is not a number the page wrote is a stale form too.
    fresh = Dossier.objects.get(pk=dossier.pk)
    response = post_act(
        financeur, fresh, "refuser", {"refus-motif": "Dossier incomplet"}, version="１"
    )
    assert response.status_code == 409
    assert _state(dossier) == before


def test_validation_needs_the_employer_s_accord_sur_temps_de_travail(world, financeur):
    dossier = sent_sur_temps(world)
    html = text(financeur.get(page_of(dossier)))
    assert "Accord de l'employeur" in html and "En attente" in html
    before = _state(dossier)
    response = post_act(financeur, dossier, "valider", {**PLAN, **EMPTY_LINES})
    assert response.status_code == 409
    assert "l&#x27;accord de l&#x27;employeur (exprès ou tacite) est nécessaire" in text(response)
    assert _state(dossier) == before
    # With the employer's accord, the same plan is validated.
    agreed = sent_sur_temps(world, answer="accord")
    html = text(financeur.get(page_of(agreed)))
    assert "Accord</span>" in html
    assert post_act(financeur, agreed, "valider", {**PLAN, **EMPTY_LINES}).status_code == 302


def test_asking_for_a_complement_sends_the_dossier_back_with_the_message(world, financeur):
    dossier = sent_dossier(world)
    before = _state(dossier)
    response = post_act(financeur, dossier, "complement", {"complement-message": "  "})
    assert response.status_code == 422
    assert "Indiquez ce que le titulaire doit compléter." in text(response)
    assert _state(dossier) == before
    response = post_act(
        financeur, dossier, "complement", {"complement-message": "Joignez le devis signé."}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.COMPLEMENT
    assert dossier.complement_message == "Joignez le devis signé."
    mail = OutboxEmail.objects.get(to=world.holder.email, subject__contains="complément")
    assert "Joignez le devis signé." in mail.body
    html = text(financeur.get(page_of(dossier)))
    assert "Complément demandé au titulaire" in html
    assert ">Refuser le dossier</button>" in html  # still refusable while he completes


def test_refusing_needs_a_motif_and_cancels(world, financeur):
    dossier = sent_dossier(world)
    before = _state(dossier)
    assert post_act(financeur, dossier, "refuser", {"refus-motif": ""}).status_code == 422
    assert post_act(financeur, dossier, "refuser", {"refus-motif": "x" * 2001}).status_code == 422
    short = post_act(financeur, dossier, "refuser", {"refus-motif": "x1"})
    assert short.status_code == 422
    assert "Expliquez-le en quelques mots (10 caractères au moins)." in text(short)
    assert _state(dossier) == before
    response = post_act(financeur, dossier, "refuser", {"refus-motif": "Formation hors branche"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.state, dossier.cancel_reason) == (State.ANNULE, "Formation hors branche")
    html = text(financeur.get(page_of(dossier)))
    assert "Formation hors branche" in html and "<button" not in html.split("Historique")[0][-200:]
    assert ">Valider le dossier</button>" not in html


def test_closing_debits_dif_first_and_releases_the_rest(world, financeur):
    dossier = validated_dossier(world)
    before = _state(dossier)
    response = post_act(financeur, dossier, "clore", {"cloture-hours_done": "151"})
    assert response.status_code == 422
    assert "Saisissez 150 heures au plus." in text(response)
    dossier.refresh_from_db()
    response = post_act(financeur, dossier, "clore", {"cloture-hours_done": "0"})
    assert response.status_code == 302
    assert _state(dossier) != before
    dossier.refresh_from_db()
    assert (dossier.state, dossier.hours_done, dossier.used_dif, dossier.used_cpf) == (
        State.CLOS,
        0,
        0,
        0,
    )
    counter = Counter.objects.get(holder=world.holder)
    assert (counter.dif_balance, counter.dif_reserved, counter.cpf_reserved) == (120, 0, 0)


def test_closing_with_hours_done(world, financeur):
    dossier = validated_dossier(world)
    response = post_act(financeur, dossier, "clore", {"cloture-hours_done": "130"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.used_dif, dossier.used_cpf) == (120, 10)
    counter = Counter.objects.get(holder=world.holder)
    assert (counter.dif_balance, counter.cpf_balance, counter.cpf_reserved) == (0, 38, 0)
    html = text(financeur.get(page_of(dossier)))
    assert re.search(r"Heures réalisées</dt><dd>130\xa0h", html)
    assert "<form" not in html.split("<h1>")[1].split("Historique")[0]


def test_closing_more_than_reserved_is_refused_by_the_domain(world, financeur):
    dossier = validated_dossier(world, duration=100)  # 100 DIF reserved
    before = _state(dossier)
    response = post_act(financeur, dossier, "clore", {"cloture-hours_done": "101"})
    html = text(response)
    assert response.status_code == 422
    assert "comprises entre 0 et 100 h" in html
    assert 'href="#id_cloture-hours_done"' in html
    assert _state(dossier) == before


def test_cancelling_a_validated_dossier_releases_everything(world, financeur):
    dossier = validated_dossier(world)
    before = _state(dossier)
    assert post_act(financeur, dossier, "annuler", {"annulation-motif": ""}).status_code == 422
    assert _state(dossier) == before
    response = post_act(financeur, dossier, "annuler", {"annulation-motif": "Formation annulée"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.ANNULE
    counter = Counter.objects.get(holder=world.holder)
    assert (counter.dif_reserved, counter.cpf_reserved) == (0, 0)


def test_an_act_the_state_does_not_allow_is_409(world, financeur):
    dossier = sent_dossier(world)
    before = _state(dossier)
    # The « Clore » form is not on the page of a sent dossier: a valid key of its route.
    response = financeur.post(
        act_url(dossier, "clore"),
        {
            "idempotency_key": client_key(financeur, "professionnel:dossier_close"),
            "version": dossier.version,
            "cloture-hours_done": "10",
        },
    )
    assert response.status_code == 409
    assert "n&#x27;est plus possible" in text(response)
    assert _state(dossier) == before


def test_get_on_an_act_goes_back_to_the_page(world, financeur):
    dossier = sent_dossier(world)
    response = financeur.get(act_url(dossier, "valider"))
    assert (response.status_code, response["Location"]) == (302, page_of(dossier))


def test_another_organisation_s_dossier_a_draft_or_an_unknown_one_is_404(world, financeur):
    dossier = sent_dossier(world)
    draft = ready_dossier(world)
    other = client_of(world.other_financeur)
    before = _state(dossier)
    assert other.get(page_of(dossier)).status_code == 404
    for act in ("valider", "complement", "refuser", "clore", "annuler"):
        response = other.post(
            act_url(dossier, act),
            {"version": dossier.version, "refus-motif": "x", **PLAN, **EMPTY_LINES},
        )
        assert response.status_code == 404
    assert _state(dossier) == before
    assert financeur.get(page_of(draft)).status_code == 404
    assert financeur.get(f"/professionnel/dossiers/{uuid.uuid4()}/").status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_flat_as_the_holder_s_dossiers_grow(world, financeur):
    dossier = validated_dossier(world, duration=10)
    financeur.get(page_of(dossier))
    one = _queries(financeur, page_of(dossier))
    for _ in range(49):
        sent_dossier(world)
    assert _queries(financeur, page_of(dossier)) == one
    # Session, user, OTP device, profile and organisation, the dossier with its holder, the
    # counter, abondements, transitions, then the session save (3).
    assert one == 11
