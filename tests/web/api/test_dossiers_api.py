"""The financeurs' dossiers through the API: client credentials, the same dossiers and acts
as the screens, the same guards and messages, idempotency keys."""

import pytest
from django.test import Client

from mcf.domain.dossiers.models import Dossier, DossierTransition, State
from mcf.domain.hours.models import Counter
from mcf.domain.journal.models import JournalEntry
from tests.domain.dossiers.builders import sent_dossier, validated_dossier
from tests.web.api.dossier_helpers import Api, api_client_of, token_for
from tests.web.professionnel.dossier_helpers import financeur_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return financeur_world()


@pytest.fixture
def api(world) -> Api:
    client, secret = api_client_of(world, world.financeur)
    token = token_for(client.client_id, secret)
    assert token["status"] == 200, token
    assert token["expires_in"] <= 600
    assert set(token["scope"].split()) == {"dossiers:lire", "dossiers:instruire"}
    return Api(token["access_token"])


def test_the_list_holds_the_organisation_s_sent_dossiers_only(world, api):
    sent = sent_dossier(world)
    response = api.get("/api/v1/dossiers")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["dossiers"]] == [str(sent.public_id)]
    assert body["dossiers"][0]["titulaire"].endswith(".")
    assert body["suivant"] is None


def test_the_list_pages_with_a_cursor(world, api):
    ids = [str(sent_dossier(world).public_id) for _ in range(3)]
    first = api.get("/api/v1/dossiers", {"limite": 2}).json()
    second = api.get("/api/v1/dossiers", {"limite": 2, "curseur": first["suivant"]}).json()
    assert [d["id"] for d in first["dossiers"] + second["dossiers"]] == ids
    assert second["suivant"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [({"etat": "perdu"}, "etat"), ({"limite": 0}, "limite"), ({"curseur": "abc"}, "curseur"),
     ({"modifie_depuis": "hier"}, "modifie_depuis")],
)  # fmt: skip
def test_bad_list_filters_are_problems_by_field(world, api, params, field):
    response = api.get("/api/v1/dossiers", params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_one_dossier_and_its_history(world, api):
    sent = sent_dossier(world)
    body = api.get(f"/api/v1/dossiers/{sent.public_id}").json()
    assert body["etat"] == "transmis"
    assert set(body["actions_possibles"]) == {"valider", "demander_complement", "refuser"}
    # The seed's example: 120 DIF + 48 CPF available, 200 h → 120 DIF + 30 CPF.
    assert body["plan_propose"] == {"dif": 120, "cpf": 30}
    assert body["attestation_dif_requise"] is True
    history = api.get(f"/api/v1/dossiers/{sent.public_id}/historique").json()
    assert [(h["nom"], h["par"]) for h in history] == [("transmettre", "Le titulaire")]


def test_validate_then_close_through_the_api_moves_the_ledger(world, api):
    sent = sent_dossier(world)
    validated = api.post(
        f"/api/v1/dossiers/{sent.public_id}/valider",
        {"version": sent.version, "heures_dif": 120, "heures_cpf": 30,
         "attestation_dif_verifiee": True},
    )  # fmt: skip
    assert validated.status_code == 200, validated.content
    body = validated.json()
    assert body["etat"] == "valide" and body["plan"] == {"dif": 120, "cpf": 30}
    counter = Counter.objects.get(holder=world.holder)
    assert (counter.dif_reserved, counter.cpf_reserved) == (120, 30)
    closed = api.post(
        f"/api/v1/dossiers/{sent.public_id}/clore",
        {"version": body["version"], "heures_realisees": 140},
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["heures_debitees"] == {"dif": 120, "cpf": 20}
    transition = DossierTransition.objects.filter(dossier=sent, name="clore").get()
    assert transition.actor is None and transition.api_client.name == "SI gestion"
    entry = JournalEntry.objects.filter(holder=world.holder).order_by("-pk").first()
    assert entry.actor == "OPCA Démo (par son système d'information)"


def test_a_stale_version_is_a_409_and_changes_nothing(world, api):
    sent = sent_dossier(world)
    response = api.post(
        f"/api/v1/dossiers/{sent.public_id}/refuser",
        {"version": sent.version - 1, "motif": "Formation hors du champ de la branche."},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "perime"
    assert Dossier.objects.get(pk=sent.pk).state == State.TRANSMIS


def test_an_act_the_state_refuses_is_a_409(world, api):
    sent = sent_dossier(world)
    response = api.post(
        f"/api/v1/dossiers/{sent.public_id}/clore", {"version": sent.version, "heures_realisees": 1}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "etat"


def test_the_screens_messages_come_back_by_api_field(world, api):
    sent = sent_dossier(world)
    short = api.post(
        f"/api/v1/dossiers/{sent.public_id}/refuser", {"version": sent.version, "motif": "non"}
    )
    assert short.status_code == 422
    assert short.json()["errors"]["motif"].startswith("Expliquez-le en quelques mots")
    plan = api.post(
        f"/api/v1/dossiers/{sent.public_id}/valider",
        {"version": sent.version, "heures_dif": 120, "heures_cpf": 48},
    )
    assert plan.status_code == 422
    assert plan.json()["errors"]  # 168 h > 150 h: the plan's rule, by field


def test_a_retried_post_has_one_effect_and_the_first_answer(world, api):
    sent = sent_dossier(world)
    body = {"version": sent.version, "message": "Ajoutez le devis signé par l'organisme."}
    path = f"/api/v1/dossiers/{sent.public_id}/demander-complement"
    first = api.post(path, body, **{"Idempotency-Key": "k-1"})
    again = api.post(path, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert DossierTransition.objects.filter(dossier=sent, name="demander_complement").count() == 1
    other = api.post(
        path, {**body, "message": "Autre chose à ajouter au dossier."}, **{"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422 and other.json()["code"] == "cle_reutilisee"


def test_a_session_opens_nothing_in_the_api(world):
    from tests.web.professionnel.dossier_helpers import client_of

    sent = sent_dossier(world)
    browser = client_of(world.financeur)
    assert browser.get(f"/api/v1/dossiers/{sent.public_id}").status_code == 401


def test_validated_dossier_builder_still_works_with_webhooks_absent(world):
    assert validated_dossier(world).state == State.VALIDE


def test_the_token_endpoint_refuses_a_wrong_secret_and_other_grants(world):
    client, secret = api_client_of(world, world.financeur)
    assert token_for(client.client_id, "faux")["status"] == 401
    response = Client().post(
        "/api/oauth/jeton/",
        {"grant_type": "password", "username": "x", "password": "y"},
        HTTP_AUTHORIZATION=__import__("tests.web.api.dossier_helpers", fromlist=["basic"]).basic(
            client.client_id, secret
        ),
    )
    assert response.status_code in (400, 401)
