"""The demo catalogue and the demo holder's situation (what the training search uses).

The referentials are the real ones (load_geography); the offers are a fixed slice of the
synthetic generator, so every `make run` shows the same catalogue. Idempotent: the
referentials are loaded into an empty database, the offers generated only into an empty
catalogue, the situation set only while the holder has none (her own later choice wins).
"""

from __future__ import annotations

from mcf.domain.accounts.models import EmploymentStatus, User
from mcf.domain.accounts.personal_information import update_situation
from mcf.domain.catalogue.geography import load_geography
from mcf.domain.catalogue.models import Branch, Commune, Offer, Region
from mcf.domain.catalogue.synthetic import generate_catalogue

DEMO_OFFERS = 2_000
DEMO_SEED = 2026
# Touria Orange: salariée of a metalworking company in Île-de-France.
DEMO_HOLDER_BRANCH_IDCC = "3248"  # Métallurgie
DEMO_HOLDER_REGION = "11"  # Île-de-France


def load_demo_catalogue() -> bool:
    """Referentials and the demo offers; True when something was written. (A database
    that has the referentials keeps them: ``manage.py load_geography`` refreshes them.)"""
    created = False
    if not Commune.objects.exists():
        load_geography()
        created = True
    if not Offer.objects.exists():
        generate_catalogue(DEMO_OFFERS, seed=DEMO_SEED)
        created = True
    return created


def give_demo_situation(holder: User) -> bool:
    """Salariée, branche Métallurgie, working in Île-de-France — through the holder's own
    write path (« Mes informations personnelles »), only while she has no situation."""
    if holder.employment_status:
        return False
    return update_situation(
        holder,
        employment_status=EmploymentStatus.SALARIE,
        branch=Branch.objects.get(idcc=DEMO_HOLDER_BRANCH_IDCC),
        work_region=Region.objects.get(code=DEMO_HOLDER_REGION),
        home_region=Region.objects.get(code=DEMO_HOLDER_REGION),
    )
