"""« Accès API » of the Espace professionnel: the administrateur principal of a financing
organisation creates and revokes its API clients and its webhook addresses, and reads the
webhooks' delivery log with « Renvoyer » (docs/api.md).

A client's secret and a webhook's secret are shown once, on the page that answers the
creation (rendered, never redirected to: they are kept nowhere in clear).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from dsfr.forms import DsfrBaseForm

from mcf.domain.integrations import webhooks
from mcf.domain.integrations.actions import (
    NAME_MAX,
    IntegrationError,
    create_api_client,
    revoke_api_client,
)
from mcf.domain.integrations.models import SCOPES, WebhookDelivery
from mcf.web.professionnel.decorators import member_required

ADMIN_OF_A_FINANCEUR = (
    "Réservé à l'administrateur principal d'une organisation qui finance des dossiers."
)
LOG_SIZE = 50
BADGES = {"pending": "info", "sent": "success", "dead": "error"}

admin_of_a_financeur_required = member_required(
    lambda organisation: organisation.is_financeur, ADMIN_OF_A_FINANCEUR
)


class ApiClientForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du client",
        max_length=NAME_MAX,
        help_text="Le système qui l'utilise, par exemple « SI gestion des dossiers ».",
        error_messages={"required": "Donnez un nom au client."},
    )
    scopes = forms.MultipleChoiceField(
        label="Portées",
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins une portée."},
    )


class WebhookForm(DsfrBaseForm):
    url = forms.CharField(
        label="Adresse de réception (https)",
        max_length=500,
        help_text="Par exemple : https://si.exemple.fr/mcf/evenements",
        error_messages={"required": "Indiquez l'adresse qui recevra les événements."},
    )


def _admin(request):
    if not request.professional.is_principal_admin:
        raise Http404("Page introuvable.")
    return request.professional


def _page(request, *, client_form=None, webhook_form=None, status=200):
    organisation = request.professional.organisation
    return render(
        request,
        "professionnel/api/access.html",
        {
            "profile": request.professional,
            "clients": list(organisation.api_clients.order_by("-created_at")),
            "endpoints": list(organisation.webhooks.filter(revoked_at=None)),
            "client_form": client_form or ApiClientForm(),
            "webhook_form": webhook_form or WebhookForm(),
        },
        status=status,
    )


@never_cache
@admin_of_a_financeur_required
@require_GET
def api_access(request):
    _admin(request)
    return _page(request)


@never_cache
@admin_of_a_financeur_required
@require_http_methods(["POST"])
def api_client_create(request):
    profile = _admin(request)
    form = ApiClientForm(request.POST)
    if form.is_valid():
        try:
            client, secret = create_api_client(
                profile.organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=request.user,
            )
        except IntegrationError as error:
            form.add_error(error.field or None, error.message)
        else:
            return render(
                request,
                "professionnel/api/client_created.html",
                {"profile": profile, "client": client, "secret": secret},
            )
    return _page(request, client_form=form, status=422)


@never_cache
@admin_of_a_financeur_required(refuse=Http404)
@require_POST
def api_client_revoke(request, public_id):
    profile = _admin(request)
    client = profile.organisation.api_clients.filter(public_id=public_id).first()
    if client is None:
        raise Http404("Client introuvable.")
    revoke_api_client(client, by=request.user)
    return redirect("professionnel:api_access")


@never_cache
@admin_of_a_financeur_required
@require_POST
def webhook_create(request):
    profile = _admin(request)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = webhooks.register_endpoint(
                profile.organisation, form.cleaned_data["url"], by=request.user
            )
        except IntegrationError as error:
            form.add_error("url", error.message)
        else:
            return render(
                request,
                "professionnel/api/webhook_created.html",
                {"profile": profile, "endpoint": endpoint, "secret": secret},
            )
    return _page(request, webhook_form=form, status=422)


@never_cache
@admin_of_a_financeur_required(refuse=Http404)
@require_POST
def webhook_remove(request, public_id):
    profile = _admin(request)
    endpoint = profile.organisation.webhooks.filter(public_id=public_id).first()
    if endpoint is None:
        raise Http404("Adresse introuvable.")
    webhooks.remove_endpoint(endpoint)
    return redirect("professionnel:api_access")


@never_cache
@admin_of_a_financeur_required
@require_GET
def webhook_log(request):
    profile = _admin(request)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__organisation=profile.organisation)
        .select_related("endpoint", "dossier")
        .order_by("-created_at")[:LOG_SIZE]
    )
    return render(
        request,
        "professionnel/api/webhook_log.html",
        {
            "profile": profile,
            "rows": [(d, BADGES[d.status]) for d in deliveries],
            "log_size": LOG_SIZE,
            "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
        },
    )


@never_cache
@admin_of_a_financeur_required(refuse=Http404)
@require_POST
def webhook_redeliver(request, delivery_id):
    profile = _admin(request)
    delivery = WebhookDelivery.objects.filter(
        pk=delivery_id, endpoint__organisation=profile.organisation, endpoint__revoked_at=None
    ).first()
    if delivery is None:
        raise Http404("Envoi introuvable.")
    webhooks.redeliver(delivery)
    return redirect("professionnel:webhook_log")
