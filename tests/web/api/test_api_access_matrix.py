"""AC matrix of the dossier API: every endpoint × every bad credential is refused with the
right status; a financeur never reaches another organisation's dossier; no NIR anywhere."""

import datetime
import hashlib

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from mcf.domain.identity.nir import Nir
from mcf.domain.integrations.actions import revoke_api_client
from tests.domain.dossiers.builders import sent_dossier
from tests.web.api.dossier_helpers import Api, api_client_of, token_for
from tests.web.professionnel.dossier_helpers import financeur_world

pytestmark = pytest.mark.django_db

READS = ["", "/historique"]
ACTS = {
    "valider": {"heures_dif": 1, "heures_cpf": 1},
    "demander-complement": {"message": "Ajoutez le devis signé."},
    "refuser": {"motif": "Hors du champ de la branche."},
    "clore": {"heures_realisees": 1},
    "annuler": {"motif": "Session annulée par l'organisme."},
}


@pytest.fixture
def world(db):
    return financeur_world()


@pytest.fixture
def dossier(world):
    return sent_dossier(world)


def calls(dossier):
    base = f"/api/v1/dossiers/{dossier.public_id}"
    yield "GET", "/api/v1/dossiers", None
    for suffix in READS:
        yield "GET", base + suffix, None
    for path, body in ACTS.items():
        yield "POST", f"{base}/{path}", {"version": dossier.version, **body}


def send(api: Api, method, path, body):
    return api.get(path) if method == "GET" else api.post(path, body)


def token(world, organisation=None, admin=None, scopes=("dossiers:lire", "dossiers:instruire")):
    client, secret = api_client_of(
        organisation or world.opca, admin or world.financeur, scopes=scopes
    )
    return client, token_for(client.client_id, secret)["access_token"]


def test_no_token_and_a_forged_one_are_401(world, dossier):
    for api in (Api(""), Api("forged-token")):
        api.headers = {} if not api.headers["Authorization"].split()[1:] else api.headers
        for method, path, body in calls(dossier):
            response = send(api, method, path, body)
            assert response.status_code == 401, (method, path)
            assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401(world, dossier):
    _, value = token(world)
    checksum = hashlib.sha256(value.encode()).hexdigest()
    expired = timezone.now() - datetime.timedelta(seconds=1)
    assert AccessToken.objects.filter(token_checksum=checksum).update(expires=expired) == 1
    for method, path, body in calls(dossier):
        assert send(Api(value), method, path, body).status_code == 401, (method, path)


def test_a_revoked_client_is_401_at_once(world, dossier):
    client, value = token(world)
    revoke_api_client(client, by=world.financeur)
    for method, path, body in calls(dossier):
        assert send(Api(value), method, path, body).status_code == 401, (method, path)


def test_read_scope_cannot_act_403(world, dossier):
    _, value = token(world, scopes=("dossiers:lire",))
    for method, path, body in calls(dossier):
        status = send(Api(value), method, path, body).status_code
        assert status == (200 if method == "GET" else 403), (method, path)


def test_a_client_cannot_get_a_scope_it_was_not_given(world):
    client, secret = api_client_of(world, world.financeur, scopes=("dossiers:lire",))
    assert token_for(client.client_id, secret, scope="dossiers:instruire")["status"] == 400


def test_another_organisation_s_client_never_sees_the_dossier(world, dossier):
    other_org = world.other_financeur.professional_profile.organisation
    _, value = token(world, other_org, world.other_financeur)
    api = Api(value)
    assert api.get("/api/v1/dossiers").json()["dossiers"] == []
    for method, path, body in list(calls(dossier))[1:]:
        response = send(api, method, path, body)
        assert response.status_code == 404, (method, path)  # never 403: existence hidden


def test_tokens_are_stored_as_their_checksum_only(world):
    _, value = token(world)
    stored = AccessToken.objects.get()
    assert (
        stored.token == "" and stored.token_checksum == hashlib.sha256(value.encode()).hexdigest()
    )


def test_a_token_in_the_query_string_is_refused(world, dossier):
    _, value = token(world)
    response = Api("").client.get(f"/api/v1/dossiers?access_token={value}")
    assert response.status_code == 401


def test_no_nir_in_any_answer(world, dossier):
    _, value = token(world)
    api = Api(value)
    nir = Nir.parse(world.holder.nir)
    spellings = {nir.compact if hasattr(nir, "compact") else world.holder.nir, world.holder.nir}
    for method, path, body in calls(dossier):
        text = send(api, method, path, body).content.decode()
        for spelling in spellings:
            assert spelling not in text, (method, path)
