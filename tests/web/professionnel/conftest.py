"""Fixtures of the financeur's dossier pages (tests/web/professionnel/test_dossier_*.py)."""

import pytest
from django.test import Client

from tests.domain.dossiers.builders import World, dossier_world
from tests.web.professionnel.dossier_helpers import client_of


@pytest.fixture
def world(db) -> World:
    world = dossier_world()
    # Without the counter cached before its DIF was entered (« Heures DIF non renseignées »).
    world.holder.refresh_from_db()
    return world


@pytest.fixture
def financeur(world) -> Client:
    return client_of(world.financeur)
