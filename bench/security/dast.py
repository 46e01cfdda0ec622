"""A dynamic scan of the running portal (issue 15 §3, SC-02): wapiti (from PyPI; ZAP is not
installable here) against the production stack of the load test, signed in as a holder.

    make bench-dast     # ~10 min: 3 of crawling, 30 s per attack module; var/security/
    make bench-dast ARGS="--space professionnel --scan-minutes 10 --attack-minutes 3"

The stack is bench/load/run.py's (DEBUG off, nginx TLS, gunicorn, PostgreSQL, a small
world). wapiti crawls from the holder's space with the holder's session (its cookies) — or,
``--space professionnel``, from a gestionnaire's (password + TOTP) —, with
the sign-out forms left out (they would end the session), attacks every form and parameter it
finds with its default modules, and writes a JSON report. This script prints the findings
by category and level; their triage is in docs/reliability.md. Exit 1 when a finding of
level ≥ medium is not in TRIAGED below.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import requests
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
from pages import forms_of, totp
from run import OUT, ROOT, Stack, sign_in_holder

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
REPORT_DIR = ROOT / "var" / "security"
LEVELS = {0: "info", 1: "bas", 2: "moyen", 3: "haut", 4: "critique"}
# (category, path) of findings reviewed and explained in docs/reliability.md.
TRIAGED: set[tuple[str, str]] = set()


def holder_cookies(base: str, world: dict) -> str:
    session = requests.Session()
    session.verify, session.trust_env = False, False  # our proxy's self-signed certificate
    if not sign_in_holder(session, base, world["holders"][0], world["password"]):
        raise SystemExit("connexion du titulaire refusée : le scan authentifié est impossible")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def gestionnaire_cookies(base: str, world: dict) -> str:
    """A gestionnaire signed in as a person would: password, then the TOTP code."""
    username, key = sorted(world["gestionnaires"].items())[0]
    session = requests.Session()
    session.verify, session.trust_env = False, False
    for path, fields in (
        ("/professionnel/connexion/", {"username": username, "password": world["password"]}),
        ("/professionnel/connexion/code/", {"code": totp(key)}),
    ):
        page = session.get(base + path)
        form = forms_of(page.text).get(path, {}) | fields
        reply = session.post(base + path, data=form, headers={"Referer": page.url},
                             allow_redirects=False)  # fmt: skip
        if reply.status_code != 302:
            raise SystemExit("connexion du gestionnaire refusée : le scan est impossible")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", choices=("titulaire", "professionnel"), default="titulaire")
    parser.add_argument("--scan-minutes", type=float, default=3)
    parser.add_argument("--attack-minutes", type=float, default=0.5, help="par module")
    args = parser.parse_args()
    settings = SimpleNamespace(offers=2000, dossiers=400, financeurs=5, workers=2, threads=8,
                               serving="gthread")  # fmt: skip
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.rmtree(REPORT_DIR, ignore_errors=True)
    REPORT_DIR.mkdir(parents=True)
    stack = Stack(settings)
    report = REPORT_DIR / "wapiti.json"
    try:
        stack.up()
        world = json.loads((OUT / "world.json").read_text())
        base = f"https://localhost:{stack.tls_port}"
        cookies = {"titulaire": holder_cookies, "professionnel": gestionnaire_cookies}[args.space](
            base, world
        )
        start = f"{base}/" if args.space == "titulaire" else f"{base}/professionnel/"
        subprocess.run(
            ["uvx", "--from", "wapiti3", "wapiti", "-u", start, "--scope", "domain",
             "-C", cookies, "-x", f"{base}/titulaire/deconnexion/",
             "-x", f"{base}/professionnel/deconnexion/", "--verify-ssl", "0",
             "--max-scan-time", str(int(args.scan_minutes * 60)),
             "--max-attack-time", str(int(args.attack_minutes * 60)), "--max-links-per-page", "20",
             "--tasks", "4",
             "--flush-session", "--no-bugreport", "-f", "json", "-o", str(report)],
            cwd=ROOT, check=False,
        )  # fmt: skip
    finally:
        stack.down()
    if not report.exists():
        raise SystemExit("wapiti n'a pas écrit de rapport")
    data = json.loads(report.read_text())
    untriaged = 0
    print("\nConstats de wapiti (catégorie, niveau, méthode, chemin, paramètre) :")
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for category, findings in sorted(data.get(section, {}).items()):
            for finding in findings:
                level = finding.get("level", 0)
                path = finding.get("path", "")
                mark = ""
                if level >= 2 and (category, path) not in TRIAGED:
                    untriaged += 1
                    mark = "  ← à trier"
                print(
                    f"  [{section}] {category} — {LEVELS.get(level, level)} — "
                    f"{finding.get('method', '')} {path} {finding.get('parameter', '')}{mark}"
                )
    crawled = data.get("infos", {}).get("crawled_pages_nbr", 0)
    print(f"\n{crawled} pages parcourues ; {untriaged} constat(s) de niveau ≥ moyen non trié(s)")
    return 1 if untriaged else 0


if __name__ == "__main__":
    sys.exit(main())
