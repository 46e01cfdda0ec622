"""Cost of one password hash: our Argon2id parameters against Django's defaults.

Prints the median time per hash and the ratio against Django's default Argon2 (the baseline,
measured in the same process). Justifies docs/decisions/0001 (password hashing) and gives
the figure REL-07's login budget is built on.
"""

import _setup
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

from mcf.domain.accounts.hashers import TunedArgon2PasswordHasher

PASSWORD = "Elephant12!ok"  # noqa: S105


def main() -> None:
    candidates = {
        "Django Argon2 (m=100 MiB, t=2, p=8) [référence]": Argon2PasswordHasher(),
        "mcf Argon2id (m=64 MiB, t=2, p=1)": TunedArgon2PasswordHasher(),
        "Django PBKDF2-SHA256": PBKDF2PasswordHasher(),
    }
    timings = {
        name: _setup.timed(lambda h=hasher: h.encode(PASSWORD, "saltsaltsaltsalt"), 15)
        for name, hasher in candidates.items()
    }
    baseline = timings["Django Argon2 (m=100 MiB, t=2, p=8) [référence]"]
    print(f"{'hasher':<50} {'ms/hash':>8} {'ratio':>6}")
    for name, seconds in timings.items():
        print(f"{name:<50} {seconds * 1000:8.1f} {seconds / baseline:6.2f}")


if __name__ == "__main__":
    main()
