"""Back office of the compte d'heures: the yearly feed's uploads and CPF corrections.

- « Chargements de déclarations annuelles » (permission ``hours.import_declarations``):
  upload a declarations file (the import runs in the background worker, the same code as
  ``manage.py import_declarations``), follow each run, download its rejection report.
- « Compteurs d'heures » (permission ``hours.correct_counter``): find a counter by NIR
  (typed in a POST form, looked up by its keyed hash; never in a URL: PRIV-02), see its
  balances and movements, add a CORRECTION with a mandatory reason (``ledger.correct_cpf``).

Only operators given these permissions see the pages, even staff and other operators get a
403 (superusers have every permission). Every write is done by a domain action, which
journals it (LOG-01); the admin's own « actions récentes » log is written too.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from mcf.core.logging import security_event
from mcf.domain.hours.feed import HEADER_LINE
from mcf.domain.hours.feed.parsing import FIRST_YEAR, NIR_REASONS
from mcf.domain.hours.feed.uploads import (
    UploadRefused,
    max_upload_bytes,
    read_progress,
    report_path,
    stalled_minutes,
    submit_upload,
)
from mcf.domain.hours.ledger import CORRECTION_REASON_MAX, HoursError, correct_cpf
from mcf.domain.hours.models import CPF_CEILING, Counter, Entry, FeedImport
from mcf.domain.hours.summary import find_counter
from mcf.domain.identity.nir import Nir, NirError

IMPORT_PERMISSION = "hours.import_declarations"
CORRECTION_PERMISSION = "hours.correct_counter"
MOVEMENTS_SHOWN = 50
PHASES = {"lecture": "lecture du fichier", "application": "calcul et écriture des crédits"}


class _PermissionAdmin(admin.ModelAdmin):
    """A read-only model page open to the holders of one dedicated permission only."""

    permission = ""

    def allowed(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(self.permission)

    def has_module_permission(self, request):
        return self.allowed(request)

    def has_view_permission(self, request, obj=None):
        return self.allowed(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def context(self, request, title: str, **values) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            **values,
        }

    def check_allowed(self, request) -> None:
        if not self.allowed(request):
            raise PermissionDenied


# --- The yearly feed ---------------------------------------------------------------------------


class FeedUploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier de déclarations (CSV UTF-8, séparateur point-virgule)",
        error_messages={
            "required": "Choisissez le fichier à charger.",
            "empty": "Le fichier est vide.",
            "invalid": "Aucun fichier n'a été reçu : choisissez-le à nouveau.",
        },
    )


def progress_text(run: FeedImport) -> str:
    """« En cours : lecture du fichier, 45 % » (or the state alone)."""
    progress = read_progress(run)
    if progress is None:
        return run.get_status_display()
    phase = PHASES.get(progress.get("phase"), "chargement")
    percent = progress.get("percent")
    return f"En cours : {phase}" + (f", {percent} %" if percent is not None else "")


@admin.register(FeedImport)
class FeedImportAdmin(_PermissionAdmin):
    permission = IMPORT_PERMISSION
    list_display = (
        "created_at",
        "file_name",
        "uploaded_by",
        "state",
        "lines_read",
        "lines_rejected",
        "persons_credited",
        "hours_credited",
    )
    list_display_links = ("created_at", "file_name")
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    list_per_page = 50
    show_full_result_count = False  # one COUNT(*) instead of two

    @admin.display(description="état")
    def state(self, run: FeedImport) -> str:
        return progress_text(run)

    def has_add_permission(self, request):
        return self.allowed(request)

    def get_urls(self):
        report = path(
            "<path:object_id>/rapport/",
            self.admin_site.admin_view(self.report_view),
            name="hours_feedimport_report",
        )
        return [report, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        """The upload form; a valid file is stored and queued, then its run page shows."""
        self.check_allowed(request)
        posted = request.method == "POST"
        form = FeedUploadForm(request.POST, request.FILES) if posted else FeedUploadForm()
        if posted and form.is_valid():
            try:
                run = submit_upload(form.cleaned_data["file"], request.user)
            except UploadRefused as refusal:
                form.add_error("file", refusal.message)
            else:
                self.log_addition(request, run, [{"added": {}}])
                messages.success(
                    request,
                    f"Le fichier « {run.file_name} » est déposé : son chargement se fait en "
                    "arrière-plan. Cette page montre son avancement.",
                )
                return redirect(reverse("admin:hours_feedimport_change", args=[run.pk]))
        context = self.context(
            request,
            "Charger un fichier de déclarations annuelles",
            form=form,
            header=HEADER_LINE,
            max_megabytes=max_upload_bytes() // (1024 * 1024),
        )
        return TemplateResponse(request, "backoffice/feed_upload.html", context)

    def _run(self, request, object_id) -> FeedImport:
        self.check_allowed(request)
        run = self.get_object(request, unquote(object_id))
        if run is None:
            raise Http404("Chargement introuvable.")
        return run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """One run: state and progress (followed in place by feed_run.js), then the summary."""
        run = self._run(request, object_id)
        context = self.context(
            request,
            f"Chargement du fichier « {run.file_name} »",
            run=run,
            state=progress_text(run),
            summary_lines=run.summary.splitlines(),
            stalled=stalled_minutes(run),
            report_available=run.status == FeedImport.Status.DONE and report_path(run).is_file(),
        )
        return TemplateResponse(request, "backoffice/feed_import.html", context)

    def report_view(self, request, object_id):
        """The rejection report (``ligne;motif``, French reasons; no NIR in it)."""
        run = self._run(request, object_id)
        report = report_path(run)
        if run.status != FeedImport.Status.DONE or not report.is_file():
            raise Http404("Pas de rapport pour ce chargement.")
        security_event(
            "feed.report_download", outcome="success", operator=request.user.public_id, run=run.pk
        )
        return FileResponse(
            report.open("rb"),
            as_attachment=True,
            filename=f"{Path(run.file_name).stem}.rapport.csv",
            content_type="text/csv; charset=utf-8",
        )


# --- Corrections ---------------------------------------------------------------------------


class NirSearchForm(forms.Form):
    nir = forms.CharField(
        label="NIR du titulaire (numéro de Sécurité sociale)",
        max_length=40,
        help_text="15 caractères, espaces acceptés. Il n'est ni conservé ni affiché.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_nir(self) -> Nir:
        try:
            return Nir.parse(self.cleaned_data["nir"])
        except NirError as error:
            # The feed report's wording, for an operator (not « votre numéro »).
            raise forms.ValidationError(NIR_REASONS.get(error.code, "NIR invalide")) from error


class CorrectionForm(forms.Form):
    hours = forms.IntegerField(
        label="Correction (heures)",
        min_value=-CPF_CEILING,
        max_value=CPF_CEILING,
        help_text="Nombre entier : positif pour ajouter des heures, négatif pour en retirer "
        "(exemple : -12).",
    )
    year = forms.IntegerField(
        label="Année d'activité concernée (facultatif)",
        required=False,
        min_value=FIRST_YEAR,
        help_text="Si la correction porte sur l'alimentation d'une année.",
    )
    reason = forms.CharField(
        label="Motif",
        max_length=CORRECTION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire. Le titulaire le lit dans son historique et son compte "
        "d'heures : ni NIR, ni donnée d'une autre personne.",
    )

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and year >= timezone.localdate().year:
            raise forms.ValidationError("Cette année n'est pas encore terminée.")
        return year


@admin.register(Counter)
class CounterAdmin(_PermissionAdmin):
    """No list of counters: the list page is the search by NIR."""

    permission = CORRECTION_PERMISSION

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("holder")

    def changelist_view(self, request, extra_context=None):
        self.check_allowed(request)
        posted = request.method == "POST"
        form = NirSearchForm(request.POST) if posted else NirSearchForm()
        if posted and form.is_valid():
            counter = find_counter(form.cleaned_data["nir"])
            security_event(
                "hours.counter_lookup",
                outcome="found" if counter else "not_found",
                operator=request.user.public_id,
                counter=counter.pk if counter else None,
            )
            if counter is not None:
                return redirect(reverse("admin:hours_counter_change", args=[counter.pk]))
            form.add_error(
                "nir",
                "Aucun compteur d'heures pour ce NIR : ni alimentation reçue, ni inscription.",
            )
        context = self.context(request, "Corriger un compteur d'heures", form=form)
        return TemplateResponse(request, "backoffice/counter_search.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The counter (balances, latest movements) and the correction form."""
        self.check_allowed(request)
        # get_object: an id that is not a number is « introuvable » too, not an error.
        counter = self.get_object(request, unquote(object_id))
        if counter is None:
            raise Http404("Compteur introuvable.")
        posted = request.method == "POST"
        form = CorrectionForm(request.POST) if posted else CorrectionForm()
        if posted and form.is_valid():
            try:
                entry = correct_cpf(
                    counter.pk,
                    hours=form.cleaned_data["hours"],
                    reason=form.cleaned_data["reason"],
                    year=form.cleaned_data["year"],
                    operator=request.user,
                )
            except HoursError as error:
                form.add_error("reason" if error.code == "reason" else "hours", error.message)
            else:
                self.log_change(request, counter, f"Correction de {entry.hours:+d} h")
                messages.success(
                    request,
                    f"Correction de {entry.hours:+d} h enregistrée : elle apparaît dans "
                    "l'historique et le compte d'heures du titulaire.",
                )
                return redirect(request.path)
        movements = list(
            Entry.objects.filter(counter=counter).order_by("-created_at", "-id")[:MOVEMENTS_SHOWN]
        )
        context = self.context(
            request,
            f"Compteur d'heures n° {counter.pk}",
            counter=counter,
            form=form,
            movements=movements,
            movements_shown=MOVEMENTS_SHOWN,
        )
        return TemplateResponse(request, "backoffice/counter_correction.html", context)
