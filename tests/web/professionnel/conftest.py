"""Fixtures of the financeur's dossier pages (tests/web/professionnel/test_dossier_*.py)."""

import pytest
from django.test import Client

from tests.domain.dossiers.builders import World
from tests.web.professionnel.dossier_helpers import client_of, financeur_world


@pytest.fixture
def world(db) -> World:
    return financeur_world()


@pytest.fixture
def financeur(world) -> Client:
    return client_of(world.financeur)
