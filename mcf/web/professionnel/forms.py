"""Forms of the Espace professionnel (labels in French, DSFR rendering)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from dsfr.forms import DsfrBaseForm

from mcf.domain.accounts.password_rules import SEED_RULE_TEXT
from mcf.domain.organisations.second_factor import CODE_PATTERN, normalise_code


class LoginForm(DsfrBaseForm):
    username = forms.CharField(
        label="Identifiant",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label="Mot de passe",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(DsfrBaseForm):
    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        help_text="Les 6 chiffres affichés par votre application d'authentification.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                "Le code de vérification comporte 6 chiffres.", code="format"
            )
        return code


class NewPasswordForm(DsfrBaseForm):
    password = forms.CharField(
        label="Nouveau mot de passe",
        max_length=200,  # longer than the 128 allowed, so the rule gives the message
        strip=False,
        help_text=SEED_RULE_TEXT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Confirmation du nouveau mot de passe",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # the context of the password rules (names, e-mail: AUTH-02)

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password:
            try:
                validate_password(password, user=self.user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        if password and confirmation is not None and password != confirmation:
            self.add_error(
                "password_confirmation",
                forms.ValidationError(
                    "La confirmation ne correspond pas au mot de passe saisi.", code="mismatch"
                ),
            )
        return cleaned


class GestionnaireForm(DsfrBaseForm):
    first_name = forms.CharField(
        label="Prénom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Courriel professionnel",
        max_length=254,
        help_text="Format attendu : nom@domaine.fr. L'identifiant y sera envoyé, "
        "jamais le mot de passe.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
