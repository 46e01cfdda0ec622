"""Load the open-data export of the catalogue: ``import_catalogue FICHIER.csv``."""

from django.core.management.base import BaseCommand, CommandError

from mcf.domain.catalogue.opendata import OpenDataError, import_catalogue

SHOWN_REJECTIONS = 50


class Command(BaseCommand):
    help = (
        "Charge l'export open data « moncompteformation_catalogueformation » (CSV) ; "
        "un second chargement du même fichier met les offres à jour sans doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV (séparateur ; ou ,)")

    def handle(self, *args, file, **options):
        try:
            report = import_catalogue(file)
        except (OpenDataError, OSError) as error:
            raise CommandError(str(error)) from error
        for line in report.summary_lines():
            self.stdout.write(line)
        for number, reason in report.rejections[:SHOWN_REJECTIONS]:
            self.stdout.write(f"  ligne {number} : {reason}")
        if report.lines_rejected > SHOWN_REJECTIONS:
            self.stdout.write(f"  … et {report.lines_rejected - SHOWN_REJECTIONS} autres lignes")
