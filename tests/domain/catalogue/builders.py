"""Small catalogue fixtures built through the models (the generator has its own tests)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from mcf.domain.catalogue.models import (
    Branch,
    Certification,
    Commune,
    Departement,
    EligibilityList,
    ListedCertification,
    Offer,
    Organisme,
    Region,
)

_numbers = itertools.count(1)
# Valid SIRETs (Luhn key), one per organisme built.
SIRETS = ["73282932000074", "35600000000048", "44306184100047", "55210055400013"]


def region(code="53", name="Bretagne") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name})[0]


def departement(code="35", name="Ille-et-Vilaine", region_code="53") -> Departement:
    return Departement.objects.get_or_create(
        code=code, defaults={"name": name, "region": region(region_code)}
    )[0]


def commune(code="35238", name="Rennes", postal="35000", lat=48.1113, lon=-1.6800, dep="35"):
    return Commune.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "search_name": name.lower(),
            "postal_codes": postal,
            "departement": departement(dep),
            "latitude": lat,
            "longitude": lon,
        },
    )[0]


def branch(idcc="3248", name="Métallurgie") -> Branch:
    return Branch.objects.get_or_create(idcc=idcc, defaults={"name": name})[0]


def eligibility_list(kind="LNI", region_code=None, branch_idcc=None) -> EligibilityList:
    return EligibilityList.objects.get_or_create(
        kind=kind,
        region=region(region_code) if region_code else None,
        branch=branch(branch_idcc) if branch_idcc else None,
    )[0]


def organisme(siret=SIRETS[0], name="Organisme de démonstration") -> Organisme:
    return Organisme.objects.get_or_create(siret=siret, defaults={"name": name})[0]


def certification(kind="RS", code=None, title="Anglais professionnel", level="0"):
    code = code if code is not None else f"{kind}{next(_numbers)}"
    return Certification.objects.create(kind=kind, code=code, title=title, level=level)


def listing(cert, elist=None, code_cpf=None, valid_from=None, valid_until=None):
    return ListedCertification.objects.create(
        eligibility_list=elist or eligibility_list(),
        certification=cert,
        code_cpf=code_cpf if code_cpf is not None else 200000 + next(_numbers),
        valid_from=valid_from or datetime.date(2020, 1, 1),
        valid_until=valid_until,
    )


def offer(cert=None, title=None, place=None, **fields) -> Offer:
    cert = cert or certification()
    place = place or commune()
    defaults = {
        "number": f"AF_{next(_numbers):08d}",
        "organisme": organisme(),
        "certification": cert,
        "title": title or cert.title,
        "duration_hours": 113,
        "price": Decimal("2260.00"),
        "commune": place,
        "city": place.name,
        "postal_code": place.postal_codes.split()[0],
        "departement": place.departement,
        "region": place.departement.region,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    return Offer.objects.create(**{**defaults, **fields})


def listed_offer(title="Anglais professionnel", cert=None, elist=None, code_cpf=None, **fields):
    """An offer whose certification is listed (on the LNI unless ``elist`` says otherwise)."""
    if cert is None:
        cert = certification(title=fields.pop("certification_title", title))
        listing(cert, elist, code_cpf=code_cpf)
    return offer(cert, title=title, **fields)


def delete_catalogue(referentials: bool = True) -> None:
    """Empty the catalogue tables (module-scoped fixtures that load data outside a test's
    transaction clean up with it)."""
    from mcf.domain.catalogue.synthetic import clear_catalogue

    clear_catalogue()
    if referentials:
        from mcf.domain.accounts.models import User

        User.objects.update(branch=None, work_region=None, home_region=None)
        EligibilityList.objects.all().delete()
        for model in (Commune, Departement, Region, Branch):
            model.objects.all().delete()
