"""Scheduled (daily): delete registrations whose 15-day link has expired."""

from django.core.management.base import BaseCommand

from mcf.domain.accounts.registration import purge_expired_registrations


class Command(BaseCommand):
    help = "Supprime les inscriptions dont le lien de confirmation a expiré (15 jours)."

    def handle(self, *args, **options):
        count = purge_expired_registrations()
        self.stdout.write(f"{count} inscription(s) expirée(s) supprimée(s).")
