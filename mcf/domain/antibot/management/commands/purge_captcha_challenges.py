"""Delete old captcha challenges (used or not): run daily, e.g. from cron."""

from django.core.management.base import BaseCommand

from mcf.domain.antibot.challenges import purge_expired


class Command(BaseCommand):
    help = "Supprime les défis captcha créés il y a plus d'un jour."

    def handle(self, *args, **options):
        count = purge_expired()
        self.stdout.write(f"{count} défi(s) captcha supprimé(s).")
