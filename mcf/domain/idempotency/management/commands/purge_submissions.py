"""Scheduled (daily): forget the form submissions older than a form key's lifetime."""

from django.core.management.base import BaseCommand

from mcf.domain.idempotency.actions import purge_submissions


class Command(BaseCommand):
    help = "Supprime les envois de formulaires de plus de 24 heures (REL-04)."

    def handle(self, *args, **options):
        count = purge_submissions()
        self.stdout.write(f"{count} envoi(s) de formulaire supprimé(s).")
