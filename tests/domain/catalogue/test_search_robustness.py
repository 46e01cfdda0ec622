"""Whatever is typed, ``search()`` answers (never an error), and its number of queries does
not grow with the catalogue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.eligibility import Situation
from mcf.domain.catalogue.search import SearchCriteria, Sort, naive_search, search
from mcf.domain.catalogue.search.indexing import rebuild_search_index
from tests.domain.catalogue import builders

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    "   ",
    "a" * 10_000,
    "anglais " * 1_300,
    '"anglais',
    "anglais*",
    "(anglais",
    "anglais:",
    "anglais & excel",
    "anglais | excel",
    "!anglais",
    "'anglais'",
    "anglais NEAR excel",
    "anglais AND excel OR NOT soudure",
    "NEAR(anglais excel, 2)",
    "title: anglais",
    "{title}: anglais",
    "anglais:*A",
    "<->",
    "' OR 1=1; DROP TABLE catalogue_offer; --",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
    "\x00anglais",
    "ｅｘｃｅｌ",
    "ß œuvre æ",
    "😀 anglais",
    "12345678901234567890",
    "-1",
    "0",
]


@pytest.fixture
def catalogue():
    builders.listed_offer("Anglais professionnel", content="Excel et soudure")
    rebuild_search_index()


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("engine", [search, naive_search])
def test_any_text_gets_an_answer(catalogue, engine, text):
    results = engine(SearchCriteria(text=text))
    assert results.total >= 0


@pytest.mark.parametrize(
    "criteria",
    [
        SearchCriteria(page=0),
        SearchCriteria(page=-3),
        SearchCriteria(page=10**9),
        SearchCriteria(page_size=0),
        SearchCriteria(page_size=10**6),
        SearchCriteria(commune_code="35238", radius_km=-5),
        SearchCriteria(commune_code="35238", radius_km=10**9),
        SearchCriteria(commune_code="x' OR 1=1", radius_km=10),
        SearchCriteria(sort=Sort.DISTANCE),
        SearchCriteria(region_code="zz", levels=("9",), certification_kinds=("XX",)),
        SearchCriteria(situation=Situation(EmploymentStatus.SALARIE, "zz", 10**9)),
    ],
)
def test_odd_criteria_get_an_answer(catalogue, criteria):
    assert search(criteria).total >= 0


def test_the_text_is_cut_but_still_searched(catalogue):
    assert search(SearchCriteria(text="anglais " + "x" * 10_000)).total == 0
    assert search(SearchCriteria(text="anglais " * 1_300)).total == 1


CRITERIA = [
    SearchCriteria(),
    SearchCriteria(text="anglais"),
    SearchCriteria(text="angalis excel", region_code="53"),
    SearchCriteria(text="123456"),
    SearchCriteria(commune_code="35238", radius_km=50, sort=Sort.DISTANCE, text="anglais"),
    SearchCriteria(situation=Situation(EmploymentStatus.SALARIE, "53", 1), text="soudure"),
]


@pytest.mark.parametrize("criteria", CRITERIA)
def test_the_number_of_queries_does_not_grow_with_the_catalogue(
    criteria, django_assert_num_queries
):
    def grow(count):
        for index in range(count):
            builders.listed_offer(
                f"Anglais {index}",
                content="soudure excel",
                elist=builders.eligibility_list("COPAREF", "53") if index % 2 else None,
            )
        rebuild_search_index()

    grow(2)
    with CaptureQueriesContext(connection) as small:
        search(criteria)
    grow(40)
    with django_assert_num_queries(len(small)):
        results = search(criteria)
    assert len(small) <= 8  # the list in mcf/domain/catalogue/search/common.py
    assert len(results.hits) == min(results.total, 20)
