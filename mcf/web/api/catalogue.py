"""The public catalogue (no authentication, rate-limited per IP): the search of
« Rechercher une formation » with the same criteria, facets and pagination, an offer, and
a certification by its code CPF with the lists it is on.

The query string is the search page's own: ``SearchForm`` validates it (one owner of the
criteria and of their French messages) and ``search()`` answers; this module only turns
the results into JSON.
"""

from __future__ import annotations

import dataclasses

from django.http import HttpResponse, QueryDict
from django.utils import timezone
from ninja import Router

from mcf.domain.catalogue.eligibility import valid_listings
from mcf.domain.catalogue.models import ListedCertification, Offer
from mcf.domain.catalogue.search import search
from mcf.web.api import schemas
from mcf.web.api.limits import by_ip, check_rate
from mcf.web.api.problems import Problem, json_text
from mcf.web.catalogue.forms import SearchForm, parse_page

router = Router(tags=["Catalogue (public)"])

PUBLIC_RATE = "120/m"


def _limited(request) -> None:
    check_rate(request, "api-catalogue", key=by_ip, rate=PUBLIC_RATE)


@router.get(
    "/formations",
    response=schemas.answers({200: schemas.SearchOut}),
    # Documented, not parsed: the page's form is the one reader of these parameters
    # (pydantic parsing them first cost ~0.4 ms a search, for nothing it kept).
    openapi_extra={"parameters": schemas.query_parameters(schemas.SearchIn)},
    summary="Rechercher des formations éligibles",
    description=(
        "Les mêmes critères, facettes et pages que « Rechercher une formation ». Sans "
        "situation (`statut`), toutes les formations éligibles à au moins une liste.\n\n"
        "```\ncurl 'https://www.moncompteformation.gouv.fr/api/v1/formations?q=anglais"
        "&lieu=Rennes&rayon=30&page=2'\n```"
    ),
)
def search_offers(request):
    _limited(request)
    form = SearchForm(_query(request.GET), ask_situation=True, shown=False)
    if not form.is_valid():
        raise Problem(
            "invalide",
            "La recherche ne peut pas être faite : corrigez les critères signalés.",
            errors={name: " ".join(messages) for name, messages in form.errors.items()},
        )
    page = parse_page(request.GET.get("page"))
    if page.notice:
        raise Problem("invalide", page.notice, errors={"page": page.notice})
    asked = form.criteria(situation=form.situation(), page=page.number)
    results = search(asked)
    if results.total and asked.page > results.page_count:
        results = search(dataclasses.replace(asked, page=results.page_count))
    # Written as is, not validated again by the response schema at each request (2 ms of
    # pydantic for a page of 20 offers and the facets, bench/api.py): schemathesis checks
    # the answers against the schema in the gate (tests/web/api/test_schema_fuzz.py).
    return HttpResponse(json_text(schemas.search_out(results)), content_type="application/json")


def _query(data: QueryDict) -> QueryDict:
    """The search page's parameters; anything else is ignored, as on the page."""
    known = set(SearchForm.base_fields) | {"page"}
    query = QueryDict(mutable=True)
    for name in data:
        if name in known:
            query.setlist(name, data.getlist(name))
    return query


@router.get(
    "/formations/{offer_id}",
    response=schemas.answers({200: schemas.OfferOut}, 404),
    summary="Une formation",
    description=(
        "Une offre de formation avec ses sessions à venir et les listes qui la rendent "
        "éligible aujourd'hui.\n\n```\ncurl https://www.moncompteformation.gouv.fr/api/v1/"
        "formations/42\n```"
    ),
)
def offer(request, offer_id: int):
    _limited(request)
    found = (
        Offer.objects.select_related("organisme", "certification", "region")
        .filter(pk=offer_id)
        .first()
        if 0 < offer_id < 2**63
        else None
    )
    if found is None:
        raise Problem("introuvable", "Aucune formation ne porte ce numéro.")
    today = timezone.localdate()
    listings = _listings(
        valid_listings(None, today).filter(certification_id=found.certification_id)
    )
    sessions = list(found.sessions.filter(end_date__gte=today).order_by("start_date"))
    return schemas.offer_out(found, listings, sessions)


@router.get(
    "/certifications/{code_cpf}",
    response=schemas.answers({200: schemas.CertificationOut}, 404),
    summary="Une certification par son code CPF",
    description=(
        "La certification qui porte ce code CPF et les listes d'éligibilité où elle figure "
        "aujourd'hui.\n\n```\ncurl https://www.moncompteformation.gouv.fr/api/v1/"
        "certifications/201\n```"
    ),
)
def certification(request, code_cpf: int):
    _limited(request)
    today = timezone.localdate()
    listings = (
        _listings(valid_listings(None, today).filter(code_cpf=code_cpf))
        if 0 < code_cpf < 2**31
        else []
    )
    if not listings:
        raise Problem("introuvable", "Aucune certification éligible ne porte ce code CPF.")
    return schemas.certification_out(code_cpf, listings)


def _listings(listings) -> list[ListedCertification]:
    return list(
        listings.select_related(
            "certification", "eligibility_list__region", "eligibility_list__branch"
        ).order_by("eligibility_list__kind", "code_cpf", "pk")
    )
