"""After a load run or a fault drill: what the server acknowledged is in the ledger, and the
ledger's invariants hold (domain.md §3.4, ``ledger_breaks``). Prints a summary, then one
JSON line for the caller. Run with the server's settings and keys (run.py does).

    check.py acks FILE        # load: {nir: [[hours, time], …]} of acknowledged DIF entries
    check.py registrations FILE  # the burst: ["address", …] of acknowledged registrations
    check.py histories FILE   # drills: {"dif": {nir: [[ok|fail|info, hours, time], …]},
                              #          "validations": {dossier: [[ok|fail|info, time], …]}}
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mcf.settings")

import django  # noqa: E402

django.setup()

from mcf.domain.accounts.models import User  # noqa: E402
from mcf.domain.dossiers.models import Dossier, State  # noqa: E402
from mcf.domain.dossiers.synthetic import ledger_breaks  # noqa: E402
from mcf.domain.hours.models import Counter  # noqa: E402
from mcf.domain.identity.nir import Nir  # noqa: E402
from mcf.domain.identity.protection import nir_lookup_hash  # noqa: E402
from mcf.domain.mailing.models import OutboxEmail  # noqa: E402


def dif_balance(nir: str) -> int | None:
    return Counter.objects.get(nir_hash=nir_lookup_hash(Nir.parse(nir))).dif_balance


def ledger_breaks_of_every_holder() -> tuple[list[str], int]:
    holders = list(User.objects.filter(kind=User.Kind.TITULAIRE).values_list("pk", flat=True))
    return ledger_breaks(holders), len(holders)


def check_histories(path: str) -> dict:
    """Each holder's DIF balance is his last acknowledged value, or one sent after it whose
    answer was lost (« info »: written or not)."""
    data = json.loads(Path(path).read_text())
    # {"dif": …, "validations": …}, or the DIF histories alone (an empty {} after a restore)
    histories = data.get("dif", data)
    validations = data.get("validations", {})
    wrong = []
    for nir, history in histories.items():
        oks = [entry for entry in history if entry[0] == "ok"]
        if not oks:
            continue
        last_ok = max(oks, key=lambda entry: entry[2])
        allowed = {last_ok[1]} | {
            entry[1] for entry in history if entry[0] == "info" and entry[2] > last_ok[2]
        }
        balance = dif_balance(nir)
        if balance not in allowed:
            wrong.append(f"{nir[:5]}… : {balance} au compteur, attendu l'un de {sorted(allowed)}")
    # A validation acknowledged is there: the dossier is validated (nobody closes or cancels
    # one during a drill). One refused or unanswered proves nothing either way.
    validated = set(
        Dossier.objects.filter(public_id__in=list(validations), state=State.VALIDE).values_list(
            "public_id", flat=True
        )
    )
    acknowledged = [
        public_id
        for public_id, acts in validations.items()
        if any(outcome == "ok" for outcome, _ in acts)
    ]
    lost = [public_id for public_id in acknowledged if UUID(public_id) not in validated]
    wrong += [f"dossier {public_id[:8]}… : validation acquittée, absente" for public_id in lost]
    breaks, holders = ledger_breaks_of_every_holder()
    for line in (wrong + breaks)[:10]:
        print("  " + line)
    summary = (
        f"{len(histories)} titulaires suivis, {len(wrong) - len(lost)} soldes faux ; "
        f"{len(acknowledged)} validations acquittées, {len(lost)} absentes ; "
        f"{len(breaks)} écarts du registre sur {holders} titulaires"
    )
    return {"ok": not wrong and not breaks, "summary": summary}


def check_acks(acks_path: str) -> dict:
    acks = json.loads(Path(acks_path).read_text())
    lost = []
    for nir, entries in acks.items():
        last_hours = max(entries, key=lambda entry: entry[1])[0]
        balance = dif_balance(nir)
        if balance != last_hours:
            lost.append(f"{nir[:5]}… : {balance} au compteur, {last_hours} acquitté")
    breaks, holders = ledger_breaks_of_every_holder()
    pending = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).count()
    dead = OutboxEmail.objects.filter(status=OutboxEmail.Status.DEAD).count()
    acknowledged = sum(len(entries) for entries in acks.values())
    summary = (
        f"{acknowledged} saisies DIF acquittées ({len(acks)} titulaires), {len(lost)} absentes ; "
        f"{len(breaks)} écarts du registre sur {holders} titulaires ; "
        f"courriels en attente {pending}, abandonnés {dead}"
    )
    for line in (lost + breaks)[:10]:
        print("  " + line)
    return {"ok": not lost and not breaks, "summary": summary}


def check_registrations(path: str) -> dict:
    """Every registration the server acknowledged is there, and its confirmation mail left."""
    from mcf.domain.accounts.models import PendingRegistration

    addresses = json.loads(Path(path).read_text())
    registered = set(
        PendingRegistration.objects.filter(email__in=addresses).values_list("email", flat=True)
    )
    mailed = set(
        OutboxEmail.objects.filter(
            to__in=addresses, status=OutboxEmail.Status.SENT, kind="inscription_confirmation"
        ).values_list("to", flat=True)
    )
    missing = set(addresses) - registered
    unmailed = set(addresses) - mailed
    summary = (
        f"{len(addresses)} inscriptions acquittées, {len(missing)} absentes, "
        f"{len(unmailed)} sans courriel de confirmation envoyé"
    )
    # None acknowledged proves nothing: the burst must have registered people.
    return {"ok": bool(addresses) and not missing and not unmailed, "summary": summary}


if __name__ == "__main__":
    mode, path = sys.argv[1:3] if len(sys.argv) > 2 else ("acks", sys.argv[1])
    checks = {
        "acks": check_acks,
        "histories": check_histories,
        "registrations": check_registrations,
    }
    result = checks[mode](path)
    print(result["summary"])
    print(json.dumps(result))
