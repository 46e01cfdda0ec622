"""Forms of « Mes informations personnelles » and of the password confirmation (SESS-05)."""

from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm

from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.accounts.personal_information import situation_errors
from mcf.domain.accounts.phones import format_national, normalise_landline, normalise_mobile
from mcf.domain.catalogue.models import Branch, Region


class PhonesForm(DsfrBaseForm):
    landline = forms.CharField(
        label="Téléphone fixe",
        max_length=25,
        required=False,
        help_text="Facultatif. Exemple : 01 23 45 67 89",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    mobile = forms.CharField(
        label="Téléphone portable",
        max_length=25,
        required=False,
        help_text="Facultatif. Exemple : 06 12 34 56 78",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    @classmethod
    def for_user(cls, user, data=None):
        initial = {
            "landline": format_national(user.landline),
            "mobile": format_national(user.mobile),
        }
        return cls(data, initial=initial, prefix="tel")

    def clean_landline(self):
        raw = self.cleaned_data["landline"].strip()
        return normalise_landline(raw) if raw else ""

    def clean_mobile(self):
        raw = self.cleaned_data["mobile"].strip()
        return normalise_mobile(raw) if raw else ""


class SituationForm(DsfrBaseForm):
    """The situation used by the training search. Every field is shown (no script needed);
    the server checks that the chosen situation has what it needs and empties the rest."""

    employment_status = forms.ChoiceField(
        label="Votre situation",
        choices=EmploymentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez votre situation : salarié(e) ou demandeur(se) d'emploi."
        },
    )
    branch = forms.ModelChoiceField(
        label="Branche professionnelle de votre employeur",
        queryset=Branch.objects.order_by("name"),
        required=False,
        empty_label="Choisissez une branche",
        help_text="Si vous êtes salarié(e). Elle figure sur votre bulletin de paie "
        "(convention collective).",
    )
    work_region = forms.ModelChoiceField(
        label="Région de votre lieu de travail",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="Choisissez une région",
        help_text="Si vous êtes salarié(e).",
    )
    home_region = forms.ModelChoiceField(
        label="Région de votre domicile",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="Choisissez une région",
        help_text="Si vous êtes demandeur(se) d'emploi.",
    )

    @classmethod
    def for_user(cls, user, data=None):
        initial = {
            "employment_status": user.employment_status,
            "branch": user.branch_id,
            "work_region": user.work_region_id,
            "home_region": user.home_region_id,
        }
        return cls(data, initial=initial, prefix="situation")

    def clean(self):
        cleaned = super().clean()
        if "employment_status" in cleaned:
            for field, message in situation_errors(cleaned).items():
                if field not in self.errors:
                    self.add_error(field, forms.ValidationError(message, code="required"))
        return cleaned


class EmailChangeForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Nouvelle adresse courriel",
        max_length=254,
        help_text="Format attendu : nom@domaine.fr. Un lien de confirmation y sera envoyé.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirmation = forms.EmailField(
        label="Confirmation de la nouvelle adresse",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and email.casefold() != confirmation.casefold():
            self.add_error(
                "email_confirmation",
                forms.ValidationError(
                    "La confirmation ne correspond pas à la nouvelle adresse.", code="mismatch"
                ),
            )
        return cleaned


class DataExportForm(DsfrBaseForm):
    full_nir = forms.BooleanField(
        label="Inclure mon numéro de Sécurité sociale en entier",
        required=False,
        help_text="Sans cette case, le numéro figure masqué (seuls le sexe, l'année de "
        "naissance et la clé restent lisibles).",
    )


class CloseAccountForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label="Je comprends que mon espace personnel sera fermé et que je ne pourrai plus "
        "m'y connecter sans m'inscrire de nouveau",
        error_messages={
            "required": "Cochez la case pour confirmer la fermeture de votre espace personnel."
        },
    )


class ConfirmPasswordForm(DsfrBaseForm):
    password = forms.CharField(
        label="Mot de passe",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe."},
    )
