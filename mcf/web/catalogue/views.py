"""The common part of the search and offer pages; each space wraps them in its own views
(public: anyone, a situation chosen on the page; holder: logged in, his own situation).

An htmx request (``HX-Request``, not a history restore) gets only the results region, with
the criteria fields and the screen-reader announcement swapped out of band; any other
request gets the full page, which works without JavaScript.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.forms import RadioSelect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from mcf.domain.catalogue.eligibility import Situation, allowed_lists_filter, valid_listings
from mcf.domain.catalogue.models import EligibilityList, ListedCertification, Offer, Session
from mcf.domain.catalogue.search import OfferHit, SearchResults, search
from mcf.web.catalogue.forms import (
    FACET_FIELDS,
    MAX_PLACE,
    SINGLE_FACET_FIELDS,
    SearchForm,
    parse_page,
)
from mcf.web.catalogue.places import MIN_SUGGESTED, suggest_communes


@dataclass(frozen=True)
class Space:
    """Where the pages are shown: the layout they extend and the URL names they link to."""

    layout: str
    search_url: str
    offer_url: str
    dossier_url: str
    ask_situation: bool


def _space(namespace: str, layout: str, *, ask_situation: bool) -> Space:
    # Both spaces name their three routes alike (training_search, _offer, _dossier).
    return Space(
        layout=f"catalogue/{layout}",
        search_url=f"{namespace}:training_search",
        offer_url=f"{namespace}:training_offer",
        dossier_url=f"{namespace}:training_dossier",
        ask_situation=ask_situation,
    )


PUBLIC = _space("public", "public_layout.html", ask_situation=True)
HOLDER = _space("titulaire", "holder_layout.html", ask_situation=False)


FACETS_ID = "affiner"  # the block of filters, which sends the search when one changes


def is_htmx_update(request) -> bool:
    # A history restore asks for the whole page even though it is an htmx request.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# --------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    hit: OfferHit
    next_session: Session | None


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int | None
    checked: bool
    id: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    legend: str
    options: tuple[FacetOption, ...]
    errors: tuple[str, ...]
    single: bool = False  # radio buttons, with « Toutes » first


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: the « … » between two runs of pages
    url: str = ""
    current: bool = False


def search_page(request, space: Space, *, situation: Situation | None = None, extra=None):
    form = SearchForm(request.GET, ask_situation=space.ask_situation)
    page = parse_page(request.GET.get("page"))
    notice, results = page.notice, None
    if form.is_valid():
        if space.ask_situation:
            situation = form.situation()
        criteria = form.criteria(situation=situation, page=page.number)
        results = search(criteria)
        if results.total and criteria.page > results.page_count:
            notice = (
                f"La page {criteria.page} n'existe pas pour cette recherche : voici la "
                f"dernière page ({results.page_count})."
            )
            results = search(dataclasses.replace(criteria, page=results.page_count))
    query = form.canonical_query()
    search_url = reverse(space.search_url)
    facets = _facet_groups(form, results)
    context = {
        "space": space,
        "form": form,
        "results": results,
        "rows": _rows(results),
        "facets": facets,
        # « Filtrer » on a phone: how many are ticked; unfolded when one holds a mistake, and
        # when the visitor is ticking them (sent already open: unfolding it again in the
        # browser after the swap raced with the DSFR and lost the focus on a busy phone).
        "active_filters": sum(option.checked for group in facets for option in group.options),
        "facets_open": any(group.errors for group in facets)
        or (is_htmx_update(request) and request.headers.get("HX-Trigger") == FACETS_ID),
        "situation_open": any(
            form.data.get(name) or name in form.errors for name in form.SITUATION_FIELDS
        ),
        **_pager(results, search_url, query),
        "notice": notice,
        "error_summary": _error_summary(form),
        "announcement": _announcement(form, results),
        "search_url": search_url,
        "facets_id": FACETS_ID,
        "query": query.urlencode(),
        "situation_fields": [form[name] for name in form.SITUATION_FIELDS if name in form.fields],
        "more_fields": [form[name] for name in form.MORE_FIELDS],
        "more_open": any(form.data.get(name) for name in form.MORE_FIELDS),
        **(extra or {}),
    }
    if is_htmx_update(request):
        response = render(request, "catalogue/search_update.html", context)
        shown_page = results.criteria.page if results else 1
        response["HX-Push-Url"] = _page_url(search_url, query, shown_page)
    else:
        response = render(request, "catalogue/search_page.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Trigger"])
    return response


def _rows(results: SearchResults | None) -> list[Row]:
    if not results or not results.hits:
        return []
    first: dict[int, Session] = {}
    upcoming = Session.objects.filter(
        offer_id__in=[hit.offer.pk for hit in results.hits],
        start_date__gte=timezone.localdate(),
    ).order_by("start_date", "id")
    for session in upcoming:
        first.setdefault(session.offer_id, session)
    return [Row(hit, first.get(hit.offer.pk)) for hit in results.hits]


def _facet_groups(form: SearchForm, results: SearchResults | None) -> list[FacetGroup]:
    """Filters with counts: the values found, plus the ones ticked (to untick them)."""
    found = {f.name: f for f in results.facets} if results else {}
    groups = []
    for name in FACET_FIELDS:
        choices = form.fields[name].choices
        group = _facet_group(form, name, choices, found.get(name), results is not None)
        if group:
            groups.append(group)
    # The région facet: only while « Lieu » is empty (a typed place is more precise).
    if not form.data.get("lieu"):
        for name in SINGLE_FACET_FIELDS:
            facet = found.get(name)
            choices = [(v.value, v.label) for v in facet.values] if facet else []
            chosen = form.data.get(name, "")
            if chosen and chosen not in dict(choices):
                choices.append((chosen, chosen))
            group = _facet_group(form, name, choices, facet, results is not None, single=True)
            if group:
                groups.append(group)
    return groups


def _facet_group(form, name, choices, facet, counted: bool, single=False) -> FacetGroup | None:
    chosen = set(form.data.getlist(name))
    counts = {v.value: v.count for v in facet.values} if facet else {}
    options = tuple(
        FacetOption(
            value=value,
            label=label,
            count=counts.get(value, 0) if counted else None,
            checked=value in chosen,
            id=f"filtre-{name}-{value}",
        )
        for value, label in choices
        if counts.get(value) or value in chosen
    )
    errors = tuple(form.errors.get(name, ()))
    if single and len(options) < 2 and not chosen:
        return None  # one région only: nothing to choose
    if not options and not errors:
        return None
    legend = facet.label if facet else form.fields[name].label
    return FacetGroup(name, legend, options, errors, single)


def _pager(results: SearchResults | None, url: str, query) -> dict:
    """DSFR pagination: a window of pages around the current one, the first and the last."""
    if not results or results.page_count < 2:
        return {"pages": []}
    current, last = results.criteria.page, results.page_count
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    links, previous = [], 0
    for number in shown:
        if number > previous + 1:
            links.append(PageLink(None))
        links.append(PageLink(number, _page_url(url, query, number), number == current))
        previous = number
    return {
        "pages": links,
        "previous_url": _page_url(url, query, current - 1) if current > 1 else "",
        "next_url": _page_url(url, query, current + 1) if current < last else "",
    }


def _page_url(url: str, query, number: int) -> str:
    query = query.copy()
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"{url}?{encoded}" if encoded else url


def _error_summary(form: SearchForm) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of each error, for the summary that links to the fields."""
    summary = []
    for name, errors in form.errors.items():
        if name in form.fields:
            anchor = form[name].id_for_label
            if name in FACET_FIELDS + SINGLE_FACET_FIELDS:
                anchor = f"filtres-{name}"  # the fieldset of the checkboxes
            elif isinstance(form.fields[name].widget, RadioSelect):
                anchor = f"radio-{form[name].auto_id}"  # django-dsfr's fieldset
            summary += [(anchor, form.fields[name].label, str(e)) for e in errors]
    return summary


def _announcement(form: SearchForm, results: SearchResults | None) -> str:
    if results is None:
        count = len(form.errors)
        return (
            f"Votre recherche n'a pas été lancée : {count} champ{'s' if count > 1 else ''} "
            f"à corriger."
        )
    if not results.total:
        return "Aucune formation ne correspond à votre recherche."
    total = results.total
    plural = "s" if total > 1 else ""
    return (
        f"{total} formation{plural} trouvée{plural}, page {results.criteria.page} "
        f"sur {results.page_count}."
    )


# --------------------------------------------------------------------------------------
# Offer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingRow:
    listing: ListedCertification
    usable: bool | None  # for a holder: may he use this list? (None: public page)


def offer_page(request, space: Space, pk: int, *, situation: Situation | None = None):
    offer = (
        Offer.objects.select_related("organisme", "certification", "departement", "region")
        .filter(pk=pk)
        .first()
    )
    context = {"space": space, "back_url": _back_url(request, space)}
    if offer is None:
        return render(request, "catalogue/offer_not_found.html", context, status=404)
    today = timezone.localdate()
    listings = list(
        valid_listings(None, today)
        .filter(certification_id=offer.certification_id)
        .select_related("eligibility_list__region", "eligibility_list__branch")
        .order_by("eligibility_list__kind", "code_cpf")
    )
    usable_lists = None
    if situation is not None and listings:
        usable_lists = set(
            EligibilityList.objects.filter(
                allowed_lists_filter(situation),
                pk__in=[item.eligibility_list_id for item in listings],
            ).values_list("pk", flat=True)
        )
    rows = [
        ListingRow(item, None if usable_lists is None else item.eligibility_list_id in usable_lists)
        for item in listings
    ]
    context |= {
        "offer": offer,
        "listings": rows,
        "eligible_for_holder": None if usable_lists is None else bool(usable_lists),
        "sessions": list(offer.sessions.filter(end_date__gte=today)),
    }
    return render(request, "catalogue/offer_page.html", context)


def _back_url(request, space: Space) -> str:
    """« Retour aux résultats »: the search the visitor came from (known parameters only)."""
    form = SearchForm(request.GET, ask_situation=False)
    known = form.canonical_query()
    for name in SearchForm.SITUATION_FIELDS:
        if request.GET.get(name):
            known[name] = request.GET[name].strip()[:20]
    url = reverse(space.search_url)
    return f"{url}?{known.urlencode()}" if known else url


def dossier_soon_page(request, space: Space, pk: int):
    offer = Offer.objects.filter(pk=pk).only("pk", "title").first()
    context = {"space": space, "offer": offer, "back_url": _back_url(request, space)}
    if offer is None:
        return render(request, "catalogue/offer_not_found.html", context, status=404)
    return render(request, "catalogue/dossier_soon.html", context)


def commune_suggestions(request):
    """The datalist of « Lieu »: communes starting with what was typed (« Rennes (35) »)."""
    typed = " ".join(request.GET.get("lieu", "").split())[:MAX_PLACE]
    communes = suggest_communes(typed) if len(typed) >= MIN_SUGGESTED else []
    return render(request, "catalogue/includes/lieu_suggestions.html", {"communes": communes})
