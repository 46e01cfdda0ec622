"""Cost of the transactional outbox on a write path.

Compares, in the same process and database, storing a contact message alone (baseline)
with `submit_contact_message` (message + 2 outbox rows + 2 task rows), then the worker's
delivery rate with an in-memory mail backend. Prints medians and ratios.
"""

import time

import _setup
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.delivery import deliver
from mcf.domain.mailing.models import OutboxEmail

FIELDS = {
    "full_name": "Touria Orange",
    "email": "touria@example.org",
    "topic": "heures",
    "message": "Je cherche mes heures DIF.",
}


def baseline_write() -> None:
    with transaction.atomic():
        ContactMessage.objects.create(**FIELDS)


def outbox_write() -> None:
    submit_contact_message(**FIELDS)


def main() -> None:
    call_command("migrate", verbosity=0)
    baseline = _setup.timed(baseline_write, 300)
    with_outbox = _setup.timed(outbox_write, 300)
    print(f"message seul (référence)            {baseline * 1000:7.2f} ms")
    print(
        f"message + 2 courriels en file       {with_outbox * 1000:7.2f} ms"
        f"   ratio {with_outbox / baseline:5.2f}"
    )
    ids = list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).values_list("pk", flat=True)
    )
    locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=locmem):
        start = time.perf_counter()
        for email_id in ids:
            deliver(str(email_id))
        elapsed = time.perf_counter() - start
    print(f"livraison (backend mémoire)         {len(ids) / elapsed:7.0f} courriels/s")


if __name__ == "__main__":
    main()
