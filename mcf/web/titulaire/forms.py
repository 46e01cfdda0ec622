from types import SimpleNamespace

from django import forms
from dsfr.forms import DsfrBaseForm

from mcf.web.titulaire.registration_forms import PasswordForm


class LoginForm(DsfrBaseForm):
    nir = forms.CharField(
        label="Numéro de Sécurité sociale",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(DsfrBaseForm):
    nir = forms.CharField(
        label="Numéro de Sécurité sociale",
        max_length=30,
        help_text="15 caractères, par exemple : 1 85 05 78 006 084 91",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )


class NewPasswordForm(PasswordForm):
    """Same fields and rules as registration step 3, for a known account."""

    def __init__(self, *args, user, **kwargs):
        from mcf.domain.identity.nir import Nir

        identity = SimpleNamespace(
            nir=Nir.parse(user.nir) if user.nir else None,
            first_name=user.first_name,
            birth_name=user.birth_name,
            last_name=user.last_name,
            username="",
            email=user.email,
        )
        super().__init__(*args, identity=identity, **kwargs)
