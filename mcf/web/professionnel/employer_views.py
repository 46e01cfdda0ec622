"""The employer's space (issue 14): an organisation of kind « Employeur » of the
professional space, with the same administrateur principal, gestionnaires and TOTP.

- « Salariés ayant donné une délégation »: who, with which rights, until when; « Ouvrir
  le compte » enters the holder's space within the délégation (titulaire:delegation_open).
- « Demandes d'accord »: the requests for training *sur temps de travail* of employees who
  named the company in a dossier; answer accord or refus (motif) within 30 days.
The holder's identity is masked (« Jean D. »), his NIR never loaded (AC-04).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mcf.domain.accounts.names import short_name
from mcf.domain.delegations.queries import employees_of
from mcf.domain.dossiers import actions, deadlines, queries, workflow
from mcf.domain.dossiers.models import IN_PREPARATION, Dossier, EmployerAnswer
from mcf.domain.idempotency.actions import Result
from mcf.web.idempotency import Once
from mcf.web.professionnel.decorators import member_required
from mcf.web.professionnel.dossier_forms import parse_version
from mcf.web.professionnel.employer_forms import EmployerAnswerForm

PAGE_SIZE = 50
NOT_AN_EMPLOYER = "Réservé aux entreprises (organisations de type « Employeur »)."


employer_required = member_required(lambda org: org.is_employer, NOT_AN_EMPLOYER)


@never_cache
@employer_required
@require_GET
def employees(request):
    """The employees who delegated to the company: two queries a page (count, rows)."""
    page = Paginator(employees_of(request.professional.organisation_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"delegation": d, "name": short_name(d.holder)} for d in page]
    return render(
        request,
        "professionnel/employer/employees.html",
        {"profile": request.professional, "page": page, "rows": rows},
    )


@never_cache
@employer_required
@require_GET
def requests(request):
    """« Demandes d'accord »: waiting ones first, with the legal deadlines."""
    requests_ = queries.employer_requests(request.professional.organisation)
    page = Paginator(requests_, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "dossier": d,
            "name": short_name(d.holder),
            "agreement": deadlines.employer_agreement(d),
            "url": reverse("professionnel:employer_request", args=[d.public_id]),
        }
        for d in page
    ]
    return render(
        request,
        "professionnel/employer/requests.html",
        {"profile": request.professional, "page": page, "rows": rows},
    )


def _request_of(request, public_id) -> Dossier:
    dossier = (
        queries.employer_requests(request.professional.organisation)
        .filter(public_id=public_id)
        .first()
    )
    if dossier is None:
        raise Http404("Demande introuvable.")
    return dossier


def _request_page(request, dossier, form, *, refused: str = "", status: int = 200):
    agreement = deadlines.employer_agreement(dossier)
    return render(
        request,
        "professionnel/employer/request.html",
        {
            "profile": request.professional,
            "dossier": dossier,
            "name": short_name(dossier.holder),
            "agreement": agreement,
            "answerable": dossier.employer_answer == EmployerAnswer.NONE
            and dossier.state in IN_PREPARATION,
            "form": form,
            "refused": refused,
        },
        status=status,
    )


@never_cache
@employer_required(refuse=Http404)
@require_http_methods(["GET", "POST"])
def employer_request(request, public_id):
    """One request and the answer form (accord, or refus with its motif)."""
    dossier = _request_of(request, public_id)
    if request.method == "GET":
        return _request_page(request, dossier, EmployerAnswerForm())
    once = Once(request, "professionnel:employer_request")
    if (first := once.replay()) is not None:
        return first
    form = EmployerAnswerForm(request.POST)
    version = parse_version(request.POST.get("version", ""))
    if not (form.is_valid() and once.check(form, "answer")):
        return _request_page(request, dossier, form, status=422)
    location = reverse("professionnel:employer_request", args=[dossier.public_id])

    def perform() -> Result:
        actions.answer_as_employer(
            dossier.pk,
            by=request.user,
            version=version,
            answer=form.cleaned_data["answer"],
            motif=form.cleaned_data.get("motif") or "",
        )
        return Result(location, "Votre réponse est enregistrée : le salarié en est prévenu.")

    try:
        return once.run(perform)
    except workflow.NotAllowed as error:
        raise Http404("Demande introuvable.") from error
    except workflow.DossierError as error:
        form.add_domain_errors(error.errors)
        return _request_page(
            request, _request_of(request, public_id), form, refused=error.message, status=409
        )
