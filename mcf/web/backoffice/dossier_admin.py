"""Back office: the dossiers de formation, read only, for the operators who help holders and
financeurs (permission « Voir dossier de formation », ``dossiers.view_dossier``).

A list (state, financeur, dates), a search by dossier number (typed with or without its
spaces: « 4821 0937 1150 »), a filter by state, and each dossier's page with its fields,
abondements and transitions. Never the holder's NIR (PRIV-02): the holder is shown by name.
Nothing can be added, changed or deleted here: a dossier changes only through its workflow
(mcf.domain.dossiers.workflow), by its holder or its financeur.
"""

from __future__ import annotations

from django.contrib import admin

from mcf.domain.dossiers.actions import ORGANISME_FIELDS
from mcf.domain.dossiers.models import Abondement, Dossier, DossierTransition
from mcf.web.backoffice.permission_first import PermissionFirstHistory


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AbondementInline(_ReadOnlyInline):
    model = Abondement
    fields = ("payer", "hours", "amount")
    readonly_fields = fields


class TransitionInline(_ReadOnlyInline):
    model = DossierTransition
    fields = ("occurred_at", "name", "source", "target", "organisation", "motif")
    readonly_fields = fields
    ordering = ("occurred_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(Dossier)
class DossierAdmin(PermissionFirstHistory, admin.ModelAdmin):
    list_display = (
        "number_shown",
        "state",
        "training_title",
        "financeur",
        "start_date",
        "sent_at",
        "created_at",
    )
    list_filter = ("state",)
    list_select_related = ("financeur",)
    search_fields = ("=number",)
    search_help_text = "Numéro du dossier (12 chiffres, avec ou sans espaces)."
    ordering = ("-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) of every dossier on each page
    inlines = (AbondementInline, TransitionInline)
    fieldsets = (
        (None, {"fields": ("number_shown", "state", "holder_name", "version")}),
        (
            "Formation",
            {"fields": ("code_cpf", "training_title", "certification_title", "list_label")},
        ),
        ("Organisme de formation", {"fields": ORGANISME_FIELDS}),
        (
            "Dates, durée, coût",
            {"fields": ("start_date", "end_date", "duration_hours", "cost", "working_time")},
        ),
        (
            "Financement",
            {
                "fields": (
                    "employment_status",
                    "employer_siret",
                    "financeur",
                    "confidential",
                    "comments",
                    "consent_at",
                    "plan_dif",
                    "plan_cpf",
                    "dif_attestation_checked",
                    "hours_done",
                    "used_dif",
                    "used_cpf",
                )
            },
        ),
        (
            "Accord de l'employeur",
            {"fields": ("employer_requested_on", "employer_answer", "employer_answered_on")},
        ),
        ("Motifs", {"fields": ("complement_message", "cancel_reason")}),
        (
            "Dates",
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "sent_at",
                    "validated_at",
                    "closed_at",
                    "cancelled_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return [field for _, options in self.fieldsets for field in options["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("financeur", "holder")

    @admin.display(description="numéro", ordering="number")
    def number_shown(self, dossier):
        # Never cut across lines in the narrow column: the groups are joined by no-break spaces.
        return dossier.number_display.replace(" ", "\u00a0")

    @admin.display(description="titulaire")
    def holder_name(self, dossier):
        # By name only: never the NIR (PRIV-02), nor the account's identifier.
        return dossier.holder.display_name

    def get_search_results(self, request, queryset, search_term):
        # « 4821 0937 1150 » as the pages show it: the spaces are not part of the number.
        return super().get_search_results(request, queryset, "".join(search_term.split()))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
