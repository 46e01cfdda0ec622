"""The API tests reuse the small catalogue of the search page's tests."""

import pytest

from tests.web.catalogue.conftest import Catalogue, build_catalogue


@pytest.fixture
def catalogue(db) -> Catalogue:
    return build_catalogue()
