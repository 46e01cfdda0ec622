"""Reading a large declarations file with two processes (the PostgreSQL engine's staging).

Reading is Python-bound (about 3.5 µs of CPU a line: checks, keyed NIR hash) and the
server is nearly idle meanwhile, so a large file is cut in two at a line boundary:

* a helper process (``python -m mcf.domain.hours.feed.parallel``, a fresh interpreter that
  imports only the reader: no Django set-up, no database connection) reads the second half
  into a temporary file of staging lines (``staging_text``) and a list of rejected lines;
* this process reads the first half and streams it to the server by ``COPY``; then the
  helper's lines follow in the same ``COPY``, and its rejections are reported after ours,
  with their line numbers in the whole file.

The result is the one of a single reader (tested): same rows, same rejections, same
counts. The NIR never leaves the helper but as its keyed hash, as in this process (PRIV-01);
the hash key goes to the helper through its standard input, never its command line or
environment. The temporary files (hashes and hours, no NIR) are removed at the end.

This module imports nothing of Django's models: the helper loads it alone.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess  # one call, ours, no shell  # nosec B404
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO

from mcf.domain.hours.feed.parsing import Accepted, DeclarationReader

NULL = "\\N"
COPY_CHUNK_LINES = 4096
HELPER_MODULE = "mcf.domain.hours.feed.parallel"
PROJECT_ROOT = Path(__file__).resolve().parents[4]
# This process's share of the file: the helper starts a little later (a new interpreter)
# and writes its lines to a file, this process also sends them to the server. Measured on a
# million lines: at 0.50 this process waited 0.46 s for the helper; at 0.54 the helper
# ended first.
FIRST_SHARE = 0.52


def staging_text(rows: Iterable[Accepted]) -> Iterator[str]:
    """The staging table's COPY text (``nir_hash, year, w, r, a``), a few thousand lines
    per string."""
    buffer: list[str] = []
    for nir_hash, year, worked, reference, absences in rows:
        buffer.append(f"{nir_hash}\t{year}\t{worked}\t{reference or NULL}\t{absences}\n")
        if len(buffer) >= COPY_CHUNK_LINES:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


class _Slice(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file, as a file of their own."""

    def __init__(self, path: Path, start: int, end: int):
        super().__init__()
        self._file = path.open("rb")
        self._file.seek(start)
        self.start = start
        self.position = start
        self.end = end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self.end - self.position)
        if wanted <= 0:
            return 0
        got = self._file.readinto(memoryview(buffer)[:wanted])
        self.position += got
        return got

    def close(self) -> None:
        self._file.close()
        super().close()


def _text_of(path: Path, start: int, end: int) -> tuple[io.TextIOWrapper, _Slice]:
    part = _Slice(path, start, end)
    # Same decoding as the whole file's (importer._text), BOM aside: it is in the header.
    text = io.TextIOWrapper(io.BufferedReader(part), encoding="utf-8", errors="replace", newline="")
    return text, part


def halves(path: Path, size: int) -> tuple[int, int] | None:
    """(first byte after the header line, first byte of the helper's part), both just after a
    ``\\n``; None when the file cannot be cut so (no ``\\n``, or a header ended by ``\\r``)."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
        header_end = head.find(b"\n") + 1
        if header_end == 0 or b"\r" in head[: header_end - 2]:
            return None
        handle.seek(header_end + int((size - header_end) * FIRST_SHARE))
        handle.readline()  # to the end of the line cut in the middle
        split = handle.tell()
    if split >= size:
        return None
    return header_end, split


class TwoProcessReading:
    """The staging's COPY text of a file read by two processes (``copy_text``), and the
    ``lines_read`` and ``lines_rejected`` of both halves."""

    def __init__(
        self,
        path: Path,
        header_end: int,
        split: int,
        size: int,
        *,
        today: date,
        on_reject: Callable[[int, str], None],
        progress: Callable[[int, int], None] | None,
        hash_key: str | bytes,
    ):
        self._path = path
        self._size = size
        self._split = split
        self._on_reject = on_reject
        self._progress = progress
        self._folder = Path(tempfile.mkdtemp(prefix="mcf-alimentation-"))
        self._output = self._folder / "staging.txt"
        self._output.touch()  # read while the helper appends to it
        self._rejections = self._folder / "rejets.csv"
        key = hash_key if isinstance(hash_key, bytes) else hash_key.encode()
        job = {
            "path": str(path),
            "start": split,
            "end": size,
            "today": today.isoformat(),
            "key": key.hex(),
            "output": str(self._output),
            "rejections": str(self._rejections),
        }
        environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        self._errors = self._folder / "erreurs.txt"
        with self._errors.open("wb") as errors:
            self._helper = subprocess.Popen(  # noqa: S603 - our own module, no shell  # nosec B603
                [sys.executable, "-m", HELPER_MODULE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=environment,
            )
        self._helper.stdin.write(json.dumps(job).encode())
        self._helper.stdin.close()
        self._text, self._part = _text_of(path, header_end, split)
        self._reader = DeclarationReader(
            self._text,
            today=today,
            on_reject=on_reject,
            progress=self._first_half_progress if progress is not None else None,
            hash_key=key,
        )
        self._helper_counts = (0, 0)
        self._pending = b""

    def _first_half_progress(self, lines: int) -> None:
        # Both halves are read at about the same pace: the first half's share, scaled.
        part = self._part
        done = (part.position - part.start) / max(1, part.end - part.start)
        self._progress(lines, int(part.start + done * (self._size - part.start)))

    def copy_text(self) -> Iterator[str | bytes]:
        """The staging's COPY text of the whole file: this process's lines, with the
        helper's forwarded as soon as it has written them (the server ingests both halves
        while they are read); at the end the helper's last lines, and its rejections."""
        with self._output.open("rb") as helper_output:
            for text in staging_text(self._reader):
                yield text
                if ready := self._helper_lines(helper_output):
                    yield ready
            self._wait_for_helper()
            if ready := self._helper_lines(helper_output, final=True):
                yield ready

    def _helper_lines(self, output: IO[bytes], *, final: bool = False) -> bytes:
        """The helper's whole lines written since the last call (a line being written is
        kept for the next call)."""
        data = self._pending + output.read()
        cut = len(data) if final else data.rfind(b"\n") + 1
        self._pending = data[cut:]
        return data[:cut]

    def _wait_for_helper(self) -> None:
        stdout = self._helper.stdout.read()  # a line of JSON: nothing else is printed
        if self._helper.wait() != 0:
            errors = self._errors.read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"feed: the reading helper failed ({self._helper.returncode}): {errors}"
            )
        counts = json.loads(stdout.decode().strip().splitlines()[-1])
        self._helper_counts = (counts["lines_read"], counts["lines_rejected"])
        offset = self._reader.last_line_number
        with self._rejections.open(encoding="utf-8", newline="") as handle:
            for number, reason in csv.reader(handle, delimiter=";"):
                self._on_reject(offset + int(number), reason)
        if self._progress is not None:
            self._progress(self.lines_read, self._size)

    @property
    def lines_read(self) -> int:
        return self._reader.lines_read + self._helper_counts[0]

    @property
    def lines_rejected(self) -> int:
        return self._reader.lines_rejected + self._helper_counts[1]

    def close(self) -> None:
        if self._helper.poll() is None:
            self._helper.kill()
            self._helper.wait()
        self._helper.stdout.close()
        self._text.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def _helper_main() -> None:
    """The helper: read one part of a file, write its staging text and its rejections."""
    job = json.loads(sys.stdin.read())
    text, _ = _text_of(Path(job["path"]), job["start"], job["end"])
    with (
        text,
        open(job["rejections"], "w", encoding="utf-8", newline="") as rejections,
        open(job["output"], "a", encoding="utf-8", newline="") as output,
    ):
        writer = csv.writer(rejections, delimiter=";", lineterminator="\n")
        reader = DeclarationReader(
            text,
            today=date.fromisoformat(job["today"]),
            on_reject=lambda number, reason: writer.writerow([number, reason]),
            first_line_number=1,
            hash_key=bytes.fromhex(job["key"]),
        )
        for chunk in staging_text(reader):
            output.write(chunk)
            output.flush()  # whole lines, visible to the importer at once
    print(json.dumps({"lines_read": reader.lines_read, "lines_rejected": reader.lines_rejected}))


if __name__ == "__main__":
    _helper_main()
