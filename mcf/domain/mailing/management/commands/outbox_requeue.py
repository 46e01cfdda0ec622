"""Operator tool: enqueue again every pending mail whose delivery is overdue.

Normally useless (each delivery attempt leaves a watchdog task behind it); for the day the
task table was purged or restored from a backup without the outbox.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from mcf.domain.mailing.delivery import requeue_stalled


class Command(BaseCommand):
    help = "Remet en file d'envoi les courriels en attente dont la livraison est en retard."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=15, help="retard minimal (minutes)")

    def handle(self, *args, minutes: int, **options):
        count = requeue_stalled(older_than=timedelta(minutes=minutes))
        self.stdout.write(f"{count} courriel(s) remis en file d'envoi.")
