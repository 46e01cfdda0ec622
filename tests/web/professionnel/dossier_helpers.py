"""Helpers of tests/web/professionnel/test_dossier_*.py: the financeur's browser, the
instruct page's forms submitted as a browser does."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.domain.accounts.models import User
from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import Dossier, WorkingTime
from tests.domain.dossiers.builders import World, dossier_world, ready_dossier
from tests.domain.organisations.builders import verified_client
from tests.web.keys import form_key
from tests.web.routes import body

WORK_LIST = "/professionnel/dossiers/"


def financeur_world() -> World:
    """The builders' world, its holder read again: the counter cached on him before his DIF
    was entered would say « Heures DIF non renseignées »."""
    world = dossier_world()
    world.holder.refresh_from_db()
    return world


def sent_sur_temps(world: World, *, answer: str = "") -> Dossier:
    """A dossier sent sur temps de travail, the employer asked today, and his ``answer``
    (none by default)."""
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    today = timezone.localdate()
    dossier = actions.record_employer_request(
        dossier.pk, by=dossier.holder, version=dossier.version, requested_on=today
    )
    if answer:
        dossier = actions.record_employer_answer(
            dossier.pk, by=dossier.holder, version=dossier.version, answer=answer, answered_on=today
        )
    return actions.send_dossier(dossier.pk, by=dossier.holder, version=dossier.version)


def client_of(user: User) -> Client:
    """A browser of ``user`` past both factors of the professional login."""
    return verified_client(user, TOTPDevice.objects.get(user=user, confirmed=True))


def page_of(dossier) -> str:
    return f"/professionnel/dossiers/{dossier.public_id}/"


def act_url(dossier, act: str) -> str:
    return f"{page_of(dossier)}{act}/"


def post_act(client: Client, dossier, act: str, data: dict, *, version: int | None = None):
    """Submit the instruct page's form of ``act`` as the browser does: its key, the
    dossier's version the page wrote (or ``version``), ``data``."""
    key = form_key(client, page_of(dossier), act_url(dossier, act))
    values = {"idempotency_key": key, "version": version or dossier.version, **data}
    return client.post(act_url(dossier, act), values)


def text(response) -> str:
    return body(response)
