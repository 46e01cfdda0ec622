"""The set-up half of `make run` (`make install migrate demo`), once for the slow tests:
each server they start serves a copy of its database (tests/servers.py)."""

from pathlib import Path

import pytest

from tests.servers import set_up_site


@pytest.fixture(scope="session")
def prepared_site(tmp_path_factory) -> Path:
    return set_up_site(tmp_path_factory.mktemp("make-run-setup"))
