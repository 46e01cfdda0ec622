"""`manage.py generate_dossiers 100000`: synthetic dossiers for benchmarks and load tests
(``mcf.domain.dossiers.synthetic``): N dossiers over N/2 new holders and 50 new OPCAs.

Refused when DEBUG is off: a production database never gets invented holders."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mcf.domain.dossiers.synthetic import FINANCEURS, generate_dossiers, ledger_breaks


class Command(BaseCommand):
    help = "Génère N dossiers de formation synthétiques (N/2 titulaires, 50 financeurs)."

    def add_arguments(self, parser):
        parser.add_argument("dossiers", type=int, help="nombre de dossiers")
        parser.add_argument("--seed", type=int, default=2026, help="graine (2026 par défaut)")
        parser.add_argument(
            "--financeurs", type=int, default=FINANCEURS, help="nombre de financeurs (50)"
        )

    def handle(self, *args, dossiers, seed, financeurs, **options):
        if not settings.DEBUG:
            raise CommandError("Les dossiers synthétiques ne se génèrent qu'avec DEBUG=1.")
        try:
            report = generate_dossiers(dossiers, seed=seed, financeurs=financeurs)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for line in report.summary_lines():
            self.stdout.write(line)
        breaks = ledger_breaks()
        if breaks:
            raise CommandError("Invariants du compte d'heures rompus :\n" + "\n".join(breaks[:20]))
        self.stdout.write("Invariants du compte d'heures : respectés.")
