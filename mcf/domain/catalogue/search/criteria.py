"""The contract between the search page and the engines: what is asked, what comes back."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from mcf.domain.catalogue.eligibility import Situation
from mcf.domain.catalogue.models import Offer

PAGE_SIZE = 20


class Sort(StrEnum):
    RELEVANCE = "pertinence"
    DISTANCE = "distance"
    PRICE = "prix"
    DURATION = "duree"


@dataclass(frozen=True)
class SearchCriteria:
    """A validated search. Empty fields do not filter."""

    text: str = ""  # keywords; a number alone is also tried as an exact code CPF
    code_cpf: int | None = None
    # Place: at most one of these is used, the most precise first.
    commune_code: str | None = None  # INSEE code of the commune (with radius_km: a circle)
    radius_km: int | None = None
    postal_code: str | None = None
    departement_code: str | None = None
    region_code: str | None = None
    certification_kinds: tuple[str, ...] = ()  # Certification.Kind values
    levels: tuple[str, ...] = ()  # Certification.Level values
    modalities: tuple[str, ...] = ()  # Offer.Modality values
    duration_min: int | None = None
    duration_max: int | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    session_from: datetime.date | None = None  # a session starting on or after
    session_until: datetime.date | None = None  # a session starting on or before
    # Whose eligibility: None means every listed certification (no situation known).
    situation: Situation | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class OfferHit:
    offer: Offer  # with organisme and certification loaded
    lists: tuple[str, ...]  # names of the lists that make it eligible for this search
    code_cpf: int | None  # the code CPF of the listing shown
    distance_km: float | None = None


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str  # the query-string parameter it sets (type, niveau, modalite, region)
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class SearchResults:
    criteria: SearchCriteria
    total: int
    hits: tuple[OfferHit, ...]
    facets: tuple[Facet, ...] = field(default_factory=tuple)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.criteria.page_size))
