"""« Mes dossiers de formation », the holder's side: the list, the creation (by a code CPF
or from an offer), the three steps of the dossier with the live hours plan, the employer's
agreement (sur temps de travail) and « Transmettre au financeur ».

Every write goes through ``mcf.domain.dossiers.actions`` inside ``Once`` (REL-04); a
dossier that is not the holder's is a 404 (AC-01: never say it exists); a form built on an
older version of the dossier is refused with a message and changes nothing (409).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mcf.domain.catalogue.models import Offer
from mcf.domain.dossiers import actions, deadlines, plan
from mcf.domain.dossiers.eligibility import (
    NotEligible,
    check_holder_may_create,
    training_for_offer,
)
from mcf.domain.dossiers.models import Dossier, HolderState, State, WorkingTime
from mcf.domain.dossiers.queries import holder_dossier, of_holder
from mcf.domain.dossiers.workflow import STALE, DossierError, NotAllowed
from mcf.domain.hours.models import Counter
from mcf.domain.idempotency.actions import Result
from mcf.web.catalogue.views import HOLDER as CATALOGUE_HOLDER
from mcf.web.idempotency import Once
from mcf.web.titulaire.decorators import CONSULT, MODIFY, acting_user, holder_required
from mcf.web.titulaire.dossier_forms import (
    CodeForm,
    ConfirmForm,
    DatesForm,
    EmployerAnswerForm,
    EmployerRequestForm,
    FinancementForm,
    HoursField,
    OrganismeForm,
    SendForm,
    error_summary,
)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type | None = None


STEPS = {
    step.slug: step
    for step in (
        Step("organisme", "Organisme de formation", OrganismeForm),
        Step("dates", "Dates, durée et coût", DatesForm),
        Step("financement", "Financement", FinancementForm),
    )
}
EMPLOYER = Step("employeur", "Accord de l'employeur")
SEND = Step("transmettre", "Transmission au financeur")

# Which page fixes each field that keeps a dossier from being sent.
FIELD_STEPS = {
    **{name: "organisme" for name in OrganismeForm.base_fields if name != "version"},
    **{name: "dates" for name in DatesForm.base_fields if name != "version"},
    **{name: "financement" for name in FinancementForm.base_fields if name != "version"},
    "employer_requested_on": EMPLOYER.slug,
    "employer_answer": EMPLOYER.slug,
}
FIELD_LABELS = {
    name: field.label
    for form in (OrganismeForm, DatesForm, FinancementForm)
    for name, field in form.base_fields.items()
} | {
    "employer_requested_on": "Demande d'accord à l'employeur",
    "employer_answer": "Réponse de l'employeur",
    "consent": "Votre accord",
}
BADGES = {
    HolderState.ELABORATION: "fr-badge--info",
    HolderState.VALIDE: "fr-badge--success",
    HolderState.CLOS: "",
    HolderState.ANNULE: "fr-badge--error",
}


# ----- links -------------------------------------------------------------------------------


def detail_url(dossier: Dossier) -> str:
    """The dossier's page (« titulaire:dossier », built by holder-read). Until both halves
    are merged, the list stands in for it."""
    try:
        return reverse("titulaire:dossier", args=[dossier.public_id])
    except NoReverseMatch:  # pragma: no cover - the page lands with its own branch
        return reverse("titulaire:dossiers")


def step_url(dossier: Dossier, slug: str) -> str:
    if slug == EMPLOYER.slug:
        return reverse("titulaire:dossier_employer", args=[dossier.public_id])
    if slug == SEND.slug:
        return reverse("titulaire:dossier_send", args=[dossier.public_id])
    return reverse("titulaire:dossier_step", args=[dossier.public_id, slug])


def path_of(dossier: Dossier) -> list[Step]:
    """The pages of the dossier's form, in order (the employer's only sur temps de travail)."""
    steps = list(STEPS.values())
    if dossier.working_time == WorkingTime.SUR:
        steps.append(EMPLOYER)
    return [*steps, SEND]


def stepper(dossier: Dossier, slug: str) -> dict:
    steps = path_of(dossier)
    index = next(i for i, step in enumerate(steps) if step.slug == slug)
    return {
        "current_step_id": index + 1,
        "total_steps": len(steps),
        "current_step_title": steps[index].title,
        "next_step_title": steps[index + 1].title if index + 1 < len(steps) else "",
        "previous_url": step_url(dossier, steps[index - 1].slug) if index else "",
        "next_url": step_url(dossier, steps[index + 1].slug) if index + 1 < len(steps) else "",
        "steps": [(step.title, step_url(dossier, step.slug), step.slug == slug) for step in steps],
    }


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str


def next_step(dossier: Dossier, today) -> NextStep:
    """What the holder has to do next, and where (the list's last column)."""
    if dossier.editable:
        missing = actions.send_errors(dossier, today=today)
        if dossier.state == State.COMPLEMENT:
            return NextStep("Compléter le dossier demandé par le financeur", detail_url(dossier))
        for step in path_of(dossier):
            if any(FIELD_STEPS.get(name) == step.slug for name in missing):
                return NextStep(f"Compléter : {step.title.lower()}", step_url(dossier, step.slug))
        return NextStep("Transmettre au financeur", step_url(dossier, SEND.slug))
    return {
        State.TRANSMIS: NextStep("Attendre la décision du financeur", detail_url(dossier)),
        State.VALIDE: NextStep(
            "Suivre la formation ; le financeur clôturera le dossier", detail_url(dossier)
        ),
    }.get(dossier.state, NextStep("Aucune", detail_url(dossier)))


def refusal_link(code: str) -> tuple[str, str]:
    """Where a holder refused at creation can go on (label, URL)."""
    if code == "dif":
        return "Saisir mes heures DIF dans « Mon compte d'heures »", reverse("titulaire:hours")
    if code == "closed":
        return "Nous contacter", reverse("public:contact")
    return "Rechercher une formation", reverse("titulaire:training_search")


# ----- the list and the creation ----------------------------------------------------------


@never_cache
@holder_required(delegates=CONSULT)
@require_GET
def dossiers(request):
    """« Mes dossiers de formation »: one query for the dossiers, whatever their number."""
    today = timezone.localdate()
    rows = [
        {
            "dossier": dossier,
            "badge": BADGES[dossier.holder_state],
            "next": next_step(dossier, today),
            "url": detail_url(dossier),
        }
        for dossier in of_holder(request.holder, for_delegate=request.delegation is not None)
    ]
    return render(request, "titulaire/dossiers/list.html", {"rows": rows})


def _creation_blocked(holder) -> NotEligible | None:
    try:
        check_holder_may_create(holder)
    except NotEligible as error:
        return error
    return None


def _created(dossier: Dossier) -> Result:
    return Result(
        step_url(dossier, "organisme"),
        f"Votre dossier n° {dossier.number_display} est créé : complétez-le étape par étape, "
        "puis transmettez-le au financeur.",
    )


@never_cache
@holder_required(delegates=MODIFY)
@require_http_methods(["GET", "POST"])
def dossier_new(request):
    """« Créer un dossier de formation » by typing its code CPF."""
    blocked = _creation_blocked(request.holder)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and blocked is None:
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        if form.is_valid() and once.check(form, "code_cpf"):
            code = form.cleaned_data["code_cpf"]
            try:
                return once.run(
                    lambda: _created(
                        actions.create_dossier_for_code(request.holder, code, by=request.on_behalf)
                    )
                )
            except NotEligible as error:
                if error.code in ("unknown", "not_open"):
                    form.add_error("code_cpf", error.message)
                else:
                    blocked = error
    context = {"form": form, "blocked": blocked, "summary": error_summary(form)}
    if blocked is not None:
        context["link"] = refusal_link(blocked.code)
    return render(
        request,
        "titulaire/dossiers/new.html",
        context,
        status=409 if blocked and request.method == "POST" else 200,
    )


@never_cache
@holder_required(delegates=MODIFY)
@require_http_methods(["GET", "POST"])
def training_dossier(request, pk: int):
    """« Créer un dossier de formation » from an offer of « Rechercher une formation »:
    the offer and what will be copied from it, then one button; or why not, and a link."""
    offer = Offer.objects.select_related("organisme", "certification").filter(pk=pk).first()
    context = {"space": CATALOGUE_HOLDER, "back_url": reverse("titulaire:training_search")}
    if offer is None:
        return render(request, "catalogue/offer_not_found.html", context, status=404)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    refusal = _creation_blocked(request.holder)
    training = None
    if refusal is None:
        try:
            training = training_for_offer(request.holder, offer)
        except NotEligible as error:
            refusal = error
    if request.method == "POST" and refusal is None:
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        if form.is_valid() and once.check(form):
            try:
                return once.run(
                    lambda: _created(
                        actions.create_dossier(request.holder, training, by=request.on_behalf)
                    )
                )
            except NotEligible as error:
                refusal = error
    context |= {"offer": offer, "training": training, "refusal": refusal, "form": form}
    if refusal is not None:
        context["link"] = refusal_link(refusal.code)
    status = 409 if refusal is not None and request.method == "POST" else 200
    return render(request, "titulaire/dossiers/from_offer.html", context, status=status)


# ----- the dossier's pages ----------------------------------------------------------------


def _dossier(request, public_id) -> Dossier:
    dossier = holder_dossier(request.holder, public_id, for_delegate=request.delegation is not None)
    if dossier is None:
        raise Http404
    return dossier


def _closed_to_changes(request, dossier: Dossier):
    messages.info(
        request,
        f"Le dossier n° {dossier.number_display} est « {dossier.get_state_display()} » : "
        "il ne peut plus être modifié.",
    )
    return redirect(detail_url(dossier))


def _available(holder) -> tuple[int, int]:
    counter = Counter.objects.only(
        "cpf_balance", "cpf_reserved", "dif_balance", "dif_reserved"
    ).get(holder=holder)
    return counter.dif_available or 0, counter.cpf_available


def hours_plan(dossier: Dossier, duration) -> dict:
    """The plan the rules give for ``duration`` with the holder's hours now (or why none)."""
    if duration is None:
        return _no_plan("Indiquez la durée de la formation pour voir le plan.")
    problem = actions.field_errors(
        {"duration_hours": duration}, holder=dossier.holder, today=timezone.localdate()
    ).get("duration_hours")
    if problem:
        return _no_plan(problem)
    dif, cpf = _available(dossier.holder)
    return {
        "plan": plan.propose(duration, dif_available=dif, cpf_available=cpf),
        "problem": "",
        "ceiling": plan.MAX_HOURS_PER_DOSSIER,
    }


def _no_plan(problem: str) -> dict:
    return {"plan": None, "problem": problem, "ceiling": plan.MAX_HOURS_PER_DOSSIER}


def _page_context(dossier: Dossier, slug: str) -> dict:
    return {
        "dossier": dossier,
        "stepper": stepper(dossier, slug),
        "detail_url": detail_url(dossier),
    }


def _step_page(request, dossier, step: Step, form, *, refusal: str = "", status: int = 200):
    context = _page_context(dossier, step.slug) | {
        "step": step,
        "form": form,
        "summary": error_summary(form),
        "refusal": refusal,
    }
    if step.slug == "dates":
        typed = form["duration_hours"].value() if form.is_bound else dossier.duration_hours
        try:
            duration = HoursField().clean(typed)
        except ValidationError:
            duration = None
        context["hours_plan"] = hours_plan(dossier, duration)
        context["plan_url"] = reverse("titulaire:dossier_plan", args=[dossier.public_id])
    return render(request, "titulaire/dossiers/step.html", context, status=status)


def _fresh_form(form_class, request, fresh: Dossier, **kwargs):
    """The typed values again, on the dossier's current version (after a stale form): the
    holder sees the message, checks, and may send them again."""
    data = request.POST.copy()
    data["version"] = str(fresh.version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


@never_cache
@holder_required(delegates=MODIFY)
@require_http_methods(["GET", "POST"])
def dossier_step(request, public_id, step: str):
    """One step of the dossier: saved, then the next one; or the step again with the
    messages and what was typed (nothing saved)."""
    if step not in STEPS:
        raise Http404
    current = STEPS[step]
    dossier = _dossier(request, public_id)
    if not dossier.editable:
        return _closed_to_changes(request, dossier)
    today = timezone.localdate()
    if request.method == "GET":
        return _step_page(request, dossier, current, current.form(dossier=dossier, today=today))
    once = Once(request)
    if (first := once.replay()) is not None:
        return first
    form = current.form(request.POST, dossier=dossier, today=today)
    if not form.is_valid() or not once.check(form):
        return _step_page(request, dossier, current, form)

    def save() -> Result:
        saved = actions.update_dossier(
            dossier.pk,
            by=acting_user(request),
            version=form.cleaned_data["version"],
            values=form.values(),
        )
        steps = path_of(saved)
        index = [s.slug for s in steps].index(step)
        return Result(
            step_url(saved, steps[index + 1].slug), f"« {current.title} » est enregistré."
        )

    try:
        return once.run(save)
    except NotAllowed as error:
        raise Http404 from error
    except DossierError as error:
        return _after_refusal(request, error, form, dossier, current, today)


def _after_refusal(request, error, form, dossier, step: Step, today):
    if error.code in ("stale", "state"):
        fresh = Dossier.objects.get(pk=dossier.pk)
        if not fresh.editable:
            return _closed_to_changes(request, fresh)
        form = _fresh_form(step.form, request, fresh, dossier=fresh, today=today)
        return _step_page(request, fresh, step, form, refusal=STALE, status=409)
    form.add_domain_errors(error.errors or {None: error.message})
    return _step_page(request, dossier, step, form)


@never_cache
@holder_required(delegates=MODIFY)
@require_GET
def dossier_plan(request, public_id):
    """The live hours plan (htmx fragment) for the duration being typed (``?duree=``; the
    form's field sends ``duration_hours``)."""
    dossier = _dossier(request, public_id)
    typed = request.GET.get("duree", request.GET.get("duration_hours", ""))
    try:
        duration = HoursField().clean(typed[:20])
    except ValidationError as error:
        context = _no_plan(error.messages[0])
    else:
        context = hours_plan(dossier, duration)
    return render(request, "titulaire/dossiers/plan.html", context)


@never_cache
@holder_required(delegates=MODIFY)
@require_http_methods(["GET", "POST"])
def dossier_employer(request, public_id):
    """Sur temps de travail: the date the employer was asked, his answer, the deadlines."""
    dossier = _dossier(request, public_id)
    if not dossier.editable:
        return _closed_to_changes(request, dossier)
    initial = {"version": dossier.version}
    asked = EmployerRequestForm(
        initial=initial | {"employer_requested_on": dossier.employer_requested_on}
    )
    answer = EmployerAnswerForm(initial=initial)
    status, refusal = 200, ""
    if request.method == "POST" and dossier.working_time == WorkingTime.SUR:
        which = request.POST.get("formulaire")
        if which not in ("demande", "reponse"):
            raise Http404
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        if which == "demande":
            asked = form = EmployerRequestForm(request.POST)
        else:
            answer = form = EmployerAnswerForm(request.POST)
        if form.is_valid() and once.check(form):
            data = form.cleaned_data
            try:
                return once.run(lambda: _employer_act(request, dossier, which, data))
            except NotAllowed as error:
                raise Http404 from error
            except DossierError as error:
                if error.code in ("stale", "state"):
                    fresh = Dossier.objects.get(pk=dossier.pk)
                    if not fresh.editable:
                        return _closed_to_changes(request, fresh)
                    dossier, refusal, status = fresh, STALE, 409
                    form = _fresh_form(
                        EmployerRequestForm if which == "demande" else EmployerAnswerForm,
                        request,
                        fresh,
                    )
                    asked, answer = (form, answer) if which == "demande" else (asked, form)
                else:
                    for name, message in (error.errors or {None: error.message}).items():
                        form.add_error(name if name in form.fields else None, message)
    context = (
        _page_context(dossier, EMPLOYER.slug)
        if dossier.working_time == WorkingTime.SUR
        else {
            "dossier": dossier,
            "detail_url": detail_url(dossier),
        }
    )
    context |= {
        "agreement": deadlines.employer_agreement(dossier),
        "notice_days": deadlines.notice_days(dossier.start_date, dossier.end_date)
        if dossier.start_date and dossier.end_date
        else None,
        "asked": asked,
        "answer": answer,
        "summary": error_summary(asked, answer),
        "refusal": refusal,
        "sur": dossier.working_time == WorkingTime.SUR,
    }
    return render(request, "titulaire/dossiers/employer.html", context, status=status)


def _employer_act(request, dossier: Dossier, which: str, data: dict) -> Result:
    url = reverse("titulaire:dossier_employer", args=[dossier.public_id])
    if which == "demande":
        actions.record_employer_request(
            dossier.pk,
            by=acting_user(request),
            version=data["version"],
            requested_on=data["employer_requested_on"],
        )
        return Result(url, "La date de votre demande à l'employeur est enregistrée.")
    actions.record_employer_answer(
        dossier.pk,
        by=acting_user(request),
        version=data["version"],
        answer=data["answer"],
        answered_on=data["employer_answered_on"],
    )
    return Result(url, "La réponse de votre employeur est enregistrée.")


def _send_problems(dossier: Dossier, errors: dict[str, str]) -> list[dict]:
    """What keeps the dossier from leaving, each with the page that fixes it."""
    problems = []
    for name, message in errors.items():
        slug = FIELD_STEPS.get(name)
        problems.append(
            {
                "label": FIELD_LABELS.get(name, ""),
                "message": message,
                "url": step_url(dossier, slug) if slug else "#id_consent",
                "page": (STEPS.get(slug) or EMPLOYER).title if slug else "",
            }
        )
    return problems


@never_cache
@holder_required
@require_http_methods(["GET", "POST"])
def dossier_send(request, public_id):
    """The whole dossier once more, the plan, the consent and « Transmettre au financeur »."""
    dossier = _dossier(request, public_id)
    if not dossier.editable:
        return _closed_to_changes(request, dossier)
    today = timezone.localdate()
    form = SendForm(initial={"version": dossier.version, "consent": dossier.consent_at is not None})
    errors = {k: v for k, v in actions.send_errors(dossier, today=today).items() if k != "consent"}
    status, refusal = 200, ""
    if request.method == "POST":
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        form = SendForm(request.POST)
        if form.is_valid() and once.check(form):
            version = form.cleaned_data["version"]
            try:
                return once.run(lambda: _send(request, dossier, version))
            except NotAllowed as error:
                raise Http404 from error
            except DossierError as error:
                fresh = Dossier.objects.get(pk=dossier.pk)
                if not fresh.editable:
                    return _closed_to_changes(request, fresh)
                status = 409
                if error.code == "stale":
                    dossier, refusal = fresh, STALE
                    form = _fresh_form(SendForm, request, fresh)
                    errors = actions.send_errors(fresh, today=today)
                else:
                    refusal = error.message
                    errors = {k: v for k, v in error.errors.items() if k != "consent"}
    context = _page_context(dossier, SEND.slug) | {
        "form": form,
        "summary": error_summary(form),
        "problems": _send_problems(dossier, errors),
        "refusal": refusal,
        "agreement": deadlines.employer_agreement(dossier)
        if dossier.working_time == WorkingTime.SUR
        else None,
        "hours_plan": hours_plan(dossier, dossier.duration_hours),
        "steps": [(s.title, step_url(dossier, s.slug)) for s in STEPS.values()],
    }
    return render(request, "titulaire/dossiers/send.html", context, status=status)


def _send(request, dossier: Dossier, version: int) -> Result:
    agreed = actions.update_dossier(
        dossier.pk, by=request.user, version=version, values={}, consent=True
    )
    sent = actions.send_dossier(agreed.pk, by=request.user, version=agreed.version)
    return Result(
        detail_url(sent),
        f"Votre dossier n° {sent.number_display} est transmis à {sent.financeur.name}. "
        "Vous serez informé(e) par courriel de sa décision.",
    )
