"""The financeur's dossiers (Espace professionnel): « Dossiers à instruire » and the
instruct page with its acts (valider, demander un complément, refuser, clore, annuler).

Access (AC-01, AC-03): the pages are for the members of an organisation that funds
dossiers (``Organisation.is_financeur``: OPCA, Pôle emploi, Région, employeur under an
accord). Another professional (a CEP, the CDC) gets 403 on the work list; a dossier is
looked up among the user's organisation's dossiers only, so a dossier of another
organisation — or of none — is 404 (never 403: its existence is not confirmed).

Every act is a POST through its action function (mcf/domain/dossiers/actions.py), under
the form's idempotency key (REL-04: ``Once``) and the dossier's version (hidden field: a
form opened before the dossier changed is refused, nothing written). A refusal comes back
as the instruct page with the French message next to its field and a summary at the top:
422 for input the domain refuses (errors by field), 409 for an act the dossier's state or
a guard refuses now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.dossiers import actions, deadlines, plan, queries, workflow
from mcf.domain.dossiers.models import Dossier, State, WorkingTime
from mcf.domain.idempotency.actions import Result
from mcf.domain.identity.nir import Nir
from mcf.web.idempotency import Once
from mcf.web.professionnel.decorators import member_required
from mcf.web.professionnel.dossier_forms import (
    AbondementFormSet,
    ActForm,
    CancelForm,
    CloseForm,
    ComplementForm,
    RefuseForm,
    SearchForm,
    ValidateForm,
    WorkListForm,
    parse_version,
)

PAGE_SIZE = 20
SEARCH_MAX = 100  # a search finds one dossier, or one holder's dossiers: one page
NOT_A_FINANCEUR = "Réservé aux organisations qui financent des dossiers de formation."
# The badge of each state (DSFR system colours).
BADGES = {
    State.BROUILLON: "new",
    State.TRANSMIS: "info",
    State.COMPLEMENT: "warning",
    State.VALIDE: "success",
    State.CLOS: "new",
    State.ANNULE: "error",
}


financeur_required = member_required(
    lambda organisation: organisation.is_financeur, NOT_A_FINANCEUR
)


def _dossier(request, public_id) -> Dossier:
    """The dossier if it is one of the user's organisation (drafts excluded), else 404."""
    dossier = (
        queries.of_financeur(request.professional.organisation_id)
        .filter(public_id=public_id)
        .select_related("holder", "holder__branch")
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable.")
    return dossier


# ----- « Dossiers à instruire » -------------------------------------------------------------


@never_cache
@financeur_required
@require_http_methods(["GET", "POST"])
def work_list(request):
    """GET: the filters of the query string, paginated. POST: the search by number or NIR
    (never in a URL), over the filters of the query string, on one page of at most
    ``SEARCH_MAX`` dossiers."""
    searching = request.method == "POST"
    form = WorkListForm(request.GET, defaults=not searching)
    search_form = SearchForm(request.POST if searching else None)
    page = None
    if form.is_valid() and (not searching or search_form.is_valid()):
        search = search_form.cleaned_data["q"] if searching else ""
        filters = replace(form.filters(), search=search)
        try:
            dossiers = queries.work_list(request.professional.organisation_id, filters)
            if searching:
                page = Paginator(dossiers, SEARCH_MAX).get_page(1)
            else:
                page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
        except queries.SearchError as error:
            search_form.add_error("q", str(error))
    if searching and not SearchForm.may_show(request.POST.get("q", "")):
        # Searched by NIR (or typed something as long): what was typed is not written back.
        errors = search_form.errors.get("q")
        search_form = SearchForm({"q": ""})
        if errors:
            search_form.is_valid()
            search_form.add_error("q", errors)
    return render(
        request,
        "professionnel/dossiers/list.html",
        {
            "profile": request.professional,
            "form": form,
            "search_form": search_form,
            "searching": searching,
            "page": page,
            "rows": [(d, BADGES[d.state]) for d in page] if page else [],
            "error_summary": _error_summary([search_form, form]),
            "filtered": searching or any(key != "page" for key in request.GET),
        },
        status=200 if page is not None else 422,
    )


def home_counts(organisation_id: int) -> list[tuple[str, str, int, str]]:
    """The home page's count per state: (state, label, count, badge), one query."""
    counts = queries.financeur_counts(organisation_id)
    return [
        (state, State(state).label, count, BADGES[State(state)]) for state, count in counts.items()
    ]


# ----- The instruct page --------------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """One act of the instruct page: its transition, form, route and action."""

    transition: str
    form: type[ActForm]
    prefix: str
    route: str
    perform: Callable[[Dossier, object, ActForm, object], Dossier]
    done: str  # the success message, « Le dossier n° … » + this


def _validate(dossier, user, form, formset):
    data = form.cleaned_data
    return actions.validate_dossier(
        dossier.pk,
        by=user,
        version=form.version,
        dif=data["dif"],
        cpf=data["cpf"],
        abondements=formset.lines(),
        dif_attestation_checked=data["dif_attestation_checked"],
    )


ACTS = {
    act.transition: act
    for act in (
        Act("valider", ValidateForm, "valider", "professionnel:dossier_validate", _validate,
            "est validé : les heures sont réservées sur le compte du titulaire."),
        Act("demander_complement", ComplementForm, "complement",
            "professionnel:dossier_complement",
            lambda d, u, f, _: actions.request_complement(
                d.pk, by=u, version=f.version, message=f.cleaned_data["message"]),
            "est renvoyé au titulaire avec votre demande de complément."),
        Act("refuser", RefuseForm, "refus", "professionnel:dossier_refuse",
            lambda d, u, f, _: actions.refuse_dossier(
                d.pk, by=u, version=f.version, motif=f.cleaned_data["motif"]),
            "est refusé."),
        Act("clore", CloseForm, "cloture", "professionnel:dossier_close",
            lambda d, u, f, _: actions.close_dossier(
                d.pk, by=u, version=f.version, hours_done=f.cleaned_data["hours_done"]),
            "est clos : les heures réalisées sont débitées, les autres rendues."),
        Act("annuler_financeur", CancelForm, "annulation", "professionnel:dossier_cancel",
            lambda d, u, f, _: actions.cancel_validated(
                d.pk, by=u, version=f.version, motif=f.cleaned_data["motif"]),
            "est annulé : les heures réservées sont rendues au titulaire."),
    )
}  # fmt: skip


def _unbound_forms(dossier: Dossier, proposed: plan.HoursPlan) -> dict[str, object]:
    return {
        "valider": ValidateForm(
            prefix="valider", initial={"dif": proposed.dif, "cpf": proposed.cpf}
        ),
        "abondements": AbondementFormSet(prefix="abondements"),
        "demander_complement": ComplementForm(prefix="complement"),
        "refuser": RefuseForm(prefix="refus"),
        "clore": CloseForm(prefix="cloture", initial={"hours_done": dossier.reserved_hours}),
        "annuler_financeur": CancelForm(prefix="annulation"),
    }


def _error_summary(forms) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every error of ``forms``, for the summary at the top."""
    summary = []
    for form in forms:
        for name, errors in form.errors.items():
            if name == "__all__":
                summary += [("", "", str(message)) for message in errors]
                continue
            field = form[name]
            summary += [(field.auto_id, str(field.label), str(message)) for message in errors]
    return summary


def _instruct_page(request, dossier: Dossier, *, bound=None, refused: str = "", status=200):
    """The instruct page; ``bound`` = (act name, form, formset) posted and refused."""
    counter, proposed = queries.proposed_plan(dossier)
    dif_available, cpf_available = proposed.dif_available, proposed.cpf_available
    forms = _unbound_forms(dossier, proposed)
    error_forms = []
    if bound is not None:
        name, form, formset = bound
        forms[name] = form
        error_forms = [form]
        if formset is not None:
            forms["abondements"] = formset
            error_forms += [f for f in formset.forms if f.errors]
    summary = _error_summary(error_forms)
    if bound is not None and bound[2] is not None:
        summary += [("", "", str(m)) for m in bound[2].non_form_errors()]
    available = {t.name for t in workflow.available(dossier, request.user)}
    holder = dossier.holder
    return render(
        request,
        "professionnel/dossiers/instruct.html",
        {
            "profile": request.professional,
            "dossier": dossier,
            "badge": BADGES[dossier.state],
            "holder_name": holder.display_name,
            "holder_nir": Nir.parse(holder.nir).masked if holder.nir else "",
            "situation": EmploymentStatus(dossier.employment_status).label
            if dossier.employment_status in EmploymentStatus.values
            else "",
            "counter": counter,
            "dif_entered": counter.dif_balance is not None,
            "dif_available": dif_available,
            "cpf_available": cpf_available,
            "proposed": proposed,
            "sur_temps": dossier.working_time == WorkingTime.SUR,
            "employer": deadlines.employer_agreement(dossier),
            "abondements": list(dossier.abondements.all()),
            "transitions": list(
                dossier.transitions.select_related("actor", "organisation").order_by(
                    "occurred_at", "pk"
                )
            ),
            "forms": forms,
            "available": available,
            "error_summary": summary,
            "refused": refused,
            "reserved_text": f"{dossier.reserved_hours} h réservées ({dossier.plan_dif} h DIF, "
            f"{dossier.plan_cpf} h CPF).",
        },
        status=status,
    )


@never_cache
@financeur_required(refuse=Http404)
@require_GET
def instruct(request, public_id):
    return _instruct_page(request, _dossier(request, public_id))


def _act_view(name: str):
    act = ACTS[name]

    @never_cache
    @financeur_required(refuse=Http404)
    @require_http_methods(["GET", "POST"])
    def view(request, public_id):
        dossier = _dossier(request, public_id)
        if request.method == "GET":
            return redirect("professionnel:dossier", public_id=dossier.public_id)
        once = Once(request, act.route)
        if (first := once.replay()) is not None:
            return first
        form = act.form(request.POST, prefix=act.prefix)
        form.version = parse_version(request.POST.get("version", ""))
        formset = (
            AbondementFormSet(request.POST, prefix="abondements") if name == "valider" else None
        )
        valid = form.is_valid() & (formset is None or formset.is_valid())
        if not (valid and once.check(form)):
            return _instruct_page(request, dossier, bound=(name, form, formset), status=422)
        location = reverse("professionnel:dossier", kwargs={"public_id": dossier.public_id})

        def perform() -> Result:
            act.perform(dossier, request.user, form, formset)
            return Result(location, f"Le dossier n° {dossier.number_display} {act.done}")

        try:
            return once.run(perform)
        except workflow.NotAllowed as error:
            raise Http404("Dossier introuvable.") from error
        except workflow.DossierError as error:
            form.add_domain_errors(error.errors)
            fresh = Dossier.objects.select_related("holder", "holder__branch").get(pk=dossier.pk)
            return _instruct_page(
                request,
                fresh,
                bound=(name, form, formset),
                refused=error.message,
                status=422 if error.errors else 409,
            )

    view.__name__ = f"dossier_{act.prefix}"
    return view


validate = _act_view("valider")
request_complement = _act_view("demander_complement")
refuse = _act_view("refuser")
close = _act_view("clore")
cancel = _act_view("annuler_financeur")
