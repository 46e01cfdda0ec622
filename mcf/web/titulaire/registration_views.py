"""The four registration steps and the confirmation link (the seed's tutorial).

The wizard's state lives in the server-side session (never in hidden fields): step 1 writes
the accepted CGU version, step 2 the identity (the NIR encrypted, PRIV-01), step 3 hashes the
password and hands everything to ``register_holder``. Going back shows what was typed, never
the password.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from mcf.domain.accounts.password_rules import evaluate
from mcf.domain.accounts.registration import (
    RegistrationData,
    RegistrationLinkError,
    confirm_registration,
    find_usable_registration,
    register_holder,
)
from mcf.domain.antibot.challenges import new_challenge
from mcf.domain.idempotency.actions import Result
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import decrypt, encrypt
from mcf.domain.legal import cgu
from mcf.web.idempotency import Once
from mcf.web.password_forms import PasswordForm
from mcf.web.titulaire.registration_forms import CguForm, IdentityForm

SESSION_KEY = "registration"
DONE_KEY = "registration_done"
CAPTCHA_KEY = "registration_captcha"

STEPS = ("Valider les CGU", "S'inscrire", "Saisir son mot de passe", "Valider son inscription")


def _state(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save_state(request, **changes) -> None:
    request.session[SESSION_KEY] = {**_state(request), **changes}


def _render_step(request, number: int, template: str, context: dict):
    return render(
        request,
        template,
        {
            "steps": STEPS,
            "current_step": number,
            "next_step": STEPS[number] if number < len(STEPS) else "",
            **context,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def step_cgu(request):
    if request.method == "POST":
        form = CguForm(request.POST)
        if form.is_valid():
            _save_state(
                request,
                cgu_version=cgu.CURRENT.version,
                cgu_accepted_at=timezone.now().isoformat(),
            )
            return redirect("titulaire:registration_identity")
    else:
        form = CguForm(initial={"accept": bool(_state(request).get("cgu_version"))})
    return _render_step(
        request, 1, "titulaire/registration/step_cgu.html", {"form": form, "cgu": cgu.CURRENT}
    )


def _identity_initial(state: dict) -> dict:
    identity = state.get("identity")
    if not identity:
        return {}
    return {
        **{k: v for k, v in identity.items() if k != "nir"},
        "nir": Nir.parse(decrypt(identity["nir"])).formatted,
        "email_confirmation": identity["email"],
    }


def _with_new_captcha(request) -> str:
    challenge = new_challenge()
    request.session[CAPTCHA_KEY] = str(challenge.id)
    return str(challenge.id)


@never_cache
@ratelimit(key="ip", rate="30/10m", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def step_identity(request):
    state = _state(request)
    if not state.get("cgu_version"):
        return redirect("titulaire:registration_cgu")
    if request.method == "POST" and "renouveler" not in request.POST:
        form = IdentityForm(request.POST, captcha_challenge_id=request.session.get(CAPTCHA_KEY))
        if form.is_valid():
            data = form.cleaned_data
            _save_state(
                request,
                identity={
                    "nir": encrypt(data["nir"].value),
                    "apprenticeship": data["apprenticeship"],
                    "civility": data["civility"],
                    "first_name": data["first_name"],
                    "birth_name": data["birth_name"],
                    "landline": data["landline"],
                    "mobile": data["mobile"],
                    "email": data["email"],
                },
            )
            request.session.pop(CAPTCHA_KEY, None)
            return redirect("titulaire:registration_password")
    elif request.method == "POST":
        # « cliquez ici pour renouveler les caractères »: a new challenge, what was typed
        # stays (re-displayed unvalidated, the old captcha answer dropped).
        data = request.POST.copy()
        data["captcha"] = ""
        form = IdentityForm(initial={k: data.get(k) for k in IdentityForm.base_fields})
        form.initial["apprenticeship"] = bool(data.get("apprenticeship"))
    else:
        form = IdentityForm(initial=_identity_initial(state))
    challenge_id = _with_new_captcha(request)
    return _render_step(
        request,
        2,
        "titulaire/registration/step_identity.html",
        {"form": form, "captcha_id": challenge_id},
    )


def _identity_for_password_rules(identity: dict) -> SimpleNamespace:
    return SimpleNamespace(
        nir=Nir.parse(decrypt(identity["nir"])),
        first_name=identity["first_name"],
        birth_name=identity["birth_name"],
        last_name="",
        username="",
        email=identity["email"],
    )


@never_cache
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def step_password(request):
    once = Once(request) if request.method == "POST" else None
    # Before the state's checks: a copy of a submission that went through finds the
    # wizard's state gone, and gets the first answer, not the first step (REL-04).
    if once is not None and (first := once.replay()) is not None:
        return first
    state = _state(request)
    identity = state.get("identity")
    if not state.get("cgu_version"):
        return redirect("titulaire:registration_cgu")
    if not identity:
        return redirect("titulaire:registration_identity")
    person = _identity_for_password_rules(identity)
    if request.method == "POST":
        form = PasswordForm(request.POST, identity=person)
        if form.is_valid() and once.check(form, "password"):
            data = RegistrationData(
                nir=person.nir,
                civility=identity["civility"],
                first_name=identity["first_name"],
                birth_name=identity["birth_name"],
                landline=identity["landline"],
                mobile=identity["mobile"],
                email=identity["email"],
                apprenticeship_declared=identity["apprenticeship"],
                password_hash=make_password(form.cleaned_data["password"]),
                cgu_version=state["cgu_version"],
                cgu_accepted_at=parse_datetime(state["cgu_accepted_at"]),
            )
            return once.run(lambda: _register(request, data))
    else:
        form = PasswordForm(identity=person)
    typed = request.POST.get("password", "") if request.method == "POST" else ""
    # Each rule with its state for what was typed (None before any typing): the checklist
    # works without JavaScript too.
    rules = [(rule, ok if typed else None) for rule, ok in evaluate(typed)]
    return _render_step(
        request,
        3,
        "titulaire/registration/step_password.html",
        {"form": form, "password_rules": rules},
    )


def _register(request, data: RegistrationData) -> Result:
    register_holder(data)
    request.session.pop(SESSION_KEY, None)
    request.session[DONE_KEY] = True
    return Result(reverse("titulaire:registration_done"))


@never_cache
@require_http_methods(["GET"])
def step_done(request):
    if not request.session.get(DONE_KEY):
        return redirect("titulaire:registration_cgu")
    return _render_step(request, 4, "titulaire/registration/step_done.html", {})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button and activates nothing (a mail scanner's prefetch is harmless);
    the POST of that button activates the account (AUTH-11)."""
    try:
        if request.method == "POST":
            confirm_registration(token)
            messages.success(
                request,
                "Votre compte a bien été activé, vous pouvez vous connecter avec votre numéro "
                "de Sécurité sociale et le mot de passe que vous avez choisi lors de votre "
                "inscription.",
            )
            return redirect("titulaire:login")
        find_usable_registration(token)
    except RegistrationLinkError as error:
        response = render(
            request,
            "titulaire/registration/link_invalid.html",
            {"reason": error.code},
            status=410 if error.code in {"used", "expired"} else 404,
        )
    else:
        response = render(request, "titulaire/registration/confirm.html", {"token": token})
    # The token is in the URL: no Referer may carry it, to another site or to ours (HDR-01).
    # "strict-origin", not "no-referrer": under "no-referrer" browsers send « Origin: null »
    # with the form's POST, which Django's CSRF check refuses (403).
    response["Referrer-Policy"] = "strict-origin"
    return response
