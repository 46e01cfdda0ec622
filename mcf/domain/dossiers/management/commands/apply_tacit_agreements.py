"""`manage.py apply_tacit_agreements`: the daily sweep behind the per-dossier tasks (a task
row lost, a worker down on the day): every employer's silence past 30 days becomes an
accord tacite. Idempotent; safe to run at any time (cron or by hand)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from mcf.domain.dossiers.actions import overdue_tacit_agreements, tacit_agreement


class Command(BaseCommand):
    help = "Applique l'accord tacite des employeurs sans réponse depuis 30 jours."

    def handle(self, *args, **options):
        today = timezone.localdate()
        applied = sum(
            tacit_agreement(pk, today=today) for pk in list(overdue_tacit_agreements(today))
        )
        self.stdout.write(f"Accords tacites appliqués : {applied}")
