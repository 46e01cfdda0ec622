"""AUTH-07: parallel wrong logins cannot get more password checks than the throttle allows."""

import threading

import pytest
from django.db import connection, connections

from mcf.domain.accounts.authentication import FREE_FAILURES, authenticate_holder
from mcf.domain.accounts.models import LoginThrottle, User
from tests.factories import NIR_A, registered_holder

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test-postgres)"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_auth07_fifty_concurrent_wrong_logins(monkeypatch):
    registered_holder()
    checks = []
    lock = threading.Lock()
    real_check = User.check_password

    def spying_check(self, raw_password):
        with lock:
            checks.append(raw_password)
        return real_check(self, raw_password)

    monkeypatch.setattr(User, "check_password", spying_check)
    outcomes = []
    barrier = threading.Barrier(50)

    def attempt(i):
        try:
            barrier.wait(timeout=10)
            outcome = authenticate_holder(NIR_A, f"Mauvais-{i:02d}-mot")
            with lock:
                outcomes.append(outcome.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 50
    # Exactly the free failures plus the one that starts the delay were checked.
    assert len(checks) == FREE_FAILURES + 1
    assert outcomes.count("invalid") == FREE_FAILURES + 1
    assert outcomes.count("throttled") == 50 - FREE_FAILURES - 1
    throttle = LoginThrottle.objects.get()
    assert throttle.failures == FREE_FAILURES + 1
    # Every attempt is recorded: evaluated failures plus those refused during the delay.
    assert throttle.failures + throttle.refused == 50
