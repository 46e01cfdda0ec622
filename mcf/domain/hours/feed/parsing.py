"""Reading a declarations file line by line (domain.md §3.1, the import contract).

The contract: CSV, UTF-8, ``;`` separator, the header line ``HEADER_LINE`` exactly, decimal
separator ``,`` or ``.``, an empty ``heures_reference`` meaning 1 607 h. One physical line
is one declaration (a quoted name may hold a ``;``, not a line break).

Each line is either *accepted* — yielded as ``(nir_hash, year, worked, reference, absences)``
with the NIR replaced by its keyed lookup hash and the hours as decimal strings with a ``.``
(``reference`` is ``None`` when empty) — or *rejected* with every reason found, in French,
through the ``on_reject(line_number, reason)`` callback. Nothing is kept per line: memory
stays flat whatever the file size.

Speed: most lines are well-formed. A stream is read by blocks of about a million characters,
in which one regular expression finds the canonical lines (no Python-level split of them);
each then gets a strict fast check (valid year, 14-digit SIRET already seen valid, NIR key:
``fast_nir_value`` and ``key_matches`` of the identity package).
The lines between them, and any iterable of lines, go one by one through the same fast
check; only a line failing it is examined by the complete rules (``Nir.parse``, ``stdnum.fr.siret``,
lenient spacing), which either accept it after normalisation or explain the refusal. The
fast NIR check accepts a subset of what ``Nir.parse`` accepts, with the same canonical value
(tested by a Hypothesis property); the NIR is hashed by the identity package's
``keyed_hasher``, the very function behind ``nir_lookup_hash``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

from mcf.core.digits import is_ascii_digits
from mcf.domain.identity.nir import FAST_PATTERN, Nir, NirError, fast_nir_value, key_matches
from mcf.domain.identity.protection import keyed_hasher

HEADER = (
    "annee",
    "siret",
    "nir",
    "nom",
    "prenom",
    "heures_travaillees",
    "heures_reference",
    "heures_absences_assimilees",
)
HEADER_LINE = ";".join(HEADER)
FIRST_YEAR = 2015  # the CPF replaced the DIF on 1 January 2015

# Up to 4 digits before and 4 after the decimal separator: a year has at most 8 784 hours.
_NUMBER = re.compile(r"[0-9]{1,4}(?:[.,][0-9]{1,4})?")
_SIGNED_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")
_FAST_SIRET = re.compile(r"[0-9]{14}")
_SPACES = re.compile(r"\s+")  # incl. non-breaking spaces used as thousands separators
_SIRET_CACHE_SIZE = 100_000

NIR_REASONS = {
    "empty": "NIR manquant",
    "format": "NIR invalide : 15 caractères attendus (13 chiffres ou 2A/2B, puis la clé)",
    "sex": "NIR invalide : le premier chiffre doit être 1 ou 2",
    "key": "NIR invalide : la clé ne correspond pas au numéro",
    "temporary": "NIR provisoire (commençant par 7 ou 8) : un NIR définitif est attendu",
}
HOURS_LABELS = {
    5: "heures travaillées",
    6: "heures de référence",
    7: "heures d'absences assimilées",
}

Accepted = tuple[str, int, str, str | None, str]


class FeedFormatError(ValueError):
    """The file cannot be read as a declarations file (nothing was written)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_header(first_line: str | None) -> None:
    if not first_line:
        raise FeedFormatError(
            f"Le fichier est vide : la première ligne doit être l'en-tête « {HEADER_LINE} »."
        )
    found = first_line.rstrip("\r\n").lstrip("\ufeff")
    if found != HEADER_LINE:
        raise FeedFormatError(
            f"En-tête inattendu. Attendu : « {HEADER_LINE} ». "
            f"Trouvé : « {found[:200]} ». Aucune donnée n'a été chargée."
        )


def split_line(line: str) -> list[str]:
    if '"' in line:
        return next(csv.reader([line], delimiter=";"))
    return line.split(";")


# A whole canonical line (nothing to normalise): year, SIRET, canonical definitive NIR, two
# unquoted names, plain numbers. Matched over a block of lines at a time (re.M), so that the
# common line costs no Python-level split; its year, SIRET and NIR key are then checked.
_CANONICAL_LINE = re.compile(
    r"^([0-9]{4});([0-9]{14});(" + FAST_PATTERN + r');[^;\r\n"]*;[^;\r\n"]*;'
    rf"({_NUMBER.pattern});({_NUMBER.pattern})?;({_NUMBER.pattern})?\r?$",
    re.MULTILINE,
)
BLOCK_CHARACTERS = 1 << 20


class DeclarationReader:
    """Iterate over the accepted declarations of ``source``, the data lines after the header:
    a text stream (read by blocks, the fast way) or any iterable of lines.

    Counts ``lines_read`` (non-blank data lines) and ``lines_rejected``; calls ``on_reject``
    for each rejected line. ``progress(lines_done)`` is called every ``progress_every`` lines
    (for a stream: after each block of about that many lines).

    Both ways give the same result, line numbers included (tested): a line is a line as
    ``io.TextIOWrapper(newline="")`` splits them (``\n``, ``\r\n`` or a lone ``\r``).
    """

    def __init__(
        self,
        source: IO[str] | Iterable[str],
        *,
        today: date,
        on_reject: Callable[[int, str], None],
        first_line_number: int = 2,
        progress: Callable[[int], None] | None = None,
        progress_every: int = 16384,
        block_characters: int = BLOCK_CHARACTERS,
        hash_key: str | bytes | None = None,
    ):
        self._source = source
        self._on_reject = on_reject
        self._first = first_line_number
        self._progress = progress
        self._progress_every = progress_every
        self._block_characters = block_characters
        self.last_year = today.year - 1  # a year is loaded once it has ended
        self._years = {str(y): y for y in range(FIRST_YEAR, self.last_year + 1)}
        self._hash = keyed_hasher(hash_key)
        self._sirets: dict[str, bool] = {}
        self.lines_read = 0
        self.lines_rejected = 0
        self._line_number = first_line_number - 1

    @property
    def last_line_number(self) -> int:
        """Number of the last line read (blank ones included)."""
        return self._line_number

    def __iter__(self) -> Iterator[Accepted]:
        source = self._source
        if hasattr(source, "read"):
            yield from self._from_blocks(self._blocks(source))
        else:
            yield from self._from_lines(source)
        if self._progress is not None:
            self._progress(self.lines_read)

    def _blocks(self, stream: IO[str]) -> Iterator[str]:
        """Blocks of whole lines (each ends with a ``\n``, but maybe the last one)."""
        rest = ""
        while block := stream.read(self._block_characters):
            block = rest + block
            cut = block.rfind("\n") + 1
            block, rest = block[:cut], block[cut:]
            if block:
                yield block
        if rest:
            yield rest

    def _from_blocks(self, blocks: Iterable[str]) -> Iterator[Accepted]:
        years = self._years
        lookup_hash = self._hash
        sirets = self._sirets
        progress = self._progress
        every = self._progress_every
        canonical = _CANONICAL_LINE.finditer
        next_report = every
        for block in blocks:
            position = 0
            taken = 0  # canonical lines of this block not yet added to the counts
            for match in canonical(block):
                if match.start() != position:  # lines the pattern did not take
                    self._line_number += taken
                    self.lines_read += taken
                    taken = 0
                    yield from self._from_lines(block[position : match.start()])
                position = match.end() + 1  # after the line's \n
                taken += 1
                year_text, siret, nir, worked, reference, absences = match.groups()
                year = years.get(year_text)
                valid_siret = sirets.get(siret)
                if valid_siret is None:
                    valid_siret = self._remember_siret(siret)
                if year is not None and valid_siret and key_matches(nir):
                    yield _accepted(lookup_hash(nir), year, worked, reference, absences)
                else:  # the complete rules say why
                    self._line_number += taken
                    self.lines_read += taken
                    taken = 0
                    parts = split_line(match.group().rstrip("\r"))
                    accepted = self._examine(self._line_number, parts)
                    if accepted is not None:
                        yield accepted
            self._line_number += taken
            self.lines_read += taken
            if position < len(block):
                yield from self._from_lines(block[position:])
            if progress is not None and self.lines_read >= next_report:
                progress(self.lines_read)
                next_report = self.lines_read + every

    def _from_lines(self, lines: Iterable[str] | str) -> Iterator[Accepted]:
        """The same, one line at a time (the lines between canonical ones, and iterables)."""
        if isinstance(lines, str):
            lines = io.StringIO(lines, newline="")
        years = self._years
        number = _NUMBER.fullmatch
        lookup_hash = self._hash
        sirets = self._sirets
        progress = self._progress
        every = self._progress_every
        for raw_line in lines:
            self._line_number += 1
            line = raw_line.rstrip("\r\n")
            if not line.strip():
                continue
            self.lines_read += 1
            if progress is not None and self.lines_read % every == 0:
                progress(self.lines_read)
            parts = split_line(line)
            if len(parts) == 8:
                year = years.get(parts[0])
                worked, reference, absences = parts[5], parts[6], parts[7]
                if (
                    year is not None
                    and number(worked)
                    and (not reference or number(reference))
                    and (not absences or number(absences))
                ):
                    siret = parts[1]
                    valid_siret = sirets.get(siret)
                    if valid_siret is None:
                        valid_siret = self._remember_siret(siret)
                    nir = fast_nir_value(parts[2])
                    if valid_siret and nir is not None:
                        yield _accepted(lookup_hash(nir), year, worked, reference, absences)
                        continue
            accepted = self._examine(self._line_number, parts)
            if accepted is not None:
                yield accepted

    # --- The complete rules, for the lines the fast check did not accept ------------------

    def _remember_siret(self, siret: str) -> bool:
        if len(self._sirets) >= _SIRET_CACHE_SIZE:
            self._sirets.clear()
        valid = bool(_FAST_SIRET.fullmatch(siret)) and siret_reason(siret) is None
        self._sirets[siret] = valid
        return valid

    def _examine(self, line_number: int, parts: list[str]) -> Accepted | None:
        reasons: list[str] = []
        if len(parts) != 8:
            reasons.append(f"{len(parts)} colonnes au lieu de 8 (séparateur « ; »)")
            return self._reject(line_number, reasons)
        year = self._year(parts[0], reasons)
        siret_problem = siret_reason(parts[1])
        if siret_problem:
            reasons.append(siret_problem)
        nir_value = None
        try:
            nir_value = Nir.parse(parts[2]).value
        except NirError as error:
            reasons.append(NIR_REASONS.get(error.code, "NIR invalide"))
        worked = self._hours(parts[5], 5, reasons, required=True)
        reference = self._hours(parts[6], 6, reasons, required=False)
        absences = self._hours(parts[7], 7, reasons, required=False)
        if reasons or nir_value is None or year is None or worked is None:
            return self._reject(line_number, reasons or ["ligne invalide"])
        return (
            self._hash(nir_value),
            year,
            worked,
            _reference(reference) if reference else None,
            absences or "0",
        )

    def _reject(self, line_number: int, reasons: list[str]) -> None:
        self.lines_rejected += 1
        self._on_reject(line_number, " ; ".join(reasons))
        return None

    def _year(self, raw: str, reasons: list[str]) -> int | None:
        text = raw.strip()
        if not text:
            reasons.append("année manquante")
            return None
        if not is_ascii_digits(text):
            reasons.append(f"année non numérique : « {text[:10]} »")
            return None
        year = int(text)
        if not FIRST_YEAR <= year <= self.last_year:
            reasons.append(
                f"année inconnue : {text[:10]} (années acceptées : {FIRST_YEAR} à "
                f"{self.last_year}, une année n'est chargée qu'une fois terminée)"
            )
            return None
        return year

    @staticmethod
    def _hours(raw: str, column: int, reasons: list[str], *, required: bool) -> str | None:
        label = HOURS_LABELS[column]
        text = _SPACES.sub("", raw)
        if not text:
            if required:
                reasons.append(f"{label} manquantes")
            return None
        if _NUMBER.fullmatch(text):
            return text.replace(",", ".")
        if _SIGNED_NUMBER.fullmatch(text):
            if text.startswith("-"):
                reasons.append(f"{label} négatives : « {text[:12]} »")
            else:
                reasons.append(
                    f"{label} hors limites : « {text[:12]} » (au plus 4 chiffres avant "
                    "et 4 après la virgule)"
                )
            return None
        reasons.append(f"{label} non numériques : « {text[:12]} »")
        return None


def _accepted(nir_hash: str, year: int, worked: str, reference: str, absences: str) -> Accepted:
    """An accepted line, its numbers already checked: decimal points, empty reference and
    absences normalised."""
    return (
        nir_hash,
        year,
        worked.replace(",", "."),
        _reference(reference.replace(",", ".")) if reference else None,
        absences.replace(",", ".") if absences else "0",
    )


def _reference(value: str) -> str | None:
    """A zero reference means "no conventional duration", like an empty one (accrual's rule)."""
    return None if not value.strip("0.") else value


def siret_reason(raw: str) -> str | None:
    """The French reason why ``raw`` is not a valid SIRET, or None."""
    if not raw.strip():
        return "SIRET manquant"
    try:
        stdnum_siret.validate(raw)
    except stdnum_exceptions.InvalidChecksum:
        return "SIRET invalide : la clé de contrôle ne correspond pas"
    except stdnum_exceptions.ValidationError:
        return "SIRET invalide : 14 chiffres attendus"
    return None
