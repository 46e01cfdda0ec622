"""The synthetic catalogue: realistic shapes, valid identifiers, the same for the same seed."""

import datetime
import io
import statistics
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from stdnum.fr import siret as stdnum_siret

from mcf.domain.catalogue import synthetic
from mcf.domain.catalogue.geography import load_geography
from mcf.domain.catalogue.models import (
    Certification,
    Commune,
    EligibilityList,
    ListedCertification,
    Offer,
    Organisme,
    Session,
)
from mcf.domain.catalogue.synthetic import (
    CatalogueNotEmpty,
    activity_declaration_number,
    generate_catalogue,
    siret_for,
)
from tests.domain.catalogue.builders import delete_catalogue

pytestmark = pytest.mark.django_db

OFFERS = 1_200
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """One generated catalogue for the module (a few seconds), removed afterwards."""
    with django_db_blocker.unblock():
        load_geography()
        stats = generate_catalogue(OFFERS, seed=7, today=TODAY)
    yield stats
    with django_db_blocker.unblock():
        delete_catalogue()


def offer_fingerprint():
    return list(
        Offer.objects.order_by("number").values_list(
            "number",
            "organisme__siret",
            "certification__code",
            "title",
            "content",
            "duration_hours",
            "price",
            "modality",
            "commune_id",
            "latitude",
        )
    ) + list(Session.objects.order_by("offer__number", "start_date").values_list("start_date"))


def test_counts_follow_the_size_asked(catalogue):
    assert catalogue.offers == Offer.objects.count() == OFFERS
    # ~15 000 organismes per 200 000 offers.
    assert catalogue.organismes == Organisme.objects.count() == 90
    assert catalogue.sessions == Session.objects.count()
    assert catalogue.listings == ListedCertification.objects.count()
    assert Organisme.objects.annotate(n=Count("offers")).filter(n=0).count() == 0
    assert "offres/s" in "\n".join(catalogue.summary_lines())


def test_identifiers_are_valid_and_unique(catalogue):
    sirets = list(Organisme.objects.values_list("siret", flat=True))
    assert all(stdnum_siret.is_valid(s) for s in sirets)
    assert len(set(sirets)) == len(sirets)
    assert all(siret_for(n) != siret_for(n + 1) for n in range(1000))
    for number in Organisme.objects.values_list("activity_declaration_number", flat=True):
        assert len(number) == 11 and number.isdigit()
    assert activity_declaration_number("53", "35", 42) == "53350004235"
    assert activity_declaration_number("94", "2A", 7) == "94200000720"


def test_certifications_of_every_kind_with_one_code_cpf_each(catalogue):
    assert set(Certification.objects.values_list("kind", flat=True)) == {
        "RNCP",
        "RS",
        "CQP",
        "CLEA",
        "VAE",
    }
    assert Certification.objects.filter(kind="RNCP").exclude(level="0").exists()
    assert Certification.objects.filter(title__contains="TOEIC").exists()
    assert Certification.objects.filter(title__contains="CACES® R489").exists()
    codes = Counter()
    for cert_id, code_cpf in ListedCertification.objects.values_list(
        "certification_id", "code_cpf"
    ).distinct():
        codes[cert_id] += 1
        assert 100 <= code_cpf <= 999_999
    assert set(codes.values()) == {1}  # the same code CPF on every list of a certification
    assert ListedCertification.objects.filter(certification__kind="CLEA", code_cpf=201).exists()
    # Every list kind is used; a few listings have expired.
    assert set(ListedCertification.objects.values_list("eligibility_list__kind", flat=True)) == set(
        EligibilityList.Kind.values
    )
    expired = ListedCertification.objects.filter(valid_until__lt=TODAY).count()
    assert 0 < expired < catalogue.listings * 0.15


def test_offers_look_like_the_real_catalogue(catalogue):
    hours = list(Offer.objects.values_list("duration_hours", flat=True))
    prices = [float(p) for p in Offer.objects.values_list("price", flat=True)]
    assert 80 < statistics.mean(hours) < 150  # the real average: 113 h
    assert 1_600 < statistics.mean(prices) < 3_000  # the real average: 2 260 €
    assert statistics.median(hours) < statistics.mean(hours)  # skewed like the real one
    modalities = Counter(Offer.objects.values_list("modality", flat=True))
    assert 0.15 < modalities["distance"] / OFFERS < 0.25
    assert 0.06 < modalities["mixte"] / OFFERS < 0.14
    assert Offer.objects.filter(title__contains="TOEIC").exists()
    offer = Offer.objects.exclude(content="").first()
    assert offer.content.startswith("Module 1 : ")
    assert offer.objective and offer.strengths


def test_offers_are_placed_in_real_communes_with_their_codes(catalogue):
    for offer in Offer.objects.select_related("commune__departement")[:300]:
        commune = offer.commune
        assert offer.city == commune.name
        assert offer.postal_code in commune.postal_codes.split()
        assert offer.departement_id == commune.departement_id
        assert offer.region_id == commune.departement.region_id
        assert (offer.latitude, offer.longitude) == (commune.latitude, commune.longitude)
    # Weighted by population: Paris gets far more offers than its share of communes.
    assert Offer.objects.filter(commune_id="75056").count() > OFFERS / 200


def test_sessions_around_today(catalogue):
    per_offer = Counter(Session.objects.values_list("offer_id", flat=True))
    assert set(per_offer.values()) <= {1, 2, 3, 4}
    assert len(per_offer) == OFFERS
    assert Session.objects.filter(start_date__lt=TODAY).exists()
    assert Session.objects.filter(start_date__gt=TODAY + datetime.timedelta(days=100)).exists()


def test_same_seed_same_catalogue_another_seed_another(catalogue):
    before = offer_fingerprint()
    generate_catalogue(OFFERS, seed=7, today=TODAY, replace=True)
    assert offer_fingerprint() == before
    generate_catalogue(OFFERS, seed=8, today=TODAY, replace=True)
    assert offer_fingerprint() != before
    generate_catalogue(OFFERS, seed=7, today=TODAY, replace=True)  # as the module found it


def test_an_existing_catalogue_is_replaced_only_when_asked(catalogue):
    with pytest.raises(CatalogueNotEmpty):
        generate_catalogue(10, seed=7)
    with pytest.raises(CommandError, match="remplacer"):
        call_command("generate_catalogue", "--offers", "10", stdout=io.StringIO())
    with pytest.raises(ValueError):
        generate_catalogue(1_000_001, replace=True)
    assert Offer.objects.count() == OFFERS


def test_the_command_prints_its_figures_and_rebuilds_the_index_once(catalogue, monkeypatch):
    calls = []
    monkeypatch.setattr(synthetic, "rebuild_search_index", lambda: calls.append(1))
    out = io.StringIO()
    call_command(
        "generate_catalogue", "--offers", "50", "--seed", "3", "--remplacer", "-v0", stdout=out
    )
    assert "50 offres" in out.getvalue()
    assert calls == [1]
    assert Offer.objects.count() == 50
    assert Commune.objects.filter(offers__isnull=False).exists()


@pytest.mark.parametrize(
    "text", ["", "permis", "anglais", "excel", "caces", "cléa", "vae", "comptabilité", "sst"]
)
def test_a_page_of_results_never_shows_one_title_twice(catalogue, text):
    """A page of « permis » showed « Permis B — forfait 20 heures de conduite » five times:
    the titles of one certification's offers vary with the place, the way à distance, the
    organisme and a rhythm."""
    from mcf.domain.catalogue.search import SearchCriteria, search

    for page in (1, 2, 3):
        titles = [hit.offer.title for hit in search(SearchCriteria(text=text, page=page)).hits]
        repeated = {title for title, count in Counter(titles).items() if count > 1}
        assert not repeated, f"« {text} », page {page}: {repeated}"
    # One organisme's offers of one certification in one commune differ too.
    same = Offer.objects.values("organisme", "certification", "commune", "title")
    assert same.annotate(n=Count("id")).filter(n__gt=1).count() == 0
