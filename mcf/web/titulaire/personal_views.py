"""« Mes informations personnelles » (domain.md §8) and the password confirmation that
guards its sensitive actions (SESS-05): e-mail change, data export, closing the space."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout as end_session
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from mcf.core.client_ip import client_ip
from mcf.domain.accounts.closing import close_account
from mcf.domain.accounts.email_change import (
    EmailChangeError,
    confirm_email_change,
    find_usable_email_change,
    pending_email_change,
    request_email_change,
)
from mcf.domain.accounts.export import export_personal_data
from mcf.domain.accounts.personal_information import update_phones, update_situation
from mcf.domain.accounts.phones import format_national
from mcf.domain.accounts.reauthentication import REAUTHENTICATION_VALIDITY, confirm_password
from mcf.domain.idempotency.actions import Result
from mcf.domain.identity.nir import Nir
from mcf.web.idempotency import Once
from mcf.web.titulaire.decorators import (
    PASSWORD_CONFIRMED_AT,
    holder_required,
    recent_password_required,
)
from mcf.web.titulaire.personal_forms import (
    CloseAccountForm,
    ConfirmPasswordForm,
    DataExportForm,
    EmailChangeForm,
    PhonesForm,
    SituationForm,
)

PASSWORD_REFUSED = (
    "Mot de passe incorrect. Après 5 essais infructueux, la vérification est suspendue "  # noqa: S105 - a message  # nosec B105
    "quelques minutes, même avec le bon mot de passe."
)
EXPORT_FILENAME = "mes-donnees-mon-compte-formation.json"


def _page(request, *, phones=None, situation=None, status=200):
    user = request.user
    context = {
        "nir_masked": Nir.parse(user.nir).masked if user.nir else "",
        "landline": format_national(user.landline) if user.landline else "",
        "mobile": format_national(user.mobile) if user.mobile else "",
        "pending_change": pending_email_change(user),
        "phones_form": phones or PhonesForm.for_user(user),
        "situation_form": situation or SituationForm.for_user(user),
    }
    return render(request, "titulaire/personal/information.html", context, status=status)


@never_cache
@holder_required
def personal_information(request):
    """Identity (read only), contact details, situation; links to the sensitive actions."""
    return _page(request)


def _save_section(request, form_class, action, *, success: str, context_name: str):
    """POST of one section of the page: saved and back to the page, or the page again
    with the section's errors and what was typed (the other section untouched)."""
    once = Once(request)
    if (first := once.replay()) is not None:
        return first
    form = form_class.for_user(request.user, request.POST)
    if not form.is_valid() or not once.check(form, next(iter(form.fields))):
        return _page(request, **{context_name: form})
    return once.run(
        lambda: Result(
            reverse("titulaire:personal_information"),
            success if action(request.user, **form.cleaned_data) else "",
        )
    )


@never_cache
@holder_required
@require_POST
def phones(request):
    return _save_section(
        request,
        PhonesForm,
        update_phones,
        success="Vos numéros de téléphone ont été enregistrés.",
        context_name="phones",
    )


@never_cache
@holder_required
@require_POST
def situation(request):
    return _save_section(
        request,
        SituationForm,
        update_situation,
        success="Votre situation a été enregistrée.",
        context_name="situation",
    )


@never_cache
@recent_password_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    once = Once(request) if request.method == "POST" else None
    if once is not None and (first := once.replay()) is not None:
        return first
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and once.check(form):
        try:
            return once.run(lambda: _request_email_change(request, form.cleaned_data["email"]))
        except EmailChangeError:
            form.add_error("email", "C'est déjà l'adresse de votre espace.")
    return render(request, "titulaire/personal/email_change.html", {"form": form})


def _request_email_change(request, new_email: str) -> Result:
    request_email_change(request.user, new_email)
    return Result(
        reverse("titulaire:personal_information"),
        f"Un courriel contenant un lien de confirmation vient d'être envoyé à "
        f"{new_email}. Votre adresse ne changera qu'après un clic sur ce lien.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token: str):
    """The link of the mail: GET shows a button and changes nothing (mail scanners), the
    POST of the button changes the address. No login needed: the link proves the mailbox."""
    try:
        if request.method == "POST":
            confirm_email_change(token)
            messages.success(request, "Votre nouvelle adresse courriel est enregistrée.")
            target = "titulaire:personal_information"
            if not request.user.is_authenticated:
                target = "titulaire:login"
            return redirect(target)
        change = find_usable_email_change(token)
    except EmailChangeError as error:
        response = render(
            request,
            "titulaire/personal/email_change_invalid.html",
            {"reason": error.code},
            status=410 if error.code in {"used", "expired"} else 404,
        )
    else:
        response = render(
            request, "titulaire/personal/email_change_confirm.html", {"change": change}
        )
    # The token is in the URL (see registration_views.confirm for "strict-origin").
    response["Referrer-Policy"] = "strict-origin"
    return response


@never_cache
@recent_password_required
@require_http_methods(["GET", "POST"])
def data_export(request):
    """« Télécharger mes données »: a JSON file of everything we hold (PRIV-03)."""
    form = DataExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = export_personal_data(request.user, full_nir=form.cleaned_data["full_nir"])
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
        return response
    return render(request, "titulaire/personal/data_export.html", {"form": form})


@never_cache
@recent_password_required
@require_http_methods(["GET", "POST"])
def close(request):
    """« Fermer mon espace personnel »: explicit confirmation, then the space is closed,
    every session ends (this one too) and the holder lands on the login page."""
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        if form.is_valid() and once.check(form):
            return once.run(lambda: _close(request))
    return render(request, "titulaire/personal/close.html", {"form": form})


def _close(request) -> Result:
    close_account(request.user)
    end_session(request)
    return Result(
        reverse("titulaire:login"),
        "Votre espace personnel est fermé. Vos droits à la formation sont conservés ; "
        "pour rouvrir votre espace, inscrivez-vous de nouveau.",
    )


def _safe_next(request) -> str:
    target = request.GET.get("suivant", "")
    if target.startswith("/titulaire/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts=None
    ):
        return target
    return "/titulaire/informations-personnelles/"


@never_cache
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
@holder_required
@require_http_methods(["GET", "POST"])
def confirm_password_view(request):
    """« Confirmez votre mot de passe » (SESS-05), under the login throttle of the NIR."""
    form = ConfirmPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = confirm_password(
            request.user, form.cleaned_data["password"], ip=client_ip(request)
        )
        if outcome.user is not None:
            request.session[PASSWORD_CONFIRMED_AT] = timezone.now().isoformat()
            return redirect(_safe_next(request))
        form.add_error("password", PASSWORD_REFUSED)
    minutes = int(REAUTHENTICATION_VALIDITY.total_seconds() // 60)
    return render(
        request, "titulaire/personal/confirm_password.html", {"form": form, "minutes": minutes}
    )
