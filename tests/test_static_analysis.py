"""SC-01: bandit runs in `make lint` and fails on any finding; what it must not report is
marked where it stands. These tests keep those marks reviewable: each names the checks it
silences (a bare « nosec » would silence every present and future check on its line) and
says why, on its line or, for string-built SQL, once at the top of its module."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

MCF = Path(settings.BASE_DIR) / "mcf"
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$", re.IGNORECASE)
CHECK_IDS = re.compile(r"^:?\s*B\d{3}(?:[ ,]+B\d{3})*\s*$")
# A reason: words in a comment before the marker (ruff's « noqa: S… - why » counts).
REASON = re.compile(r"#\s*(?:noqa: S\d+\s*-\s*|(?!noqa\b))[^#]*[A-Za-zÀ-ÿ]{3,}[^#]*#\s*nosec")
MODULE_SQL_REASON = "SQL assembled from our constants"


def marked_lines():
    for path in sorted(MCF.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            if found := NOSEC.search(line):
                yield path, number, line, found.group("rest"), text


def test_every_nosec_names_the_checks_it_silences():
    bare = [
        f"{path.relative_to(MCF.parent)}:{number}"
        for path, number, _, rest, _ in marked_lines()
        if not CHECK_IDS.match(rest)
    ]
    assert not bare, f"« nosec » sans identifiant de règle (B…) ou suivi d'un texte : {bare}"


def test_every_nosec_says_why():
    unexplained = [
        f"{path.relative_to(MCF.parent)}:{number}"
        for path, number, line, rest, text in marked_lines()
        if not REASON.search(line)
        and not ("B608" in rest and MODULE_SQL_REASON in text.split("\n", 1)[0])
    ]
    assert not unexplained, f"« nosec » sans raison : {unexplained}"


def test_the_marks_are_found_at_all():
    # The tests above would pass on a tree where the pattern finds nothing.
    assert sum(1 for _ in marked_lines()) >= 40
