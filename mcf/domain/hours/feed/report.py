"""The outcome of an import: counts for the summary, and the rejected lines' report file."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

REJECTION_SAMPLE = 100  # rejected lines kept in memory for a page; all are in the file


def _n(value: int) -> str:
    """French thousands separator (narrow no-break space): 1 000 000."""
    return f"{value:,}".replace(",", "\u202f")


@dataclass
class ImportReport:
    file_name: str
    report_path: Path | None = None
    engine: str = ""
    lines_read: int = 0
    lines_rejected: int = 0
    persons: int = 0  # distinct persons in the accepted lines
    persons_credited: int = 0
    hours_credited: int = 0
    years_loaded: int = 0  # ALIMENTATION entries written
    already_loaded: int = 0  # person-years already loaded with the same declarations
    corrections: int = 0
    correction_hours: int = 0
    corrections_capped: int = 0
    counters_created: int = 0
    duration: float = 0.0
    rejections: list[tuple[int, str]] = field(default_factory=list)  # the first ones
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (engine)

    @property
    def lines_accepted(self) -> int:
        return self.lines_read - self.lines_rejected

    def summary_lines(self) -> list[str]:
        """The summary in French, one line per figure (command output, back-office page)."""
        lines = [
            f"Fichier : {self.file_name}",
            f"Lignes lues : {_n(self.lines_read)}",
            f"Lignes rejetées : {_n(self.lines_rejected)}"
            + (f" (détail : {self.report_path})" if self.report_path else ""),
            f"Personnes créditées : {_n(self.persons_credited)}",
            f"Heures créditées : {_n(self.hours_credited)} h"
            f" ({_n(self.years_loaded)} années-personnes chargées)",
            f"Déjà chargées : {_n(self.already_loaded)} années-personnes",
            f"Corrections : {_n(self.corrections)} ({self.correction_hours:+d} h)",
            f"Compteurs créés : {_n(self.counters_created)}",
            f"Durée : {self.duration:.1f} s".replace(".", ","),
        ]
        if self.corrections_capped:
            lines.insert(
                -2,
                f"dont corrections limitées par le plafond de 150 h ou les heures réservées : "
                f"{_n(self.corrections_capped)}",
            )
        return lines


class RejectionWriter:
    """Writes ``ligne;motif`` rows as they come (streaming) and keeps the first few."""

    def __init__(self, path: Path, report: ImportReport):
        self.path = path
        self._report = report
        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, delimiter=";", lineterminator="\n")
        self._writer.writerow(["ligne", "motif"])

    def __call__(self, line_number: int, reason: str) -> None:
        self._writer.writerow([line_number, reason])
        if len(self._report.rejections) < REJECTION_SAMPLE:
            self._report.rejections.append((line_number, reason))

    def close(self) -> None:
        self._file.close()
