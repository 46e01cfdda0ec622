"""The shortcuts of large searches (``common.Shortcuts``, docs/search.md « Shortcuts »)
give exactly the answer of the general way: counts of the complete certifications' offers
taken from the kept counts, and the page of the top tier found by a walk in id order."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.eligibility import Situation
from mcf.domain.catalogue.search import SearchCriteria, Sort, common, search
from mcf.domain.catalogue.search.indexing import rebuild_search_index
from tests.domain.catalogue import builders

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL engine's shortcuts"
    ),
]


@pytest.fixture
def catalogue():
    """Offers of a certification whose title holds « anglais » (all match « anglais »), of
    one that does not (some match through their title or contents), in two régions, three
    modalités and two lists."""
    coparef = builders.eligibility_list("COPAREF", "53")
    english = builders.certification(title="Anglais professionnel", kind="RS")
    builders.listing(english)
    languages = builders.certification(title="Langues vivantes", kind="RNCP", level="5")
    builders.listing(languages, coparef)
    builders.region("11", "Île-de-France")
    builders.departement("75", "Paris", region_code="11")
    other_place = builders.commune("75056", "Paris", "75001", 48.8566, 2.3522, dep="75")
    titles = ["Anglais des affaires", "Anglais", "Communication écrite", "Anglais intensif"]
    for index, title in enumerate(titles * 6):
        builders.offer(
            english if index % 3 else languages,
            title=title,
            content="Exercices d'anglais." if index % 4 == 0 else "Exercices.",
            modality=("distance", "presentiel", "mixte")[index % 3],
            place=other_place if index % 5 == 0 else None,
        )
    rebuild_search_index()


def answer(criteria):
    results = search(criteria)
    return results.total, results.facets, [hit.offer.pk for hit in results.hits]


CRITERIA = [
    SearchCriteria(text=text, page=page, page_size=size, **extra)
    for text, (page, size), extra in itertools.product(
        ["anglais", "anglais professionnel", "anglais affaires", "exercices anglais"],
        [(1, 20), (1, 3), (2, 3), (4, 3), (2, 7)],
        [
            {},
            {"region_code": "53"},
            {"modalities": ("distance",)},
            {"certification_kinds": ("RS",)},
            {"situation": Situation(EmploymentStatus.DEMANDEUR_EMPLOI, "53")},
            {"sort": Sort.PRICE},
            {"price_max": 5000},
        ],
    )
]


@pytest.mark.parametrize("window", [10_000, 4])
def test_the_shortcuts_give_the_answer_of_the_general_way(catalogue, monkeypatch, window):
    monkeypatch.setattr(common, "TOP_TIER_WINDOW", window)  # 4: the walk often falls short
    quick = [answer(criteria) for criteria in CRITERIA]
    monkeypatch.setattr(common, "shortcuts_for", lambda *args: common.Shortcuts())
    general = [answer(criteria) for criteria in CRITERIA]
    for criteria, got, expected in zip(CRITERIA, quick, general, strict=True):
        assert got == expected, criteria
    assert any(total for total, _, _ in general)


def test_the_walk_and_the_counts_are_used(catalogue, monkeypatch):
    used = []
    shortcuts_for = common.shortcuts_for

    def spy(*args):
        shortcuts = shortcuts_for(*args)
        used.append((shortcuts.counted is not None, shortcuts.top_tier is not None))
        return shortcuts

    monkeypatch.setattr(common, "shortcuts_for", spy)
    with CaptureQueriesContext(connection) as queries:
        search(SearchCriteria(text="anglais", page_size=3))
    assert used == [(True, True)]
    statements = [query["sql"] for query in queries.captured_queries]
    assert any("catalogue_offercount" in sql and "UNION ALL" in sql for sql in statements)
    assert any(sql.startswith("WITH top_tier") for sql in statements)
