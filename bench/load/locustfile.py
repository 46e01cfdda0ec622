"""The load mix (issue 15 §1), run by bench/load/run.py through the TLS proxy.

Each simulated person has an address of his own on the loopback network (127.x.y.z), so
the proxy, the rate limits and the failed-login throttle see distinct clients, as they
would on the Internet. Forms are read from the pages (CSRF token, form key), then posted,
as a browser does.

- Visiteur: the public site and « Rechercher une formation ».
- Titulaire: signs in with his NIR, reads the synthèse and « Mon compte d'heures », enters his
  DIF, lists his dossiers, signs out after a visit, comes back.
- Gestionnaire: signs in (password + TOTP), works his list, opens dossiers, validates one
  with the proposed plan now and then.
- Hello: GET /healthz, the same stack's cheapest answer (a database ping): the baseline.

Every DIF entry the server acknowledged (a redirect after the POST) is written to
MCF_LOAD_ACKS at the end, for run.py to check against the ledger.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, constant, events, task
from pages import forms_of, totp  # bench/load/pages.py (no locust: the drills use it too)
from requests.adapters import HTTPAdapter
from stdnum.fr import nir as stdnum_nir

WORLD = json.loads(Path(os.environ["MCF_LOAD_WORLD"]).read_text())
ACKS_PATH = os.environ.get("MCF_LOAD_ACKS", "")
_holders = itertools.cycle(WORLD["holders"])
_gestionnaires = itertools.cycle(sorted(WORLD["gestionnaires"].items()))
_addresses = itertools.count(1)
_lock = threading.Lock()
ACKS: dict[str, list] = {}  # NIR → [hours, acknowledged at] of each acknowledged DIF entry
SEARCHES = ["anglais", "bureautique", "soudure", "comptabilité", "excel", "management", "cariste"]
UUID = re.compile(r"/dossiers/([0-9a-f-]{36})/")
# A result's link carries the search (« /formations/12/?q=anglais ») to come back to it.
OFFER_LINK = re.compile(r'href="(/formations/\d+/)[?"]')


class SourceAddress(HTTPAdapter):
    """Connections from one loopback address of the person's own."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


THINK = os.environ.get("MCF_LOAD_THINK", "1") == "1"


class Person(HttpUser):
    abstract = True
    # Think time between two pages; none when measuring the capacity of the stack.
    wait_time = between(2, 6) if THINK else constant(0)

    def on_start(self):
        self.new_address()
        self.client.verify = False

    def new_address(self) -> None:
        number = next(_addresses)
        address = f"127.{1 + number // 65536 % 250}.{number // 256 % 256}.{number % 256 or 1}"
        self.client.mount("https://", SourceAddress(address))

    def post_form(self, page_url: str, action: str, fields: dict, *, name: str):
        """GET the page, take its form (CSRF, form key, prefilled values), change
        ``fields``, POST it without following the redirect. None if the form is absent."""
        page = self.client.get(page_url, name=f"{name} (page)")
        form = forms_of(page.text).get(action)
        if form is None:
            return None
        form.update(fields)
        return self.client.post(
            action or page_url,
            data=form,
            name=name,
            allow_redirects=False,
            headers={"Referer": page.url},
        )


class Visiteur(Person):
    weight = 5

    @task(3)
    def home(self):
        self.client.get("/", name="/ (accueil)")

    @task(5)
    def search(self):
        words = random.choice(SEARCHES)
        found = self.client.get(f"/formations/?q={words}", name="/formations/?q=…")
        offers = OFFER_LINK.findall(found.text)
        if offers:
            self.client.get(random.choice(offers), name="/formations/[offre]/")

    @task(1)
    def information(self):
        self.client.get("/informations/heures-dif/", name="/informations/[page]/")


CAPTCHA = re.compile(r"/securite/captcha/([0-9a-f-]{36})/image\.png")
_registrations = itertools.count()
REGISTERED: list[str] = []  # addresses of the registrations the server acknowledged


def captcha_answer(challenge_id: str) -> str:
    """What a person reads in the image: taken from the server's own table (the answer
    never leaves the server otherwise; no test switch in the product)."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        row = connection.execute(
            "SELECT answer FROM antibot_captchachallenge WHERE id = %s", [challenge_id]
        ).fetchone()
    return row[0] if row else ""


class Inscription(Person):
    """Someone who registers on the DIF-deadline day: the four steps of the seed (CGU,
    identity with the captcha, password), then the confirmation mail. Only in the burst
    (MCF_LOAD_REGISTRATIONS=1): the curve's mix stays the one measured before."""

    abstract = os.environ.get("MCF_LOAD_REGISTRATIONS") != "1"
    weight = 2

    @task
    def register(self):
        # Each registration is another person: his own address and a browser of his own
        # (the registration limit is per address: 20 an hour).
        self.new_address()
        self.client.cookies.clear()
        number = next(_registrations)
        first13 = f"2950175{number:06d}"  # born in January 1995, Paris: of age, unique
        nir = first13 + stdnum_nir.calc_check_digits(first13)  # the project's NIR library
        email = f"inscription{number:06d}@exemple.fr"
        start = "/titulaire/inscription/"
        reply = self.post_form(start, "", {"accept": "on"}, name="inscription : CGU")
        if reply is None or reply.status_code != 302:
            return
        identity = "/titulaire/inscription/identite/"
        page = self.client.get(identity, name="inscription : identité (page)")
        challenge = CAPTCHA.search(page.text)
        form = forms_of(page.text).get("")
        if challenge is None or form is None:
            return
        form.update(nir=nir, civility="madame", first_name="Inès", birth_name="Pic",
                    mobile="0612345678", email=email, email_confirmation=email,
                    captcha=captcha_answer(challenge.group(1)))  # fmt: skip
        reply = self.client.post(identity, data=form, name="inscription : identité",
                                 allow_redirects=False, headers={"Referer": page.url})  # fmt: skip
        if reply.status_code != 302:
            return
        step3 = "/titulaire/inscription/mot-de-passe/"
        chosen = f"Vanille-{number:06d}-Soleil"  # 3 digits, no name, no NIR
        reply = self.post_form(step3, "", {"password": chosen, "password_confirmation": chosen},
                               name="inscription : mot de passe")  # fmt: skip
        if reply is not None and reply.status_code == 302:
            with _lock:
                REGISTERED.append(email)


class Titulaire(Person):
    weight = 4

    def on_start(self):
        super().on_start()
        with _lock:
            self.nir = next(_holders)
        self.pages_left = 0

    def sign_in(self):
        reply = self.post_form(
            "/titulaire/connexion/",
            "/titulaire/connexion/",
            {"nir": self.nir, "password": WORLD["password"]},
            name="connexion titulaire",
        )
        if reply is not None and reply.status_code == 302:
            self.pages_left = random.randint(5, 15)  # one visit

    def visit(self) -> bool:
        if self.pages_left <= 0:
            if self.pages_left == 0 and random.random() < 0.5:
                # « Se déconnecter »: the header's form, from the page the person is on.
                self.post_form("/titulaire/", "/titulaire/deconnexion/", {}, name="déconnexion")
            self.sign_in()
            return False
        self.pages_left -= 1
        return True

    @task(3)
    def synthese(self):
        if self.visit():
            self.client.get("/titulaire/", name="/titulaire/ (synthèse)")

    @task(3)
    def hours(self):
        if self.visit():
            self.client.get("/titulaire/compte-d-heures/", name="/titulaire/compte-d-heures/")

    @task(2)
    def dif(self):
        if not self.visit():
            return
        hours = random.randint(0, 120)
        reply = self.post_form(
            "/titulaire/compte-d-heures/",
            "",
            {"hours": str(hours)},
            name="saisie du DIF",
        )
        if reply is not None and reply.status_code == 302:
            with _lock:
                ACKS.setdefault(self.nir, []).append([hours, time.time()])

    @task(1)
    def dossiers(self):
        if self.visit():
            self.client.get(
                "/titulaire/dossiers-de-formation/", name="/titulaire/dossiers-de-formation/"
            )

    @task(1)
    def search(self):
        if self.visit():
            words = random.choice(SEARCHES)
            self.client.get(
                f"/titulaire/rechercher-une-formation/?q={words}",
                name="/titulaire/rechercher-une-formation/?q=…",
            )


class Gestionnaire(Person):
    weight = 1

    def on_start(self):
        super().on_start()
        with _lock:
            self.username, self.key = next(_gestionnaires)
        self.signed_in = False
        self.sign_in()

    def sign_in(self):
        reply = self.post_form(
            "/professionnel/connexion/",
            "/professionnel/connexion/",
            {"username": self.username, "password": WORLD["password"]},
            name="connexion professionnel",
        )
        if reply is None or reply.status_code != 302:
            return
        # A code is accepted once per 30-second step (replay refused): a second sign-in of
        # the same account within the step waits for the next one.
        reply = self.post_form(
            "/professionnel/connexion/code/",
            "/professionnel/connexion/code/",
            {"code": totp(self.key)},
            name="code TOTP",
        )
        self.signed_in = reply is not None and reply.status_code == 302

    @task(3)
    def work_list(self):
        if not self.signed_in:
            return self.sign_in()
        page = self.client.get("/professionnel/dossiers/", name="/professionnel/dossiers/")
        self.dossiers = list(dict.fromkeys(UUID.findall(page.text)))

    @task(2)
    def open_dossier(self):
        if self.signed_in and getattr(self, "dossiers", None):
            public_id = random.choice(self.dossiers)
            self.client.get(
                f"/professionnel/dossiers/{public_id}/", name="/professionnel/dossiers/[id]/"
            )

    @task(1)
    def validate(self):
        if not (self.signed_in and getattr(self, "dossiers", None)):
            return
        public_id = self.dossiers.pop(random.randrange(len(self.dossiers)))
        base = f"/professionnel/dossiers/{public_id}/"
        # The proposed plan as it is; the DIF attestation seen (asked when DIF hours are
        # mobilised for the first time).
        self.post_form(
            base,
            f"{base}valider/",
            {"valider-dif_attestation_checked": "on"},
            name="valider un dossier",
        )


class Hello(Person):
    """The baseline: one user per ten, the cheapest answer of the same stack."""

    weight = 1

    @task
    def healthz(self):
        self.client.get("/healthz", name="/healthz (hello)")


# Answers of an overloaded server: the busy page (503, Retry-After, in French) is the
# shedding we want; anything else 5xx, a timeout or a reset is a failure of the service.
ANSWERS = {"busy_ok": 0, "busy_malformed": 0, "server_errors": 0, "network_errors": 0}


@events.request.add_listener
def _classify(request_type, name, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if status == 503:
        well_formed = "très sollicité" in response.text and response.headers.get("Retry-After")
        ANSWERS["busy_ok" if well_formed else "busy_malformed"] += 1
    elif status >= 500:
        ANSWERS["server_errors"] += 1
    elif exception is not None and not status:
        ANSWERS["network_errors"] += 1


@events.test_stop.add_listener
def _write_acks(environment, **kwargs):
    if ACKS_PATH:
        with open(ACKS_PATH, "w") as out:
            json.dump(ACKS, out)
        with open(ACKS_PATH.replace("acks-", "answers-"), "w") as out:
            json.dump(ANSWERS, out)
        with open(ACKS_PATH.replace("acks-", "registered-"), "w") as out:
            json.dump(REGISTERED, out)


if os.environ.get("MCF_LOAD_SHAPE") == "burst":

    class DifDeadline(LoadTestShape):
        """The DIF-deadline day scaled to this machine: the steady load, then five times
        as many people for five minutes, then the steady load again."""

        steady = int(os.environ.get("MCF_LOAD_STEADY", "50"))
        stages = [(60, 1), (360, 5), (420, 1)]  # (until second, × steady)

        def tick(self):
            elapsed = self.get_run_time()
            for until, factor in self.stages:
                if elapsed < until:
                    return self.steady * factor, self.steady
            return None


# Quiet the warning of the self-signed certificate (one per request otherwise).
import urllib3  # noqa: E402

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
