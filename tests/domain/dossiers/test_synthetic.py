"""The synthetic dossiers of the benches: every state, and the ledger's invariants hold
after a bulk generation (the counters match their entries and their dossiers)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from mcf.domain.dossiers import queries
from mcf.domain.dossiers.financeurs import may_finance
from mcf.domain.dossiers.models import Dossier, DossierTransition, State
from mcf.domain.dossiers.synthetic import generate_dossiers, ledger_breaks
from mcf.domain.hours.models import Counter, Entry
from mcf.domain.organisations.models import Organisation
from tests.domain.hours.invariants import assert_ledger_matches

pytestmark = pytest.mark.django_db


def test_generated_dossiers_cover_every_state_and_keep_the_ledger_invariants():
    report = generate_dossiers(400, financeurs=5, seed=7)
    assert (report.dossiers, report.holders, report.financeurs) == (400, 200, 5)
    assert Dossier.objects.count() == 400
    assert set(Dossier.objects.values_list("state", flat=True)) == set(State.values)
    assert Organisation.objects.filter(kind=Organisation.Kind.OPCA).count() == 5

    # Σ entries = balances, reserved = validated plans, debits = hours used (§3.4).
    assert ledger_breaks() == []
    assert_ledger_matches(Counter.objects.filter(holder__isnull=False))
    reserved = Counter.objects.aggregate(dif=Sum("dif_reserved"), cpf=Sum("cpf_reserved"))
    validated = Dossier.objects.filter(state=State.VALIDE).aggregate(
        dif=Sum("plan_dif"), cpf=Sum("plan_cpf")
    )
    assert reserved == validated and reserved["dif"] > 0
    for dossier in Dossier.objects.filter(state=State.CLOS)[:20]:
        debited = Entry.objects.filter(source=dossier.ledger_source, kind=Entry.Kind.DEBIT)
        assert -(debited.aggregate(h=Sum("hours"))["h"] or 0) == dossier.used_dif + dossier.used_cpf

    # Each dossier's path is logged, and its financeur funds its holder's situation.
    sent = Dossier.objects.exclude(state=State.BROUILLON).exclude(sent_at=None)
    assert DossierTransition.objects.filter(name="transmettre").count() == sent.count()
    for dossier in Dossier.objects.select_related("holder", "financeur")[:30]:
        assert may_finance(dossier.financeur, dossier.holder)
    # The work list reads them (drafts are the holder's alone).
    opca = Organisation.objects.order_by("pk").first()
    listed = queries.work_list(opca.pk, queries.WorkListFilters())
    assert listed.exists() and not listed.filter(state=State.BROUILLON).exists()


def test_ledger_breaks_sees_a_counter_that_does_not_match_its_dossiers():
    generate_dossiers(100, financeurs=2, seed=3)
    counter = (
        Counter.objects.filter(cpf_reserved__gt=0).first()
        or Counter.objects.filter(dif_reserved__gt=0).first()
    )
    Counter.objects.filter(pk=counter.pk).update(cpf_reserved=0, dif_reserved=0)
    breaks = ledger_breaks()
    assert breaks and all(f"compteur {counter.pk} " in line for line in breaks)


def test_generate_dossiers_command(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("generate_dossiers", "30", "--financeurs", "3", stdout=out)
    assert "30 dossiers pour 15 titulaires et 3 financeurs" in out.getvalue()
    assert "Invariants du compte d'heures : respectés." in out.getvalue()
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("generate_dossiers", "30")
