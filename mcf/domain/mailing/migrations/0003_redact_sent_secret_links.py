"""Erase the text of the mails already sent or abandoned that held a secret link (AUTH-11).

Until now the outbox kept the text of every mail: the confirmation, reset and e-mail change
links of the mails sent so far stay live for up to 15 days. Those mails are marked
``sensitive`` (queued ones too: they are erased once sent) and, if sent or abandoned, their
text is replaced by the note the outbox now writes. What a token mail was is frozen here
(its kinds and the token routes at the time), not read from the code that may change.
"""

import re

from django.db import migrations
from django.utils import timezone

SECRET_KINDS = ("inscription_confirmation", "mot_de_passe_oublie", "courriel_confirmation")
SECRET_PATH = re.compile(
    r"/(?:inscription/confirmation|mot-de-passe-oublie/[0-9a-fA-F-]{36}"
    r"|informations-personnelles/courriel/confirmation)/[^/\s]+/"
)
REDACTED_BODY = (
    "Texte effacé : ce courriel contenait un lien personnel à usage unique (confirmation "
    "d'inscription, choix d'un nouveau mot de passe ou changement d'adresse électronique). "
    "Son texte est effacé dès que le courriel est envoyé ou abandonné, pour que personne "
    "d'autre que son destinataire ne puisse se servir de ce lien.\n"
)


def redact(apps, schema_editor):
    OutboxEmail = apps.get_model("mailing", "OutboxEmail")
    OutboxEmail.objects.filter(kind__in=SECRET_KINDS).update(sensitive=True)
    others = OutboxEmail.objects.filter(sensitive=False).only("pk", "body")
    found = [email.pk for email in others.iterator() if SECRET_PATH.search(email.body)]
    for start in range(0, len(found), 500):
        OutboxEmail.objects.filter(pk__in=found[start : start + 500]).update(sensitive=True)
    OutboxEmail.objects.filter(
        sensitive=True, status__in=("sent", "dead"), redacted_at__isnull=True
    ).update(body=REDACTED_BODY, redacted_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("mailing", "0002_outbox_secret_links")]

    # Erased text cannot come back: going back leaves the rows as they are.
    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
