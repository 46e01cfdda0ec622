"""Write a synthetic catalogue (demo, benchmarks): ``generate_catalogue --offers 300000``."""

from django.core.management.base import BaseCommand, CommandError

from mcf.domain.catalogue.synthetic import CatalogueNotEmpty, generate_catalogue


class Command(BaseCommand):
    help = "Génère un catalogue synthétique reproductible (même graine, même catalogue)."

    def add_arguments(self, parser):
        parser.add_argument("--offers", type=int, required=True, help="nombre d'offres")
        parser.add_argument("--seed", type=int, default=2026, help="graine (2026 par défaut)")
        parser.add_argument(
            "--remplacer",
            action="store_true",
            dest="replace",
            help="remplace le catalogue existant (offres, organismes, certifications)",
        )

    def handle(self, *args, offers, seed, replace, **options):
        try:
            stats = generate_catalogue(
                offers, seed=seed, progress=options["verbosity"] > 0, replace=replace
            )
        except (CatalogueNotEmpty, ValueError) as error:
            raise CommandError(str(error)) from error
        for line in stats.summary_lines():
            self.stdout.write(line)
