"""The new-password form shared by every space (registration step 3, reset, change,
a professional's provisional password): the same fields and the same rules.

For an existing account (``account``), the new password must differ from the current one
(``refuse_unchanged_password``).
"""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib.auth.password_validation import validate_password
from dsfr.forms import DsfrBaseForm

from mcf.domain.accounts.password_rules import refuse_unchanged_password


class PasswordForm(DsfrBaseForm):
    password = forms.CharField(
        label="Mot de passe",
        max_length=200,  # longer than the 128 allowed, so the rule gives the message
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Confirmation Mot de passe",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, identity: SimpleNamespace | object, account: object = None, **kwargs):
        super().__init__(*args, **kwargs)
        # What the context rule compares the password with (AUTH-02).
        self.identity = identity
        # The account whose password is replaced (None at registration).
        self.account = account

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password:
            try:
                validate_password(password, user=self.identity)
                if self.account is not None:
                    refuse_unchanged_password(self.account, password)
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
