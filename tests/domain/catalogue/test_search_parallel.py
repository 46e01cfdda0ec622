"""On PostgreSQL, a search made outside a transaction counts its facets on the helper
thread's connection while the request's connection ranks the page (search/parallel.py):
the answer is the one the two statements give one after the other."""

import threading

import pytest
from django.db import connection, transaction

from mcf.domain.catalogue.search import SearchCriteria, Sort, parallel, search
from mcf.domain.catalogue.search.indexing import rebuild_search_index
from tests.domain.catalogue import builders

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the helper's connection must see the rows
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two PostgreSQL connections"),
]


@pytest.fixture
def catalogue():
    for index in range(30):
        builders.listed_offer(
            f"Anglais niveau {index}",
            modality=("distance", "presentiel", "mixte")[index % 3],
            certification_title="Anglais professionnel" if index % 2 else "Langues étrangères",
            price=1000 + 10 * index,
        )
    builders.listed_offer("Soudure TIG", content="Anglais technique de l'atelier.")
    rebuild_search_index()
    yield
    builders.delete_catalogue()


@pytest.fixture
def helper_calls(monkeypatch):
    names = []
    fetch = parallel._fetch

    def spy(sql, params):
        names.append(threading.current_thread().name)
        return fetch(sql, params)

    monkeypatch.setattr(parallel, "_fetch", spy)
    return names


def answer(results):
    return results.total, results.facets, [(hit.offer.pk, hit.lists) for hit in results.hits]


@pytest.mark.parametrize(
    "criteria",
    [
        SearchCriteria(text="anglais"),
        SearchCriteria(text="anglais", modalities=("distance",), page=2, page_size=5),
        SearchCriteria(text="anglais", sort=Sort.PRICE),
        SearchCriteria(text="angalis", certification_kinds=("RS",)),
    ],
)
def test_the_facets_are_counted_beside_the_page_with_the_same_answer(
    catalogue, helper_calls, criteria
):
    beside = search(criteria)
    assert len(helper_calls) == 1 and helper_calls[0].startswith("mcf-search")
    with transaction.atomic():  # inside a transaction: one connection, one after the other
        alone = search(criteria)
    assert len(helper_calls) == 1
    assert answer(beside) == answer(alone)
    assert beside.total > 0


def test_an_error_of_the_page_still_waits_for_the_facets(catalogue, helper_calls, monkeypatch):
    finished = []
    fetch = parallel._fetch

    def slow_facets(sql, params):
        rows = fetch(sql, params)
        finished.append(True)
        return rows

    monkeypatch.setattr(parallel, "_fetch", slow_facets)

    def failing_page():
        raise RuntimeError("page")

    with pytest.raises(RuntimeError):
        parallel.fetch_beside("SELECT 1", [], failing_page)
    assert finished == [True]


def test_the_helper_connection_can_be_closed_and_comes_back(catalogue):
    first = search(SearchCriteria(text="anglais"))
    parallel.close_helper_connection()
    assert answer(search(SearchCriteria(text="anglais"))) == answer(first)
