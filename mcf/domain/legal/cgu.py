"""Versions of the Conditions Générales d'Utilisation.

Each version is a template under ``public/legal/cgu/`` holding the text only (the CGU page
and registration step 1 both include it); the current one is the last of the list.
Registration records the version the holder accepted (``CURRENT.version``), so a published
version is never edited: a change is a new version.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CguVersion:
    version: str
    published_on: date
    template: str


VERSIONS: tuple[CguVersion, ...] = (
    CguVersion("2026-11", date(2026, 11, 27), "public/legal/cgu/2026-11.html"),
)

CURRENT: CguVersion = VERSIONS[-1]


def get_version(version: str) -> CguVersion | None:
    return next((v for v in VERSIONS if v.version == version), None)
