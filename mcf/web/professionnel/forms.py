"""Forms of the Espace professionnel (labels in French, DSFR rendering)."""

from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm

from mcf.domain.accounts.password_rules import SEED_RULE_TEXT
from mcf.domain.organisations.second_factor import CODE_PATTERN, normalise_code
from mcf.web.password_forms import PasswordForm


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


class NewPasswordForm(PasswordForm):
    """Replacing a provisional password: the shared form, with a professional's labels."""

    def __init__(self, *args, user, **kwargs):
        # The account itself is the context of the rules (names, e-mail: AUTH-02).
        super().__init__(*args, identity=user, account=user, **kwargs)
        self.user = user
        self.fields["password"].label = "Nouveau mot de passe"
        self.fields["password"].help_text = SEED_RULE_TEXT
        self.fields["password_confirmation"].label = "Confirmation du nouveau mot de passe"


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
