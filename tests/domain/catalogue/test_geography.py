"""The shipped referentials: loaded in bulk, idempotent, and what a visitor types resolved."""

import io

import pytest
from django.core.management import call_command

from mcf.domain.catalogue.geography import find_communes, load_geography, normalise_name
from mcf.domain.catalogue.models import Branch, Commune, Departement, EligibilityList, Region
from tests.domain.catalogue.builders import delete_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def geography(django_db_setup, django_db_blocker):
    """Loaded once for the module (2–3 s on SQLite), removed afterwards."""
    with django_db_blocker.unblock():
        report = load_geography()
    yield report
    with django_db_blocker.unblock():
        delete_catalogue()


def test_names_are_compared_without_case_accents_hyphens_or_apostrophes():
    assert normalise_name("L'Haÿ-les-Roses") == "l hay les roses"
    assert normalise_name("  Saint-Étienne ") == "saint etienne"
    assert normalise_name("Œuilly") == "oeuilly"
    assert normalise_name("Val-d’Oise") == "val d oise"


def test_the_whole_country_is_loaded_with_codes_coordinates_and_population(geography):
    assert Region.objects.count() == geography.regions == 18
    assert Departement.objects.count() == 101
    assert Commune.objects.count() > 34_000
    assert Branch.objects.get(idcc="3248").name == "Métallurgie"
    assert Branch.objects.filter(idcc="1486", name__contains="Syntec").exists()
    rennes = Commune.objects.get(code="35238")
    assert (rennes.name, rennes.search_name, rennes.departement.region.name) == (
        "Rennes",
        "rennes",
        "Bretagne",
    )
    assert "35000" in rennes.postal_codes.split()
    assert rennes.latitude == pytest.approx(48.11, abs=0.05)
    assert rennes.longitude == pytest.approx(-1.68, abs=0.05)
    assert rennes.population > 200_000
    assert not Commune.objects.filter(latitude__isnull=True).exists()
    # Every coordinate lies in metropolitan France or an overseas département.
    assert not Commune.objects.filter(latitude__gt=51.2).exists()
    assert not Commune.objects.filter(departement__code__lt="97", latitude__lt=41.3).exists()


def test_one_eligibility_list_per_region_and_per_branch_and_the_lni(geography):
    assert EligibilityList.objects.filter(kind="LNI").count() == 1
    assert EligibilityList.objects.filter(kind="COPAREF").count() == Region.objects.count()
    assert EligibilityList.objects.filter(kind="CPNE").count() == Branch.objects.count()
    assert geography.lists == 1 + Region.objects.count() + Branch.objects.count()


def test_loading_twice_changes_nothing(geography):
    before = list(Commune.objects.order_by("code").values_list())
    lists = list(EligibilityList.objects.order_by("pk").values_list())
    call_command("load_geography", stdout=io.StringIO())
    assert list(Commune.objects.order_by("code").values_list()) == before
    assert list(EligibilityList.objects.order_by("pk").values_list()) == lists


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Rennes", "35238"),
        ("rennes", "35238"),
        ("Rennes (35)", "35238"),
        ("Rennes (35000)", "35238"),
        ("Rennes 35000", "35238"),
        ("saint etienne", "42218"),
        ("Saint-Étienne (42)", "42218"),
        ("St-Étienne", "42218"),
        ("ste maxime", "83115"),
        ("l'hay les roses", "94038"),
        ("Ajaccio (2A)", "2A004"),
        ("69003", "69123"),
        ("35238", "35238"),  # an INSEE code that is no code postal
    ],
)
def test_what_a_visitor_types_resolves_to_the_commune(geography, typed, code):
    assert find_communes(typed)[0].code == code


def test_a_homonym_is_narrowed_by_its_departement(geography):
    everywhere = {c.departement_id for c in find_communes("Saint-Denis")}
    assert {"93", "974"} <= everywhere
    assert [c.departement_id for c in find_communes("Saint-Denis (974)")] == ["974"]
    # Most populated first.
    assert find_communes("Saint-Denis")[0].code in {"93066", "97411"}


def test_a_beginning_of_name_proposes_communes_and_an_unknown_one_nothing(geography):
    assert "Marseille" in {c.name for c in find_communes("Marse")}
    assert find_communes("Zzyzx-sur-Mer") == []
    assert find_communes("   ") == []
    assert find_communes("99999") == []
    assert find_communes("Rennes (13)") == []
