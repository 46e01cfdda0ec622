"""PRIV-04: what is kept how long, in one table, and the daily job that applies it.

Each rule's purge lives with the data it deletes (the app that owns the model and the
duration); this module only lists them, in the order the job runs them, so that the
schedule reads in one place (docs/decisions/0017-retention.md says why each duration).
What is not here is kept: the ledger, the dossiers, the délégations and the account's
operations in its history (R.6323-15), closed accounts included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mcf.domain.accounts.authentication import purge_stale_throttles
from mcf.domain.accounts.email_change import purge_expired_email_changes
from mcf.domain.accounts.registration import purge_expired_registrations
from mcf.domain.accounts.sessions import purge_ended_sessions
from mcf.domain.antibot.challenges import purge_expired as purge_captcha_challenges
from mcf.domain.contact.actions import purge_old_contact_messages
from mcf.domain.idempotency.actions import purge_submissions
from mcf.domain.journal.retention import purge_security_events
from mcf.domain.mailing.actions import purge_old_mails

TASK_RESULTS_KEPT = timedelta(days=30)


def purge_finished_tasks(*, now: datetime | None = None) -> int:
    """Task results (the worker's queue) finished 30 days ago: their arguments are ids, but
    nothing needs them once done. django-tasks-db's `prune_db_task_results` does the same
    with its own clock; this one follows the job's."""
    cutoff = (now or timezone.now()) - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


@dataclass(frozen=True)
class Rule:
    category: str  # as an operator reads it in the job's report
    kept: str
    purge: Callable[..., int]


SCHEDULE = (
    Rule("Inscriptions non confirmées", "15 jours, durée du lien", purge_expired_registrations),
    Rule("Contrôles de sécurité (captcha)", "24 heures", purge_captcha_challenges),
    Rule("Compteurs d'échecs de connexion", "24 heures sans échec", purge_stale_throttles),
    Rule("Sessions expirées", "30 minutes d'inactivité, 12 heures au plus", purge_ended_sessions),
    Rule(
        "Demandes de changement de courriel",
        "24 heures, durée du lien",
        purge_expired_email_changes,
    ),
    Rule("Envois de formulaires (double envoi)", "24 heures", purge_submissions),
    Rule("Événements de sécurité de l'historique", "12 mois", purge_security_events),
    Rule("Courriels envoyés ou abandonnés", "12 mois", purge_old_mails),
    Rule("Messages « Nous contacter »", "12 mois", purge_old_contact_messages),
    Rule("Tâches terminées", "30 jours", purge_finished_tasks),
)


def apply_retention(*, now: datetime | None = None) -> list[tuple[Rule, int]]:
    """Run every rule (each in its own statement: one failing does not undo the others'
    work, and the next day's run takes it up again); returns what each deleted."""
    now = now or timezone.now()
    return [(rule, rule.purge(now=now)) for rule in SCHEDULE]
