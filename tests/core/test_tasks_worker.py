"""The task worker survives the database going away, and re-runs a dead worker's tasks
(REL-06; mcf/core/tasks_worker.py).

django-tasks-db's own worker died with OperationalError when PostgreSQL restarted (no mail
left until someone restarted it) and left a killed worker's task RUNNING for ever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mcf.core.tasks_worker import beat, recover_orphaned_tasks
from mcf.domain.mailing.models import OutboxEmail
from tests.domain.mailing.conftest import queue_test_mail, run_worker

ROOT = Path(__file__).resolve().parent.parent.parent


def _leave_running(mail: OutboxEmail, worker_id: str, minutes_ago: int = 5) -> DBTaskResult:
    """The mail's task as a worker leaves it when it dies mid-task."""
    row = DBTaskResult.objects.get(args_kwargs__args=[str(mail.pk)])
    row.status = TaskResultStatus.RUNNING
    row.worker_ids = [worker_id]
    row.started_at = timezone.now() - timedelta(minutes=minutes_ago)
    row.save()
    return row


@pytest.mark.django_db(transaction=True)
def test_a_running_task_of_a_dead_worker_is_run_again():
    mail = queue_test_mail()
    row = _leave_running(mail, "travailleur-tue")
    run_worker()
    row.refresh_from_db()
    mail.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert mail.status == OutboxEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_a_running_task_of_a_live_worker_is_left_alone():
    mail = queue_test_mail()
    beat("travailleur-vivant")
    row = _leave_running(mail, "travailleur-vivant", minutes_ago=30)
    assert recover_orphaned_tasks() == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    # A task that has just started is left alone too, even before its first heartbeat.
    other = _leave_running(queue_test_mail("bob@example.org"), "nouveau", minutes_ago=0)
    assert recover_orphaned_tasks() == 0
    # A worker that lost the database mid-task takes its own task back.
    assert recover_orphaned_tasks(own_worker_id="nouveau") == 1
    other.refresh_from_db()
    assert other.status == TaskResultStatus.READY


def _wait_until_sent(mail: OutboxEmail, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        mail.refresh_from_db()
        if mail.status == OutboxEmail.Status.SENT:
            return
        assert worker.poll() is None, f"the worker died:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)
    pytest.fail(f"mail not sent:\n{log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_rel_06_the_worker_survives_a_postgresql_outage_and_goes_on(tmp_path):
    """The worker runs while the database refuses every connection (as during a restart)
    and its connections are cut; it goes on, and delivers a mail queued afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (scripts/with-postgres)")
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )
    log = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
    with log.open("wb") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        _wait_until_sent(queue_test_mail(), worker, log)
        name = connection.ops.quote_name(database["NAME"])
        # From the maintenance database: a database cannot close itself to connections.
        with (
            psycopg.connect(
                host=database["HOST"],
                port=database["PORT"],
                user=database["USER"],
                password=database["PASSWORD"] or None,
                dbname="postgres",
                autocommit=True,
            ) as admin,
            admin.cursor() as cursor,
        ):
            cursor.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
            try:
                for _ in range(20):  # 4 s of outage: the worker polls five times a second
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                        [database["NAME"]],
                    )
                    time.sleep(0.2)
            finally:
                cursor.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")
        connection.close()  # this test's own connection was cut too
        assert "injoignable" in log.read_text(), log.read_text()[-3000:]
        _wait_until_sent(queue_test_mail("apres-redemarrage@example.org"), worker, log)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
