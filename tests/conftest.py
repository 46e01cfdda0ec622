"""Fixtures shared by the whole suite (the environment is set in the root conftest.py)."""

import inspect
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A fast hasher: password hashing cost is measured in bench/, not paid in every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Rate-limit counters live in the cache; a private in-memory cache per test run.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _clear_cache(_test_settings):
    # Rate-limit counters live in the cache: each test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _close_search_helper_connection():
    # A search outside a transaction (live server, transactional tests) counts its facets on
    # a helper thread's connection (mcf/domain/catalogue/search/parallel.py): closed after
    # each test, so that nothing holds the test database when it is dropped.
    yield
    from mcf.domain.catalogue.search.parallel import close_helper_connection

    close_helper_connection()


@pytest.fixture
def still_clock(time_machine):
    """Stops the clock for a test that counts requests against a rate limit.

    django-ratelimit counts in fixed windows aligned on the clock: a test sending N requests
    would otherwise fail now and then when the requests straddle a window boundary.
    """
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)


class _UndefinedInOurTemplates(str):
    """``string_if_invalid`` that fails the test for an undefined variable in OUR templates.

    pytest-django's own option fails on third-party templates too (django-dsfr's widgets
    read optional attributes on purpose), so the check is limited to files under mcf/.
    """

    def __mod__(self, variable):
        for frame_info in inspect.stack()[1:]:
            if frame_info.function != "render":
                continue
            origin = getattr(frame_info.frame.f_locals.get("self"), "origin", None)
            name = getattr(origin, "name", None)
            if name:
                if str(PROJECT_TEMPLATES) in str(name):
                    pytest.fail(f"Undefined template variable {variable!r} in {name}")
                return ""
        return ""

    def __contains__(self, key):
        return key == "%s"


PROJECT_TEMPLATES = Path(__file__).resolve().parent.parent / "mcf"


@pytest.fixture(autouse=True, scope="session")
def _fail_on_undefined_template_variables():
    from django.template import engines

    engine = engines["django"].engine
    engine.string_if_invalid = _UndefinedInOurTemplates("%s")
    yield engine
    engine.string_if_invalid = ""


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that open the database (and the sweeps): `make test-postgres`, "
        "after `make test-sqlite` has run the others",
    )

    parser.addoption(
        "--no-web-database-tests",
        action="store_true",
        help="leave out the tests of tests/web/ that open the database: `make test-sqlite` "
        "(the browser stage opens every page on SQLite, `make test-postgres` runs them)",
    )


def uses_the_database(item) -> bool:
    """pytest-django's own rule (its test ordering): a django_db mark, or a fixture that
    needs ``db``, ``transactional_db`` or ``live_server``. Any other test is refused every
    query (pytest-django blocks the database), so both databases give it the same result."""
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        fixtures & {"db", "transactional_db", "live_server"}
    )


def pytest_collection_modifyitems(config, items):
    # The tests that never touch the database run once, in the SQLite run (docs/decisions/
    # 0014-gate-time.md). A sweep, or a test skipped on a condition (a database vendor…),
    # stays in the PostgreSQL run whatever its fixtures.
    database_only = config.getoption("--database-tests-only")
    no_web_database = config.getoption("--no-web-database-tests")
    if not (database_only or no_web_database):
        return
    web = Path(__file__).resolve().parent / "web"
    kept, left = [], []
    for item in items:
        if database_only:
            stays = (
                uses_the_database(item)
                or item.get_closest_marker("sweep") is not None
                or item.get_closest_marker("skipif") is not None
            )
        else:  # the views' tests that need a database run on PostgreSQL only
            stays = not (uses_the_database(item) and Path(item.path).is_relative_to(web))
        (kept if stays else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
