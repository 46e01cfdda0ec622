"""« Mes délégations » (issue 14, domain.md §6): give, see, revoke; accept an invitation;
open an account delegated to you, leave it, give a délégation back.

Giving and revoking need a recent password (SESS-05). Opening a delegated account puts its
délégation in the session (``ACTING_SESSION_KEY``): the holder's space then shows that
account within the délégation's rights (``holder_required(delegates=…)``), with a banner.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcf.domain.accounts.models import User
from mcf.domain.accounts.names import short_name
from mcf.domain.delegations import actions
from mcf.domain.delegations.access import live_delegation, received_by
from mcf.domain.delegations.models import OPEN_STATUSES, DelegateKind, Delegation, Status
from mcf.domain.idempotency.actions import Result
from mcf.domain.journal.queries import for_subject
from mcf.web.idempotency import Once
from mcf.web.titulaire.decorators import (
    ACTING_SESSION_KEY,
    holder_required,
    recent_password_required,
)
from mcf.web.titulaire.delegation_forms import GrantForm
from mcf.web.titulaire.dossier_forms import ConfirmForm, error_summary

# The token of an invitation opened before logging in: kept in the session, so that the
# login page's « suivant » names no secret (it would reach the access log).
PENDING_INVITATION = "pending_delegation_invitation"


GROUPS = (
    ("Délégations en cours", (Status.ACTIVE,)),
    ("Invitations en attente", (Status.INVITEE,)),
    (
        "Délégations terminées",
        (Status.EXPIREE, Status.INVITATION_EXPIREE, Status.REVOQUEE, Status.RENDUE),
    ),
)
BADGES = {
    Status.ACTIVE: "fr-badge--success",
    Status.INVITEE: "fr-badge--info",
    Status.EXPIREE: "",
    Status.INVITATION_EXPIREE: "",
    Status.REVOQUEE: "fr-badge--warning",
    Status.RENDUE: "fr-badge--warning",
}


def refused_to_delegate(request, delegation: Delegation | None, *, ended: bool = False):
    """A delegate on a page his délégation does not open, or whose délégation has ended
    (revoked, lapsed): a French 403 that says so, and how to leave."""
    return render(
        request,
        "titulaire/delegations/refused.html",
        {"delegation": delegation, "ended": ended, "holder_name": _holder_name(delegation)},
        status=403,
    )


def _holder_name(delegation: Delegation | None) -> str:
    return short_name(delegation.holder) if delegation is not None else ""


def _row(delegation: Delegation, now) -> dict:
    status = delegation.effective_status(now)
    return {
        "delegation": delegation,
        "status": status,
        "badge": BADGES[status],
        "open": status in OPEN_STATUSES,
    }


@never_cache
@holder_required
@require_GET
def delegations(request):
    """The holder's délégations, grouped (given, pending, ended), and the accounts delegated
    to him. Two queries whatever their number."""
    now = timezone.now()
    given = [
        _row(d, now)
        for d in Delegation.objects.filter(holder=request.holder).select_related(
            "organisation", "delegate"
        )
    ]
    groups = [
        (title, [row for row in given if row["status"] in statuses]) for title, statuses in GROUPS
    ]
    received = [
        {"delegation": d, "holder_name": short_name(d.holder)} for d in received_by(request.user)
    ]
    return render(
        request,
        "titulaire/delegations/list.html",
        {
            "groups": groups,
            "has_given": bool(given),
            "received": received,
            "pending_invitation": _pending_invitation(request),
        },
    )


def _pending_invitation(request) -> Delegation | None:
    """An invitation opened in this browser before logging in (or registering): shown
    here, so that it is accepted without the mail's link again."""
    token = request.session.get(PENDING_INVITATION)
    if not token:
        return None
    try:
        return actions.find_invitation(token)
    except actions.DelegationError:
        request.session.pop(PENDING_INVITATION, None)
        return None


def _grant(request, data: dict) -> Result:
    common = {"consult": data["consult"], "modify": data["modify"], "ends_on": data["ends_on"]}
    if data["delegate_kind"] == DelegateKind.ENTREPRISE:
        delegation = actions.grant_to_company(request.holder, siret=data["siret"], **common)
        message = (
            f"Votre délégation à {delegation.organisation.name} est donnée : l'entreprise en "
            "est prévenue."
        )
    else:
        delegation, _ = actions.invite_person(request.holder, email=data["email"], **common)
        # The same words whether the address has an account or not (no enumeration).
        message = (
            f"Une invitation a été envoyée à {delegation.invited_email}. La délégation "
            "commencera quand la personne l'aura acceptée depuis son propre espace."
        )
    return Result(reverse("titulaire:delegation", args=[delegation.public_id]), message)


@never_cache
@recent_password_required
@require_http_methods(["GET", "POST"])
def delegation_new(request):
    """« Donner une délégation »: to a company (SIRET) or a person (e-mail)."""
    form = GrantForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        if form.is_valid() and once.check(form, "delegate_kind"):
            try:
                return once.run(lambda: _grant(request, form.cleaned_data))
            except actions.DelegationError as error:
                for name, message in error.errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not error.errors:
                    form.add_error(None, error.message)
        status = 400
    return render(
        request,
        "titulaire/delegations/new.html",
        {"form": form, "summary": error_summary(form)},
        status=status,
    )


def _own_delegation(request, public_id) -> Delegation:
    delegation = (
        Delegation.objects.filter(holder=request.holder, public_id=public_id)
        .select_related("organisation", "delegate")
        .first()
    )
    if delegation is None:
        raise Http404("Cette délégation n'existe pas.")
    return delegation


@never_cache
@holder_required
@require_GET
def delegation(request, public_id):
    """One délégation: rights, end date, state, who consulted the account and when, what
    was done under it; « Révoquer »."""
    found = _own_delegation(request, public_id)
    # Its own entries (given, accepted, each day's reads, ended), then the acts done under
    # it on other subjects (a dossier prepared by the delegate).
    acts = request.holder.journal_entries.filter(delegation=found).exclude(
        subject_type=Delegation.JOURNAL_SUBJECT
    )
    return render(
        request,
        "titulaire/delegations/detail.html",
        {
            "row": _row(found, timezone.now()),
            "visits": actions.visits_of(found),
            "entries": [
                *for_subject(found),
                *list(acts.order_by("-occurred_at", "-id")[:100])[::-1],  # the 100 latest
            ],
        },
    )


@never_cache
@recent_password_required
@require_POST
def delegation_revoke(request, public_id):
    found = _own_delegation(request, public_id)
    once = Once(request)
    if (first := once.replay()) is not None:
        return first
    form = ConfirmForm(request.POST)
    if form.is_valid() and once.check(form):
        try:
            return once.run(lambda: _revoked(request, found))
        except actions.DelegationError as error:
            messages.error(request, error.message)
    return redirect("titulaire:delegation", public_id=found.public_id)


def _revoked(request, found: Delegation) -> Result:
    actions.revoke(found.pk, holder=request.holder)
    return Result(
        reverse("titulaire:delegation", args=[found.public_id]),
        f"La délégation donnée à {found.delegate_label} est révoquée : elle ne donne plus "
        "aucun accès à votre compte.",
    )


# ----- the person's side ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def delegation_invitation(request, token: str):
    """The link of the invitation mail. GET shows it and changes nothing (mail scanners);
    the POST of « Accepter » accepts, from the invited person's own holder account."""
    return _invitation_page(request, token)


@never_cache
@require_http_methods(["GET", "POST"])
def delegation_invitation_resume(request):
    """The same page after logging in (the token was kept in the session)."""
    return _invitation_page(request, request.session.get(PENDING_INVITATION, ""))


def _invitation_page(request, token: str):
    try:
        invitation = actions.find_invitation(token)
    except actions.DelegationError as error:
        request.session.pop(PENDING_INVITATION, None)
        return render(
            request,
            "titulaire/delegations/invitation_invalid.html",
            {"message": error.message},
            status=410 if error.code in {"used", "expired"} else 404,
        )
    user = request.user
    is_holder = user.is_authenticated and user.kind == User.Kind.TITULAIRE
    if request.method == "POST" and is_holder:
        try:
            accepted = actions.accept_invitation(token, user)
        except actions.DelegationError as error:
            messages.error(request, error.message)
        else:
            request.session.pop(PENDING_INVITATION, None)
            messages.success(
                request,
                f"Vous avez accepté la délégation de {short_name(accepted.holder)}. Ouvrez son "
                "compte depuis « Comptes qui me sont délégués ».",
            )
            return redirect("titulaire:delegations")
    request.session[PENDING_INVITATION] = token
    resume = reverse("titulaire:delegation_invitation_resume")
    return render(
        request,
        "titulaire/delegations/invitation.html",
        {
            "invitation": invitation,
            "holder_name": short_name(invitation.holder),
            "is_holder": is_holder,
            "action_url": resume,
            "login_url": f"{reverse('titulaire:login')}?{urlencode({'suivant': resume})}",
        },
    )


@never_cache
@login_required(login_url="titulaire:login")
@require_POST
def delegation_open(request, public_id):
    """Enter a delegated account: the next pages of the holder's space show it."""
    delegation = live_delegation(request.user, public_id)
    if delegation is None:
        return refused_to_delegate(request, None, ended=True)
    request.session[ACTING_SESSION_KEY] = str(delegation.public_id)
    return redirect("titulaire:home")


@never_cache
@login_required(login_url="titulaire:login")
@require_POST
def delegation_leave(request):
    """Leave the delegated account: back to one's own space."""
    request.session.pop(ACTING_SESSION_KEY, None)
    if request.user.kind == User.Kind.PROFESSIONNEL:
        return redirect("professionnel:employees")
    return redirect("titulaire:delegations")


@never_cache
@holder_required
@require_POST
def delegation_give_back(request, public_id):
    """The person gives a délégation back (from « Comptes qui me sont délégués »)."""
    delegation = live_delegation(request.user, public_id)
    if delegation is None:
        raise Http404("Cette délégation n'existe pas.")
    try:
        actions.give_back(delegation.pk, delegate=request.user)
    except actions.DelegationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Vous avez rendu la délégation de {short_name(delegation.holder)}."
        )
    return redirect("titulaire:delegations")
