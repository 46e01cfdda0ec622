"""Forms of the four registration steps, with the seed's labels."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from mcf.domain.accounts.models import Civility
from mcf.domain.antibot.challenges import verify_and_consume
from mcf.domain.identity.nir import Nir, NirError, check_registration_eligibility
from mcf.web.titulaire.personal_forms import PhonesForm


class CguForm(DsfrBaseForm):
    accept = forms.BooleanField(
        label="Je déclare avoir lu, compris et accepté les Conditions Générales d'Utilisation",
        error_messages={
            "required": "Merci de valider les Conditions Générales d'Utilisation afin de "
            "pouvoir poursuivre votre inscription."
        },
    )


class IdentityForm(PhonesForm):
    """Step 2. The phone fields (and their normalisation) are those of « Mes informations
    personnelles »."""

    field_order = [
        "nir",
        "apprenticeship",
        "civility",
        "first_name",
        "birth_name",
        "landline",
        "mobile",
        "email",
        "email_confirmation",
        "captcha",
    ]

    nir = forms.CharField(
        label="N° de sécurité sociale",
        max_length=30,
        help_text="15 caractères, par exemple : 1 85 05 78 006 084 91",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    apprenticeship = forms.BooleanField(
        label="J'ai signé un contrat d'apprentissage",
        required=False,
        help_text="À cocher seulement si vous avez 15 ans : l'inscription est alors possible.",
    )
    civility = forms.ChoiceField(
        label="Civilité", choices=Civility.choices, widget=forms.RadioSelect
    )
    first_name = forms.CharField(
        label="Prénom",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    birth_name = forms.CharField(
        label="Nom de naissance",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Courriel",
        max_length=254,
        help_text="Format attendu : nom@domaine.fr. Le lien de confirmation y sera envoyé.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirmation = forms.EmailField(
        label="Confirmation courriel",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    captcha = forms.CharField(
        label="Caractères affichés dans l'image",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def __init__(self, *args, captcha_challenge_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.captcha_challenge_id = captcha_challenge_id

    def clean_nir(self):
        try:
            return Nir.parse(self.cleaned_data["nir"])
        except NirError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_birth_name(self):
        return " ".join(self.cleaned_data["birth_name"].split())

    def clean_captcha(self):
        # Single use: checked once per submission, right or wrong (AUTH-08).
        if not verify_and_consume(self.captcha_challenge_id, self.cleaned_data["captcha"]):
            raise forms.ValidationError(
                "Les caractères saisis ne correspondent pas à l'image. Un nouveau contrôle "
                "vous est proposé : saisissez les caractères affichés.",
                code="captcha",
            )
        return ""

    def clean(self):
        cleaned = super().clean()
        nir = cleaned.get("nir")
        if isinstance(nir, Nir):
            try:
                check_registration_eligibility(
                    nir, today=timezone.localdate(), apprenticeship=cleaned.get("apprenticeship")
                )
            except NirError as error:
                self.add_error("nir", forms.ValidationError(error.message, code=error.code))
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and email.casefold() != confirmation.casefold():
            self.add_error(
                "email_confirmation",
                forms.ValidationError(
                    "La confirmation ne correspond pas au courriel saisi.", code="mismatch"
                ),
            )
        return cleaned
