"""AC-01, AC-02, AC-04 for délégations (issue 14): every route of the holder's space, seen
by the holder, by his delegates (consultation, modification, revoked, lapsed), by his
employer's staff, by another company's staff and by a financeur who put a délégation id in
their session, and by an anonymous visitor; and the employer's space by each of them.

The routes are read from the URL resolver (tests/web/routes.py): a route added to the
holder's space later is in the matrix without a line here, and is expected to be the
holder's alone (deny by default) unless it is named in ``CONSULT`` or ``MODIFY`` — the
rights issue 14 gives (consultation: hours, movements, non-confidential dossiers, the
search; modification: create and prepare dossiers, the employer's answer).

Asserted, for each visitor and route, by GET and by POST: the exact status (an allowed
delegate gets the holder's own status; a page outside his rights 403; a confidential
dossier 404, as a missing one; an ended délégation 403 « n'est plus active »); that a
refused request writes nothing (dossiers, délégations, journal but the reads, outbox,
counters); that no answer to anyone but the holder holds his NIR, in any spelling.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from mcf.domain.delegations.models import Delegation
from mcf.domain.dossiers import actions as dossier_actions
from mcf.domain.dossiers.models import Dossier, WorkingTime
from mcf.domain.hours.models import Counter
from mcf.domain.identity.nir import Nir, with_key
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from mcf.web.titulaire.decorators import ACTING_SESSION_KEY
from tests.domain.delegations.builders import (
    OTHER_EMPLOYER_SIRET,
    employer,
    in_days,
    to_company,
    to_person,
)
from tests.domain.dossiers.builders import ready_dossier
from tests.factories import registered_holder
from tests.web.professionnel.dossier_helpers import client_of
from tests.web.routes import ROUTES

pytestmark = pytest.mark.django_db

# What a délégation opens (issue 14); every other page of the holder's space is his alone.
CONSULT = {"home", "hours", "training_search", "training_offer", "dossiers", "dossier"}
MODIFY = {"dossier_new", "training_dossier", "dossier_step", "dossier_plan", "dossier_employer"}
# Routes of the titulaire namespace that are not pages of a logged-in holder's space.
OUTSIDE_THE_SPACE = {
    "login", "logout", "password_reset", "password_reset_confirm", "registration_cgu",
    "registration_identity", "registration_password", "registration_done",
    "registration_confirm", "email_change_confirm", "delegation_invitation",
    "delegation_invitation_resume", "delegation_open", "delegation_leave",
}  # fmt: skip
SPACE_ROUTES = [
    route for route in ROUTES if route.namespace == "titulaire" and route.name
    and route.name not in OUTSIDE_THE_SPACE
]  # fmt: skip
EMPLOYER_ROUTES = ("employees", "employer_requests")


def _nir_spellings(nir: str) -> list[str]:
    parsed = Nir.parse(nir)
    return [parsed.value, parsed.formatted, parsed.masked]


class World:
    """Holder Touria with an open and a confidential dossier (both sur temps de travail at
    Garage Martin, the request made), her délégations, and everyone else."""

    def __init__(self, world):
        self.holder = world.holder
        self.company, self.company_admin = employer()
        _, self.other_admin = employer(
            "Autre SARL", siret=OTHER_EMPLOYER_SIRET, email="rh@autre.example"
        )
        self.financeur = world.financeur
        self.open = self._sur_dossier(world, confidential=False)
        self.secret = self._sur_dossier(world, confidential=True)
        self.offer_pk = world.catalogue.anglais.pk
        people = [
            registered_holder(with_key(f"1900375{n:03d}{n:03d}"), email=f"p{n}@example.org",
                              first_name=f"P{n}", birth_name="Test")
            for n in range(1, 5)
        ]  # fmt: skip
        self.consult = to_person(self.holder, people[0])
        self.modify = to_person(self.holder, people[1], modify=True)
        self.revoked = to_person(self.holder, people[2], modify=True)
        from mcf.domain.delegations import actions

        actions.revoke(self.revoked.pk, holder=self.holder)
        self.lapsed = to_person(self.holder, people[3], modify=True)
        Delegation.objects.filter(pk=self.lapsed.pk).update(ends_on=in_days(-1))
        self.to_company = to_company(self.holder, self.company)

    def _sur_dossier(self, world, *, confidential: bool) -> Dossier:
        dossier = ready_dossier(world, working_time=WorkingTime.SUR)
        dossier = dossier_actions.update_dossier(
            dossier.pk, by=self.holder, version=dossier.version,
            values={"employer_siret": self.company.siret, "confidential": confidential},
        )  # fmt: skip
        return dossier_actions.record_employer_request(
            dossier.pk, by=self.holder, version=dossier.version,
            requested_on=timezone.localdate() - datetime.timedelta(days=2),
        )  # fmt: skip


@pytest.fixture
def w():
    from tests.domain.dossiers.builders import dossier_world

    return World(dossier_world())


def _acting(client: Client, delegation: Delegation) -> Client:
    session = client.session
    session[ACTING_SESSION_KEY] = str(delegation.public_id)
    session.save()
    return client


def _person(delegation: Delegation) -> Client:
    client = Client()
    client.force_login(delegation.delegate)
    return _acting(client, delegation)


def _url(route, w: World, dossier: Dossier) -> str:
    values = {
        "<uuid:public_id>": str(
            w.to_company.public_id if route.name.startswith("delegation") else dossier.public_id
        ),
        "<slug:step>": "organisme",
        "<int:pk>": str(w.offer_pk),
        "<str:token>": "x",
    }
    return route.url(values)


def _snapshot() -> tuple:
    """What a refused request must not change (the reads of a délégation aside)."""
    return (
        list(Dossier.objects.order_by("pk").values_list("pk", "version", "state")),
        list(Delegation.objects.order_by("pk").values_list("pk", "status")),
        JournalEntry.objects.exclude(action=Action.DELEGATE_READ).count(),
        OutboxEmail.objects.count(),
        list(Counter.objects.order_by("pk").values_list("cpf_balance", "dif_balance")),
    )


def _holder_statuses(w: World) -> dict[tuple[str, int], int]:
    holder = Client()
    holder.force_login(w.holder)
    return {
        (route.name, dossier.pk): holder.get(_url(route, w, dossier)).status_code
        for route in SPACE_ROUTES
        for dossier in (w.open, w.secret)
    }


def _expected(route_name: str, delegation: Delegation | None, dossier: Dossier, own: int,
              *, live: bool) -> int:  # fmt: skip
    if not live:
        return 403
    allowed = route_name in CONSULT or (route_name in MODIFY and delegation.can_modify)
    if not allowed:
        return 403
    if dossier.confidential and route_name.startswith("dossier") and route_name not in (
        "dossiers", "dossier_new",
    ):  # fmt: skip
        return 404
    return own


DELEGATES = {
    "consultation": lambda w: (_person(w.consult), w.consult, True),
    "modification": lambda w: (_person(w.modify), w.modify, True),
    "revoked": lambda w: (_person(w.revoked), w.revoked, False),
    "lapsed": lambda w: (_person(w.lapsed), w.lapsed, False),
    "employer": lambda w: (_acting(client_of(w.company_admin), w.to_company),
                           w.to_company, True),
    "other_company": lambda w: (_acting(client_of(w.other_admin), w.to_company),
                                w.to_company, False),
    "financeur": lambda w: (_acting(client_of(w.financeur), w.to_company),
                            w.to_company, False),
}  # fmt: skip


@pytest.mark.parametrize("who", DELEGATES)
def test_ac_04_each_delegate_gets_exactly_what_his_délégation_opens(w, who):
    own = _holder_statuses(w)
    client, delegation, live = DELEGATES[who](w)
    nirs = _nir_spellings(w.holder.nir)
    for route in SPACE_ROUTES:
        for dossier in (w.open, w.secret):
            url = _url(route, w, dossier)
            expected = _expected(
                route.name, delegation, dossier, own[(route.name, dossier.pk)], live=live
            )
            # Each request from a session still in the account (an ended délégation takes
            # the session out of it: its next request is the visitor's own).
            response = _acting(client, delegation).get(url)
            assert response.status_code == expected, (who, url)
            page = response.content.decode(errors="replace")
            assert not any(nir in page for nir in nirs), (who, url)
            if expected == 403:
                text = "n'est plus active" if not live else "ne donne pas accès"
                assert text in page, (who, url)
                before = _snapshot()
                assert _acting(client, delegation).post(url, {}).status_code == 403, (who, url)
                assert _snapshot() == before, (who, url)


def test_ac_04_the_holder_himself_is_served_everywhere_in_his_space(w):
    for (name, _), status in _holder_statuses(w).items():
        assert status not in (403, 404), name


def test_ac_02_anonymous_is_sent_to_the_login(w):
    anonymous = _acting(Client(), w.consult)
    for route in SPACE_ROUTES:
        response = anonymous.get(_url(route, w, w.open))
        assert response.status_code == 302, route.name
        assert response["Location"].startswith("/titulaire/connexion/"), route.name


def test_ac_04_the_employer_space_shows_each_company_its_own_and_never_a_secret(w):
    nirs = _nir_spellings(w.holder.nir)
    requests = "/professionnel/demandes-d-accord/"
    open_request, secret_request = (f"{requests}{d.public_id}/" for d in (w.open, w.secret))

    mine = client_of(w.company_admin)
    employees = mine.get("/professionnel/salaries/")
    assert employees.status_code == 200 and "Touria O." in employees.content.decode()
    listed = mine.get(requests).content.decode()
    assert str(w.open.public_id) in listed and str(w.secret.public_id) not in listed
    assert mine.get(open_request).status_code == 200
    assert mine.get(secret_request).status_code == 404
    for page in (employees, mine.get(requests), mine.get(open_request)):
        assert not any(nir in page.content.decode() for nir in nirs)

    other = client_of(w.other_admin)
    for url in ("/professionnel/salaries/", requests):
        page = other.get(url)
        assert page.status_code == 200 and "Touria" not in page.content.decode()
    for url in (open_request, secret_request):
        before = _snapshot()
        assert other.get(url).status_code == 404
        assert other.post(url, {"answer": "accord", "version": "1"}).status_code == 404
        assert _snapshot() == before

    financeur = client_of(w.financeur)
    assert financeur.get("/professionnel/salaries/").status_code == 403
    assert financeur.get(requests).status_code == 403
    assert financeur.get(open_request).status_code == 404

    holder = Client()
    holder.force_login(w.holder)
    for url in ("/professionnel/salaries/", requests, open_request):
        assert holder.get(url).status_code == 302
        assert Client().get(url).status_code == 302


def test_ac_04_after_revocation_the_company_lists_the_employee_no_more(w):
    from mcf.domain.delegations import actions

    mine = client_of(w.company_admin)
    actions.revoke(w.to_company.pk, holder=w.holder)
    assert "Touria" not in mine.get("/professionnel/salaries/").content.decode()
    assert _acting(mine, w.to_company).get("/titulaire/").status_code == 403
