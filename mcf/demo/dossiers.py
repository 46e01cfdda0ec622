"""The demo's dossiers de formation: Touria Orange's, instructed by « OPCA Démo ».

Built through the product's action functions (create, update, consent, employer's
agreement, send, validate, close, refuse, complement), dated over the last six months, so
that her space, her mails, her history and « Mon compte d'heures » read as a real holder's,
and the OPCA's work list has something in every state.

Her hours end where the issue's example starts (domain.md §3.3): **120 h of DIF and 48 h of
CPF available**. CPF: 48 h from the yearly feed (declarations 2015–2017). DIF: she typed
120 h plus what her two validated dossiers took (DIF first): the closed one used its hours,
the validated one reserves its own (163 h = 120 + 14 + 29 with the demo catalogue). Her
draft is a 200 h training: its plan reads 120 h DIF + 30 h CPF = 150 h, 50 h to finance
otherwise, 18 h of CPF left. Idempotent: nothing is written once she has a dossier.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from mcf.demo.accounts import DEMO_EMPLOYER_SIRET
from mcf.domain.accounts.models import User
from mcf.domain.catalogue.eligibility import Situation, valid_listings
from mcf.domain.catalogue.models import Branch, Offer
from mcf.domain.dossiers import actions
from mcf.domain.dossiers.eligibility import training_for_offer
from mcf.domain.dossiers.models import Dossier, State, WorkingTime
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.hours.models import Counter

# What her dossiers leave available: the example.
DIF_AVAILABLE = 120
CPF_AVAILABLE = 48
EXAMPLE_DURATION = 200  # her draft: 120 DIF + 30 CPF, 50 h to finance, 18 h CPF left
# Short trainings for the validated and closed dossiers (DIF only, whole hours of a week).
SHORT_TRAININGS = (7, 35)
# How long ago she registered (the demo's history starts there).
REGISTERED_DAYS_AGO = 200
COMPLEMENT_MESSAGE = (
    "Merci de joindre le programme détaillé de la formation et le devis signé de l'organisme."
)
REFUSAL_MOTIF = (
    "Le devis transmis ne correspond pas à la formation demandée : l'organisme facture une "
    "certification que le dossier ne mentionne pas."
)


@dataclass(frozen=True)
class DemoOffers:
    closed: Offer
    refused: Offer
    validated: Offer
    complement: Offer
    sent: Offer
    draft: Offer

    @property
    def dif_to_enter(self) -> int:
        """The DIF she typed: what stays available plus what the two validated dossiers took."""
        return DIF_AVAILABLE + self.closed.duration_hours + self.validated.duration_hours


def demo_offers(holder: User) -> DemoOffers:
    """Offers of the demo catalogue open to her situation, all different (a fixed choice:
    same catalogue, same offers)."""
    today = timezone.localdate()
    eligible = Offer.objects.filter(
        certification__in=valid_listings(Situation.of_holder(holder), today).values("certification")
    ).order_by("pk")
    low, high = SHORT_TRAININGS
    short = list(eligible.filter(duration_hours__range=(low, high))[:2])
    others = list(eligible.filter(duration_hours__range=(40, 150))[:3])
    # Her draft: the offer closest to the example's 200 h (the duration she types).
    draft = min(
        eligible.filter(duration_hours__range=(150, 400)).exclude(pk__in=[o.pk for o in others]),
        key=lambda offer: (abs(offer.duration_hours - EXAMPLE_DURATION), offer.pk),
    )
    return DemoOffers(
        closed=short[0],
        validated=short[1],
        refused=others[0],
        complement=others[1],
        sent=others[2],
        draft=draft,
    )


def hours_sentence(holder: User) -> str:
    """Where her hours stand, for the demo's printout (read from her counter and dossiers)."""
    counter = Counter.objects.get(holder=holder)
    dossiers = Dossier.objects.filter(holder=holder)
    used = dossiers.filter(state=State.CLOS).aggregate(dif=Sum("used_dif"))["dif"]
    draft = dossiers.filter(state=State.BROUILLON).order_by("-created_at").first()
    plan = f"{draft.plan_dif} h DIF + {draft.plan_cpf} h CPF" if draft else "—"
    return (
        f"Touria Orange : DIF saisi {counter.dif_balance + (used or 0)} h − {used or 0} h "
        f"utilisées (dossier clos) − {counter.dif_reserved} h réservées (dossier validé) = "
        f"{counter.dif_available} h de DIF disponibles ; {counter.cpf_available} h de CPF "
        "disponibles. Un dossier de formation dans chaque état (brouillon, transmis, "
        "complément demandé, validé, clos, annulé), instruits par OPCA Démo ; son brouillon "
        f"de {EXAMPLE_DURATION} h mobiliserait {plan}."
    )


def _ready(
    holder, offer, *, at, start, working_time=WorkingTime.HORS, financeur, duration=None,
    employer_siret="",
):  # fmt: skip
    """Created from the offer, completed (dates, temps de travail, financeur), consent given."""
    dossier = actions.create_dossier(holder, training_for_offer(holder, offer), now=at)
    values = {
        "start_date": start,
        "end_date": start + datetime.timedelta(days=max(1, dossier.duration_hours // 7)),
        "working_time": working_time,
        "financeur": financeur,
    }
    if duration is not None:
        values["duration_hours"] = duration
    if employer_siret:
        values["employer_siret"] = employer_siret
    return actions.update_dossier(
        dossier.pk, by=holder, version=dossier.version, values=values, consent=True, now=at
    )


def _send(dossier: Dossier, *, at) -> Dossier:
    return actions.send_dossier(dossier.pk, by=dossier.holder, version=dossier.version, now=at)


def _validate(dossier: Dossier, *, by, at) -> Dossier:
    """The OPCA validates the proposed plan (DIF first). The first use of her DIF: the
    attestation was checked."""
    return actions.validate_dossier(
        dossier.pk,
        by=by,
        version=dossier.version,
        dif=dossier.plan_dif,
        cpf=dossier.plan_cpf,
        dif_attestation_checked=True,
        now=at,
    )


def load_demo_dossiers(holder: User, *, admin: User, gestionnaire: User) -> bool:
    """Her six dossiers, one per state; True when written (never twice)."""
    if Dossier.objects.filter(holder=holder).exists():
        return False
    opca = admin.professional_profile.organisation
    covered = opca.branches.filter(pk=holder.branch_id).exists()
    if not covered and holder.branch_id is not None:
        opca.branches.add(Branch.objects.get(pk=holder.branch_id))
    offers = demo_offers(holder)
    now = timezone.now()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    enter_dif(holder, offers.dif_to_enter, now=ago(REGISTERED_DAYS_AGO - 10))

    # Clos: a short training last spring, validated (DIF first: DIF only), done, closed.
    closed = _send(
        _ready(holder, offers.closed, at=ago(180), start=ago(150).date(), financeur=opca),
        at=ago(179),
    )
    closed = _validate(closed, by=admin, at=ago(170))
    actions.close_dossier(
        closed.pk,
        by=admin,
        version=closed.version,
        hours_done=closed.duration_hours,
        now=ago(100),
    )

    # Annulé: refused by the OPCA, with its motif.
    refused = _send(
        _ready(holder, offers.refused, at=ago(120), start=ago(60).date(), financeur=opca),
        at=ago(119),
    )
    actions.refuse_dossier(
        refused.pk, by=gestionnaire, version=refused.version, motif=REFUSAL_MOTIF, now=ago(110)
    )

    # Validé: a short training next month, its hours reserved.
    validated = _send(
        _ready(holder, offers.validated, at=ago(60), start=(now + datetime.timedelta(40)).date(),
               financeur=opca),
        at=ago(59),
    )  # fmt: skip
    _validate(validated, by=admin, at=ago(50))

    # Complément demandé: back with the holder, the OPCA's message shown on it.
    complement = _send(
        _ready(holder, offers.complement, at=ago(20),
               start=(now + datetime.timedelta(75)).date(), financeur=opca),
        at=ago(19),
    )  # fmt: skip
    actions.request_complement(
        complement.pk,
        by=gestionnaire,
        version=complement.version,
        message=COMPLEMENT_MESSAGE,
        now=ago(15),
    )

    # Transmis: sur temps de travail at Garage Démo, asked 12 days ago; waits for the OPCA
    # and for the employer's answer (Garage Démo's « Demandes d'accord », issue 14).
    sent = _ready(
        holder,
        offers.sent,
        at=ago(12),
        start=(now + datetime.timedelta(90)).date(),
        working_time=WorkingTime.SUR,
        financeur=opca,
        employer_siret=DEMO_EMPLOYER_SIRET,
    )
    sent = actions.record_employer_request(
        sent.pk, by=holder, version=sent.version, requested_on=ago(12).date(), now=ago(12)
    )
    _send(sent, at=ago(3))

    # Brouillon: the example, just created by typing a code CPF, 200 h typed; the
    # organisme, the dates and the financeur are hers to fill before sending it.
    code = training_for_offer(holder, offers.draft).code_cpf
    draft = actions.create_dossier_for_code(holder, code, now=now)
    actions.update_dossier(
        draft.pk,
        by=holder,
        version=draft.version,
        values={"duration_hours": EXAMPLE_DURATION},
        now=now,
    )
    return True
