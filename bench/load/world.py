"""The load test's world, written once into the server's database (run by bench/load/run.py
with the server's own settings and keys, so that the NIRs it reads back decrypt).

Holders, financeurs with gestionnaires and dossiers in every state come from the synthetic
generator (the benches' data); the catalogue from its own. The accounts the simulated users
sign in with get a real Argon2id hash of one known password (hashed once: the login path
verifies it the same way) and, for gestionnaires, a TOTP device with a known key. What the
simulated users need is written to a JSON file (NIRs, usernames, TOTP keys).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mcf.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import F  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from mcf.domain.accounts.models import User  # noqa: E402
from mcf.domain.catalogue.synthetic import generate_catalogue  # noqa: E402
from mcf.domain.dossiers.synthetic import generate_dossiers  # noqa: E402

PASSWORD = "Charge-Essai-2026"  # noqa: S105 - a throwaway database  # nosec B105


def build(path: Path, *, offers: int, dossiers: int, financeurs: int) -> dict:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_geography", verbosity=0)
    generate_catalogue(offers)
    generate_dossiers(dossiers, financeurs=financeurs)
    encoded = make_password(PASSWORD)
    holders = User.objects.filter(kind=User.Kind.TITULAIRE)
    holders.update(password=encoded)
    gestionnaires = User.objects.filter(username__startswith="gestionnaire.synthetique.")
    gestionnaires.update(password=encoded)
    keys = {}
    for user in gestionnaires:
        device = TOTPDevice.objects.create(
            user=user, name="charge", confirmed=True, key=secrets.token_hex(20)
        )
        keys[user.username] = device.key
    world = {
        "password": PASSWORD,
        # Readable NIRs (decrypted with the server's keys): first those who can still enter
        # their DIF (no dossier validated yet), so that every level enters some.
        "holders": [
            user.nir
            for user in holders.order_by(
                F("counter__dif_locked_at").asc(nulls_first=True), "pk"
            ).only("nir")
        ],
        "gestionnaires": keys,
        "seconds": round(time.perf_counter() - started, 1),
    }
    path.write_text(json.dumps(world))
    return world


if __name__ == "__main__":
    target = Path(sys.argv[1])
    offers, dossiers, financeurs = (int(value) for value in sys.argv[2:5])
    made = build(target, offers=offers, dossiers=dossiers, financeurs=financeurs)
    print(
        f"monde : {len(made['holders'])} titulaires, {len(made['gestionnaires'])} gestionnaires, "
        f"{offers} offres, {dossiers} dossiers, en {made['seconds']} s"
    )
