"""The screenshot gallery of `make screenshots`: every state of every page that
test_every_page.py reviews, at each width, as a PNG, and an index.html that shows them side
by side with what the layout checks found on each.

Off unless ``MCF_SCREENSHOTS`` names a folder (the checks of `make test-browser` take no
screenshot): ``<folder>/<space>/<page>-<state>-<width>.png``.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from playwright.sync_api import Page

ENV = "MCF_SCREENSHOTS"
PROBLEMS = "problems.json"  # beside the PNGs: {"space/page-state-width.png": [problems]}


def folder() -> Path | None:
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


_found: dict[str, list[str]] = {}


def shoot(page: Page, space: str, name: str, state: str, width: int, problems: list[str]):
    root = folder()
    if root is None:
        return
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "page"
    relative = f"{space}/{safe}-{state}-{width}.png"
    (root / space).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=root / relative, full_page=True, animations="disabled")
    _found[relative] = problems


def write_index() -> Path | None:
    """index.html of every PNG of the folder (of this run and of earlier partial runs)."""
    root = folder()
    if root is None or not root.exists():
        return None
    record = root / PROBLEMS
    found = json.loads(record.read_text()) if record.exists() else {}
    found.update(_found)
    record.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True))
    shots: dict[tuple[str, str], dict[str, str]] = {}
    for png in sorted(root.glob("*/*.png")):
        stem, _, width = png.stem.rpartition("-")
        shots.setdefault((png.parent.name, stem), {})[width] = f"{png.parent.name}/{png.name}"
    sections: dict[str, list[str]] = {}
    for (space, stem), widths in sorted(shots.items()):
        cells = []
        for width in ("1280", "375"):
            path = widths.get(width)
            if not path:
                cells.append("<td></td>")
                continue
            problems = found.get(path, [])
            notes = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            cells.append(
                f'<td><a href="{html.escape(path)}"><img loading="lazy" src="{html.escape(path)}"'
                f' alt="{html.escape(stem)} à {width} px" width="{int(width) // 4 + 100}"></a>'
                + (f'<ul class="problems">{notes}</ul>' if notes else "")
                + "</td>"
            )
        sections.setdefault(space, []).append(
            f"<tr><th>{html.escape(stem)}</th>{''.join(cells)}</tr>"
        )
    body = "".join(
        f'<h2 id="{html.escape(space)}">{html.escape(space)}</h2><table>{"".join(rows)}</table>'
        for space, rows in sections.items()
    )
    spaces = sorted({s for s, _ in shots})
    nav = " · ".join(f'<a href="#{html.escape(s)}">{html.escape(s)}</a>' for s in spaces)
    page = f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Galerie des pages — Mon compte formation</title>
<style>
body {{ font-family: sans-serif; margin: 1rem; }}
table {{ border-collapse: collapse; }}
th, td {{ vertical-align: top; text-align: left; padding: .5rem; border-bottom: 1px solid #ccc; }}
img {{ border: 1px solid #888; }}
.problems {{ color: #b00; max-width: 420px; font-size: .8rem; }}
h2 {{ margin-top: 2rem; }}
</style></head><body>
<h1>Galerie des pages ({len(shots)} états, 1280 px et 375 px)</h1>
<p>{nav}</p>
<p>En rouge : ce que les vérifications de mise en page (tests/browser/page_checks.js) ont
trouvé sur la capture.</p>
{body}
</body></html>
"""
    index = root / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
