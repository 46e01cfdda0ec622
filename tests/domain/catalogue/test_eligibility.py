"""domain.md §4: which lists a salarié and a demandeur d'emploi may use."""

import pytest

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.catalogue.eligibility import Situation
from mcf.domain.catalogue.search import SearchCriteria, naive_search
from tests.domain.catalogue import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    builders.region("84", "Auvergne-Rhône-Alpes")
    national = builders.offer(builders.certification(title="Anglais LNI"))
    builders.listing(national.certification)
    bretagne = builders.offer(builders.certification(title="Soudure Bretagne"))
    builders.listing(bretagne.certification, builders.eligibility_list("COPAREF", "53"))
    metallurgie = builders.offer(builders.certification(title="Usinage CPNE"))
    builders.listing(metallurgie.certification, builders.eligibility_list("CPNE", None, "3248"))
    rhone = builders.offer(builders.certification(title="Comptabilité ARA"))
    builders.listing(rhone.certification, builders.eligibility_list("COPAREF", "84"))
    return {"lni": national, "bretagne": bretagne, "cpne": metallurgie, "ara": rhone}


def titles(situation):
    results = naive_search(SearchCriteria(situation=situation))
    return {hit.offer.title for hit in results.hits}


def test_a_salarie_uses_the_lni_his_branch_and_his_workplace_region(catalogue):
    situation = Situation(
        EmploymentStatus.SALARIE, region_code="53", branch_id=builders.branch().pk
    )
    assert titles(situation) == {"Anglais LNI", "Soudure Bretagne", "Usinage CPNE"}


def test_a_job_seeker_uses_the_lni_and_his_home_region_never_a_branch_list(catalogue):
    situation = Situation(
        EmploymentStatus.DEMANDEUR_EMPLOI, region_code="84", branch_id=builders.branch().pk
    )
    assert titles(situation) == {"Anglais LNI", "Comptabilité ARA"}


def test_an_unknown_situation_keeps_the_national_list_only(catalogue):
    assert titles(Situation(EmploymentStatus.SALARIE)) == {"Anglais LNI"}


def test_without_a_situation_every_listed_offer_is_found(catalogue):
    assert len(titles(None)) == 4


def test_an_expired_listing_does_not_make_an_offer_eligible(catalogue):
    import datetime

    cert = builders.certification(title="Ancienne certification")
    builders.offer(cert)
    builders.listing(
        cert, valid_from=datetime.date(2015, 1, 1), valid_until=datetime.date(2019, 12, 31)
    )
    assert "Ancienne certification" not in titles(None)
