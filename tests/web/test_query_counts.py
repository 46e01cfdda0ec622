"""Every page's SQL query count stays flat as the data grows.

Each route that someone may open (the access table, test_access_table.py) is requested by
one of those users: the space's own, else an anonymous visitor. Its queries are counted,
then every list a page could show grows by ``GROWTH`` rows — the holder's ledger and
history, the organisation's gestionnaires, the catalogue, the contact messages, the
outbox, the feed uploads, the holders, the TOTP devices — and the count must be the same:
no page makes a query per row (an N+1). The pages' own tests give their exact counts.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.domain.accounts.models import User
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.hours.ledger import credit_feed
from mcf.domain.hours.models import Counter, FeedImport
from mcf.domain.identity.nir import with_key
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.domain.organisations.models import ProfessionalProfile
from tests.domain.organisations.builders import add_gestionnaires
from tests.factories import registered_holder
from tests.web.catalogue.conftest import more_offers
from tests.web.conftest import more_dossiers
from tests.web.routes import HOLDER, ROUTES, route_values, status
from tests.web.test_access_table import ACCESS

# A whole-site sweep: run on PostgreSQL only (make test-sqlite skips it, see Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

GROWTH = 12
OPENED = [route for route in ROUTES if ACCESS.get(route.key)]
# Whom to send: the space's own user when he may open the page, else anonymous.
PREFERRED = ("holder", "professional", "superuser", "anonymous")


def _visitor(key: str) -> str:
    return next(role for role in PREFERRED if role in ACCESS[key])


def grow(count: int) -> None:
    """``count`` more rows in every list a page may show."""
    holder = User.objects.get(nir_hash=nir_lookup_hash(HOLDER))
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(holder=holder)
        for year in range(1990, 1990 + count):
            credit_feed(counter, year=year, hours=1, source="croissance")
    for _ in range(count):
        journal.record(holder, Action.HOURS_FED, details="1 h.")
    admin = ProfessionalProfile.objects.get(organisation__name="OPCA Test").user
    add_gestionnaires(admin, count, start=100)
    more_offers(count)
    operator = User.objects.get(username="operatrice")
    for i in range(count):
        submit_contact_message(
            full_name=f"Visiteur {i}",
            email=f"visiteur{i}@example.net",
            topic=ContactMessage.Topic.choices[0][0],
            message="Bonjour",
        )
        FeedImport.objects.create(file_name=f"dads-{i}.csv", size=10, uploaded_by=operator)
        TOTPDevice.objects.create(user=operator, name=f"Téléphone {i}", confirmed=False)
    for i in range(count):
        registered_holder(with_key(f"18505780{i:05d}"), email=f"titulaire{i}@example.org")
    more_dossiers(count)


def _queries(browser, url: str) -> int:
    status(browser.get(url))  # first: caches, the session's once-a-minute refresh
    with CaptureQueriesContext(connection) as queries:
        assert status(browser.get(url)) == 200, url
    return len(queries)


@pytest.mark.parametrize("route", OPENED, ids=[route.key for route in OPENED])
def test_query_count_is_flat_as_data_grows(route, clients, route_objects, still_clock):
    # The clock stopped: a rate limit's window turning between the two measures costs one
    # more query (the expired counter deleted from the cache table), whatever the data.
    browser = clients[_visitor(route.key)]
    url = route.url(route_values(route, *route_objects)[0])
    before = _queries(browser, url)
    grow(GROWTH)
    after = _queries(browser, url)
    assert after == before, f"{url}: {before} queries, then {after} with {GROWTH} more rows"
