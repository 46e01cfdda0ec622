"""A dossier de formation as its holder reads it, and the two acts he fires from its page:
« Reprendre le dossier pour le modifier » and « Annuler le dossier ».

The page (``titulaire:dossier``) shows the dossier's state and, in plain French, what comes
next; every field; the hours plan; the employer's agreement and its deadlines
(``deadlines.employer_agreement``); the abondements once validated, the hours done once
closed, the motif of a cancellation or of a complement; the « historique des opérations »
(the journal entries about this dossier, with who acted); the buttons of
``workflow.available()``.

The dossier is looked up among the holder's own (``queries.holder_dossier``): anybody
else's, or none, is a 404 that says nothing of its existence (AC-01). The two forms carry
an idempotency key (REL-04: a double submit has one effect) and the dossier's ``version``:
a form built on an older version, or an act the state no longer allows, changes nothing
and shows the page again with the French message, status 409.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from dsfr.forms import DsfrBaseForm

from mcf.core.digits import ascii_int
from mcf.core.french import elide
from mcf.domain.dossiers import actions, deadlines, plan, queries, workflow
from mcf.domain.dossiers.models import IN_PREPARATION, Dossier, State, WorkingTime
from mcf.domain.hours.models import Counter
from mcf.domain.idempotency.actions import Result
from mcf.domain.identity.siret import format_siret
from mcf.domain.journal.actions import BY_HOLDER
from mcf.domain.journal.models import Action
from mcf.domain.journal.queries import for_subject
from mcf.web.idempotency import EXPIRED, Once
from mcf.web.titulaire.decorators import CONSULT, acting_user, holder_required
from mcf.web.titulaire.dossier_recap import render_recap

VERSION_MAX = 2**31 - 1
# The steps of the dossier form (titulaire:dossier_step), in their order, as the page's
# « Modifier » links name them.
STEPS = (
    ("organisme", "l'organisme de formation"),
    ("dates", "les dates, la durée et le coût"),
    ("financement", "le financeur"),
)


class VersionField(forms.CharField):
    """The dossier's version the page was built on (hidden). Read in ASCII digits only
    (mcf.core.digits): « ² » or « １ » is no version, hence a stale form."""

    widget = forms.HiddenInput

    def to_python(self, value):
        number = ascii_int((value or "").strip(), maximum=VERSION_MAX)
        if number is None:
            raise forms.ValidationError(workflow.STALE, code="stale")
        return number


class CancelForm(DsfrBaseForm):
    version = VersionField()
    motif = forms.CharField(
        label="Motif de l'annulation",
        help_text="Obligatoire. Le motif figure dans l'historique du dossier.",
        max_length=workflow.MOTIF_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Indiquez le motif de l'annulation.",
            "max_length": f"Le motif ne peut pas dépasser {workflow.MOTIF_MAX} caractères.",
        },
    )

    def clean_motif(self):
        motif = workflow.clean_motif(self.cleaned_data["motif"])
        if not motif:
            raise forms.ValidationError("Indiquez le motif de l'annulation.", code="required")
        return motif


class WithdrawForm(DsfrBaseForm):
    version = VersionField()


def _dossier_or_404(request, public_id) -> Dossier:
    dossier = (
        queries.of_holder(request.holder, for_delegate=request.delegation is not None)
        .select_related("financeur")
        .filter(public_id=public_id)
        .first()
    )
    if dossier is None:
        raise Http404("Ce dossier n'existe pas.")
    return dossier


def _next_step(dossier: Dossier, *, missing: dict[str, str]) -> str:
    """What comes next, as the holder reads it (the state's badge says where it is)."""
    financeur = dossier.financeur.name if dossier.financeur_id else "le financeur"
    if dossier.state == State.BROUILLON:
        if missing:
            return "Complétez votre dossier, puis transmettez-le au financeur."
        return "Votre dossier est complet : transmettez-le au financeur."
    if dossier.state == State.TRANSMIS:
        return (
            f"Votre dossier est entre les mains {elide('de', financeur)}, qui l'instruit : "
            "vous serez prévenu par courriel de sa décision. Vous pouvez encore le reprendre "
            "pour le modifier."
        )
    if dossier.state == State.COMPLEMENT:
        return (
            f"{financeur} vous demande un complément : modifiez votre dossier, puis "
            "transmettez-le de nouveau."
        )
    if dossier.state == State.VALIDE:
        return (
            f"Vos heures sont réservées pour cette formation. Une fois la formation terminée, "
            f"{financeur} clôt le dossier avec les heures réellement suivies : elles sont "
            "alors débitées, les autres vous sont rendues."
        )
    if dossier.state == State.CLOS:
        return "Ce dossier est terminé : il n'y a plus rien à faire."
    if dossier.validated_at is not None:
        return "Ce dossier est annulé : les heures qui lui étaient réservées vous ont été rendues."
    return "Ce dossier est annulé : il n'y a plus rien à faire."


def _hours_plan(dossier: Dossier) -> plan.HoursPlan | None:
    """The plan to show: the rules' proposal on the hours available now while the dossier
    is being prepared (one query), the financeur's plan once validated."""
    if not dossier.duration_hours:
        return None
    if dossier.state in IN_PREPARATION:
        counter = Counter.objects.only(
            "cpf_balance", "cpf_reserved", "dif_balance", "dif_reserved"
        ).get(holder_id=dossier.holder_id)
        return plan.propose(
            dossier.duration_hours,
            dif_available=counter.dif_available or 0,
            cpf_available=counter.cpf_available,
        )
    return plan.HoursPlan(dossier.duration_hours, dossier.plan_dif, dossier.plan_cpf, 0, 0)


def dossier_page(
    request,
    dossier: Dossier,
    *,
    status: int = 200,
    error: str = "",
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    entries = list(for_subject(dossier))
    by = acting_user(request)
    transitions = {t.name: t for t in workflow.available(dossier, by)}
    may_edit = workflow.role_of(by, dossier) in (workflow.Role.HOLDER, workflow.Role.DELEGATE)
    missing = actions.send_errors(dossier, today=today) if dossier.editable else {}
    validated = dossier.state in (State.VALIDE, State.CLOS) or dossier.validated_at is not None
    cancelled_by = next(
        (e.actor for e in reversed(entries) if e.action == Action.DOSSIER_CANCELLED), ""
    )
    if cancelled_by == BY_HOLDER:  # « Annulé le … par vous »
        cancelled_by = cancelled_by.lower()
    context = {
        "dossier": dossier,
        "financeur_name": dossier.financeur.name if dossier.financeur_id else "",
        "error": error,
        "next_step": _next_step(dossier, missing=missing),
        "missing": list(missing.values()),
        "hours_plan": _hours_plan(dossier),
        "live_plan": dossier.state in IN_PREPARATION,
        "organisme_siret": format_siret(dossier.organisme_siret) if dossier.organisme_siret else "",
        "employer": deadlines.employer_agreement(dossier)
        if dossier.working_time == WorkingTime.SUR
        else None,
        "abondements": list(dossier.abondements.all()) if validated else [],
        "validated": validated,
        "entries": entries,
        "cancelled_by": cancelled_by,
        "steps": STEPS if dossier.editable and may_edit else (),
        "can_send": "transmettre" in transitions,
        "can_withdraw": "reprendre" in transitions,
        "can_cancel": "annuler_titulaire" in transitions,
        "withdraw_form": WithdrawForm(initial={"version": dossier.version}, auto_id=False),
        "cancel_form": cancel_form or CancelForm(initial={"version": dossier.version}),
    }
    return render(request, "titulaire/dossiers/detail.html", context, status=status)


@never_cache
@holder_required(delegates=CONSULT)
@require_GET
def dossier(request, public_id):
    return dossier_page(request, _dossier_or_404(request, public_id))


def _refused(request, public_id, error: workflow.DossierError) -> HttpResponse:
    """The act changed nothing: the page as it is now, with why (409)."""
    if isinstance(error, workflow.NotAllowed):
        raise Http404("Ce dossier n'existe pas.")
    return dossier_page(
        request, _dossier_or_404(request, public_id), status=409, error=error.message
    )


def _submit(request, public_id, form, perform) -> HttpResponse:
    """The POST of one of the page's forms: key (REL-04), version, then the act."""
    once = Once(request)
    if (first := once.replay()) is not None:
        return first
    dossier = _dossier_or_404(request, public_id)
    if not form.is_valid():
        if form.has_error("version"):
            return dossier_page(request, dossier, status=409, error=workflow.STALE)
        return dossier_page(request, dossier, cancel_form=form)
    if once.key is None:
        return dossier_page(request, dossier, status=409, error=EXPIRED)
    try:
        return once.run(lambda: perform(dossier, form.cleaned_data))
    except workflow.DossierError as error:
        return _refused(request, public_id, error)


def _page_of(dossier: Dossier) -> str:
    return reverse("titulaire:dossier", args=[dossier.public_id])


@holder_required
@require_POST
def dossier_withdraw(request, public_id):
    """« Reprendre le dossier pour le modifier »: a sent dossier comes back to its holder."""

    def perform(dossier: Dossier, data: dict) -> Result:
        actions.withdraw_dossier(dossier.pk, by=request.user, version=data["version"])
        return Result(
            _page_of(dossier),
            "Votre dossier vous est revenu : modifiez-le, puis transmettez-le de nouveau au "
            "financeur.",
        )

    return _submit(request, public_id, WithdrawForm(request.POST), perform)


@holder_required
@require_POST
def dossier_cancel(request, public_id):
    """« Annuler le dossier », with a reason, while it is being prepared."""

    def perform(dossier: Dossier, data: dict) -> Result:
        actions.cancel_by_holder(
            dossier.pk, by=request.user, version=data["version"], motif=data["motif"]
        )
        return Result(_page_of(dossier), "Votre dossier a été annulé.")

    return _submit(request, public_id, CancelForm(request.POST), perform)


@never_cache
@holder_required
@require_GET
def dossier_recap(request, public_id):
    """The dossier's « récapitulatif » (PDF): its fields, plan and history, NIR masked."""
    dossier = _dossier_or_404(request, public_id)
    response = HttpResponse(
        render_recap(
            dossier, list(for_subject(dossier)), abondements=list(dossier.abondements.all())
        ),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="dossier-de-formation-{dossier.number}.pdf"'
    )
    return response
