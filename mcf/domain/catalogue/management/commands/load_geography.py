"""Insert or update the régions, départements, communes and branches (idempotent)."""

import time

from django.core.management.base import BaseCommand

from mcf.domain.catalogue.geography import load_geography


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les régions, départements, communes, branches professionnelles "
        "et listes d'éligibilité."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = load_geography()
        self.stdout.write(
            f"Référentiels chargés en {time.perf_counter() - started:.1f} s : "
            f"{report.regions} régions, {report.departements} départements, "
            f"{report.communes} communes, {report.branches} branches professionnelles, "
            f"{report.lists} listes d'éligibilité."
        )
