"""« Mes délégations » (issue 14): give, see, revoke; the invited person's side; a
delegate in the holder's account within his rights (AC-04)."""

from __future__ import annotations

import pytest
from django.test import Client

from mcf.domain.delegations import actions
from mcf.domain.delegations.models import Delegation, Status
from mcf.domain.journal.models import Action, JournalEntry
from tests.domain.delegations.builders import (
    employer,
    in_days,
    last_invitation_token,
    second_holder,
    to_company,
    to_person,
)
from tests.factories import NIR_B, PASSWORD, registered_holder
from tests.web.keys import keyed
from tests.web.titulaire.dossier_helpers import browser, text

pytestmark = pytest.mark.django_db

LIST = "/titulaire/delegations/"
NEW = LIST + "nouvelle/"


@pytest.fixture
def holder():
    return registered_holder()


@pytest.fixture
def friend():
    return second_holder()


def grant(client, **data):
    return client.post(NEW, keyed(client, NEW, data))


def test_the_menu_entry_leads_to_the_list_with_its_empty_state(holder):
    page = browser(holder).get(LIST)
    assert page.status_code == 200
    assert "Vous n'avez donné aucune délégation" in text(page)
    assert "Donner une délégation" in text(page)


def test_granting_to_a_company_from_the_form(holder):
    employer()
    client = browser(holder)
    response = grant(
        client,
        delegate_kind="entreprise",
        siret="443 061 841 00047",
        consult="on",
        ends_on=in_days(200).isoformat(),
    )
    delegation = Delegation.objects.get(holder=holder)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{delegation.public_id}/"
    detail = client.get(response["Location"])
    assert "Garage Martin" in text(detail) and "Active" in text(detail)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"delegate_kind": "entreprise", "siret": "443 061 841 00048"}, "n'existe pas"),
        ({"delegate_kind": "entreprise", "siret": "552 081 317 66522"}, "Aucune entreprise"),
        ({"delegate_kind": "personne", "email": "touria.orange@example.org"}, "propre adresse"),
        ({"delegate_kind": "personne", "email": "pas-une-adresse"}, "adresse courriel valide"),
        ({"delegate_kind": "personne", "email": "a@b.fr", "consult": ""}, "au moins un droit"),
        ({"delegate_kind": "personne", "email": "a@b.fr", "ends_on": "2020-01-01"}, "passé"),
        ({"delegate_kind": "personne", "email": "a@b.fr", "ends_on": "2099-01-01"}, "3 ans"),
        ({"delegate_kind": "personne", "email": "a@b.fr", "ends_on": "３１/１２/2027"}, "date"),
        ({}, "Choisissez une entreprise ou une personne"),
    ],
)
def test_bad_input_gets_a_french_message_keeps_what_was_typed_writes_nothing(holder, data, message):
    employer()
    data = {"consult": "on", "ends_on": in_days(100).isoformat()} | data
    response = grant(browser(holder), **data)
    assert response.status_code == 400
    assert message in text(response)
    for value in data.values():
        if value and value not in ("on", "entreprise", "personne"):
            assert value in response.content.decode()
    assert not Delegation.objects.exists()


def test_granting_needs_a_recent_password(holder, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    client = browser(holder)
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/titulaire/confirmer-mot-de-passe/")


def test_an_invitation_reads_the_same_whether_the_address_has_an_account_or_not(
    holder, friend, still_clock
):
    # The clock stopped: both pages show the invitation's time to the minute (the gate
    # once sent them on either side of 00:22).
    client = browser(holder)
    pages = []
    for email in (friend.email, "personne@nulle-part.example"):
        response = grant(
            client,
            delegate_kind="personne",
            email=email,
            consult="on",
            ends_on=in_days(30).isoformat(),
        )
        pages.append(text(client.get(response["Location"])).replace(email, "X").split())
    first, second = pages
    assert [a for a, b in zip(first, second, strict=True) if a != b] == []


def test_the_invited_person_logs_in_accepts_opens_the_account_and_leaves(holder, friend):
    actions.invite_person(
        holder, email=friend.email, consult=True, modify=False, ends_on=in_days(60)
    )
    token = last_invitation_token(friend.email)
    visitor = Client()
    invitation = visitor.get(f"{LIST}invitation/{token}/")
    assert invitation.status_code == 200 and "Touria O." in text(invitation)
    assert Delegation.objects.get().status == Status.INVITEE  # a GET accepts nothing
    login = visitor.post(
        "/titulaire/connexion/?suivant=/titulaire/delegations/invitation/reprendre/",
        {"nir": NIR_B, "password": PASSWORD},
    )
    assert login["Location"] == "/titulaire/delegations/invitation/reprendre/"
    accepted = visitor.post(login["Location"])
    assert accepted["Location"] == LIST
    delegation = Delegation.objects.get()
    assert delegation.status == Status.ACTIVE and delegation.delegate == friend
    mine = visitor.get(LIST)
    assert "Comptes qui me sont délégués" in text(mine) and "Compte de Touria O." in text(mine)

    opened = visitor.post(f"{LIST}{delegation.public_id}/ouvrir/")
    assert opened["Location"] == "/titulaire/"
    home = visitor.get("/titulaire/")
    assert "Vous êtes dans le compte de Touria O., par délégation" in text(home)
    assert holder.nir not in home.content.decode()
    assert "Mes informations personnelles" not in text(home)  # not in the delegate's menu
    hours = visitor.get("/titulaire/compte-d-heures/")
    assert hours.status_code == 200 and "Seul le titulaire peut le saisir" in text(hours)
    for holder_only in (
        "/titulaire/informations-personnelles/",
        "/titulaire/historique/",
        "/titulaire/delegations/nouvelle/",
        "/titulaire/compte-d-heures/attestation.pdf",
        "/titulaire/dossiers-de-formation/nouveau/",  # consultation only
    ):
        refused = visitor.get(holder_only)
        assert refused.status_code == 403, holder_only
        assert "Quitter ce compte" in text(refused)
    assert JournalEntry.objects.filter(holder=holder, action=Action.DELEGATE_READ).count() == 1

    left = visitor.post(f"{LIST}quitter/")
    assert left["Location"] == LIST
    assert (
        "Jean" in text(visitor.get("/titulaire/")) or visitor.get("/titulaire/").status_code == 200
    )


def test_a_revocation_refuses_the_delegate_s_very_next_request(holder, friend):
    delegation = to_person(holder, friend)
    delegate = browser(friend)
    delegate.post(f"{LIST}{delegation.public_id}/ouvrir/")
    assert delegate.get("/titulaire/").status_code == 200
    client = browser(holder)
    page = f"{LIST}{delegation.public_id}/"
    revoked = client.post(f"{page}revoquer/", keyed(client, page, action=f"{page}revoquer/"))
    assert revoked.status_code == 302
    after = delegate.get("/titulaire/compte-d-heures/")
    assert after.status_code == 403 and "n'est plus active" in text(after)


def test_another_holder_s_délégation_is_not_found(holder, friend):
    company, _ = employer()
    delegation = to_company(holder, company)
    assert browser(friend).get(f"{LIST}{delegation.public_id}/").status_code == 404
    assert browser(friend).post(f"{LIST}{delegation.public_id}/ouvrir/").status_code == 403


def test_the_délégation_page_shows_who_consulted_and_when(holder, friend):
    delegation = to_person(holder, friend)
    delegate = browser(friend)
    delegate.post(f"{LIST}{delegation.public_id}/ouvrir/")
    for _ in range(3):
        delegate.get("/titulaire/compte-d-heures/")
    page = text(browser(holder).get(f"{LIST}{delegation.public_id}/"))
    assert "Qui a consulté mon compte" in page and " 3 " in page
    history = text(browser(holder).get("/titulaire/historique/"))
    assert "Jean D., par délégation" in history


def test_an_invitation_opened_before_registering_waits_in_the_list(holder, friend):
    _, token = actions.invite_person(
        holder, email=friend.email, consult=True, modify=False, ends_on=in_days(60)
    )
    visitor = Client()
    visitor.get(f"{LIST}invitation/{token}/")
    visitor.force_login(friend)  # registered and logged in, in the same browser
    page = text(visitor.get(LIST))
    assert "Une invitation vous attend" in page
    assert visitor.post(f"{LIST}invitation/reprendre/")["Location"] == LIST
    assert "Une invitation vous attend" not in text(visitor.get(LIST))
