"""« Rechercher sur le site » and the cookie notice."""

import pytest

from mcf.web.public.cookies import NOTICE_COOKIE
from mcf.web.public.search import normalise, search

pytestmark = pytest.mark.django_db


def test_search_finds_pages_accent_and_case_insensitive():
    with_accents = [r.page.slug for r in search("Éligibles")]
    without = [r.page.slug for r in search("eligibles")]
    assert with_accents == without
    assert "formations-eligibles" in without


def test_a_title_match_ranks_before_a_mere_mention():
    results = search("DIF")
    assert len(results) >= 3
    assert "DIF" in results[0].page.title


def test_prefixes_match_and_every_term_is_required():
    assert search("attest")  # « attestation »
    assert search("heures zzzzqqq") == []


def test_search_page_shows_count_and_escapes_the_query(client):
    html = client.get("/recherche/", {"q": "<script>x</script> DIF"}).content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("query", ["", " ", "x" * 10_000, "' OR 1=1 --", "\x00", "é\u202eabc"])
def test_search_never_fails_on_strange_input(client, query):
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200


def test_normalise_removes_accents():
    assert normalise("Épargne À Noël") == "epargne a noel"


def test_ok_on_cookie_notice_remembers_for_six_months_and_returns_to_the_page(client):
    assert 'action="/cookies/bandeau/"' in client.get("/").content.decode()
    response = client.post("/cookies/bandeau/", {"next": "/cookies/"})
    assert response.status_code == 302
    assert response["Location"] == "/cookies/"
    cookie = response.cookies[NOTICE_COOKIE]
    assert int(cookie["max-age"]) == 182 * 24 * 3600
    assert cookie["httponly"]
    assert 'action="/cookies/bandeau/"' not in client.get("/").content.decode()


def test_cookie_notice_does_not_redirect_elsewhere(client):
    response = client.post("/cookies/bandeau/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_cookies_page_lists_every_cookie_with_purpose_and_lifetime(client):
    from mcf.web.public.cookies import strictly_necessary_cookies

    html = client.get("/cookies/").content.decode()
    for cookie in strictly_necessary_cookies():
        assert cookie.name in html
        assert cookie.lifetime in html
