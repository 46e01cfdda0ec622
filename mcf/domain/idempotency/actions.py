"""Do a submitted change once, whatever the number of times it is submitted (REL-04).

``run_once`` claims the submission's key (INSERT under a UNIQUE constraint) and performs
the change in ONE transaction:

- the first submission inserts the key, performs, stores its answer and commits;
- a concurrent copy's INSERT waits on the first one's uncommitted row (PostgreSQL), then
  fails on the constraint once it commits: it reads the stored answer and returns it;
- a later copy (double click, retry) finds the committed row and returns its answer;
- if the change is refused (a business error raised by ``perform``), everything rolls
  back, the key included: the corrected form can be submitted with it again.

The same key with another action or another payload raises ``KeyReused``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from mcf.domain.idempotency.models import Submission

# How long a form's key can be used, and its submission remembered. Longer than any
# session (12 hours at most): a key is never forgotten while its form can still be sent.
KEY_LIFETIME = timedelta(hours=24)


class KeyReused(Exception):
    """The key was already used for another form or with other values."""


@dataclass(frozen=True)
class Result:
    """The answer of a submission: the page it redirects to and its success message; for
    the API, the status and JSON body of its response."""

    location: str
    message: str = ""
    status: int | None = None
    body: str = ""


def first_result(key: str, *, action: str, fingerprint: str) -> Result | None:
    """The answer of the submission already made with ``key``, None if there is none."""
    earlier = Submission.objects.filter(key=key).first()
    if earlier is None:
        return None
    if (earlier.action, earlier.fingerprint) != (action, fingerprint):
        raise KeyReused(key)
    return Result(earlier.location, earlier.message, earlier.status, earlier.body)


def run_once(
    key: str, *, action: str, fingerprint: str, perform: Callable[[], Result]
) -> tuple[Result, bool]:
    """``perform()`` once per key. Returns its result and True, or the first submission's
    result and False. Raises KeyReused, or whatever ``perform`` raises (nothing kept)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = Submission.objects.create(key=key, action=action, fingerprint=fingerprint)
        except IntegrityError:
            earlier = first_result(key, action=action, fingerprint=fingerprint)
            if earlier is None:  # pragma: no cover - the row that collided is committed
                raise
            return earlier, False
        result = perform()
        claim.location, claim.message = result.location[:500], result.message[:500]
        claim.status, claim.body = result.status, result.body
        claim.save(update_fields=["location", "message", "status", "body"])
    return result, True


def purge_submissions(*, now: datetime | None = None) -> int:
    """Delete the submissions older than a key's lifetime (their keys are refused)."""
    now = now or timezone.now()
    deleted, _ = Submission.objects.filter(created_at__lt=now - KEY_LIFETIME).delete()
    return deleted
