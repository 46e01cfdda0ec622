"""Server time of each registration step, password hashing excluded (issue: < 50 ms/step).

Drives the real views in-process with Django's test client against an SQLite file (the
embedded default), with a fast hasher so that the deliberate Argon2 cost — printed apart —
does not hide the rest. Baseline: GET /healthz in the same process. Prints the median per
step and its ratio to the baseline.
"""

import re
import statistics
import time

import _setup  # noqa: F401
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from mcf.domain.accounts.hashers import TunedArgon2PasswordHasher
from mcf.domain.identity.nir import with_key
from mcf.domain.mailing.models import OutboxEmail

RUNS = 30
PASSWORD = "Chocolat-2026x"  # noqa: S105


def nir(i: int) -> str:
    return with_key(f"18505780{i:05d}")


def measure(samples: dict, name: str, call):
    start = time.perf_counter()
    response = call()
    samples.setdefault(name, []).append(time.perf_counter() - start)
    return response


def one_registration(i: int, samples: dict) -> None:
    client = Client()
    measure(samples, "1 CGU (GET)", lambda: client.get("/titulaire/inscription/"))
    measure(
        samples, "1 CGU (POST)", lambda: client.post("/titulaire/inscription/", {"accept": "on"})
    )
    page = measure(
        samples,
        "2 identité (GET, nouveau captcha)",
        lambda: client.get("/titulaire/inscription/identite/"),
    ).content.decode()
    image = re.search(r'src="(/securite/captcha/[^"]+/image\.png)"', page).group(1)
    measure(samples, "2 image du captcha", lambda: client.get(image))
    measure(
        samples, "2 audio du captcha", lambda: client.get(image.replace("image.png", "audio.wav"))
    )
    identity = {
        "nir": nir(i),
        "civility": "madame",
        "first_name": "Touria",
        "birth_name": "Orange",
        "landline": "01 45 67 89 01",
        "mobile": "06 12 34 56 78",
        "email": f"p{i}@example.org",
        "email_confirmation": f"p{i}@example.org",
        "captcha": "PASSED",
    }
    measure(
        samples,
        "2 identité (POST)",
        lambda: client.post("/titulaire/inscription/identite/", identity),
    )
    measure(
        samples, "3 mot de passe (GET)", lambda: client.get("/titulaire/inscription/mot-de-passe/")
    )
    measure(
        samples,
        "3 mot de passe (POST, hachage rapide)",
        lambda: client.post(
            "/titulaire/inscription/mot-de-passe/",
            {"password": PASSWORD, "password_confirmation": PASSWORD},
        ),
    )
    measure(
        samples,
        "4 inscription enregistrée (GET)",
        lambda: client.get("/titulaire/inscription/enregistree/"),
    )
    body = OutboxEmail.objects.filter(to=f"p{i}@example.org").latest("created_at").body
    link = re.search(r"https?://[^/]+(/titulaire/inscription/confirmation/\S+/)", body).group(1)
    measure(samples, "lien de confirmation (GET)", lambda: Client().get(link))
    measure(samples, "lien de confirmation (POST, activation)", lambda: Client().post(link))


def main() -> None:
    call_command("migrate", verbosity=0)
    overrides = {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "CAPTCHA_TEST_MODE": True,
        "RATELIMIT_ENABLE": False,
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    }
    samples: dict[str, list[float]] = {}
    with override_settings(**overrides):
        client = Client()
        baseline = statistics.median([_timed(lambda: client.get("/healthz")) for _ in range(RUNS)])
        start = 90_000 + int(time.time()) % 5_000
        for i in range(RUNS):
            one_registration(start + i, samples)
    argon = TunedArgon2PasswordHasher()
    hash_cost = statistics.median(
        [_timed(lambda: argon.encode(PASSWORD, argon.salt())) for _ in range(10)]
    )
    print(f"référence GET /healthz : {baseline * 1000:.1f} ms (médiane de {RUNS})")
    print(f"{'étape':<42} {'médiane':>9} {'max':>9} {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<42} {median * 1000:7.1f} ms {max(values) * 1000:7.1f} ms "
            f"{median / baseline:7.1f}"
        )
    print(f"hachage Argon2id (m=64 MiB, t=2, p=1), en plus à l'étape 3 : {hash_cost * 1000:.0f} ms")


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
