"""Telling a financeur's gestionnaires that dossiers wait for them: one mail per person for
the dossiers sent within a few minutes (a digest), not one per person per dossier."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mcf.domain.dossiers.models import Dossier, FinanceurDigest, State
from mcf.domain.mailing.actions import queue_email
from mcf.domain.organisations.models import ProfessionalProfile

DIGEST_DELAY = timedelta(minutes=10)


def notify_financeur(dossier: Dossier, *, now: datetime) -> None:
    """Inside the sending transaction: make sure a digest is due for the dossier's
    financeur (the first dossier of a quiet period enqueues it, the next ones join it)."""
    from mcf.domain.dossiers.tasks import send_financeur_digest

    digest, _ = FinanceurDigest.objects.select_for_update().get_or_create(
        organisation_id=dossier.financeur_id
    )
    if digest.pending:
        return
    digest.pending = True
    digest.save(update_fields=["pending"])
    organisation_id = dossier.financeur_id
    transaction.on_commit(
        lambda: send_financeur_digest.using(run_after=now + DIGEST_DELAY).enqueue(organisation_id)
    )


def send_digest(organisation_id: int, *, now: datetime | None = None) -> int:
    """Mail each active member of the organisation the number of dossiers sent to it since
    the last digest. Idempotent: a digest not pending sends nothing. Returns mails queued."""
    now = now or timezone.now()
    with transaction.atomic():
        digest = (
            FinanceurDigest.objects.select_for_update()
            .select_related("organisation")
            .filter(organisation_id=organisation_id, pending=True)
            .first()
        )
        if digest is None:
            return 0
        sent = Dossier.objects.filter(financeur_id=organisation_id, state=State.TRANSMIS)
        if digest.last_sent_at is not None:
            sent = sent.filter(sent_at__gt=digest.last_sent_at)
        count = sent.count()
        members = ProfessionalProfile.objects.filter(
            organisation_id=organisation_id, user__is_active=True
        ).select_related("user")
        queued = 0
        if count:
            url = settings.SITE_URL + reverse("professionnel:dossiers")
            for member in members:
                if not member.user.email:
                    continue
                queue_email(
                    to=member.user.email,
                    template="dossiers/mails/financeur_digest.txt",
                    context={
                        "user": member.user,
                        "organisation": digest.organisation,
                        "count": count,
                        "url": url,
                    },
                    kind="dossiers_a_instruire",
                )
                queued += 1
        digest.pending = False
        digest.last_sent_at = now
        digest.save(update_fields=["pending", "last_sent_at"])
    return queued
