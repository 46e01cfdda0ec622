"""Keywords through ``search()`` on the engine of the database in use (FTS5 or PostgreSQL):
stemming, accents and case, partial words, one typo, code CPF, and the ranking rules of
docs/search.md."""

import pytest

from mcf.domain.catalogue.search import SearchCriteria, search
from mcf.domain.catalogue.search.indexing import rebuild_search_index
from tests.domain.catalogue import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    offers = {
        "compta": builders.listed_offer(
            "Comptabilité et gestion de paie", objective="Tenir la comptabilité d'une PME."
        ),
        "anglais": builders.listed_offer("Anglais des affaires", code_cpf=237359),
        "formation": builders.listed_offer(
            "Formation de formateur", content="Concevoir une séquence pédagogique."
        ),
        "soudure": builders.listed_offer("Soudure TIG", content="Soudure à l'arc et anglais."),
        "web": builders.listed_offer(
            "Développeur web", certification_title="Titre professionnel développeur web"
        ),
    }
    rebuild_search_index()
    return offers


def found(text, **criteria):
    return [hit.offer for hit in search(SearchCriteria(text=text, **criteria)).hits]


def test_a_plural_finds_the_singular(catalogue):
    assert found("formations") == [catalogue["formation"]]


def test_a_plural_is_not_searched_as_the_beginning_of_other_words():
    formation = builders.listed_offer("Formation aux premiers secours")
    builders.listed_offer("Formatage et sauvegarde des données")
    builders.listed_offer("Langues vivantes", content="Cours pour formateurs.")
    rebuild_search_index()
    assert found("formations") == [formation]


@pytest.mark.parametrize("text", ["comptabilite", "COMPTABILITÉ", "Comptabilité", "comptabilités"])
def test_accents_and_case_do_not_matter(catalogue, text):
    assert found(text) == [catalogue["compta"]]


@pytest.mark.parametrize("text", ["compta", "dévelop", "sou"])
def test_the_beginning_of_a_word_is_enough(catalogue, text):
    expected = {"compta": "compta", "dévelop": "web", "sou": "soudure"}[text]
    assert found(text) == [catalogue[expected]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("comptabilitee", "compta"), ("angalis", "anglais"), ("soudrue", "soudure")],
)
def test_one_typo_is_forgiven(catalogue, text, expected):
    assert catalogue[expected] in found(text)


def test_two_typos_are_not(catalogue):
    assert found("angalsi") == []


def test_every_word_must_match_somewhere(catalogue):
    assert found("soudure tig") == [catalogue["soudure"]]
    assert found("soudure paie") == []


def test_words_of_the_certification_title_are_searched(catalogue):
    assert found("titre professionnel") == [catalogue["web"]]


def test_the_certification_code_is_searched(catalogue):
    code = catalogue["anglais"].certification.code
    assert found(code) == [catalogue["anglais"]]
    assert found(code.lower()) == [catalogue["anglais"]]


def test_a_number_alone_is_a_code_cpf_and_shows_its_code(catalogue):
    results = search(SearchCriteria(text="237359"))
    assert [hit.offer for hit in results.hits] == [catalogue["anglais"]]
    assert results.hits[0].code_cpf == 237359
    assert results.hits[0].lists == ("LNI",)


def test_the_code_cpf_filter(catalogue):
    assert found("", code_cpf=237359) == [catalogue["anglais"]]
    assert found("", code_cpf=1) == []


def test_stop_words_alone_do_not_filter(catalogue):
    assert len(found("de la")) == len(catalogue)


# --- Ranking rules (docs/search.md) -----------------------------------------------------


def test_rule_1_the_exact_code_cpf_comes_first():
    other = builders.listed_offer("Préparation au test 237360", content="237360")
    coded = builders.listed_offer("Anglais", code_cpf=237360)
    rebuild_search_index()
    assert found("237360") == [coded, other]


def test_rule_2_offers_found_without_correction_come_before_corrected_ones():
    corrected = builders.listed_offer("Anglais intensif")
    exact = builders.listed_offer("Gestion", content="Module angalis (logiciel).")
    rebuild_search_index()
    assert found("angalis") == [exact, corrected]


def test_rule_3_title_matches_come_before_content_matches():
    in_content = builders.listed_offer("Bureautique", content="Excel " * 20)
    in_title = builders.listed_offer("Excel initiation")
    assert found("excel") == [in_title, in_content]


def test_rule_3_more_words_in_the_title_come_first():
    one = builders.listed_offer("Excel", content="Excel avancé, tableaux croisés")
    both = builders.listed_offer("Excel avancé")
    assert found("excel avancé") == [both, one]


def test_rule_4_the_certification_title_weighs_more_than_the_contents():
    in_content = builders.listed_offer("Initiation", content="Devenir secouriste au travail")
    in_certification = builders.listed_offer(
        "Initiation", certification_title="Sauveteur secouriste du travail"
    )
    assert found("secouriste") == [in_certification, in_content]


def test_rule_5_ties_are_broken_by_offer_number_of_creation():
    offers = [builders.listed_offer("Excel") for _ in range(3)]
    assert found("excel") == offers


def test_a_plural_of_a_known_word_is_not_corrected():
    formation = builders.listed_offer("Formation de formateur")
    other = builders.listed_offer("Information et communication")  # one typo from nothing
    rebuild_search_index()
    results = search(SearchCriteria(text="formations"))
    assert [hit.offer for hit in results.hits] == [formation]
    assert other not in [hit.offer for hit in results.hits]
