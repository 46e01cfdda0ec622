"""``manage.py import_declarations FILE``: the yearly feed (domain.md §3.1).

Prints a progress bar on a terminal (tqdm, on stderr), then the summary in French. The
rejected lines are in ``FILE.rapport.csv`` (``ligne;motif``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from mcf.domain.hours.feed import FeedFormatError, import_declarations

PHASES = {"lecture": "Lecture et contrôle", "application": "Calcul et écriture"}


class _Bars:
    """Adapts the feed's progress(phase, done, total) calls to one tqdm bar per phase."""

    def __init__(self, enabled: bool | None):
        self.enabled = enabled
        self.bar = None
        self.phase = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            byte_phase = phase == "lecture" and total is not None
            self.bar = tqdm(
                total=total,
                desc=PHASES.get(phase, phase),
                unit="o" if byte_phase else (" pers." if phase == "application" else " lignes"),
                unit_scale=byte_phase,
                disable=self.enabled is False or None,
                leave=False,
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Charge un fichier de déclarations annuelles (alimentation des compteurs CPF). "
        "Les lignes rejetées sont listées dans FICHIER.rapport.csv."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV (en-tête : annee;siret;nir;…)")
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args, **options):
        bars = _Bars(False if options["no_progress"] else None)
        try:
            report = import_declarations(options["file"], progress=bars)
        except FeedFormatError as error:
            raise CommandError(error.message) from error
        finally:
            bars.close()
        for line in report.summary_lines():
            self.stdout.write(line)
