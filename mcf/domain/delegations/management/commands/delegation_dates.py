"""`manage.py delegation_dates`: the daily run of délégations' dates (cron): délégations
past their end date lapse, invitations past 15 days expire, both sides are told 15 days
before an end date. Idempotent."""

from django.core.management.base import BaseCommand

from mcf.domain.delegations.actions import lapse_overdue, remind_lapsing


class Command(BaseCommand):
    help = "Applique les échéances des délégations et envoie les rappels (15 jours avant)."

    def handle(self, *args, **options):
        lapsed, reminded = lapse_overdue(), remind_lapsing()
        self.stdout.write(f"Délégations échues : {lapsed} ; rappels envoyés : {reminded}")
