"""Back office: the holders' délégations (issue 14), read only, and their revocation on a
holder's written request (permission « Modifier délégation », with a motif, journaled).

The list is found by the holder's NIR (typed in a POST form, never in a URL: the page then
lists that holder's délégations by his public id), or filtered by state and kind, or
searched by a company's SIRET or an invited address. Never the holder's NIR on a page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from mcf.domain.delegations.actions import DelegationError, revoke_by_operator
from mcf.domain.delegations.models import OPEN_STATUSES, Delegation
from mcf.domain.hours.summary import find_counter
from mcf.domain.journal.queries import for_subject
from mcf.web.backoffice.hours_admin import NirSearchForm
from mcf.web.backoffice.permission_first import PermissionFirstHistory

HOLDER_FILTER = "holder__public_id__exact"


class RevokeForm(forms.Form):
    motif = forms.CharField(
        label="Motif (la demande écrite du titulaire)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire. Le titulaire et le délégataire le lisent : ni NIR, ni donnée "
        "d'une autre personne. Exemple : « Courrier du titulaire reçu le 02/12/2026 ».",
    )


@admin.register(Delegation)
class DelegationAdmin(PermissionFirstHistory, admin.ModelAdmin):
    list_display = ("holder_name", "delegate_label", "rights_label", "ends_on", "status")
    list_filter = ("status", "delegate_kind")
    list_select_related = ("holder", "organisation", "delegate")
    search_fields = ("=organisation__siret", "=invited_email")
    search_help_text = "SIRET de l'entreprise (14 chiffres) ou adresse courriel invitée."
    ordering = ("-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == HOLDER_FILTER or super().lookup_allowed(lookup, value, request)

    @admin.display(description="titulaire")
    def holder_name(self, delegation):
        return delegation.holder.display_name

    @admin.display(description="délégataire")
    def delegate_label(self, delegation):
        return delegation.delegate_label

    @admin.display(description="droits")
    def rights_label(self, delegation):
        return delegation.rights_label

    def changelist_view(self, request, extra_context=None):
        """The list, with a search by the holder's NIR above it (POST: the NIR is in no URL)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        form = NirSearchForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            counter = find_counter(form.cleaned_data["nir"])
            if counter is not None and counter.holder_id:
                url = reverse("admin:delegations_delegation_changelist")
                return redirect(f"{url}?{HOLDER_FILTER}={counter.holder.public_id}")
            form.add_error("nir", "Aucun titulaire inscrit avec ce NIR.")
        if request.method == "POST":
            request.method = "GET"  # the list itself, with the form's error
        return super().changelist_view(request, {**(extra_context or {}), "nir_form": form})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """One délégation, read only, with its history and the revocation form."""
        delegation = self.get_object(request, unquote(object_id))
        if delegation is None or not self.has_view_or_change_permission(request, delegation):
            raise Http404("Délégation introuvable.")
        may_revoke = self.has_change_permission(request, delegation) and (
            delegation.effective_status() in OPEN_STATUSES
        )
        form = RevokeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not may_revoke:
                raise PermissionDenied
            if form.is_valid():
                try:
                    revoke_by_operator(
                        delegation.pk, operator=request.user, motif=form.cleaned_data["motif"]
                    )
                except DelegationError as error:
                    form.add_error("motif", error.message)
                else:
                    self.log_change(request, delegation, "Révocation à la demande du titulaire")
                    messages.success(
                        request,
                        "La délégation est révoquée ; les deux parties "
                        "en sont prévenues par courriel.",
                    )
                    return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": str(delegation),
            "subtitle": None,
            "opts": self.opts,
            "delegation": delegation,
            "status": delegation.effective_status(),
            "entries": list(for_subject(delegation)),
            "form": form if may_revoke else None,
        }
        return TemplateResponse(request, "backoffice/delegation.html", context)
