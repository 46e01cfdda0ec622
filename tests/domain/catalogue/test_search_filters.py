"""Filters, facets, eligibility, sorts and pages through ``search()``, and the engine's
agreement with the ILIKE baseline on searches without keywords."""

import datetime
from decimal import Decimal

import pytest

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.eligibility import Situation
from mcf.domain.catalogue.models import Session
from mcf.domain.catalogue.search import SearchCriteria, Sort, naive_search, search
from tests.domain.catalogue import builders

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def places():
    builders.region("84", "Auvergne-Rhône-Alpes")
    builders.departement("29", "Finistère", "53")
    builders.departement("69", "Rhône", "84")
    return {
        "rennes": builders.commune(),
        "saint-malo": builders.commune("35288", "Saint-Malo", "35400", 48.6493, -2.0257),
        "brest": builders.commune("29019", "Brest", "29200", 48.3904, -4.4861, "29"),
        "lyon": builders.commune("69123", "Lyon", "69001 69002", 45.7640, 4.8357, "69"),
    }


@pytest.fixture
def catalogue(places):
    rnc = builders.certification("RNCP", title="Comptable assistant", level="4")
    builders.listing(rnc, code_cpf=310001)
    cqp = builders.certification("CQP", title="Soudeur", level="3")
    builders.listing(cqp, builders.eligibility_list("CPNE", None, "3248"), code_cpf=310002)
    rs = builders.certification("RS", title="Anglais")
    builders.listing(rs, code_cpf=310003)
    builders.listing(rs, builders.eligibility_list("COPAREF", "84"), code_cpf=310004)
    bretagne = builders.certification("RS", title="Breton")
    builders.listing(bretagne, builders.eligibility_list("COPAREF", "53"), code_cpf=310005)
    offers = {
        "compta-rennes": builders.offer(rnc, "Comptabilité", places["rennes"], price=Decimal(3000)),
        "compta-lyon": builders.offer(
            rnc, "Comptabilité", places["lyon"], modality="distance", duration_hours=300
        ),
        "soudure-brest": builders.offer(cqp, "Soudure", places["brest"], price=Decimal(900)),
        "anglais-malo": builders.offer(
            rs, "Anglais", places["saint-malo"], modality="mixte", duration_hours=30
        ),
        "anglais-lyon": builders.offer(rs, "Anglais", places["lyon"], price=Decimal(500)),
        "breton-rennes": builders.offer(bretagne, "Breton", places["rennes"]),
    }
    Session.objects.create(
        offer=offers["compta-rennes"],
        start_date=TODAY + datetime.timedelta(days=10),
        end_date=TODAY + datetime.timedelta(days=40),
    )
    Session.objects.create(
        offer=offers["anglais-lyon"],
        start_date=TODAY + datetime.timedelta(days=60),
        end_date=TODAY + datetime.timedelta(days=70),
    )
    return offers


def names(catalogue, **criteria):
    results = search(SearchCriteria(**criteria))
    by_id = {offer.pk: name for name, offer in catalogue.items()}
    return {by_id[hit.offer.pk] for hit in results.hits}


def facet(results, name):
    return {
        value.value: value.count
        for value in next(f for f in results.facets if f.name == name).values
    }


FILTERS = [
    ({"commune_code": "35238"}, {"compta-rennes", "breton-rennes"}),
    ({"commune_code": "35238", "radius_km": 30}, {"compta-rennes", "breton-rennes"}),
    ({"commune_code": "35238", "radius_km": 80}, {"compta-rennes", "breton-rennes",
                                                  "anglais-malo"}),
    ({"commune_code": "99999", "radius_km": 30}, set()),
    ({"commune_code": "99999"}, set()),
    ({"postal_code": "35400"}, {"anglais-malo"}),
    ({"departement_code": "29"}, {"soudure-brest"}),
    ({"region_code": "84"}, {"compta-lyon", "anglais-lyon"}),
    ({"certification_kinds": ("CQP", "RNCP")}, {"compta-rennes", "compta-lyon", "soudure-brest"}),
    ({"levels": ("3",)}, {"soudure-brest"}),
    ({"modalities": ("distance", "mixte")}, {"compta-lyon", "anglais-malo"}),
    ({"duration_min": 100, "duration_max": 200}, {"compta-rennes", "soudure-brest",
                                                  "anglais-lyon", "breton-rennes"}),
    ({"duration_max": 30}, {"anglais-malo"}),
    ({"price_min": Decimal(1000), "price_max": Decimal(2500)}, {"compta-lyon", "anglais-malo",
                                                                "breton-rennes"}),
    ({"session_from": TODAY + datetime.timedelta(days=30)}, {"anglais-lyon"}),
    ({"session_until": TODAY + datetime.timedelta(days=30)}, {"compta-rennes"}),
    ({"code_cpf": 310004}, {"anglais-malo", "anglais-lyon"}),
]  # fmt: skip


@pytest.mark.parametrize(("criteria", "expected"), FILTERS)
def test_each_filter(catalogue, criteria, expected):
    assert names(catalogue, **criteria) == expected


@pytest.mark.parametrize(("criteria", "_"), FILTERS)
def test_the_engine_agrees_with_the_ilike_scan_without_keywords(catalogue, criteria, _):
    engine = search(SearchCriteria(**criteria))
    naive = naive_search(SearchCriteria(**criteria))
    assert engine.total == naive.total
    assert [hit.offer.pk for hit in engine.hits] == [hit.offer.pk for hit in naive.hits]
    assert engine.facets == naive.facets


def test_facets_count_the_filtered_set(catalogue):
    results = search(SearchCriteria(region_code="53"))
    assert results.total == 4
    assert facet(results, "type") == {"RNCP": 1, "CQP": 1, "RS": 2}
    assert facet(results, "niveau") == {"0": 2, "3": 1, "4": 1}
    assert facet(results, "modalite") == {"presentiel": 3, "mixte": 1}
    # The région is the place asked, a single choice: it narrows its own facet too.
    assert facet(results, "region") == {"53": 4}
    everywhere = search(SearchCriteria())
    assert [(v.value, v.label, v.count) for v in everywhere.facets[3].values] == [
        ("84", "Auvergne-Rhône-Alpes", 2),
        ("53", "Bretagne", 4),
    ]
    assert [f.name for f in everywhere.facets] == ["type", "niveau", "modalite", "region"]


@pytest.mark.parametrize("engine", [search, naive_search])
def test_ticking_a_facet_value_keeps_the_other_values_of_that_facet(catalogue, engine):
    """Disjunctive facets: with « RS » ticked, « RNCP » and « CQP » keep their counts so
    they can be ticked too; the other facets and the total follow the choice."""
    everything = engine(SearchCriteria())
    ticked = engine(SearchCriteria(certification_kinds=("RS",)))
    assert facet(ticked, "type") == facet(everything, "type")
    assert ticked.total == facet(everything, "type")["RS"]
    assert {hit.offer.certification.kind for hit in ticked.hits} == {"RS"}
    assert sum(facet(ticked, "modalite").values()) == ticked.total
    both = engine(SearchCriteria(certification_kinds=("RS", "CQP"), modalities=("presentiel",)))
    assert facet(both, "type") == facet(engine(SearchCriteria(modalities=("presentiel",))), "type")
    assert both.total == sum(
        count for kind, count in facet(both, "type").items() if kind in {"RS", "CQP"}
    )


def test_facets_of_a_keyword_search_are_disjunctive_too(catalogue):
    words = search(SearchCriteria(text="anglais"))
    ticked = search(SearchCriteria(text="anglais", modalities=("distance",)))
    assert facet(ticked, "modalite") == facet(words, "modalite")
    assert ticked.total == facet(words, "modalite").get("distance", 0)


def test_distance_sort_and_distances(catalogue):
    results = search(SearchCriteria(commune_code="35238", radius_km=250, sort=Sort.DISTANCE))
    assert [hit.offer.city for hit in results.hits] == ["Rennes", "Rennes", "Saint-Malo", "Brest"]
    distances = [hit.distance_km for hit in results.hits]
    assert distances[0] == pytest.approx(0, abs=0.01)
    assert distances[2] == pytest.approx(65, abs=2)
    assert distances[3] == pytest.approx(210, abs=5)


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [(Sort.PRICE, "anglais-lyon", "compta-rennes"), (Sort.DURATION, "anglais-malo", "compta-lyon")],
)
def test_price_and_duration_sorts(catalogue, sort, first, last):
    hits = search(SearchCriteria(sort=sort)).hits
    assert hits[0].offer == catalogue[first]
    assert hits[-1].offer == catalogue[last]


def test_pages_and_total(catalogue):
    pages = [search(SearchCriteria(page=page, page_size=4)) for page in (1, 2, 3)]
    assert [len(page.hits) for page in pages] == [4, 2, 0]
    assert {page.total for page in pages} == {6}
    assert pages[0].page_count == 2
    seen = [hit.offer.pk for page in pages for hit in page.hits]
    assert sorted(seen) == sorted(offer.pk for offer in catalogue.values())


# --- Eligibility (domain.md §4) --------------------------------------------------------


def test_a_salarie_sees_the_lni_his_branch_and_his_workplace_region(catalogue):
    situation = Situation(EmploymentStatus.SALARIE, "53", builders.branch().pk)
    assert names(catalogue, situation=situation) == {
        "compta-rennes", "compta-lyon", "soudure-brest", "anglais-malo", "anglais-lyon",
        "breton-rennes",
    }  # fmt: skip
    situation = Situation(EmploymentStatus.SALARIE, "84")
    assert names(catalogue, situation=situation) == {
        "compta-rennes", "compta-lyon", "anglais-malo", "anglais-lyon",
    }  # fmt: skip


def test_a_job_seeker_never_sees_a_branch_list(catalogue):
    situation = Situation(EmploymentStatus.DEMANDEUR_EMPLOI, "53", builders.branch().pk)
    assert "soudure-brest" not in names(catalogue, situation=situation)
    assert "breton-rennes" in names(catalogue, situation=situation)


def test_each_hit_names_the_lists_that_make_it_eligible(catalogue):
    situation = Situation(EmploymentStatus.DEMANDEUR_EMPLOI, "84")
    hits = search(SearchCriteria(text="anglais", situation=situation)).hits
    assert {hit.lists for hit in hits} == {("LNI", "COPAREF Auvergne-Rhône-Alpes")}
    assert {hit.code_cpf for hit in hits} == {310003}
    hits = search(SearchCriteria(text="anglais", situation=Situation("salarie", "53"))).hits
    assert {hit.lists for hit in hits} == {("LNI",)}
    hits = search(SearchCriteria(text="310004")).hits
    assert hits[0].code_cpf == 310004


def test_an_expired_or_future_listing_does_not_count(catalogue):
    cert = builders.certification(title="Ancienne")
    builders.offer(cert, "Ancienne")
    builders.listing(cert, valid_until=TODAY - datetime.timedelta(days=1))
    future = builders.certification(title="Future")
    builders.offer(future, "Future")
    builders.listing(future, valid_from=TODAY + datetime.timedelta(days=1))
    assert search(SearchCriteria(text="ancienne")).total == 0
    assert search(SearchCriteria(text="future")).total == 0


def test_counts_follow_changes_of_offers_and_certifications(catalogue, places):
    catalogue["compta-lyon"].delete()
    moved = catalogue["anglais-lyon"]
    moved.region = places["rennes"].departement.region
    moved.modality = "distance"
    moved.save()
    certification = catalogue["soudure-brest"].certification
    certification.title = "Chaudronnerie"
    certification.save()
    for criteria in (SearchCriteria(), SearchCriteria(region_code="53", modalities=("distance",))):
        engine, naive = search(criteria), naive_search(criteria)
        assert (engine.total, engine.facets) == (naive.total, naive.facets)
    assert names(catalogue, text="chaudronnerie") == {"soudure-brest"}
    assert names(catalogue, text="soudeur") == set()
