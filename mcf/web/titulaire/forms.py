from types import SimpleNamespace

from django import forms
from dsfr.forms import DsfrBaseForm

from mcf.web.password_forms import PasswordForm


class LoginForm(DsfrBaseForm):
    # Not `required`: an empty field must cost the same password hash as any other failure,
    # so that the answer time tells nothing (AUTH-04). The fields stay marked as mandatory.
    nir = forms.CharField(
        label="Numéro de Sécurité sociale",
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "required": True}
        ),
    )
    password = forms.CharField(
        label="Mot de passe",
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "required": True}),
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
        super().__init__(*args, identity=identity, account=user, **kwargs)


class ChangePasswordForm(NewPasswordForm):
    """AUTH-13: the current password is required to choose a new one."""

    current_password = forms.CharField(
        label="Mot de passe actuel",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password", "password_confirmation"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        self.order_fields(self.field_order)

    def clean_current_password(self):
        current = self.cleaned_data["current_password"]
        if not self.user.check_password(current):
            raise forms.ValidationError("Le mot de passe actuel est incorrect.", code="wrong")
        return current
