"""Espace professionnel: login in two steps (password, then TOTP), the forced change of a
provisional password, the home page and the gestionnaire accounts (administrateur principal).

The login keeps its half-done state (password checked, code not yet) under its own session
key, never as a Django login: until the code is accepted, ``request.user`` stays anonymous
for every space of the portal (AUTH-15). The full login then rotates the session key
(``django.contrib.auth.login``, SESS-01) and records the device (``django_otp.login``).
"""

from __future__ import annotations

import time
from datetime import timedelta

import segno
from django.contrib import messages
from django.contrib.auth import login as start_session
from django.contrib.auth import logout as end_session
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as record_second_factor
from django_ratelimit.decorators import ratelimit

from mcf.core.client_ip import client_ip
from mcf.core.logging import security_event
from mcf.domain.accounts.authentication import duration_fr
from mcf.domain.accounts.models import User
from mcf.domain.organisations.actions import (
    change_provisional_password,
    create_gestionnaire,
)
from mcf.domain.organisations.authentication import authenticate_professional
from mcf.domain.organisations.models import ProfessionalProfile
from mcf.domain.organisations.second_factor import (
    confirm_totp_enrolment,
    has_confirmed_device,
    provisioning_uri,
    seconds_before_next_code,
    secret_for_display,
    start_totp_enrolment,
    verify_totp,
)
from mcf.web.professionnel.decorators import professional_required
from mcf.web.professionnel.dossier_views import home_counts
from mcf.web.professionnel.forms import CodeForm, GestionnaireForm, LoginForm, NewPasswordForm

# One message for every failure (AUTH-04): unknown identifier, wrong password, throttled…
LOGIN_FAILED = "Identifiant ou mot de passe incorrect"
LOGIN_HINT = (
    "Après 5 essais infructueux, la connexion à ce compte est suspendue quelques minutes, "
    "même avec le bon mot de passe. En cas d'oubli, adressez-vous à l'administrateur "
    "principal de votre organisation."
)
CODE_FAILED = (
    "Code incorrect ou déjà utilisé. Saisissez le code à 6 chiffres affiché en ce moment par "
    "votre application d'authentification (un code ne sert qu'une fois : après l'avoir "
    "utilisé, attendez le suivant)."
)
# django-otp refuses every code, the right one included, for 1, 2, 4, 8… seconds after a
# wrong one (second_factor.seconds_before_next_code): the page says so and for how long.
CODE_WAIT = (
    " Après un code erroné, attendez {wait} avant d'en saisir un autre : un code saisi "
    "plus tôt est refusé, même juste."
)
CODE_SUSPENDED = (
    "Ce code n'a pas été vérifié : après un code erroné, la vérification est suspendue "
    "quelques secondes (le délai double à chaque erreur) et tout code saisi pendant ce délai "
    "est refusé, même juste. Attendez {wait}, puis saisissez le code affiché à ce moment "
    "par votre application d'authentification."
)
LOGIN_EXPIRED = (
    "Votre connexion a expiré : saisissez de nouveau votre identifiant et votre mot de passe."
)

# The half-done login (password checked, code not yet): who, since when, where to go next.
PENDING_KEY = "mcf_professional_pending"
PENDING_MAX_AGE = 10 * 60


def _safe_next(request, value: str) -> str:
    if (
        value
        and value.startswith("/professionnel/")
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
    ):
        return value
    return ""


def _pending_user(request) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_MAX_AGE:
        return None
    return User.objects.filter(
        public_id=pending.get("user"),
        kind=User.Kind.PROFESSIONNEL,
        is_active=True,
        professional_profile__isnull=False,
    ).first()


def _restart_login(request):
    request.session.pop(PENDING_KEY, None)
    messages.error(request, LOGIN_EXPIRED)
    return redirect("professionnel:login")


def _code_refused(user: User, *, suspended: bool, confirmed: bool) -> str:
    """Why a code was refused, and how long to wait before the next one, if at all."""
    wait = seconds_before_next_code(user, confirmed=confirmed)
    if suspended and wait:
        return CODE_SUSPENDED.format(wait=duration_fr(timedelta(seconds=wait)))
    if wait:
        return CODE_FAILED + CODE_WAIT.format(wait=duration_fr(timedelta(seconds=wait)))
    return CODE_FAILED


def _complete_login(request, user: User, device):
    """Both factors are checked: open the session of the professional space."""
    next_url = request.session.get(PENDING_KEY, {}).get("next", "")
    request.session.pop(PENDING_KEY, None)
    start_session(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_second_factor(request, device)
    security_event(
        "login.professional", outcome="success", user=user.public_id, ip=client_ip(request)
    )
    return redirect(next_url or "professionnel:home")


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def login(request):
    """Step 1: identifier and password (reads nothing from the database on GET)."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            outcome = authenticate_professional(
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                ip=client_ip(request),
            )
            if outcome.user is not None:
                # A new session (no fixation; ends any other login of this browser), which
                # holds only the half-done login until the code is accepted.
                end_session(request)
                request.session[PENDING_KEY] = {
                    "user": str(outcome.user.public_id),
                    "since": time.time(),
                    "next": next_url,
                }
                if has_confirmed_device(outcome.user):
                    return redirect("professionnel:verify_code")
                return redirect("professionnel:enrol")
        # The same page for every failure, the identifier kept, never the password.
        form = LoginForm(initial={"username": request.POST.get("username", "")[:150]})
        failed = True
    else:
        form, failed = LoginForm(), False
    return render(
        request,
        "professionnel/login.html",
        {
            "form": form,
            "next": next_url,
            "login_failed": LOGIN_FAILED if failed else "",
            "login_hint": LOGIN_HINT,
        },
    )


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def verify_code(request):
    """Step 2 for an account with an authenticator app: the current TOTP code."""
    user = _pending_user(request)
    if user is None:
        return _restart_login(request)
    if not has_confirmed_device(user):
        return redirect("professionnel:enrol")
    code_failed = ""
    if request.method == "POST":
        form = CodeForm(request.POST)
        suspended = False
        if form.is_valid():
            suspended = seconds_before_next_code(user) > 0
            device = verify_totp(user, form.cleaned_data["code"])
            if device is not None:
                return _complete_login(request, user, device)
        form = CodeForm()
        code_failed = _code_refused(user, suspended=suspended, confirmed=True)
    else:
        form = CodeForm()
    return render(
        request,
        "professionnel/verify_code.html",
        {"form": form, "code_failed": code_failed},
    )


def _qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code: no image request, nothing sent elsewhere."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", svgclass="mcf-qr-code"
    )


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Step 2 at the first login: set up an authenticator app, confirm it with a code."""
    user = _pending_user(request)
    if user is None:
        return _restart_login(request)
    if has_confirmed_device(user):
        return redirect("professionnel:verify_code")
    code_failed = ""
    if request.method == "POST":
        form = CodeForm(request.POST)
        suspended = False
        if form.is_valid():
            suspended = seconds_before_next_code(user, confirmed=False) > 0
            device = confirm_totp_enrolment(user, form.cleaned_data["code"])
            if device is not None:
                messages.success(request, "Votre application d'authentification est enregistrée.")
                return _complete_login(request, user, device)
        form = CodeForm()
        code_failed = _code_refused(user, suspended=suspended, confirmed=False)
    else:
        form = CodeForm()
    device = start_totp_enrolment(user)
    uri = provisioning_uri(device)
    return render(
        request,
        "professionnel/enrol.html",
        {
            "form": form,
            "code_failed": code_failed,
            # segno writes only path data derived from the URI: no text of ours inside.
            "qr_code": mark_safe(_qr_code_svg(uri)),  # noqa: S308 - segno's paths  # nosec B308 B703
            "secret": secret_for_display(device),
            "username": user.username,
        },
    )


@require_POST
def logout(request):
    """« Se déconnecter »: POST only; the server-side session is destroyed."""
    end_session(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect("professionnel:login")


@never_cache
@professional_required(allow_provisional=True)
@require_http_methods(["GET", "POST"])
def change_password(request):
    """The provisional password must be replaced before anything else of the space."""
    if not request.professional.must_change_password:
        return redirect("professionnel:home")
    user = request.user
    if request.method == "POST":
        form = NewPasswordForm(request.POST, user=user)
        if form.is_valid():
            try:
                change_provisional_password(user, form.cleaned_data["password"])
            except ValidationError as error:
                form.add_error("password", error)
            else:
                # Keeps this session (new key); the account's other sessions end.
                update_session_auth_hash(request, user)
                messages.success(request, "Votre mot de passe a été modifié.")
                return redirect("professionnel:home")
    else:
        form = NewPasswordForm(user=user)
    return render(
        request,
        "professionnel/change_password.html",
        {"form": form, "profile": request.professional},
    )


@never_cache
@professional_required
def home(request):
    profile = request.professional
    gestionnaire_count = (
        profile.organisation.members.filter(role=ProfessionalProfile.Role.GESTIONNAIRE).count()
        if profile.is_principal_admin
        else None
    )
    organisation = profile.organisation
    return render(
        request,
        "professionnel/home.html",
        {
            "profile": profile,
            "gestionnaire_count": gestionnaire_count,
            "dossier_counts": home_counts(organisation.pk) if organisation.is_financeur else None,
        },
    )


def _gestionnaires_of(profile: ProfessionalProfile):
    return (
        profile.organisation.members.filter(role=ProfessionalProfile.Role.GESTIONNAIRE)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


@never_cache
@professional_required
@require_http_methods(["GET", "POST"])
def gestionnaires(request):
    """The administrateur principal lists and creates the gestionnaire accounts."""
    profile = request.professional
    if not profile.is_principal_admin:
        raise PermissionDenied("Réservé à l'administrateur principal de l'organisation.")
    if request.method == "POST":
        form = GestionnaireForm(request.POST)
        if form.is_valid():
            try:
                account = create_gestionnaire(
                    request.user,
                    organisation=profile.organisation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    email=form.cleaned_data["email"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                # Rendered, not redirected: the password is never stored to show it later.
                return render(
                    request,
                    "professionnel/gestionnaire_created.html",
                    {"profile": profile, "account": account},
                )
    else:
        form = GestionnaireForm()
    return render(
        request,
        "professionnel/gestionnaires.html",
        {"profile": profile, "form": form, "gestionnaires": _gestionnaires_of(profile)},
    )
