"""The employer's space (issue 14): delegating employees, « Demandes d'accord » and the
answer; the délégation checks' cost whatever the number of délégations."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mcf.domain.dossiers import actions as dossier_actions
from mcf.domain.dossiers.models import Dossier, EmployerAnswer, WorkingTime
from mcf.domain.identity.nir import with_key
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from mcf.web.idempotency import FIELD
from mcf.web.titulaire.decorators import ACTING_SESSION_KEY
from tests.domain.delegations.builders import employer, to_company, to_person
from tests.domain.dossiers.builders import dossier_world, ready_dossier
from tests.factories import registered_holder
from tests.web.keys import client_key, keyed
from tests.web.professionnel.dossier_helpers import client_of
from tests.web.titulaire.dossier_helpers import text

pytestmark = pytest.mark.django_db

REQUESTS = "/professionnel/demandes-d-accord/"


@pytest.fixture
def world():
    return dossier_world()


@pytest.fixture
def company():
    return employer()


def _request(world, company) -> Dossier:
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    dossier = dossier_actions.update_dossier(
        dossier.pk, by=world.holder, version=dossier.version,
        values={"employer_siret": company[0].siret},
    )  # fmt: skip
    return dossier_actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version,
        requested_on=timezone.localdate() - datetime.timedelta(days=3),
    )  # fmt: skip


def test_the_employer_answers_a_refusal_with_its_motif_and_the_holder_is_told(world, company):
    dossier = _request(world, company)
    client = client_of(company[1])
    listed = text(client.get(REQUESTS))
    assert "Touria O." in listed and "À répondre avant le" in listed
    page = f"{REQUESTS}{dossier.public_id}/"
    no_motif = client.post(page, keyed(client, page, {"answer": "refus", "version": "2"}))
    assert no_motif.status_code == 422 and "Indiquez le motif du refus" in text(no_motif)
    assert Dossier.objects.get(pk=dossier.pk).employer_answer == ""
    answered = client.post(page, keyed(client, page, {
        "answer": "refus", "motif": "Période de forte activité au printemps.",
        "version": str(dossier.version),
    }))  # fmt: skip
    assert answered.status_code == 302
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.employer_answer, fresh.employer_motif) == (
        EmployerAnswer.REFUS,
        "Période de forte activité au printemps.",
    )
    entry = JournalEntry.objects.filter(holder=world.holder, action=Action.EMPLOYER_ANSWERED).get()
    assert entry.actor == "Garage Martin (Paul M.)"
    assert OutboxEmail.objects.filter(
        to=world.holder.email, subject__contains="refus de votre employeur"
    ).exists()
    # The form is gone; a second answer posted anyway (a key the server would issue).
    again = client.post(page, {
        "answer": "accord", "version": str(fresh.version),
        FIELD: client_key(client, "professionnel:employer_request"),
    })  # fmt: skip
    assert again.status_code == 409 and "déjà sa réponse" in text(again)
    assert Dossier.objects.get(pk=dossier.pk).employer_answer == EmployerAnswer.REFUS


def test_a_stale_answer_changes_nothing(world, company):
    dossier = _request(world, company)
    client = client_of(company[1])
    page = f"{REQUESTS}{dossier.public_id}/"
    stale = client.post(page, keyed(client, page, {"answer": "accord", "version": "1"}))
    assert stale.status_code == 409 and "rien n'a été modifié" in text(stale)
    assert Dossier.objects.get(pk=dossier.pk).employer_answer == ""


def _delegate_home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/titulaire/").status_code == 200
    return len(queries)


def test_the_checks_cost_the_same_with_1_or_40_délégations(world, company):
    """A person's view of the holder's home (issue 14: ≤ 2 queries for the checks whatever
    the number of délégations of the holder or of the company)."""
    holders = [world.holder] + [
        registered_holder(with_key(f"2850375{n:03d}{n:03d}"), email=f"h{n}@example.org")
        for n in range(1, 40)
    ]
    person = registered_holder(with_key("1900375500500"), email="jean@example.org")
    mine = to_person(world.holder, person)
    company_delegation = to_company(world.holder, company[0])
    client = Client()
    client.force_login(person)
    session = client.session
    session[ACTING_SESSION_KEY] = str(mine.public_id)
    session.save()
    pro = client_of(company[1])
    session = pro.session
    session[ACTING_SESSION_KEY] = str(company_delegation.public_id)
    session.save()
    _delegate_home_queries(client), _delegate_home_queries(pro)  # the day's first read
    person_before, pro_before = _delegate_home_queries(client), _delegate_home_queries(pro)
    for holder in holders[1:]:
        to_company(holder, company[0])
        to_person(holder, person)
    assert _delegate_home_queries(client) == person_before
    assert _delegate_home_queries(pro) == pro_before
    employees = pro.get("/professionnel/salaries/")
    assert employees.status_code == 200 and "40 délégations en cours" in text(employees)


def test_the_employee_list_costs_the_same_with_1_or_60_employees(world, company):
    to_company(world.holder, company[0])
    client = client_of(company[1])
    with CaptureQueriesContext(connection) as one:
        client.get("/professionnel/salaries/")
    for n in range(1, 60):
        to_company(
            registered_holder(with_key(f"2850375{n:03d}{n:03d}"), email=f"h{n}@example.org"),
            company[0],
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/professionnel/salaries/")
    assert len(many) == len(one)
    assert "Page suivante" in text(page)


def test_a_delegating_employee_s_request_naming_no_employer_reaches_the_company(world, company):
    """Issue 14: « employees who delegated (or who named the company in a dossier) »."""
    from mcf.domain.delegations import actions as delegations

    dossier = ready_dossier(world, working_time=WorkingTime.SUR)  # no employer's SIRET
    dossier = dossier_actions.record_employer_request(
        dossier.pk, by=world.holder, version=dossier.version,
        requested_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    client = client_of(company[1])
    page = f"{REQUESTS}{dossier.public_id}/"
    assert client.get(page).status_code == 404  # no délégation yet: not addressed to it
    delegation = to_company(world.holder, company[0])
    assert client.get(page).status_code == 200
    assert str(dossier.public_id) in client.get(REQUESTS).content.decode()
    other = client_of(employer("Autre SARL", siret="55208131766522", email="rh@a.example")[1])
    assert other.get(page).status_code == 404
    delegations.revoke(delegation.pk, holder=world.holder)
    assert client.get(page).status_code == 404
