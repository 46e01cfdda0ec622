"""REL-04: a form posted twice — double click, retry, concurrent copies — has one effect
and every copy gets the first answer (Post/Redirect/Get); the same key with other values
is refused; a submission that changes nothing writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from mcf.domain.accounts.models import PendingRegistration
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.idempotency.actions import KEY_LIFETIME, purge_submissions
from mcf.domain.idempotency.models import Submission
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from mcf.web.idempotency import EXPIRED, FIELD
from tests.concurrency import run_together
from tests.domain.hours.test_feed import assert_invariants
from tests.factories import NIR_A, NIR_B, registered_holder
from tests.web.keys import form_key, key_for, keyed
from tests.web.titulaire.test_registration_wizard import (
    IDENTITY,
    PASSWORD,
    accept_cgu,
    fill_identity,
)

HOURS = "/titulaire/compte-d-heures/"
STEP_3 = "/titulaire/inscription/mot-de-passe/"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test-postgres)"
)


def dif_entries(holder):
    return Entry.objects.filter(counter__holder=holder, account=Entry.Account.DIF)


def dif_history(holder):
    return JournalEntry.objects.filter(holder=holder, action=Action.DIF_ENTERED)


def browser_of(holder) -> Client:
    client = Client()
    client.force_login(holder)
    return client


def same_browser(client: Client) -> Client:
    """Another connection of the same browser: its cookies, the same session."""
    copy = Client()
    copy.cookies = client.cookies
    return copy


def messages_of(client: Client, url: str) -> str:
    return client.get(url).content.decode()


# --- sequential: a double click, a retry ------------------------------------------------


@pytest.mark.django_db
def test_the_dif_posted_twice_with_its_key_is_entered_once():
    holder = registered_holder()
    client = browser_of(holder)
    data = keyed(client, HOURS, {"hours": "7"})
    first = client.post(HOURS, data)
    second = client.post(HOURS, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == HOURS
    assert "Votre solde d&#x27;heures DIF a été enregistré." in messages_of(client, HOURS)
    assert list(dif_entries(holder).values_list("hours", flat=True)) == [7]
    assert dif_history(holder).count() == 1
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_key_sent_again_with_other_values_is_refused():
    holder = registered_holder()
    client = browser_of(holder)
    data = keyed(client, HOURS, {"hours": "7"})
    client.post(HOURS, data)
    refused = client.post(HOURS, {**data, "hours": "8"})
    assert refused.status_code == 422
    assert "Ce formulaire a déjà été envoyé" in refused.content.decode()
    assert Counter.objects.get(holder=holder).dif_balance == 7


@pytest.mark.django_db
def test_a_submission_that_changes_nothing_writes_nothing():
    holder = registered_holder()
    enter_dif(holder, 7)
    client = browser_of(holder)
    response = client.post(HOURS, keyed(client, HOURS, {"hours": "7"}))
    assert response["Location"] == HOURS
    assert "Votre solde d&#x27;heures DIF est inchangé." in messages_of(client, HOURS)
    assert dif_entries(holder).count() == 1
    assert dif_history(holder).count() == 1
    assert enter_dif(holder, 7) is False


@pytest.mark.parametrize(
    "key",
    [
        None,  # no key: a form not written by our page
        "x" * 300,
        "forged:1abc:not-a-signature",
        "another-form",  # a valid key of another form
        "another-holder",  # a valid key of another holder
        "expired",
    ],
)
@pytest.mark.django_db
def test_a_form_without_a_valid_key_is_shown_again_with_what_was_typed(key, time_machine):
    time_machine.move_to("2026-11-27 10:00:00+01:00")
    holder = registered_holder()
    client = browser_of(holder)
    if key == "another-form":
        key = key_for(holder, "titulaire:personal_phones")
    elif key == "another-holder":
        key = key_for(registered_holder(NIR_B, email="autre@example.org"), "titulaire:hours")
    elif key == "expired":
        key = form_key(client, HOURS)
        time_machine.shift(KEY_LIFETIME.total_seconds() + 1)
        client.force_login(holder)
    response = client.post(HOURS, {"hours": "45", **({FIELD: key} if key else {})})
    page = response.content.decode()
    assert response.status_code == 200
    assert EXPIRED.replace("'", "&#x27;") in page
    assert 'value="45"' in page  # nothing typed is lost
    assert 'name="idempotency_key" value="' in page  # and it has a new key
    assert Counter.objects.get(holder=holder).dif_balance is None
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_refused_change_keeps_no_key():
    """A business refusal rolls the key back with it: the form can be sent again."""
    holder = registered_holder()
    Counter.objects.filter(holder=holder).update(dif_locked_at="2026-01-01T00:00:00Z")
    client = browser_of(holder)
    response = client.post(HOURS, {"hours": "7", FIELD: key_for(holder, "titulaire:hours")})
    assert "ne peut plus être modifié" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_step_3_posted_twice_sends_one_mail_and_both_land_on_step_4(client, settings):
    settings.CAPTCHA_TEST_MODE = True
    accept_cgu(client)
    fill_identity(client)
    data = keyed(client, STEP_3, {"password": PASSWORD, "password_confirmation": PASSWORD})
    first = client.post(STEP_3, data)
    second = client.post(STEP_3, data)  # the wizard's state is gone by now
    assert first["Location"] == second["Location"] == "/titulaire/inscription/enregistree/"
    assert client.get(second["Location"]).status_code == 200
    assert OutboxEmail.objects.filter(to=IDENTITY["email"]).count() == 1
    assert PendingRegistration.objects.count() == 1


@pytest.mark.django_db
def test_submissions_are_forgotten_with_their_keys(time_machine):
    time_machine.move_to("2026-11-27 10:00:00+01:00")
    holder = registered_holder()
    client = browser_of(holder)
    client.post(HOURS, keyed(client, HOURS, {"hours": "7"}))
    assert purge_submissions() == 0
    time_machine.shift(KEY_LIFETIME.total_seconds() + 1)
    assert purge_submissions() == 1


# --- concurrent copies (PostgreSQL: the key's row lock and unique constraint) ----------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_copies_of_a_dif_post_write_one_entry():
    holder = registered_holder()
    client = browser_of(holder)
    data = keyed(client, HOURS, {"hours": "7"})
    copies = [same_browser(client) for _ in range(20)]
    responses = run_together([lambda copy=copy: copy.post(HOURS, data) for copy in copies])
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, HOURS)}
    assert list(dif_entries(holder).values_list("hours", flat=True)) == [7]
    assert dif_history(holder).count() == 1
    assert Submission.objects.count() == 1
    assert_invariants()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_entries_of_the_same_dif_write_one_entry():
    """Twenty tabs, twenty keys, the same value: the counter's lock and the no-change rule."""
    holder = registered_holder()
    results = run_together([lambda: enter_dif(holder, 7) for _ in range(20)])
    assert sorted(results) == [False] * 19 + [True]
    assert list(dif_entries(holder).values_list("hours", flat=True)) == [7]
    assert dif_history(holder).count() == 1
    assert_invariants()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_copies_of_step_3_send_one_mail():
    browser = Client()
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "CAPTCHA_TEST_MODE", True)
        accept_cgu(browser)
        fill_identity(browser)
        data = keyed(browser, STEP_3, {"password": PASSWORD, "password_confirmation": PASSWORD})
        copies = [same_browser(browser) for _ in range(10)]
        responses = run_together([lambda copy=copy: copy.post(STEP_3, data) for copy in copies])
    assert {r["Location"] for r in responses} == {"/titulaire/inscription/enregistree/"}
    assert OutboxEmail.objects.filter(to=IDENTITY["email"]).count() == 1
    assert PendingRegistration.objects.count() == 1
    assert Submission.objects.count() == 1


# --- every form of the holder space -----------------------------------------------------


# Forms whose second submission has no second effect by nature (docs/decisions/0013).
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "action", "data", "effect"),
    [
        (
            "/titulaire/mot-de-passe/",
            None,
            {
                "current_password": PASSWORD,
                "password": "Nouveau-mot-2027x",
                "password_confirmation": "Nouveau-mot-2027x",
            },
            lambda: OutboxEmail.objects.filter(kind="mot_de_passe_modifie").count(),
        ),
        (
            "/titulaire/informations-personnelles/",
            "/titulaire/informations-personnelles/telephones/",
            {"tel-landline": "01 45 67 89 01", "tel-mobile": ""},
            lambda: JournalEntry.objects.filter(action=Action.PHONES_CHANGED).count(),
        ),
        (
            "/titulaire/informations-personnelles/courriel/",
            None,
            {"email": "nouvelle@example.org", "email_confirmation": "nouvelle@example.org"},
            lambda: OutboxEmail.objects.filter(kind="courriel_confirmation").count(),
        ),
        (
            "/titulaire/sessions/",
            "/titulaire/sessions/fermer/",
            {},
            lambda: JournalEntry.objects.filter(action=Action.SESSION_ENDED).count(),
        ),
    ],
    ids=["password", "phones", "email", "sessions"],
)
def test_a_form_of_the_holder_space_posted_twice_has_one_effect(page, action, data, effect):
    holder = registered_holder()
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    browser_of(holder)  # another session, for « Fermer toutes les autres sessions »
    data = keyed(client, page, data, action)
    first = client.post(action or page, data)
    second = client.post(action or page, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert effect() == 1


@pytest.mark.django_db
def test_closing_the_space_posted_twice_closes_it_once():
    holder = registered_holder()
    client = Client()
    client.post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    page = "/titulaire/informations-personnelles/fermeture/"
    data = keyed(client, page, {"confirm": "on"})
    copy = same_browser(client)
    first = client.post(page, data)
    second = copy.post(page, data)  # its session is gone: the login page, nothing more
    assert first["Location"] == "/titulaire/connexion/"
    assert second["Location"].startswith("/titulaire/connexion/")
    assert JournalEntry.objects.filter(holder=holder, action=Action.ACCOUNT_CLOSED).count() == 1
    assert OutboxEmail.objects.filter(kind="espace_ferme").count() == 1
