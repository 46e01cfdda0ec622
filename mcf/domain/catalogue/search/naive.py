"""The plain scan: ``ILIKE`` on the texts, every filter in SQL, facets by ``GROUP BY``.

Portable and obviously correct; it is the baseline of bench/search.py, and the engines'
results are compared with it in tests (same filters, same eligibility).
"""

from __future__ import annotations

import math

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from mcf.domain.catalogue.eligibility import allowed_lists_filter
from mcf.domain.catalogue.models import (
    Certification,
    Commune,
    EligibilityList,
    ListedCertification,
    Offer,
    Session,
)
from mcf.domain.catalogue.search.criteria import (
    Facet,
    FacetValue,
    OfferHit,
    SearchCriteria,
    SearchResults,
    Sort,
)

KM_PER_DEGREE_LATITUDE = 111.2


def valid_listings(criteria: SearchCriteria) -> QuerySet[ListedCertification]:
    """The listings that make a certification eligible for this search (valid today)."""
    from django.utils import timezone

    today = timezone.localdate()
    listings = ListedCertification.objects.filter(valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if criteria.situation is not None:
        listings = listings.filter(
            eligibility_list__in=EligibilityList.objects.filter(
                allowed_lists_filter(criteria.situation)
            )
        )
    return listings


def filtered_offers(criteria: SearchCriteria) -> QuerySet[Offer]:
    listings = valid_listings(criteria)
    offers = Offer.objects.filter(
        Exists(listings.filter(certification_id=OuterRef("certification_id")))
    )
    if criteria.code_cpf is not None:
        offers = offers.filter(
            Exists(
                listings.filter(
                    certification_id=OuterRef("certification_id"), code_cpf=criteria.code_cpf
                )
            )
        )
    for word in criteria.text.split():
        offers = offers.filter(
            Q(title__icontains=word)
            | Q(objective__icontains=word)
            | Q(content__icontains=word)
            | Q(certification__title__icontains=word)
        )
    offers = _place_filter(offers, criteria)
    if criteria.certification_kinds:
        offers = offers.filter(certification__kind__in=criteria.certification_kinds)
    if criteria.levels:
        offers = offers.filter(certification__level__in=criteria.levels)
    if criteria.modalities:
        offers = offers.filter(modality__in=criteria.modalities)
    if criteria.duration_min is not None:
        offers = offers.filter(duration_hours__gte=criteria.duration_min)
    if criteria.duration_max is not None:
        offers = offers.filter(duration_hours__lte=criteria.duration_max)
    if criteria.price_min is not None:
        offers = offers.filter(price__gte=criteria.price_min)
    if criteria.price_max is not None:
        offers = offers.filter(price__lte=criteria.price_max)
    if criteria.session_from or criteria.session_until:
        sessions = Session.objects.filter(offer_id=OuterRef("pk"))
        if criteria.session_from:
            sessions = sessions.filter(start_date__gte=criteria.session_from)
        if criteria.session_until:
            sessions = sessions.filter(start_date__lte=criteria.session_until)
        offers = offers.filter(Exists(sessions))
    return offers


def _place_filter(offers: QuerySet[Offer], criteria: SearchCriteria) -> QuerySet[Offer]:
    if criteria.commune_code:
        if criteria.radius_km:
            centre = Commune.objects.get(pk=criteria.commune_code)
            return offers.filter(**_bounding_box(centre, criteria.radius_km))
        return offers.filter(commune_id=criteria.commune_code)
    if criteria.postal_code:
        return offers.filter(postal_code=criteria.postal_code)
    if criteria.departement_code:
        return offers.filter(departement_id=criteria.departement_code)
    if criteria.region_code:
        return offers.filter(region_id=criteria.region_code)
    return offers


def _bounding_box(centre: Commune, radius_km: int) -> dict:
    delta_lat = radius_km / KM_PER_DEGREE_LATITUDE
    delta_lon = radius_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(centre.latitude)))
    return {
        "latitude__range": (centre.latitude - delta_lat, centre.latitude + delta_lat),
        "longitude__range": (centre.longitude - delta_lon, centre.longitude + delta_lon),
    }


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _facets(offers: QuerySet[Offer]) -> tuple[Facet, ...]:
    def facet(name, label, field, choices):
        counts = dict(offers.order_by().values_list(field).annotate(n=Count("id")))
        values = tuple(
            FacetValue(value, text, counts[value]) for value, text in choices if counts.get(value)
        )
        return Facet(name, label, values)

    return (
        facet("type", "Type de certification", "certification__kind", Certification.Kind.choices),
        facet("niveau", "Niveau de sortie", "certification__level", Certification.Level.choices),
        facet("modalite", "Modalité", "modality", Offer.Modality.choices),
    )


def naive_search(criteria: SearchCriteria) -> SearchResults:
    offers = filtered_offers(criteria)
    total = offers.count()
    ordering = {
        Sort.PRICE: ["price", "id"],
        Sort.DURATION: ["duration_hours", "id"],
    }.get(criteria.sort, ["title", "id"])
    start = (criteria.page - 1) * criteria.page_size
    page = list(
        offers.select_related("organisme", "certification").order_by(*ordering)[
            start : start + criteria.page_size
        ]
    )
    listings = valid_listings(criteria).filter(
        certification_id__in={offer.certification_id for offer in page}
    )
    by_certification: dict[int, list[ListedCertification]] = {}
    for listing in listings.select_related("eligibility_list__region", "eligibility_list__branch"):
        by_certification.setdefault(listing.certification_id, []).append(listing)
    hits = tuple(
        OfferHit(
            offer=offer,
            lists=tuple(
                str(item.eligibility_list) for item in by_certification[offer.certification_id]
            ),
            code_cpf=by_certification[offer.certification_id][0].code_cpf,
        )
        for offer in page
    )
    return SearchResults(criteria=criteria, total=total, hits=hits, facets=_facets(offers))
