"""Shared by the holder's dossier page tests (tests/web/titulaire/test_dossier_*.py)."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client

from mcf.domain.accounts.models import User
from mcf.domain.catalogue.models import Branch
from mcf.domain.dossiers.models import Dossier
from tests.domain.dossiers.builders import World, give_hours, salarie_of
from tests.factories import NIR_B, registered_holder

LIST = "/titulaire/dossiers-de-formation/"
NEW = LIST + "nouveau/"


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step(dossier: Dossier, slug: str) -> str:
    return f"{LIST}{dossier.public_id}/etape/{slug}/"


def page(dossier: Dossier, name: str) -> str:
    """« employeur », « transmettre », « plan »."""
    return f"{LIST}{dossier.public_id}/{name}/"


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def holder_of(world: World) -> Client:
    return browser(world.holder)


def second_holder(world: World) -> User:
    """Another salarié of the same branch, with hours (NIR_B)."""
    other = registered_holder(NIR_B)
    salarie_of(other, Branch.objects.get(pk=world.catalogue.branch_id))
    give_hours(other, cpf=30, dif=10)
    return User.objects.get(pk=other.pk)
