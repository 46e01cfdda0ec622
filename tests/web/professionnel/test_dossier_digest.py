"""The gestionnaires' mail when dossiers are sent (mcf/domain/dossiers/notifications.py):
one mail per member for the dossiers sent within the digest's delay, not one per dossier."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from mcf.domain.dossiers.notifications import send_digest
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.dossiers.builders import sent_dossier
from tests.domain.organisations.builders import add_gestionnaires

pytestmark = pytest.mark.django_db


def _digests():
    return OutboxEmail.objects.filter(kind="dossiers_a_instruire")


def test_several_dossiers_sent_make_one_mail_per_member(world, django_capture_on_commit_callbacks):
    add_gestionnaires(world.financeur, 2)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            sent_dossier(world)
    # One digest task for the three dossiers, nothing mailed before it runs.
    tasks = DBTaskResult.objects.filter(task_path__endswith="send_financeur_digest")
    assert tasks.count() == 1
    assert not _digests().exists()
    assert send_digest(world.opca.pk) == 3
    mails = list(_digests())
    assert sorted(mail.to for mail in mails) == sorted(
        [world.financeur.email, "gestionnaire0@opca.example", "gestionnaire1@opca.example"]
    )
    for mail in mails:
        assert mail.subject.endswith("3 nouveaux dossiers de formation à instruire")
        assert "/professionnel/dossiers/" in mail.body
    # The other OPCA's admin gets nothing; a second run sends nothing more.
    assert not _digests().filter(to=world.other_financeur.email).exists()
    assert send_digest(world.opca.pk) == 0
    assert _digests().count() == 3


def test_a_dossier_sent_after_a_digest_makes_a_new_one(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent_dossier(world)
    assert send_digest(world.opca.pk) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sent_dossier(world)
    assert send_digest(world.opca.pk) == 1
    assert [
        m.subject.endswith("un nouveau dossier de formation à instruire") for m in _digests()
    ] == [
        True,
        True,
    ]
