"""Old captcha challenges are deleted (used or not)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from mcf.domain.antibot.challenges import purge_expired
from mcf.domain.antibot.models import CaptchaChallenge

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def make(age: timedelta, used: bool = False) -> CaptchaChallenge:
    created = NOW - age
    return CaptchaChallenge.objects.create(
        answer="7HWX3T", created_at=created, used_at=created if used else None
    )


def test_purge_deletes_challenges_older_than_a_day():
    old = make(timedelta(days=1, seconds=1))
    old_used = make(timedelta(days=3), used=True)
    recent = make(timedelta(hours=23, minutes=59))
    recent_used = make(timedelta(minutes=1), used=True)
    assert purge_expired(now=NOW) == 2
    remaining = set(CaptchaChallenge.objects.values_list("id", flat=True))
    assert remaining == {recent.id, recent_used.id}
    assert old.id not in remaining and old_used.id not in remaining


def test_purge_defaults_to_the_current_time(time_machine):
    time_machine.move_to(NOW, tick=False)
    make(timedelta(days=2))
    make(timedelta(hours=1))
    assert purge_expired() == 1


def test_purge_command(time_machine):
    time_machine.move_to(NOW, tick=False)
    make(timedelta(days=2))
    make(timedelta(days=2), used=True)
    make(timedelta(hours=1))
    out = StringIO()
    call_command("purge_captcha_challenges", stdout=out)
    assert out.getvalue() == "2 défi(s) captcha supprimé(s).\n"
    assert CaptchaChallenge.objects.count() == 1
