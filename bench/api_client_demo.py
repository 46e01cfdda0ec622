"""A financeur's information system working with the portal through the API, end to end.

    uv run python bench/api_client_demo.py

Sets up a throwaway portal (SQLite in a temporary folder, the demonstration data, DEBUG on
so that the webhook may post to this machine), serves it as `make run` does (gunicorn and
the task worker), and starts a local webhook receiver. Then, with nothing but HTTP (urllib)
as a partner's system would:

1. the client of « OPCA Démo » (created by ``manage.py create_api_client``, as its
   administrateur principal would in « Accès API ») gets a token (client credentials);
2. lists the OPCA's dossiers « transmis », reads one and its proposed plan;
3. validates it with that plan, then closes it with the hours done, each POST with an
   Idempotency-Key, the close sent twice (the second answer is the first, replayed);
4. waits for the webhooks the task worker posts (« valider », « clore ») and checks their
   HMAC-SHA256 signatures with the secret shown at registration.

Prints each step and a verdict; exits 1 if a step fails.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method: str, url: str, *, body=None, headers=None, form=None):
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    # http://127.0.0.1 only: the demo's own server.
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
            answer = json.loads(response.read() or b"null")
            return response.status, dict(response.headers), answer
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, dict(error.headers), json.loads(raw or b"null")
        except ValueError:
            return error.code, dict(error.headers), {"texte": raw[:300].decode(errors="replace")}


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  # nosec B310
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"le portail ne répond pas sur {url}")


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="mcf-api-demo-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "SECRET_KEY": "demo-" + uuid.uuid4().hex,
        "SITE_URL": base,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "EMAIL_URL": "console:",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*args: str) -> str:
        return subprocess.run(  # nosec B603 - our own manage.py
            [*manage, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout

    print("1. portail jetable : migration et données de démonstration…")
    run("migrate", "--verbosity", "0")
    run("createcachetable")  # the rate limits' counters (as `make migrate`)
    run("load_demo_data")

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mcf.settings")
    import django

    django.setup()
    from tests.web.api.receiver import Receiver

    print(
        "   le brouillon de Touria Orange, complété hors temps de travail et transmis à OPCA "
        "Démo, comme elle le ferait dans son espace"
    )
    send_the_demo_draft()

    processes = []
    failures: list[str] = []
    log = (folder / "serveur.log").open("w")  # the server's and the worker's logs
    with Receiver() as receiver:
        secrets = json.loads(
            run(
                "create_api_client",
                "OPCA Démo",
                "SI gestion (démonstration)",
                "--webhook",
                receiver.url,
            )
        )
        receiver.secret = secrets["webhook_secret"]
        print(
            f"   client API d'OPCA Démo : {secrets['client_id'][:12]}… ; webhook : {receiver.url}"
        )
        processes.append(
            subprocess.Popen(  # nosec B603 - our own server
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "mcf.wsgi",
                    "--config",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        )
        processes.append(
            subprocess.Popen(  # nosec B603 - our own worker
                [*manage, "db_worker", "--no-startup-delay"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        )
        try:
            wait_until_up(base + "/healthz")
            failures = conversation(base, secrets, receiver)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=30)
    log.close()
    if failures:
        print(f"   journaux du serveur : {folder / 'serveur.log'}")
    print("VERDICT :", "RÉUSSI" if not failures else "ÉCHEC — " + " ; ".join(failures))
    return 0 if not failures else 1


def send_the_demo_draft() -> None:
    """The holder's side, through the product's action functions (in this process, on the
    same database): her draft completed and sent, so that OPCA Démo has a dossier it may
    validate (her other sent dossier is sur temps de travail, awaiting her employer)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from mcf.demo.accounts import DEMO_ORGANISATION_NAME
    from mcf.domain.dossiers import actions
    from mcf.domain.dossiers.models import Dossier, State, WorkingTime
    from mcf.domain.organisations.models import Organisation

    draft = Dossier.objects.filter(state=State.BROUILLON).order_by("-created_at").first()
    start = timezone.localdate() + datetime.timedelta(days=60)
    draft = actions.update_dossier(
        draft.pk,
        by=draft.holder,
        version=draft.version,
        values={
            "organisme_siret": "35600000000048",
            "organisme_name": "Organisme de démonstration",
            "start_date": start,
            "end_date": start + datetime.timedelta(days=60),
            "cost": Decimal("2400.00"),
            "working_time": WorkingTime.HORS,
            "financeur": Organisation.objects.get(name=DEMO_ORGANISATION_NAME),
        },
        consent=True,
    )
    actions.send_dossier(draft.pk, by=draft.holder, version=draft.version)


def conversation(base: str, secrets: dict, receiver) -> list[str]:
    failures = []

    def expect(condition: bool, what: str) -> None:
        print(f"   {'ok' if condition else 'ÉCHEC'} : {what}")
        if not condition:
            failures.append(what)

    print("2. jeton (client credentials)")
    basic = base64.b64encode(f"{secrets['client_id']}:{secrets['client_secret']}".encode())
    status, _, token = call(
        "POST",
        base + "/api/oauth/jeton/",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + basic.decode()},
    )
    expect(
        status == 200,
        f"jeton obtenu (HTTP {status}, {token.get('expires_in')} s, portées {token.get('scope')})",
    )
    auth = {"Authorization": f"Bearer {token.get('access_token')}"}

    print("3. les dossiers transmis d'OPCA Démo")
    status, _, page = call("GET", base + "/api/v1/dossiers?etat=transmis", headers=auth)
    dossiers = page.get("dossiers", []) if status == 200 else []
    expect(bool(dossiers), f"{len(dossiers)} dossier(s) transmis")
    if not dossiers:
        return failures
    details = [call("GET", base + f"/api/v1/dossiers/{d['id']}", headers=auth)[2] for d in dossiers]
    waiting = [d for d in details if d["temps_de_travail"] == "sur" and
               d["employeur"]["reponse"] not in ("accord", "tacite")]  # fmt: skip
    if waiting:
        status, _, refused = call(
            "POST",
            base + f"/api/v1/dossiers/{waiting[0]['id']}/valider",
            body={"version": waiting[0]["version"], "heures_dif": 0, "heures_cpf": 1},
            headers=auth,
        )
        expect(
            status == 409,
            f"sur temps de travail sans accord de l'employeur : refusé "
            f"({status} {refused.get('code')} : « {refused.get('detail')} »)",
        )
    ready = [d for d in details if d not in waiting]
    expect(bool(ready), "un dossier que les règles permettent de valider")
    if not ready:
        return failures
    dossier = ready[0]
    proposed = dossier["plan_propose"]
    print(
        f"   dossier n° {dossier['numero']} « {dossier['intitule']} », {dossier['duree_heures']} h,"
        f" titulaire {dossier['titulaire']} ; plan proposé {proposed['dif']} h DIF + "
        f"{proposed['cpf']} h CPF"
    )

    print("4. valider avec le plan proposé, puis clore")
    url = base + f"/api/v1/dossiers/{dossier['id']}"
    status, _, validated = call(
        "POST",
        url + "/valider",
        body={
            "version": dossier["version"],
            "heures_dif": proposed["dif"],
            "heures_cpf": proposed["cpf"],
            "attestation_dif_verifiee": dossier["attestation_dif_requise"],
        },
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    expect(status == 200 and validated.get("etat") == "valide", f"validé (HTTP {status})")
    if status != 200:
        print("   ", validated)
        return failures
    done = validated["plan"]["dif"] + validated["plan"]["cpf"]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"version": validated["version"], "heures_realisees": done}
    status, _, closed = call("POST", url + "/clore", body=body, headers={**auth, **key})
    expect(
        status == 200 and closed.get("etat") == "clos", f"clos, {done} h réalisées (HTTP {status})"
    )
    status, headers, again = call("POST", url + "/clore", body=body, headers={**auth, **key})
    expect(
        status == 200 and again == closed and headers.get("Idempotent-Replayed") == "true",
        "la même clôture renvoyée : la première réponse, rejouée, sans second effet",
    )
    status, _, history = call("GET", url + "/historique", headers=auth)
    print("   historique :", " → ".join(f"{h['nom']} ({h['par']})" for h in history))

    print("5. webhooks reçus et signatures")
    deadline = time.monotonic() + 60
    wanted = {"dossier.valider", "dossier.clore"}
    while time.monotonic() < deadline and not wanted <= {r["event"] for r in receiver.received}:
        time.sleep(0.5)
    for item in receiver.received:
        print(
            f"   reçu {item['event']} pour le dossier n° {item['body']['dossier']['numero']} ; "
            f"signature {'valide' if item['signed'] else 'INVALIDE'}"
        )
    expect(wanted <= {r["event"] for r in receiver.received}, "« valider » et « clore » reçus")
    expect(all(r["signed"] for r in receiver.received), "toutes les signatures vérifiées")
    return failures


if __name__ == "__main__":
    sys.exit(main())
