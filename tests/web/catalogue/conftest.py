"""A small catalogue covering every filter of « Rechercher une formation »."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from mcf.domain.catalogue.models import Commune, Offer, Session
from tests.domain.catalogue import builders as b
from tests.factories import registered_holder


@dataclass
class Catalogue:
    anglais: Offer  # LNI, à distance, code CPF 236593, sessions
    soudure: Offer  # COPAREF Bretagne, Brest, RNCP niveau 3
    usinage: Offer  # CPNE Métallurgie, Rennes, CQP
    compta: Offer  # COPAREF Auvergne-Rhône-Alpes, Lyon, mixte, RNCP niveau 5
    branch_id: int

    @property
    def all(self) -> list[Offer]:
        return [self.anglais, self.soudure, self.usinage, self.compta]


def referentials() -> None:
    b.region("53", "Bretagne")
    b.region("84", "Auvergne-Rhône-Alpes")
    b.departement("35", "Ille-et-Vilaine", "53")
    b.departement("29", "Finistère", "53")
    b.departement("69", "Rhône", "84")
    b.commune()  # Rennes
    b.commune("29019", "Brest", "29200", 48.3904, -4.4861, "29")
    b.commune("69123", "Lyon", "69001 69002", 45.7640, 4.8357, "69")
    # Names are compared once normalised (hyphens as spaces), as the referential stores them.
    Commune.objects.create(
        code="35288",
        name="Saint-Malo",
        search_name="saint malo",
        postal_codes="35400",
        departement_id="35",
        latitude=48.6493,
        longitude=-2.0257,
        population=46_000,
    )


def build_catalogue() -> Catalogue:
    referentials()
    branch = b.branch()
    anglais = b.listed_offer(
        "Anglais professionnel",
        code_cpf=236593,
        price=Decimal("1200.00"),
        duration_hours=40,
        modality=Offer.Modality.REMOTE,
        objective="Communiquer en anglais au travail.",
    )
    session(anglais, -60, -30)
    session(anglais, 30, 60)
    soudure = listed(
        ("RNCP", "Soudeur assembleur industriel", "3"),
        b.eligibility_list("COPAREF", "53"),
        245001,
        place=b.commune("29019"),
        price=Decimal("5000.00"),
        duration_hours=400,
    )
    usinage = listed(
        ("CQP", "Opérateur régleur en usinage", "0"),
        b.eligibility_list("CPNE", None, branch.idcc),
        245002,
        price=Decimal("3000.00"),
        duration_hours=200,
    )
    compta = listed(
        ("RNCP", "Gestionnaire comptable et fiscal", "5"),
        b.eligibility_list("COPAREF", "84"),
        245003,
        place=b.commune("69123"),
        price=Decimal("2260.00"),
        duration_hours=113,
        modality=Offer.Modality.BLENDED,
    )
    return Catalogue(anglais, soudure, usinage, compta, branch.pk)


def listed(certification: tuple[str, str, str], elist, code_cpf: int, **fields) -> Offer:
    """An offer for a new certification (type, intitulé, niveau) listed on ``elist``."""
    kind, title, level = certification
    cert = b.certification(kind, title=title, level=level)
    b.listing(cert, elist, code_cpf=code_cpf)
    return b.offer(cert, **fields)


@pytest.fixture
def catalogue(db) -> Catalogue:
    return build_catalogue()


def more_offers(count: int) -> None:
    """``count`` more LNI offers, each with a session (the catalogue grows)."""
    cert = b.certification("RS", title="Bureautique")
    b.listing(cert)
    for i in range(count):
        session(
            b.offer(cert, title=f"Bureautique niveau {i}", price=Decimal(100 + i)), i + 1, i + 10
        )


def session(offer: Offer, start_in_days: int, end_in_days: int) -> Session:
    today = timezone.localdate()
    return Session.objects.create(
        offer=offer,
        start_date=today + datetime.timedelta(days=start_in_days),
        end_date=today + datetime.timedelta(days=end_in_days),
    )


@pytest.fixture
def holder(db):
    return registered_holder()
