"""« Rechercher une formation » on the public site: every filter, bad input, htmx, no JS."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from tests.web.catalogue.conftest import more_offers

pytestmark = pytest.mark.django_db

URL = "/formations/"


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, response.content.decode()


def titles(html: str) -> set[str]:
    return {
        unescape(t)
        for t in re.findall(r'<h3 class="fr-card__title"[^>]*><a [^>]*>([^<]+)</a>', html)
    }


def test_without_criteria_every_listed_offer_is_shown_with_the_page_working_without_js(
    client, catalogue
):
    _, html = get(client)
    assert "<h1>Rechercher une formation</h1>" in html
    assert "4 formations trouvées" in html
    assert titles(html) == {o.title for o in catalogue.all}
    # A plain GET form: it works without JavaScript; htmx and our script come from /static/.
    assert 'method="get" action="/formations/"' in html
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce="', html)
    assert re.search(r'<script src="/static/catalogue/search\.js" defer nonce="', html)
    # No script from elsewhere (a random CSP nonce may well contain "cdn": not searched).
    assert not re.search(r'<script[^>]* src="(https?:)?//', html) and "unpkg" not in html


def test_a_result_shows_what_a_holder_needs_to_choose(client, catalogue):
    _, html = get(client, q="anglais")
    assert titles(html) == {"Anglais professionnel"}
    card = html[html.index('class="fr-card fr-card--no-arrow') :]
    assert "Organisme de démonstration" in card
    assert "Répertoire spécifique (inventaire)" in card
    assert "236593" in card  # code CPF
    assert "À distance" in card
    assert "40\u00a0h" in card
    assert "1\u202f200\u00a0€ TTC" in card
    next_session = timezone.localdate() + datetime.timedelta(days=30)
    assert f"du {next_session:%d/%m/%Y}" in card  # the next one, not the past one
    assert "Liste nationale" in card or "LNI" in card
    assert f'href="/formations/{catalogue.anglais.pk}/?q=anglais"' in card


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "soudeur"}, {"soudure"}),
        ({"q": "comptable"}, {"compta"}),
        ({"lieu": "Brest"}, {"soudure"}),
        ({"lieu": "brest (29)"}, {"soudure"}),
        ({"lieu": "29200"}, {"soudure"}),
        ({"lieu": "Finistère"}, {"soudure"}),
        ({"lieu": "69"}, {"compta"}),
        ({"lieu": "Bretagne"}, {"anglais", "soudure", "usinage"}),
        ({"lieu": "Rennes", "rayon": "20"}, {"anglais", "usinage"}),
        ({"lieu": "Rennes", "rayon": "100"}, {"anglais", "usinage"}),
        ({"lieu": "Saint-Malo", "rayon": "100"}, {"anglais", "usinage"}),
        ({"lieu": "29200", "rayon": "10"}, {"soudure"}),
        ({"type": "CQP"}, {"usinage"}),
        ({"type": ["CQP", "RS"]}, {"usinage", "anglais"}),
        ({"niveau": "5"}, {"compta"}),
        ({"modalite": "distance"}, {"anglais"}),
        ({"modalite": "mixte"}, {"compta"}),
        ({"duree_min": "150"}, {"soudure", "usinage"}),
        ({"duree_max": "113"}, {"anglais", "compta"}),
        ({"duree_min": "100", "duree_max": "250"}, {"usinage", "compta"}),
        ({"prix_min": "2 500"}, {"soudure", "usinage"}),
        ({"prix_max": "2260,00 €"}, {"anglais", "compta"}),
        ({"code_cpf": "245002"}, {"usinage"}),
        ({"region": "84"}, {"compta"}),
        ({"region": "84", "lieu": "Brest"}, {"soudure"}),  # a typed place is more precise
    ],
)
def test_each_filter(client, catalogue, params, expected):
    _, html = get(client, **params)
    assert titles(html) == {getattr(catalogue, name).title for name in expected}


@pytest.mark.parametrize(
    ("lieu", "rayon", "understood"),
    [
        ("brest", "", "Brest (29)"),
        ("29200", "", "29200 (Brest)"),
        ("35400", "30", "35400 (Saint-Malo), à 30 km autour"),
        ("ille et vilaine", "", "Ille-et-Vilaine (35)"),
        ("BRETAGNE", "", "Bretagne"),
    ],
)
def test_the_place_understood_is_said_back(client, catalogue, lieu, rayon, understood):
    _, html = get(client, lieu=lieu, rayon=rayon)
    assert f"Lieu retenu : {understood}</p>" in unescape(html)


def test_session_dates_filter_on_the_start_of_a_session(client, catalogue):
    today = timezone.localdate()
    _, html = get(client, du=f"{today:%Y-%m-%d}")
    assert titles(html) == {"Anglais professionnel"}
    _, html = get(client, au=f"{today - datetime.timedelta(days=100):%d/%m/%Y}")
    assert titles(html) == set()
    assert "Aucune formation ne correspond" in html


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [("prix", "anglais", "soudure"), ("duree", "anglais", "soudure")],
)
def test_sorting(client, catalogue, sort, first, last):
    _, html = get(client, tri=sort)
    order = re.findall(r'<h3 class="fr-card__title"[^>]*><a [^>]*>([^<]+)</a>', html)
    assert unescape(order[0]) == getattr(catalogue, first).title
    assert unescape(order[-1]) == getattr(catalogue, last).title


def test_distance_sort_around_a_commune(client, catalogue):
    _, html = get(client, lieu="Rennes", rayon="100", tri="distance")
    assert "Distance" in html
    assert titles(html) == {"Anglais professionnel", "Opérateur régleur en usinage"}


def facet_labels(html: str) -> dict[str, str]:
    """Each filter's label as a screen reader reads it (its text, tags removed)."""
    return {
        target: unescape(re.sub(r"<[^>]+>", "", text))
        for target, text in re.findall(
            r'<label class="fr-label" for="(filtre-[^"]+)">(.*?)</label>', html
        )
    }


def test_facets_show_counts_and_keep_ticked_values(client, catalogue):
    _, html = get(client)
    assert facet_labels(html)["filtre-type-RNCP"] == "RNCP (titre ou diplôme) (2 formations)"
    _, html = get(client, type="CQP")
    assert re.search(r'value="CQP" id="filtre-type-CQP" checked>', html)


def test_every_facet_count_is_read_apart_from_its_name(client, catalogue):
    """« Accompagnement VAE(29) » was read as one word: a space and « formations » now
    separate the name and the count, and they are one inline run of the label (DSFR's
    labels are flex boxes, where a space between a text and an element would collapse:
    the browser test measures the rendered gap)."""
    _, html = get(client)
    labels = facet_labels(html)
    assert len(labels) > 5
    for target, text in labels.items():
        if target.endswith("-toutes"):
            continue
        assert re.fullmatch(r"\S.*\S \(\d+ formations?\)", text), text
    assert re.search(r'<label class="fr-label" for="filtre-type-RS"><span>[^<]+<span', html)


def test_the_region_facet_is_a_single_choice_with_counts(client, catalogue):
    _, html = get(client)
    assert re.search(r'type="radio" name="region" value="53" id="filtre-region-53">', html)
    assert facet_labels(html)["filtre-region-53"] == "Bretagne (3 formations)"
    _, html = get(client, region="84")
    assert 'value="84" id="filtre-region-84" checked>' in html
    _, html = get(client, region="<x>")
    assert "Cette région n" in unescape(html)


def test_pagination_is_dsfr_and_keeps_the_search(client, catalogue):
    more_offers(45)
    _, html = get(client, q="bureautique")
    assert "45 formations trouvées" in html
    assert 'class="fr-pagination' in html
    assert 'aria-current="page" title="Page 1"' in html
    assert 'href="/formations/?q=bureautique&amp;page=3"' in html
    _, html = get(client, q="bureautique", page="3")
    assert 'aria-current="page" title="Page 3"' in html
    assert len(titles(html)) == 5


@pytest.mark.parametrize(
    ("params", "field_id", "message", "kept"),
    [
        ({"q": "x" * 10_000}, "id_q", "Votre recherche est trop longue : 200 caractères", None),
        ({"lieu": "Atlantide"}, "id_lieu", "Nous ne trouvons pas la commune « Atlantide »", None),
        ({"lieu": "99999"}, "id_lieu", "Nous ne trouvons pas le code postal « 99999 »", None),
        ({"lieu": "Bretagne", "rayon": "20"}, "id_lieu", "Le rayon se compte autour", None),
        ({"rayon": "20"}, "id_rayon", "Saisissez une commune ou un code postal", None),
        ({"rayon": "7"}, "id_rayon", "Choisissez un rayon de la liste", None),
        ({"duree_min": "50", "duree_max": "10"}, "id_duree_max", "inversez-les", "10"),
        ({"duree_min": "abc"}, "id_duree_min", "Saisissez un nombre entier d", "abc"),
        ({"duree_max": "-5"}, "id_duree_max", "ne peut pas être négative", "-5"),
        ({"prix_min": "900", "prix_max": "100"}, "id_prix_max", "inversez-les", "100"),
        ({"prix_max": "beaucoup"}, "id_prix_max", "Saisissez un montant en euros", "beaucoup"),
        ({"prix_min": "1e400"}, "id_prix_min", "", "1e400"),
        ({"du": "2027-03-01", "au": "2027-01-01"}, "id_au", "avant la date de début", None),
        ({"du": "31/02/2027"}, "id_du", "Saisissez une date valide", "31/02/2027"),
        ({"tri": "distance"}, "id_tri", "Pour trier par distance", None),
        ({"tri": "hasard"}, "id_tri", "Choisissez un tri de la liste", None),
        ({"type": "XYZ"}, "filtres-type", "Ce type de certification n", None),
        ({"statut": "retraite"}, "radio-id_statut", "Choisissez une situation", None),
        ({"region_situation": "53"}, "radio-id_statut", "Choisissez salarié(e) ou", None),
        ({"code_cpf": "abc"}, "id_code_cpf", "Le code CPF est un nombre", None),
    ],
)
def test_bad_input_gives_a_french_message_next_to_the_field_and_keeps_what_was_typed(
    client, catalogue, params, field_id, message, kept
):
    _, html = get(client, **params)
    text = unescape(html)
    assert "Votre recherche n'a pas été lancée" in text
    assert message in text
    assert f'href="#{field_id}"' in html  # the summary links to the field
    # ... from the top of the form, before its first field (DSFR's forms; it sat below).
    form = html.index('id="recherche-formations"')
    first_field = form + re.search(r"<(input|select|textarea)[\s>]", html[form:]).start()
    assert form < html.index('id="erreurs-recherche"') < first_field
    if kept is not None:
        assert f'value="{kept}"' in html
    assert "formations trouvées" not in html


def test_a_ten_kilobyte_search_is_shown_back_escaped_never_a_500(client, catalogue):
    typed = "<b>" * 3000
    _, html = get(client, q=typed)
    assert "<b><b>" not in html
    assert "&lt;b&gt;" in html


def test_html_and_sql_characters_are_searched_as_text_and_escaped(client, catalogue):
    for typed in ["<script>alert(1)</script>", "' OR 1=1 --", '"><img src=x onerror=alert(1)>']:
        _, html = get(client, q=typed)
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert "Aucune formation ne correspond" in html
    get(client, q="%_\\")  # wildcards of LIKE are plain characters (no word: no filter)
    _, html = get(client, lieu="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html
    assert "Nous ne trouvons pas la commune « &lt;script&gt;" in html


@pytest.mark.parametrize("typed", ["\x00", "é\u202eabc", " ", "\t\n"])
def test_control_characters_never_fail(client, catalogue, typed):
    get(client, q=typed, lieu=typed)


@pytest.mark.parametrize(
    ("page", "notice"),
    [
        ("abc", "Le numéro de page n'est pas valide"),
        ("0", "Le numéro de page n'est pas valide"),
        ("9" * 5000, "Le numéro de page n'est pas valide"),
        ("100000", "Les résultats s'arrêtent à la page 500"),
        ("7", "La page 7 n'existe pas pour cette recherche : voici la dernière page (1)"),
    ],
)
def test_a_page_out_of_range_shows_a_page_with_a_notice(client, catalogue, page, notice):
    _, html = get(client, page=page)
    assert notice in unescape(html)
    assert "4 formations trouvées" in html


def test_an_ambiguous_commune_asks_for_the_departement(client, catalogue):
    from tests.domain.catalogue import builders as b

    b.departement("974", "La Réunion", "53")
    b.commune("97411", "Brest", "97400", -20.9, 55.4, "974")
    _, html = get(client, lieu="Brest")
    assert "Plusieurs communes correspondent à « Brest » : Brest (29), Brest (974)" in unescape(
        html
    )
    _, html = get(client, lieu="Brest (29)")
    assert titles(html) == {"Soudeur assembleur industriel"}


# --------------------------------------------------------------------------------------
# htmx
# --------------------------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_results_fragment(client, catalogue):
    response = client.get(
        URL, {"q": "anglais", "lieu": "", "type": ""}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<header" not in html and "<h1>" not in html
    assert html.count('id="resultats"') == 1
    assert 'id="criteres" class="mcf-search__criteria fr-mb-4w" role="search"' in html
    assert 'hx-swap-oob="true"' in html  # the criteria, with their messages
    assert (
        '<p id="annonce-resultats" hx-swap-oob="innerHTML">1 formation trouvée, page 1 sur 1.</p>'
        in html
    )
    assert "<title>1 formation pour « anglais »" in unescape(html)
    # The URL pushed into the history is the search without its empty parameters.
    assert response["HX-Push-Url"] == "/formations/?q=anglais"
    assert "HX-Request" in response["Vary"]


def test_an_htmx_request_with_errors_shows_them_next_to_the_fields(client, catalogue):
    response = client.get(URL, {"prix_min": "abc"}, headers={"HX-Request": "true"})
    html = unescape(response.content.decode())
    assert "Saisissez un montant en euros" in html
    assert "Votre recherche n'a pas été lancée : 1 champ à corriger." in html


def test_the_filters_come_back_unfolded_while_the_visitor_ticks_them(client, catalogue):
    """On a phone the filters fold behind « Filtrer »; an update sent by ticking one of them
    comes back with them open (unfolding them again in the browser lost the focus)."""
    ticked = client.get(
        URL, {"q": "anglais", "type": "RS"}, headers={"HX-Request": "true", "HX-Trigger": "affiner"}
    ).content.decode()
    assert 'aria-controls="filtres">Filtrer (1 choisi)' in ticked
    assert 'aria-expanded="true" aria-controls="filtres"' in ticked
    assert 'class="fr-collapse mcf-fold fr-collapse--expanded" id="filtres"' in ticked
    assert 'class="mcf-facets" id="affiner"' in ticked
    typed = client.get(
        URL, {"q": "anglais"}, headers={"HX-Request": "true", "HX-Trigger": "recherche-formations"}
    ).content.decode()
    assert 'aria-expanded="false" aria-controls="filtres"' in typed
    assert "HX-Trigger" in client.get(URL, {"q": "a"}, headers={"HX-Request": "true"})["Vary"]


def test_a_history_restore_gets_the_whole_page(client, catalogue):
    response = client.get(
        URL, {"q": "anglais"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_full_page_varies_on_hx_request_too(client, catalogue):
    response, _ = get(client)
    assert "HX-Request" in response["Vary"]


# --------------------------------------------------------------------------------------
# Public visitor's situation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"anglais", "soudure", "usinage", "compta"}),
        ({"statut": "salarie"}, {"anglais"}),
        ({"statut": "salarie", "region_situation": "53"}, {"anglais", "soudure"}),
        (
            {"statut": "salarie", "region_situation": "53", "branche": "3248"},
            {"anglais", "soudure", "usinage"},
        ),
        ({"statut": "demandeur_emploi", "region_situation": "84"}, {"anglais", "compta"}),
        # A branche list is never open to a job seeker.
        (
            {"statut": "demandeur_emploi", "region_situation": "84", "branche": "3248"},
            {"anglais", "compta"},
        ),
    ],
)
def test_a_visitor_sees_what_his_chosen_situation_makes_him_eligible_to(
    client, catalogue, params, expected
):
    _, html = get(client, **params)
    assert titles(html) == {getattr(catalogue, name).title for name in expected}


def test_unknown_region_or_branch_is_a_message(client, catalogue):
    _, html = get(client, statut="salarie", region_situation="99", branche="0000")
    text = unescape(html)
    assert "Choisissez une région de la liste." in text
    assert "Choisissez une branche de la liste." in text


# --------------------------------------------------------------------------------------
# Links and query counts
# --------------------------------------------------------------------------------------


def test_the_home_page_and_the_menu_lead_to_the_search(client, db):
    html = client.get("/").content.decode()
    assert html.count('href="/formations/"') >= 3  # two home blocks and the main menu


def _count_queries(client, params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "bureautique"},
        {"q": "bureautique", "lieu": "Rennes", "rayon": "30", "tri": "distance"},
        {"statut": "salarie", "region_situation": "53", "branche": "3248", "type": "RS"},
        {"lieu": "35000", "duree_min": "1", "prix_max": "5000", "du": "2020-01-01"},
    ],
)
def test_query_count_is_flat_as_the_catalogue_grows(client, catalogue, params):
    more_offers(5)
    small = _count_queries(client, params)
    more_offers(45)
    assert _count_queries(client, params) == small
    # The page's own share: the form's lists (régions, branches), the place, the next
    # sessions; the engine's share is asserted by its own tests.
    assert small <= 16


def test_query_count_of_the_page_itself(client, catalogue, django_assert_num_queries):
    """Régions + branches (the situation lists) + the engine + the next sessions of the page."""
    from unittest import mock

    from mcf.domain.catalogue.search import SearchResults

    def engine(criteria):
        return SearchResults(criteria=criteria, total=0, hits=())

    with mock.patch("mcf.web.catalogue.views.search", engine), django_assert_num_queries(2):
        client.get(URL, {"q": "anglais"})
    with mock.patch("mcf.web.catalogue.views.search", engine), django_assert_num_queries(4):
        client.get(URL, {"q": "anglais", "lieu": "Ille-et-Vilaine"})  # + régions, départements


def test_the_pushed_url_keeps_the_page_and_leaves_the_default_sort_out(client, catalogue):
    more_offers(25)
    response = client.get(
        URL, {"q": "bureautique", "tri": "pertinence", "page": "2"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Push-Url"] == "/formations/?q=bureautique&page=2"


def test_communes_are_suggested_while_typing_the_place(client, catalogue):
    html = client.get(URL).content.decode()
    assert 'list="lieu-suggestions"' in html and 'hx-get="/formations/communes/"' in html
    assert '<datalist id="lieu-suggestions"></datalist>' in html
    response = client.get("/formations/communes/", {"lieu": "saint"})
    assert response.content.decode() == (
        '<datalist id="lieu-suggestions"><option value="Saint-Malo (35)"></option></datalist>\n'
    )
    for typed in ["r", "35000", "<script>", "x" * 10_000]:
        html = client.get("/formations/communes/", {"lieu": typed}).content.decode()
        assert html == '<datalist id="lieu-suggestions"></datalist>\n'
