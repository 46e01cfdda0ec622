"""`make run`'s dossiers: Touria Orange has one in every state, instructed by OPCA Démo, and
the hours of the issue's example (120 h DIF + 48 h CPF available) — built through the action
functions, so the ledger's invariants hold; a second load changes nothing."""

import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from mcf.demo.accounts import (
    DEMO_EMPLOYER_SIRET,
    DEMO_GESTIONNAIRE_TOTP_SECRET,
    DEMO_GESTIONNAIRE_USERNAME,
    DEMO_HOLDER_NIR,
    DEMO_ORGANISATION_NAME,
)
from mcf.demo.dossiers import EXAMPLE_DURATION
from mcf.domain.accounts.models import User
from mcf.domain.dossiers import queries
from mcf.domain.dossiers.financeurs import financeurs_for
from mcf.domain.dossiers.models import Dossier, DossierTransition, State
from mcf.domain.dossiers.synthetic import ledger_breaks
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.organisations.models import ProfessionalProfile
from mcf.domain.organisations.second_factor import key_from_base32

pytestmark = pytest.mark.django_db


def test_the_demo_holder_has_a_dossier_in_every_state_and_the_example_hours(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    holder = User.objects.get(nir_hash=nir_lookup_hash(Nir.parse(DEMO_HOLDER_NIR)))
    dossiers = Dossier.objects.filter(holder=holder)
    assert sorted(dossiers.values_list("state", flat=True)) == sorted(State.values)

    # The example: 120 h DIF + 48 h CPF available; her draft of 200 h would take
    # 120 DIF + 30 CPF (150 h), leave 50 h to finance otherwise and 18 h of CPF.
    counter = Counter.objects.get(holder=holder)
    assert (counter.dif_available, counter.cpf_available) == (120, 48)
    draft = dossiers.get(state=State.BROUILLON)
    assert (draft.duration_hours, draft.plan_dif, draft.plan_cpf) == (EXAMPLE_DURATION, 120, 30)
    assert "= 120 h de DIF disponibles ; 48 h de CPF disponibles" in out.getvalue()
    assert "mobiliserait 120 h DIF + 30 h CPF" in out.getvalue()
    # The figures the README gives (the demo catalogue is the same for the same seed).
    assert "DIF saisi 163 h − 14 h utilisées (dossier clos) − 29 h réservées" in out.getvalue()

    # Built through the action functions: the ledger matches the dossiers, every act is
    # logged with its actor, the DIF is locked by the first validation.
    assert ledger_breaks([holder.pk]) == []
    validated = dossiers.get(state=State.VALIDE)
    closed = dossiers.get(state=State.CLOS)
    assert counter.dif_reserved == validated.plan_dif > 0
    assert closed.used_dif == closed.hours_done > 0
    assert counter.dif_locked_at is not None
    assert Entry.objects.filter(source=closed.ledger_source, kind=Entry.Kind.DEBIT).exists()
    assert set(
        DossierTransition.objects.filter(dossier__holder=holder).values_list("name", flat=True)
    ) == {"transmettre", "valider", "clore", "refuser", "demander_complement"}
    assert dossiers.get(state=State.ANNULE).cancel_reason
    assert dossiers.get(state=State.COMPLEMENT).complement_message
    # Sur temps de travail at Garage Démo: its answer is the demo employer's to give.
    waiting = dossiers.get(state=State.TRANSMIS)
    assert (waiting.employer_siret, waiting.employer_answer) == (DEMO_EMPLOYER_SIRET, "")
    assert waiting.employer_requested_on is not None

    # OPCA Démo funds her branch and sees every dossier but her draft; its gestionnaire
    # logs in with the published secrets.
    opca = draft.financeur or validated.financeur
    assert opca.name == DEMO_ORGANISATION_NAME
    assert opca in financeurs_for(holder)
    listed = queries.work_list(opca.pk, queries.WorkListFilters())
    assert sorted(listed.values_list("state", flat=True)) == sorted(
        set(State.values) - {State.BROUILLON}
    )
    profile = ProfessionalProfile.objects.get(user__username=DEMO_GESTIONNAIRE_USERNAME)
    assert (profile.organisation, profile.role) == (opca, ProfessionalProfile.Role.GESTIONNAIRE)
    assert not profile.must_change_password
    device = TOTPDevice.objects.get(user=profile.user)
    assert device.key == key_from_base32(DEMO_GESTIONNAIRE_TOTP_SECRET)
    assert DEMO_GESTIONNAIRE_TOTP_SECRET in out.getvalue()

    # Idempotent: a second load writes no dossier, no movement, no transition.
    before = (
        list(dossiers.order_by("pk").values_list("pk", "state", "version")),
        Entry.objects.count(),
        DossierTransition.objects.count(),
        User.objects.count(),
    )
    call_command("load_demo_data", stdout=io.StringIO())
    assert before == (
        list(dossiers.order_by("pk").values_list("pk", "state", "version")),
        Entry.objects.count(),
        DossierTransition.objects.count(),
        User.objects.count(),
    )
