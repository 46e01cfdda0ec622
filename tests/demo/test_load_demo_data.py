"""`make run`'s demo data: loads through the real write paths, twice changes nothing."""

import pytest
from django.core.management import CommandError, call_command

from mcf.demo.accounts import DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD
from mcf.domain.accounts.authentication import authenticate_holder
from mcf.domain.accounts.models import User
from mcf.domain.hours.models import Counter, Entry

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_the_demo_holder_can_log_in(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    snapshot = list(User.objects.order_by("pk").values_list("pk", "password", "last_login"))
    entries = Entry.objects.count()
    call_command("load_demo_data")
    assert list(User.objects.order_by("pk").values_list("pk", "password", "last_login")) == snapshot
    assert Entry.objects.count() == entries
    holder = authenticate_holder(DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD).user
    assert holder.display_name == "Touria ORANGE"
    # Declarations 2015–2017 went through the real feed: a full year and two half years.
    assert Counter.objects.get(holder=holder).cpf_balance == 48


def test_demo_data_is_refused_in_production(settings):
    """AUTH-16: no account with a published password outside development."""
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_data")
    assert not User.objects.exists()
