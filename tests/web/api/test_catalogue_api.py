"""The public catalogue of the API: same criteria, facets, pages and messages as the
search page; errors as problem details; a rate limit per IP with Retry-After."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def get(path: str, **params):
    return Client().get(path, params)


def test_search_answers_the_search_page_s_results(catalogue):
    response = get("/api/v1/formations", q="anglais")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    [offer] = body["formations"]
    assert offer["id"] == catalogue.anglais.pk
    assert offer["code_cpf"] == 236593
    assert offer["listes"] == ["LNI"]
    assert offer["prix_ttc"] == "1200.00"
    assert {facet["nom"] for facet in body["facettes"]} >= {"type", "modalite"}


def test_search_with_a_situation_keeps_only_the_lists_open_to_it(catalogue):
    everything = get("/api/v1/formations").json()["total"]
    bretagne = get("/api/v1/formations", statut="demandeur_emploi", region_situation="53")
    assert bretagne.status_code == 200
    ids = {offer["id"] for offer in bretagne.json()["formations"]}
    assert catalogue.soudure.pk in ids and catalogue.compta.pk not in ids
    assert everything == 4


def test_a_refused_criterion_is_a_problem_with_the_page_s_french_message(catalogue):
    response = get("/api/v1/formations", duree_min="200", duree_max="35")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == "invalide"
    assert "inversez-les" in body["errors"]["duree_max"]


@pytest.mark.parametrize("page", ["0", "abc", "１２"])
def test_a_bad_page_number_is_a_problem(catalogue, page):
    response = get("/api/v1/formations", page=page)
    assert response.status_code == 422
    assert "page" in response.json()["errors"]


def test_a_page_beyond_the_last_gives_the_last(catalogue):
    body = get("/api/v1/formations", page="9").json()
    assert body["page"] == body["pages"] == 1


def test_an_offer_with_its_lists_and_sessions(catalogue):
    body = get(f"/api/v1/formations/{catalogue.anglais.pk}").json()
    assert body["intitule"] == "Anglais professionnel"
    assert [item["code_cpf"] for item in body["listes_eligibilite"]] == [236593]
    assert len(body["sessions"]) == 1  # the past one is not shown


@pytest.mark.parametrize("path", ["/api/v1/formations/999999", "/api/v1/certifications/1"])
def test_unknown_ids_are_404_problems(catalogue, path):
    response = get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "introuvable"


def test_a_certification_by_its_code_cpf(catalogue):
    body = get("/api/v1/certifications/245001").json()
    assert body["certification"]["intitule"] == "Soudeur assembleur industriel"
    assert [item["liste"] for item in body["listes_eligibilite"]] == ["COPAREF Bretagne"]


@pytest.mark.parametrize(
    "path", ["/api/v1/formations/abc", "/api/v1/formations/99999999999999999999999"]
)
def test_a_malformed_id_is_a_problem_not_a_500(catalogue, path):
    response = get(path)
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == PROBLEM


def test_any_other_api_path_is_a_404_problem(db):
    response = get("/api/v2/formations")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_the_public_catalogue_is_rate_limited_per_ip_with_retry_after(catalogue, settings):
    settings.RATELIMIT_ENABLE = True
    client = Client()
    statuses = [client.get("/api/v1/certifications/245001").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429
    refused = client.get("/api/v1/certifications/245001")
    assert refused.json()["code"] == "trop_de_requetes"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_schema_is_openapi_3_1_in_french_and_the_docs_need_no_cdn(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert schema["paths"]["/api/v1/formations"]["get"]["summary"].startswith("Rechercher")
    docs = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/swagger-ui-bundle" in docs


def test_a_too_long_search_gets_the_page_s_message(catalogue):
    body = get("/api/v1/formations", q="anglais " * 40).json()
    assert body["errors"]["q"].startswith("Votre recherche est trop longue : 200 caractères")


def test_markup_typed_in_a_criterion_comes_back_escaped(catalogue):
    response = get("/api/v1/formations", lieu="<script>alert(1)</script>")
    assert response.status_code == 422
    assert b"<script>" not in response.content
    assert "<script>" in response.json()["errors"]["lieu"]  # the same text once decoded


def test_a_method_the_path_does_not_take_is_a_405_problem(db):
    response = Client().delete("/api/v1/formations")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "methode_non_permise"
    assert response["Allow"] == "GET"
