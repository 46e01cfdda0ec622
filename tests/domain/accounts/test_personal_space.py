"""Action functions of the personal space: re-authentication window, e-mail change,
export, closing and reopening (SESS-05, AUTH-14, PRIV-03, LOG-01, LOG-02)."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mcf.domain.accounts.closing import close_account
from mcf.domain.accounts.email_change import (
    EmailChangeError,
    confirm_email_change,
    find_usable_email_change,
    request_email_change,
)
from mcf.domain.accounts.export import export_personal_data, personal_data
from mcf.domain.accounts.models import EmailChangeRequest
from mcf.domain.accounts.reauthentication import (
    REAUTHENTICATION_VALIDITY,
    confirm_password,
    is_recent,
)
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.factories import NIR_A, PASSWORD, registered_holder

pytestmark = pytest.mark.django_db

NEW = "nouvelle@example.net"


@pytest.fixture
def holder():
    return registered_holder()


def test_sess05_recent_means_less_than_the_window():
    now = timezone.now()
    assert is_recent(now - REAUTHENTICATION_VALIDITY + timedelta(seconds=1), now=now)
    assert not is_recent(now - REAUTHENTICATION_VALIDITY, now=now)
    assert not is_recent(None, now=now)
    assert not is_recent(now + timedelta(minutes=1), now=now)  # a clock gone backwards


def test_sess05_confirm_password_refuses_a_closed_account(holder):
    close_account(holder)
    assert confirm_password(holder, PASSWORD).user is None


def test_auth14_link_is_single_use_and_voided_by_closing(holder):
    token = request_email_change(holder, NEW)
    assert find_usable_email_change(token).new_email == NEW
    close_account(holder)
    with pytest.raises(EmailChangeError) as error:
        confirm_email_change(token)
    assert error.value.code == "unknown"
    assert not EmailChangeRequest.objects.exists()


def test_auth14_the_same_address_is_refused(holder):
    with pytest.raises(EmailChangeError) as error:
        request_email_change(holder, holder.email.upper())
    assert error.value.code == "same"


def test_auth14_second_use_and_expiry(holder):
    now = timezone.now()
    token = request_email_change(holder, NEW, now=now)
    with pytest.raises(EmailChangeError) as expired:
        confirm_email_change(token, now=now + timedelta(hours=24))
    assert expired.value.code == "expired"
    confirm_email_change(token, now=now + timedelta(hours=23, minutes=59))
    with pytest.raises(EmailChangeError) as used:
        confirm_email_change(token)
    assert used.value.code == "used"


def test_log01_no_token_nor_nir_in_the_logs_or_mails(holder, caplog):
    caplog.set_level(logging.INFO)
    token = request_email_change(holder, NEW)
    confirm_email_change(token)
    close_account(holder)
    assert "email_change.confirm" in caplog.text
    assert token not in caplog.text and NIR_A not in caplog.text
    for mail in OutboxEmail.objects.all():
        assert NIR_A not in mail.body and "1 85 05 78 006 084 91" not in mail.body


def test_closing_twice_changes_nothing_more(holder):
    close_account(holder)
    close_account(holder)
    assert JournalEntry.objects.filter(holder=holder, action=Action.ACCOUNT_CLOSED).count() == 1
    assert OutboxEmail.objects.filter(kind="espace_ferme").count() == 1


def test_priv03_export_query_count_does_not_grow_with_the_history(holder):
    enter_dif(holder, 10)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            personal_data(holder)
        return len(captured.captured_queries)

    small = queries()
    for i in range(50):
        journal.record(holder, Action.LOGIN_SUCCEEDED, details=f"n°{i}")
    assert queries() == small


def test_log02_export_is_journaled_before_it_is_read(holder):
    data = export_personal_data(holder)
    assert data["historique"][-1]["action"] == "Téléchargement de vos données personnelles"
