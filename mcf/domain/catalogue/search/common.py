# ruff: noqa: S608 - SQL assembled from our constants; the visitor's words are parameters.
"""What every engine shares: filters, eligibility, distance, facets, hits, pagination.

An engine only says how keywords match and rank (``TextMatch``); everything else is one
code path, so the engines and the ``ILIKE`` baseline filter exactly alike. A search costs a
constant number of queries whatever the catalogue's size:

1. the centre commune, when a commune is given (its coordinates for a radius);
2. the eligible certifications (valid listings of the lists the situation may use) and
   those under the code CPF asked, passed to the next queries as constants;
3. the engine's word look-up (typo corrections), when there are keywords, and on
   PostgreSQL the certifications whose title holds every word (``Shortcuts``);
4. total and facets, grouped from the matches, and
5. the page's ids (and distances), in ranking order: on PostgreSQL both at once, on two
   connections (``parallel``);
6. the page's offers, with organisme and certification;
7. the page's listings (names of the lists and codes CPF shown).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Expression, OrderBy, RawSQL
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.utils import timezone

from mcf.domain.catalogue import eligibility
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
from mcf.domain.catalogue.search.parallel import fetch_beside

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180
MAX_PAGE_SIZE = 100
MAX_RADIUS_KM = 1000
LIST_ORDER = {EligibilityList.Kind.LNI: 0, EligibilityList.Kind.COPAREF: 1}


@dataclass
class TextMatch:
    """How an engine matches the keywords: a condition and its ranking keys (best first).

    An engine may also give what the shortcuts of large searches need (``Shortcuts``): how
    many of the words each certification's own title or code holds (rule 4's key), those
    that hold every word (``complete``: each of their offers matches), the condition
    "matches, but not through one of these certifications" (``outside``), and the
    condition "the offer's title holds every word" (``in_title``).
    """

    condition: Expression | Q
    ranking: list[OrderBy] = field(default_factory=list)
    words_in_certification: dict[int, int] = field(default_factory=dict)
    complete: frozenset[int] = frozenset()
    outside: Callable[[frozenset[int]], Expression] | None = None
    in_title: Expression | None = None


def valid_listings(criteria: SearchCriteria) -> QuerySet[ListedCertification]:
    """The listings that make a certification eligible for this search (valid today)."""
    return eligibility.valid_listings(criteria.situation, timezone.localdate())


def eligible_certifications(criteria: SearchCriteria, code: int | None) -> tuple[set, set]:
    """The certifications this search may show, and those listed under ``code`` (one
    query). The searches then filter on these ids as constants, which the planner sees."""
    listings = valid_listings(criteria).values("certification_id")
    if code is None:
        return set(listings.distinct().values_list("certification_id", flat=True)), set()
    rows = listings.annotate(coded=Max(Case(When(code_cpf=code, then=1), default=0)))
    eligible, coded = set(), set()
    for certification_id, has_code in rows.values_list("certification_id", "coded"):
        eligible.add(certification_id)
        if has_code:
            coded.add(certification_id)
    return eligible, coded


def place_centre(criteria: SearchCriteria) -> Commune | None:
    """The commune searched around (one query), if it is known and has coordinates."""
    if not criteria.commune_code:
        return None
    centre = Commune.objects.filter(pk=criteria.commune_code).first()
    if centre is None or centre.latitude is None or centre.longitude is None:
        return None
    return centre


def distance_expression(centre: Commune) -> Expression:
    """Great-circle distance (haversine) from the centre to the offer, in km, in SQL."""
    lat0 = math.radians(centre.latitude)
    lon0 = math.radians(centre.longitude)
    lat = Radians(F("latitude"))
    half_d_lat = Sin((lat - Value(lat0)) / Value(2.0))
    half_d_lon = Sin((Radians(F("longitude")) - Value(lon0)) / Value(2.0))
    a = Power(half_d_lat, 2) + Value(math.cos(lat0)) * Cos(lat) * Power(half_d_lon, 2)
    return ExpressionWrapper(Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a)), output_field=FloatField())


def _bounding_box(centre: Commune, radius_km: float) -> Q:
    delta_lat = radius_km / KM_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(centre.latitude)), 0.01)
    delta_lon = radius_km / (KM_PER_DEGREE_LATITUDE * cos_lat)
    return Q(
        latitude__range=(centre.latitude - delta_lat, centre.latitude + delta_lat),
        longitude__range=(centre.longitude - delta_lon, centre.longitude + delta_lon),
    )


def certification_in(model, certifications: set) -> Q | Expression:
    """The offer's certification is one of these (often 100 and more).

    On PostgreSQL one array parameter, ``= ANY(%s)``: a list of as many placeholders as
    certifications is parsed again by the driver for every statement (~1 ms each, measured);
    the planner sees the same constant array either way. Elsewhere Django's ``IN``.
    """
    if connection.vendor != "postgresql" or not certifications:
        return Q(certification_id__in=sorted(certifications))
    column = f'"{model._meta.db_table}"."certification_id"'
    return raw(f"{column} = ANY(%s::bigint[])", [sorted(certifications)], BooleanField())


def filtered_offers(
    criteria: SearchCriteria, centre: Commune | None, eligible: set, model=Offer
) -> QuerySet:
    """Every filter but the keywords and the facets' own (``facet_filter``): eligibility,
    place, durations, prices, session dates.

    ``model`` is ``Offer`` or the engine's own table with the same field names.
    """
    offers = model.objects.filter(certification_in(model, eligible))
    if centre is not None:
        offers = offers.annotate(distance=distance_expression(centre))
    offers = offers.filter(_place_filter(criteria, centre))
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


def _place_filter(criteria: SearchCriteria, centre: Commune | None) -> Q:
    if criteria.commune_code:
        if criteria.radius_km and centre is not None:
            radius = min(max(criteria.radius_km, 0), MAX_RADIUS_KM)
            return _bounding_box(centre, radius) & Q(distance__lte=radius)
        return Q(commune_id=criteria.commune_code)
    if criteria.postal_code:
        return Q(postal_code=criteria.postal_code)
    if criteria.departement_code:
        return Q(departement_id=criteria.departement_code)
    if criteria.region_code:
        return Q(region_id=criteria.region_code)
    return Q()


# --- Facets -------------------------------------------------------------------------------
# Facets are disjunctive, as in every catalogue a visitor knows: the matches are counted
# without the facets' own filters, then each facet's values are counted under the OTHER
# facets' choices, so ticking « RS » still shows how many « RNCP » offers there are (and
# ticking it too gives RS or RNCP). The total and the page apply every choice. The région
# is the place asked (a single choice, a filter like the others): counting every région
# would read the matches of all France for each search narrowed to one (measured: p95 of
# keywords + région from 20 ms to 47 ms at 300 000 offers).


def facet_selection(criteria: SearchCriteria) -> tuple[frozenset | None, ...]:
    """The values ticked per disjunctive facet (type, niveau, modalité), or None."""
    chosen = (criteria.certification_kinds, criteria.levels, criteria.modalities)
    return tuple(frozenset(values) if values else None for values in chosen)


def facet_filter(criteria: SearchCriteria) -> Q:
    """The facets' choices as a filter (on ``Offer`` or the engine's table)."""
    lookups = ("certification__kind__in", "certification__level__in", "modality__in")
    condition = Q()
    for lookup, values in zip(lookups, facet_selection(criteria), strict=True):
        if values is not None:
            condition &= Q(**{lookup: sorted(values)})
    return condition


FACETS = (
    ("type", "Type de certification", "certification__kind"),
    ("niveau", "Niveau de sortie", "certification__level"),
    ("modalite", "Modalité", "modality"),
    ("region", "Région", "region_id"),
)
_CHOICES = {
    "type": dict(Certification.Kind.choices),
    "niveau": dict(Certification.Level.choices),
    "modalite": dict(Offer.Modality.choices),
}


# --- Total, facets and page ----------------------------------------------------------------
# A search with keywords reads its matches twice: grouped for the total and the facets, and
# in ranking order for the page. The two statements run side by side on PostgreSQL
# (``parallel``). Two shortcuts spare most of that reading for the frequent words, which
# match tens of thousands of offers (docs/search.md « Shortcuts »):
# - the offers of a certification whose own title holds every word all match: they are
#   counted from the counts the engine keeps (``engine.counted_groups``), and only the
#   other matches are read (``TextMatch.outside``: the index leaves the others out);
# - when no word was corrected and the sort is by relevance, the best-ranked offers are
#   those whose title holds every word and whose certification's title holds as many words
#   as any eligible certification's; their order is their id, so the page is found by
#   walking the offers in id order, a bounded window.

TOP_TIER_WINDOW = 10_000  # offers looked at by the walk (~2 ms); beyond, the general way
# The filters a count per (certification, modalité, région) cannot answer, and those that
# narrow a search to a part of the catalogue (the walk's window would then run dry).
UNCOUNTED_FILTERS = (
    "commune_code", "postal_code", "departement_code", "duration_min", "duration_max",
    "price_min", "price_max", "session_from", "session_until",
)  # fmt: skip
NARROWING_FILTERS = ("region_code", *UNCOUNTED_FILTERS)


@dataclass
class Shortcuts:
    counted: tuple[str, list] | None = None  # groups of the complete certifications' offers
    read: QuerySet | None = None  # ... and the other matches, the only ones then read
    top_tier: QuerySet | None = None  # the walk: offers in id order, ``top`` = top tier


def grouped_matches(offers: QuerySet) -> tuple[str, list] | None:
    """The matches grouped on the four facet columns (None: nothing can match)."""
    grouped = (
        offers.order_by()
        .values(fc=F("certification_id"), f2=F("modality"), f3=F("region_id"))
        .annotate(n=Count("pk"))
    )
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # nothing eligible: Django knows without asking
        return None
    return (
        "SELECT c.kind, c.level, g.f2, g.f3, CAST(sum(g.n) AS BIGINT), max(r.name) "
        f"FROM ({sql}) g JOIN catalogue_certification c ON c.id = g.fc "
        "LEFT JOIN catalogue_region r ON r.code = g.f3 GROUP BY c.kind, c.level, g.f2, g.f3",  # nosec B608
        list(params),
    )


def page_statement(ranked: QuerySet, start: int, end: int, walk: QuerySet | None):
    """SQL of the page's ``(id, distance)`` rows (None: nothing can match).

    With the walk, one statement still: the top tier found in the window, if it holds the
    whole page; else (a one-time filter) the general ranking.
    """
    try:
        sql, params = ranked[start:end].query.sql_with_params()
    except EmptyResultSet:
        return None
    if walk is None:
        return sql, list(params)
    walk_sql, walk_params = walk[:TOP_TIER_WINDOW].query.sql_with_params()
    found = "(SELECT count(*) FROM top_tier)"
    return (
        f"WITH top_tier AS MATERIALIZED (SELECT w.oid, w.dist FROM ({walk_sql}) w "
        f"WHERE w.top ORDER BY w.oid LIMIT {end}) "
        f"SELECT * FROM (SELECT oid, dist FROM top_tier ORDER BY oid OFFSET {start}) t "
        f"WHERE {found} = {end} "
        f"UNION ALL SELECT * FROM ({sql}) g WHERE {found} < {end}",  # nosec B608
        [*walk_params, *params],
    )


def total_facets_and_page[T](
    offers: QuerySet,
    order: list[OrderBy],
    start: int,
    end: int,
    with_distance: bool,
    criteria: SearchCriteria,
    shortcuts: Shortcuts | None = None,
    present: Callable[[list[tuple]], T] = list,
) -> tuple[int, tuple[Facet, ...], T]:
    """The total, every facet's counts and the page's ids: two statements, run at the same
    time on PostgreSQL (``parallel``).

    The facets: the matches without the facets' choices, grouped by certification, modalité
    and région, the certification's type and niveau joined per group, grouped again on the
    four facet columns (at most 5 × 7 × 3 × 18 groups whatever the catalogue's size, summed
    per facet in ``facet_counts``). The page: the matches under every choice, in ranking
    order, its ``(id, distance)`` rows given to ``present`` while the facets are counted.
    Offers with no coordinates have no distance and come last when sorted by it.
    """
    shortcuts = shortcuts or Shortcuts()
    counted = shortcuts.counted
    grouped = grouped_matches(shortcuts.read if counted else offers)
    if grouped is None:
        return 0, tuple(Facet(name, label, ()) for name, label, _ in FACETS), present([])
    statement, params = grouped
    if counted:
        statement, params = f"{counted[0]} UNION ALL {statement}", [*counted[1], *params]
    distance = F("distance") if with_distance else Value(None, FloatField())
    ranked = (
        offers.filter(facet_filter(criteria))
        .order_by(*order)
        .annotate(dist=distance)
        .values_list("pk", "dist")
    )

    def page():
        page_sql = page_statement(ranked, start, end, shortcuts.top_tier)
        if page_sql is None:
            return present([])
        with connection.cursor() as cursor:
            cursor.execute(*page_sql)
            return present(cursor.fetchall())

    groups, presented = fetch_beside(statement, params, page)
    total, facets = facet_counts(groups, criteria)
    return total, facets, presented


def shortcuts_for(
    criteria: SearchCriteria,
    engine,
    match: TextMatch,
    eligible: set,
    unmatched: QuerySet,
    with_distance: bool,
) -> Shortcuts:
    """What the shortcuts can use for this search (``unmatched``: every filter but the
    keywords)."""
    if match.in_title is None:
        return Shortcuts()
    complete = match.complete & frozenset(eligible)
    counted = engine.counted_groups(criteria, complete) if complete else None
    read = unmatched.filter(match.outside(complete)) if counted else None
    top_tier = None
    # The walk pays where the matches are spread over the whole catalogue; under a place,
    # price, duration or date filter the window would hold too few offers to fill a page.
    narrowed = any(getattr(criteria, name) not in (None, ()) for name in NARROWING_FILTERS)
    if criteria.sort == Sort.RELEVANCE and not narrowed and eligible:
        # The top tier: every word in the title, and in the certification's title as many
        # words as any eligible certification holds (rules 3 and 4 at their maximum).
        found = {pk: match.words_in_certification.get(pk, 0) for pk in eligible}
        most = max(found.values())
        in_tier = Q(match.in_title)
        if most:
            in_tier &= Q(certification_id__in=sorted(pk for pk, n in found.items() if n == most))
        in_tier = ExpressionWrapper(in_tier, output_field=BooleanField())
        distance = F("distance") if with_distance else Value(None, FloatField())
        top_tier = (
            unmatched.filter(facet_filter(criteria))
            .order_by("pk")
            .values(oid=F("pk"), dist=distance, top=in_tier)
        )
    return Shortcuts(counted=counted, read=read, top_tier=top_tier)


def facet_counts(groups, criteria: SearchCriteria) -> tuple[int, tuple[Facet, ...]]:
    """Total and facets from groups ``(type, niveau, modalité, région, count, région name)``
    counted without the facets' choices: the total under every choice, each facet's values
    under the other facets' choices."""
    selection = (*facet_selection(criteria), None)  # the région: already filtered
    total = 0
    counts: list[dict[str, int]] = [{} for _ in FACETS]
    region_names: dict[str, str] = {}
    for *values, count, region_name in groups:
        misfits = [
            index
            for index, (value, chosen) in enumerate(zip(values, selection, strict=True))
            if chosen is not None and value not in chosen
        ]
        if not misfits:
            total += count
        elif len(misfits) > 1:  # two facets' choices unmet: counted in none
            continue
        for index, (found, value) in enumerate(zip(counts, values, strict=True)):
            # Counted in a facet when every OTHER facet's choice is met.
            if value is not None and (not misfits or misfits[0] == index):
                found[value] = found.get(value, 0) + count
        region_names[values[3]] = region_name
    facets = []
    for (name, label, _), found in zip(FACETS, counts, strict=True):
        if name in _CHOICES:
            values = [
                FacetValue(value, text, found[value])
                for value, text in _CHOICES[name].items()
                if value in found
            ]
        else:
            values = sorted(
                (
                    FacetValue(value, region_names.get(value) or value, count)
                    for value, count in found.items()
                ),
                key=lambda item: (item.label, item.value),
            )
        facets.append(Facet(name, label, tuple(values)))
    return total, tuple(facets)


# --- Page and hits ------------------------------------------------------------------------


def ordering(
    criteria: SearchCriteria, centre: Commune | None, relevance: list[OrderBy]
) -> list[OrderBy]:
    by_distance = [F("distance").asc(nulls_last=True)] if centre is not None else []
    last = F("pk").asc()
    if criteria.sort == Sort.PRICE:
        return [F("price").asc(), last]
    if criteria.sort == Sort.DURATION:
        return [F("duration_hours").asc(), last]
    if criteria.sort == Sort.DISTANCE and by_distance:
        return [*by_distance, *relevance, last]
    if relevance:
        return [*relevance, last]
    return [*by_distance, last]


def page_bounds(criteria: SearchCriteria) -> tuple[int, int]:
    size = min(max(criteria.page_size, 1), MAX_PAGE_SIZE)
    start = (max(criteria.page, 1) - 1) * size
    return start, start + size


def hits(page: list[Offer], criteria: SearchCriteria, code: int | None) -> tuple[OfferHit, ...]:
    """The page's offers with the lists that make each eligible (one query)."""
    listings = (
        valid_listings(criteria)
        .filter(certification_id__in={offer.certification_id for offer in page})
        .select_related("eligibility_list__region", "eligibility_list__branch")
    )
    by_certification: dict[int, list[ListedCertification]] = {}
    for listing in listings:
        by_certification.setdefault(listing.certification_id, []).append(listing)
    names = {}  # each list's name, computed once (a page shares most lists)
    for listings_of_one in by_certification.values():
        for item in listings_of_one:
            if item.eligibility_list_id not in names:
                names[item.eligibility_list_id] = str(item.eligibility_list)
    result = []
    for offer in page:
        found = sorted(
            by_certification.get(offer.certification_id, []),
            key=lambda item: (
                item.code_cpf != code,
                LIST_ORDER.get(item.eligibility_list.kind, 2),
                names[item.eligibility_list_id],
            ),
        )
        result.append(
            OfferHit(
                offer=offer,
                lists=tuple(names[item.eligibility_list_id] for item in found),
                code_cpf=found[0].code_cpf if found else None,
                distance_km=getattr(offer, "distance", None),
            )
        )
    return tuple(result)


def raw(sql: str, params: list, output_field) -> RawSQL:
    """An engine's SQL: our constants, the visitor's words only ever as parameters."""
    return RawSQL(sql, params, output_field=output_field)  # noqa: S611 - see docstring  # nosec B611


def first_if(condition) -> OrderBy:
    """A ranking key: the rows meeting the condition first."""
    return Case(When(condition, then=Value(0)), default=Value(1)).asc()


def run_search(criteria: SearchCriteria, engine) -> SearchResults:
    """The whole answer with ``engine.match(words)`` for the keywords, on ``engine.model``."""
    from mcf.domain.catalogue.search.text import parse_text

    centre = place_centre(criteria)
    parsed = parse_text(criteria.text)
    code = criteria.code_cpf if criteria.code_cpf is not None else parsed.code_cpf
    eligible, coded = eligible_certifications(criteria, code)
    typed_code = parsed.code_cpf is not None and criteria.code_cpf is None
    if criteria.code_cpf is not None:
        eligible &= coded
    offers = filtered_offers(criteria, centre, eligible, engine.model)  # facets apart
    relevance: list[OrderBy] = []
    shortcuts = None
    if parsed.words:
        match = engine.match(parsed.words)
        condition = match.condition
        if typed_code:
            by_code = Q(certification_id__in=sorted(coded))
            condition = Q(condition) | by_code
            relevance.append(first_if(by_code))
        else:
            shortcuts = shortcuts_for(criteria, engine, match, eligible, offers, centre is not None)
        offers = offers.filter(condition)
        relevance.extend(match.ranking)
    start, end = page_bounds(criteria)
    order = ordering(criteria, centre, relevance)

    def present(rows: list[tuple]) -> tuple[OfferHit, ...]:
        """The page's offers and their lists, from its ``(id, distance)`` rows."""
        loaded = Offer.objects.select_related("organisme", "certification").in_bulk(
            [oid for oid, _ in rows]
        )
        page = []
        for oid, distance in rows:
            offer = loaded[oid]
            offer.distance = distance
            page.append(offer)
        return hits(page, criteria, code)

    summary = None if parsed.words else engine.summary(criteria, eligible)
    if summary is not None:  # counts kept by the engine; the page alone reads offers
        total, facets = summary
        chosen = offers.filter(facet_filter(criteria)).order_by(*order)
        found = present([(oid, None) for oid in chosen.values_list("pk", flat=True)[start:end]])
    else:
        total, facets, found = total_facets_and_page(
            offers, order, start, end, centre is not None, criteria, shortcuts, present
        )
    return SearchResults(criteria=criteria, total=total, hits=found, facets=facets)
