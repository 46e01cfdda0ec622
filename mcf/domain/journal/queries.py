"""Reading the history: a holder's (« Historique de vos actions »), a subject's (a dossier's
« historique des opérations »). The label to show is the entry's ``actor``, written at the
time of the act: no join is needed to display an entry."""

from __future__ import annotations

from django.db.models import QuerySet

from mcf.domain.journal.models import JournalEntry


def for_holder(holder) -> QuerySet[JournalEntry]:
    """The holder's history, newest first (index holder, -occurred_at, -id)."""
    return JournalEntry.objects.filter(holder=holder).order_by("-occurred_at", "-id")


def for_subject(subject) -> QuerySet[JournalEntry]:
    """The entries about ``subject`` (an object with ``public_id`` and ``JOURNAL_SUBJECT``),
    oldest first (index subject_type, subject_id, occurred_at)."""
    return JournalEntry.objects.filter(
        subject_type=subject.JOURNAL_SUBJECT, subject_id=subject.public_id
    ).order_by("occurred_at", "id")
