"""Declarations files uploaded in the back office and imported by the background task
(issue #5 point 2; PRIV-01: the uploaded file is deleted; LOG-01: journaled)."""

from __future__ import annotations

import io
import json
import logging
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mcf.domain.accounts.models import User
from mcf.domain.hours.feed import HEADER_LINE
from mcf.domain.hours.feed.uploads import (
    UploadRefused,
    progress_path,
    read_progress,
    report_path,
    run_upload,
    submit_upload,
    upload_path,
)
from mcf.domain.hours.models import Counter, Entry, FeedImport
from tests.factories import NIR_A, NIR_B

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 2
SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.FEED_UPLOAD_DIR = tmp_path / "alimentation"
    return settings.FEED_UPLOAD_DIR


@pytest.fixture
def operator():
    return User.objects.create_user(username="operatrice", password="x", is_staff=True)


def declarations(*lines: str, header: str = HEADER_LINE) -> bytes:
    return (header + "\n" + "\n".join(lines) + "\n").encode()


def good_file(name="dads.csv") -> SimpleUploadedFile:
    content = declarations(
        f"{YEAR};{SIRET};{NIR_A};DUPONT;Jean;1607;;0",
        f"{YEAR};{SIRET};{NIR_B[:-2]}00;MARTIN;Léa;800;;0",  # wrong key: rejected
        f"{YEAR};{SIRET};{NIR_B};MARTIN;Léa;803,5;;0",
    )
    return SimpleUploadedFile(name, content, content_type="text/csv")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)  # the worker opens its own transactions
def test_an_upload_is_stored_privately_queued_then_loaded_by_the_worker(operator, upload_dir):
    run = submit_upload(good_file(), operator)
    assert run.status == FeedImport.Status.QUEUED
    stored = upload_path(run)
    assert stored.read_bytes() == good_file().read()
    assert stored.stat().st_mode & 0o777 == 0o600 and upload_dir.stat().st_mode & 0o777 == 0o700
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [run.pk]

    run_worker()

    run.refresh_from_db()
    assert run.status == FeedImport.Status.DONE
    assert (run.lines_read, run.lines_rejected, run.persons_credited) == (3, 1, 2)
    assert run.hours_credited == 24 + 12
    assert run.started_at and run.finished_at
    assert "Lignes rejetées : 1" in run.summary and str(upload_dir) not in run.summary
    assert not stored.exists(), "the file holds NIRs in clear: deleted once loaded (PRIV-01)"
    assert not progress_path(run).exists()
    report = report_path(run).read_text(encoding="utf-8")
    assert report.splitlines() == [
        "ligne;motif",
        "3;NIR invalide : la clé ne correspond pas au numéro",
    ]
    assert Counter.objects.count() == 2 and Entry.objects.count() == 2


def test_the_task_runs_an_import_once(operator):
    run = submit_upload(good_file(), operator)
    assert run_upload(run.pk) == "terminé"
    assert run_upload(run.pk) == "ignoré"
    assert Entry.objects.count() == 2


def test_an_upload_left_running_by_a_dead_importer_is_taken_over_and_loaded(operator):
    """REL-06: the worker was killed mid-import (its transaction rolled back, the file still
    there, the record « en cours »); the task given back by the worker's recovery loads it."""
    run = submit_upload(good_file(), operator)
    FeedImport.objects.filter(pk=run.pk).update(
        status=FeedImport.Status.RUNNING, started_at=timezone.now()
    )
    assert run_upload(run.pk) == "terminé"
    run.refresh_from_db()
    assert run.status == FeedImport.Status.DONE and run.persons_credited == 2
    assert Entry.objects.count() == 2
    assert run_upload(run.pk) == "ignoré"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_upload_a_live_process_is_importing_is_left_to_it(operator):
    import psycopg

    from mcf.domain.hours.feed.uploads import _LOCK_NAMESPACE

    run = submit_upload(good_file(), operator)
    FeedImport.objects.filter(pk=run.pk).update(status=FeedImport.Status.RUNNING)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None), params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as importer:  # the live importer
        importer.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, run.pk])
        assert run_upload(run.pk) == "ignoré"
    run.refresh_from_db()
    assert run.status == FeedImport.Status.RUNNING and Entry.objects.count() == 0
    # The server frees a closed session's locks as its backend exits, a moment after the
    # client has gone (the gate once asked before: « ignoré »): wait for that, as the
    # worker's next attempt would.
    _wait_until_advisory_lock_is_free(_LOCK_NAMESPACE, run.pk)
    assert run_upload(run.pk) == "terminé"  # its connection gone, the lock is free


def _wait_until_advisory_lock_is_free(namespace: int, key: int, seconds: float = 10) -> None:
    import time

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 2",
                [namespace, key],
            )
            if cursor.fetchone()[0] == 0:
                return
            assert time.monotonic() < deadline, "the closed session still holds its lock"
            time.sleep(0.02)


def test_the_same_file_uploaded_twice_credits_once(operator):
    run_upload(submit_upload(good_file(), operator).pk)
    second = submit_upload(good_file("dads-bis.csv"), operator)
    run_upload(second.pk)
    second.refresh_from_db()
    assert second.status == FeedImport.Status.DONE
    assert (second.already_loaded, second.hours_credited) == (2, 0)
    assert Entry.objects.count() == 2


def test_a_failure_leaves_the_ledger_unchanged_and_says_so_in_french(operator, caplog):
    run = submit_upload(good_file(), operator)
    with (
        mock.patch(
            "mcf.domain.hours.feed.computing.Planner.finish", side_effect=RuntimeError("boom")
        ),
        caplog.at_level(logging.INFO),
    ):
        assert run_upload(run.pk) == "échoué"
    run.refresh_from_db()
    assert run.status == FeedImport.Status.FAILED
    assert run.error.startswith("Erreur technique pendant le chargement : aucune donnée")
    assert Entry.objects.count() == 0 and Counter.objects.count() == 0
    assert not upload_path(run).exists() and not report_path(run).exists()
    assert "event=feed.import outcome=failure" in caplog.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dads.xlsx", declarations(), "Le fichier doit être un fichier CSV"),
        ("dads.csv", b"", "Le fichier est vide."),
        ("dads.csv", b"PK\x03\x04\x00\x00zip", "n'est pas un fichier texte CSV"),
        ("dads.csv", declarations(header="annee;siret;nir"), "En-tête inattendu"),
        ("dads.csv", "annee;siret;nir;nom;prénom\n".encode("latin-1"), "pas encodé en UTF-8"),
        ("dads.csv", b"\n", "Le fichier est vide : la première ligne"),
    ],
)
def test_files_that_are_not_declarations_are_refused_in_french(operator, name, content, message):
    with pytest.raises(UploadRefused) as refused:
        submit_upload(SimpleUploadedFile(name, content), operator)
    assert message in refused.value.message
    assert FeedImport.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_a_file_over_the_size_cap_is_refused(operator, settings):
    settings.FEED_UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRefused) as refused:
        submit_upload(good_file(), operator)
    assert "la taille maximale d'un dépôt" in refused.value.message
    assert "manage.py import_declarations" in refused.value.message


def test_a_bom_is_accepted(operator):
    run = submit_upload(
        SimpleUploadedFile("dads.csv", b"\xef\xbb\xbf" + good_file().read()), operator
    )
    run_upload(run.pk)
    run.refresh_from_db()
    assert run.status == FeedImport.Status.DONE and run.lines_read == 3


def test_an_unwritable_folder_is_a_french_refusal(operator, settings, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("")
    settings.FEED_UPLOAD_DIR = blocker / "alimentation"  # a folder under a file: impossible
    with pytest.raises(UploadRefused) as refused:
        submit_upload(good_file(), operator)
    assert "n'a pas pu être enregistré" in refused.value.message
    assert FeedImport.objects.count() == 0


def test_progress_is_read_from_its_file_while_running(operator):
    run = submit_upload(good_file(), operator)
    assert read_progress(run) is None
    FeedImport.objects.filter(pk=run.pk).update(status=FeedImport.Status.RUNNING)
    run.refresh_from_db()
    assert read_progress(run) is None
    progress_path(run).write_text(json.dumps({"phase": "lecture", "percent": 40}))
    assert read_progress(run)["percent"] == 40


def test_log_01_upload_and_import_are_logged_without_nir(operator, caplog):
    with caplog.at_level(logging.INFO, logger="mcf.security"):
        run = submit_upload(good_file(), operator)
        run_upload(run.pk)
    events = [r.getMessage() for r in caplog.records if r.name == "mcf.security"]
    assert any("event=feed.upload outcome=queued" in e and f"run={run.pk}" in e for e in events)
    assert any("event=feed.import outcome=success" in e for e in events)
    assert all(f"operator={operator.public_id}" in e for e in events)
    assert NIR_A not in caplog.text and NIR_B not in caplog.text
