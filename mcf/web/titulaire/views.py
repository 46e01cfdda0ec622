"""Espace Titulaire: login, logout, the holder's home, « Mot de passe oublié »."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as start_session
from django.contrib.auth import logout as end_session
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from mcf.core.client_ip import client_ip
from mcf.core.overload import ServiceBusy, password_hashing_slot
from mcf.domain.accounts.authentication import authenticate_holder
from mcf.domain.accounts.password_reset import (
    find_user_for_reset,
    request_password_reset,
    reset_password,
)
from mcf.domain.identity.protection import nir_throttle_key
from mcf.domain.journal import actions as journal
from mcf.domain.journal.models import Action
from mcf.web.titulaire.decorators import holder_required
from mcf.web.titulaire.forms import LoginForm, NewPasswordForm, PasswordResetRequestForm

# One message for every failure (AUTH-04): unknown NIR, wrong password, throttled…
LOGIN_FAILED = "Numéro de Sécurité sociale ou mot de passe incorrect"
LOGIN_BUSY = (
    "Le service est très sollicité : votre connexion n'a pas pu être vérifiée. Réessayez dans "
    "quelques secondes, votre numéro est conservé ci-dessous."
)
LOGIN_HINT = (
    "Après 5 essais infructueux, la connexion à ce compte est suspendue quelques minutes, "
    "même avec le bon mot de passe. En cas d'oubli, utilisez « Mot de passe oublié »."
)


def _nir_key(group, request):
    """The « Mot de passe oublié » limit per NIR counts on the login throttle's key: every
    spelling of one NIR (and of one malformed string) shares it (AUTH-05, AUTH-12)."""
    return nir_throttle_key(request.POST.get("nir", ""))


# Where a login may lead back to: an invitation to a délégation (its link asks to log in
# first). Any other « suivant » is ignored (no open redirect).
RETURN_AFTER_LOGIN = "/titulaire/delegations/invitation/reprendre/"


def _return_after_login(request) -> str:
    target = request.GET.get("suivant", "")
    if target == RETURN_AFTER_LOGIN and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return ""


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def login(request):
    """« Espace Titulaire »: identification by NIR and password."""
    busy = False
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():  # only lengths are checked; empty values go on (AUTH-04)
            try:
                with password_hashing_slot():
                    outcome = authenticate_holder(
                        form.cleaned_data["nir"],
                        form.cleaned_data["password"],
                        ip=client_ip(request),
                    )
            except ServiceBusy:  # nothing was checked: no failure counted, nothing journaled
                outcome, busy = None, True
            if outcome is not None and outcome.user is not None:
                # Django's login() gives a new session key (SESS-01).
                start_session(
                    request, outcome.user, backend="django.contrib.auth.backends.ModelBackend"
                )
                return redirect(_return_after_login(request) or "titulaire:home")
        # The same page for every failure, the NIR kept, never the password.
        form = LoginForm(initial={"nir": request.POST.get("nir", "")[:30]})
        form.failed = not busy
    else:
        form = LoginForm()
    response = render(
        request,
        "titulaire/login.html",
        {
            "form": form,
            "login_failed": LOGIN_FAILED if getattr(form, "failed", False) else "",
            "login_busy": LOGIN_BUSY if busy else "",
            "login_hint": LOGIN_HINT,
            "return_query": urlencode({"suivant": back})
            if (back := _return_after_login(request))
            else "",
        },
        status=503 if busy else 200,
    )
    if busy:
        response["Retry-After"] = str(settings.BUSY_RETRY_AFTER_SECONDS)
    return response


@require_POST
def logout(request):
    """« Se déconnecter »: POST only; the server-side session is destroyed."""
    if request.user.is_authenticated:
        journal.record(request.user, Action.LOGOUT)
    end_session(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect("titulaire:login")


@never_cache
@holder_required
def coming_soon(request, title: str):
    """A menu entry whose feature is not open yet: says so plainly."""
    return render(request, "titulaire/coming_soon.html", {"title": title})


RESET_REQUESTED = (
    "Si ce numéro correspond à un compte activé, un courriel contenant un lien pour choisir "
    "un nouveau mot de passe vient d'être envoyé à l'adresse enregistrée. Le lien reste actif "
    "1 heure."
)


@never_cache
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@ratelimit(key=_nir_key, rate="3/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    """« Mot de passe oublié »: the same answer whether the account exists or not."""
    if request.method == "POST":
        form = PasswordResetRequestForm(request.POST)
        if form.is_valid():
            request_password_reset(form.cleaned_data["nir"])
            messages.success(request, RESET_REQUESTED)
            return redirect("titulaire:password_reset")
    else:
        form = PasswordResetRequestForm()
    return render(request, "titulaire/password_reset_request.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, public_id, token: str):
    user = find_user_for_reset(public_id, token)
    if user is None:
        response = render(request, "titulaire/password_reset_invalid.html", status=410)
    elif request.method == "POST":
        form = NewPasswordForm(request.POST, user=user)
        if form.is_valid():
            reset_password(user, form.cleaned_data["password"])
            messages.success(
                request,
                "Votre mot de passe a été modifié. Vous pouvez vous connecter avec votre "
                "numéro de Sécurité sociale et votre nouveau mot de passe.",
            )
            return redirect("titulaire:login")
        response = render(request, "titulaire/password_reset_confirm.html", {"form": form})
    else:
        response = render(
            request, "titulaire/password_reset_confirm.html", {"form": NewPasswordForm(user=user)}
        )
    # The token is in the URL: no Referer may carry it. Not "no-referrer": browsers would
    # then send « Origin: null » with the POST, refused by Django's CSRF check (403).
    response["Referrer-Policy"] = "strict-origin"
    return response
