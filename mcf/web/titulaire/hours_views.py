"""« Synthèse de votre compte » and « Mon compte d'heures » (the seed's holder space)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from dsfr.forms import DsfrBaseForm

from mcf.core.numbers import plain_number
from mcf.domain.dossiers.queries import by_ledger_source, holder_counts
from mcf.domain.hours.ledger import HoursError, enter_dif
from mcf.domain.hours.models import DIF_MAXIMUM, Counter, Entry
from mcf.domain.hours.summary import Balances, balance_by_year
from mcf.domain.idempotency.actions import Result
from mcf.web.idempotency import Once
from mcf.web.titulaire.attestation import render_attestation
from mcf.web.titulaire.decorators import CONSULT, holder_required

MOVEMENTS_SHOWN = 50


class DifForm(DsfrBaseForm):
    hours = forms.IntegerField(
        label="Saisissez le solde du DIF",
        min_value=0,
        max_value=DIF_MAXIMUM,
        help_text="En heures, de 0 à 999, tel qu'indiqué sur l'attestation de votre employeur.",
        error_messages={
            "required": "Saisissez le solde de vos heures DIF, même s'il est à 0.",
            "invalid": "Saisissez un nombre entier d'heures, par exemple 45.",
            "min_value": "Le solde DIF ne peut pas être négatif.",
            "max_value": "Le solde DIF ne peut pas dépasser 999 heures.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _enter_dif(holder, hours: int) -> Result:
    changed = enter_dif(holder, hours)
    message = (
        "Votre solde d'heures DIF a été enregistré."
        if changed
        else "Votre solde d'heures DIF est inchangé."
    )
    return Result(reverse("titulaire:hours"), message)


def _counter(user) -> Counter:
    # Activation always attaches the hours counter of the NIR (confirm_registration).
    return Counter.objects.get(holder=user)


@never_cache
@holder_required(delegates=CONSULT)
def summary(request):
    """« Synthèse de votre compte »: the page a holder lands on after login."""
    return render(
        request,
        "titulaire/summary.html",
        {
            "balances": Balances.of(_counter(request.holder), timezone.localdate()),
            # « Dossiers en cours » (élaboration + validé), « Dossiers clos », the
            # cancelled ones apart: one query.
            "dossier_counts": holder_counts(
                request.holder, for_delegate=request.delegation is not None
            ),
        },
    )


def _chart(points) -> dict:
    """Geometry of the SVG chart of the counter over the years (0–160 h scale).

    Every number is a string written by ``plain_number``: the template would localise a
    float (« 224,0 »), which SVG does not read.
    """
    width, height, left, right, top, bottom = 640, 260, 64, 24, 16, 36
    scale_max = 160
    span = max(len(points) - 1, 1)
    # One year label in ``every``: at most 8 labels, so that they never overlap (on a
    # phone too, where the text is larger than the chart's scale: site.css).
    every = -(-len(points) // 8)

    def x(index: int) -> str:
        return plain_number(
            left + (width - left - right) * (index / span if len(points) > 1 else 0.5)
        )

    def y(hours: int) -> str:
        return plain_number(top + (height - top - bottom) * (1 - hours / scale_max))

    return {
        "width": plain_number(width),
        "height": plain_number(height),
        "left": plain_number(left),
        "right_edge": plain_number(width - right),
        "points": " ".join(f"{x(i)},{y(p.balance)}" for i, p in enumerate(points)),
        "dots": [
            (x(i), y(p.balance), p, i % every == (len(points) - 1) % every)
            for i, p in enumerate(points)
        ],
        "line_120": y(120),
        "line_150": y(150),
        "baseline": y(0),
        "label_y": plain_number(height - 12),
    }


@never_cache
@holder_required(delegates=CONSULT)
@require_http_methods(["GET", "POST"])
def hours(request):
    """« Mon compte d'heures »: the DIF form, balances, movements, the chart. Entering the
    DIF stays the holder's own act: a delegate reads the page without the form (a page
    open to consultation takes no POST from him: ``holder_required``)."""
    if request.method == "POST":
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        form = DifForm(request.POST)
        if form.is_valid() and once.check(form, "hours"):
            try:
                return once.run(lambda: _enter_dif(request.user, form.cleaned_data["hours"]))
            except HoursError as error:
                form.add_error("hours", error.message)
    counter = _counter(request.holder)
    if request.method == "GET":
        form = DifForm(initial={"hours": counter.dif_balance})
    movements = list(
        Entry.objects.filter(counter=counter).order_by("-created_at", "-id")[:MOVEMENTS_SHOWN]
    )
    # The dossier behind each reservation, debit or release: one query for the page.
    dossiers = by_ledger_source(
        request.holder,
        (m.source for m in movements),
        for_delegate=request.delegation is not None,
    )
    for movement in movements:
        movement.dossier = dossiers.get(movement.source)
    points = balance_by_year(counter)
    return render(
        request,
        "titulaire/hours.html",
        {
            "counter": counter,
            "balances": Balances.of(counter, timezone.localdate()),
            "form": form,
            "movements": movements,
            "cpf_movements": [m for m in movements if m.account == Entry.Account.CPF],
            "dif_movements": [m for m in movements if m.account == Entry.Account.DIF],
            "points": points,
            "chart": _chart(points) if points else None,
        },
    )


@never_cache
@holder_required
def attestation(request):
    """The printable « attestation de droits » (PDF)."""
    counter = _counter(request.user)
    entries = list(Entry.objects.filter(counter=counter).order_by("created_at", "id"))
    response = HttpResponse(
        render_attestation(request.user, counter, entries), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="attestation-de-droits-cpf.pdf"'
    return response
