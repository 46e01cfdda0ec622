"""Scheduled (daily, cron): apply the retention schedule (PRIV-04). Idempotent."""

from django.core.management.base import BaseCommand

from mcf.domain.retention.schedule import apply_retention


class Command(BaseCommand):
    help = "Applique les durées de conservation (PRIV-04) : supprime ce qui a fait son temps."

    def handle(self, *args, **options):
        for rule, deleted in apply_retention():
            self.stdout.write(
                f"{rule.category} (conservation : {rule.kept}) : {deleted} supprimé(s)."
            )
