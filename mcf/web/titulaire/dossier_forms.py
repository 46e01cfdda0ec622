"""The holder's dossier forms (« Mes dossiers de formation »): the code CPF, the three steps
of the dossier, the employer's agreement and the consent before sending.

The forms only turn what was typed into Python values (ASCII digits only, as
mcf/core/digits.py says) and show the domain's rules next to the fields:
``actions.field_errors()`` is the rule, the forms call it and never spell it again. Every
form of a dossier carries the dossier's ``version`` (hidden): a form built on an older
version is refused by the action (stale form), which changes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import RadioSelect
from dsfr.forms import DsfrBaseForm

from mcf.core.digits import ascii_int, is_ascii_digits
from mcf.domain.accounts.models import EmploymentStatus
from mcf.domain.accounts.phones import normalise_landline, normalise_mobile
from mcf.domain.dossiers.actions import CONSENT_MISSING, HOLDER_FIELDS, field_errors
from mcf.domain.dossiers.financeurs import financeurs_for
from mcf.domain.dossiers.models import Dossier, EmployerAnswer, WorkingTime
from mcf.web.catalogue.forms import EXAMPLE_CODE_CPF, TextField
from mcf.web.catalogue.templatetags.catalogue import euros

CONSENT_LABEL = "J'accepte que mes heures soient mobilisées pour cette formation"
# Every space a keyboard or a copy-paste may give (« 1 500 », « 732 829 320 00074 »).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u200b]+")
_AMOUNT = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,2})?")
NOT_A_CODE = f"Le code CPF est un nombre de 1 à 9 chiffres, par exemple {EXAMPLE_CODE_CPF}."
DATE_INVALID = "Saisissez une date valide, par exemple 15/01/2027."


def _compact(value: str) -> str:
    return _SPACES.sub("", value or "")


class TypedTextField(forms.Field):
    """A text input read into a number: ``read(text)`` gives it, or raises the field's
    French message. At most ``MAX_TYPED`` characters are read."""

    MAX_TYPED = 40

    def __init__(self, *, inputmode: str = "numeric", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": inputmode, "autocomplete": "off", "maxlength": self.MAX_TYPED}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = "" if value in self.empty_values else str(value).strip()[: self.MAX_TYPED + 1]
        return None if not text else self.read(text)

    def read(self, text: str):
        raise NotImplementedError


class CodeCpfField(TypedTextField):
    def read(self, text):
        text = _compact(text)
        if not text:
            return None
        number = ascii_int(text, maximum=999_999_999)
        if not number:
            raise ValidationError(NOT_A_CODE, code="invalid")
        return number


class HoursField(TypedTextField):
    """« 35 », « 1 500 », « 35 h »: whole hours; the range is the domain's rule."""

    def read(self, text):
        text = re.sub(r"h(?:eures?)?$", "", _compact(text), flags=re.I)
        if not text:
            return None
        number = ascii_int(text, maximum=10**9)
        if number is None:
            raise ValidationError(
                "Saisissez un nombre entier d'heures, par exemple 35.", code="invalid"
            )
        return number


class EurosField(TypedTextField):
    """« 2 400 », « 2400,50 », « 2 400 € »: euros and cents; the range is the domain's rule."""

    def read(self, text):
        text = re.sub(r"€|euros?$", "", _compact(text), flags=re.I)
        text = text.replace(",", ".")
        if not text:
            return None
        if not _AMOUNT.fullmatch(text):
            raise ValidationError(
                "Saisissez un montant en euros, au centime près, par exemple 2 400,50.",
                code="invalid",
            )
        return Decimal(text)

    def prepare_value(self, value):
        # A saved amount (or an offer's price) is shown in French, « 2 400,50 », not
        # « 2400.50 »; it reads back as typed. What was typed is shown as typed.
        if isinstance(value, Decimal):
            return euros(value).removesuffix("\u00a0€")
        return value


class AsciiDateField(forms.DateField):
    """A date typed « 15/01/2027 » or sent « 2027-01-15 » by a date picker; Python's
    ``strptime`` would read « １５/01/2027 » too: other digits are refused."""

    def __init__(self, *, label: str, required: bool = False, required_message: str = ""):
        super().__init__(
            label=label,
            required=required,
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            error_messages={"invalid": DATE_INVALID, "required": required_message},
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if not value.isascii():
                raise ValidationError(DATE_INVALID, code="invalid")
        return super().to_python(value)


class SiretField(forms.CharField):
    """Checked by the domain (``field_errors``): only the spaces are taken out here."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=40,
            required=False,
            help_text="14 chiffres, par exemple 732 829 320 00074",
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        return _compact(super().to_python(value))


class PhoneField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return ""
        try:
            return normalise_landline(text)
        except ValidationError:
            pass
        try:
            return normalise_mobile(text)
        except ValidationError as error:
            raise ValidationError(
                "Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89.",
                code="invalid",
            ) from error


class VersionField(forms.CharField):
    def __init__(self):
        super().__init__(widget=forms.HiddenInput, required=False)

    def to_python(self, value):
        # A missing or altered version is an unknown one: the action says « stale ».
        return ascii_int(_compact(super().to_python(value)), maximum=2**31) or 0


class CodeForm(DsfrBaseForm):
    """« Créer un dossier de formation » by its code CPF."""

    code_cpf = CodeCpfField(
        label="Code CPF de la formation",
        required=True,
        help_text=f"Le code indiqué par l'organisme de formation, par exemple {EXAMPLE_CODE_CPF}.",
        error_messages={"required": "Saisissez le code CPF de la formation."},
    )


class DossierForm(DsfrBaseForm):
    """One step of a dossier: its fields (among ``HOLDER_FIELDS``) and its version."""

    version = VersionField()

    def __init__(self, data=None, *, dossier: Dossier, today: date):
        self.dossier = dossier
        self.today = today
        initial = {name: getattr(dossier, name) for name in HOLDER_FIELDS if name != "financeur"}
        initial |= {"financeur": dossier.financeur_id, "version": dossier.version}
        super().__init__(data, initial=initial)

    def values(self) -> dict:
        """What the step changes, for ``actions.update_dossier``."""
        return {name: self.cleaned_data[name] for name in self.fields if name in HOLDER_FIELDS}

    def clean(self):
        cleaned = super().clean()
        typed = {name: cleaned[name] for name in self.fields if name in cleaned}
        merged = {"employer_siret": self.dossier.employer_siret} | typed
        values = {k: v for k, v in merged.items() if k in HOLDER_FIELDS}
        for name, message in field_errors(
            values, holder=self.dossier.holder, today=self.today
        ).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def add_domain_errors(self, errors: dict[str, str]) -> None:
        """The action's errors by field (a rule only the action knows: dates of the dossier
        against each other, the employer's answer)."""
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class OrganismeForm(DossierForm):
    organisme_siret = SiretField(label="SIRET de l'organisme de formation")
    organisme_name = TextField(label="Raison sociale", max_length=250, required=False)
    organisme_contact = TextField(label="Nom du contact", max_length=150, required=False)
    organisme_email = forms.EmailField(
        label="Courriel du contact",
        max_length=254,
        required=False,
        help_text="Par exemple : contact@organisme.fr",
        error_messages={
            "invalid": "Saisissez une adresse courriel valide, par exemple contact@organisme.fr."
        },
    )
    organisme_phone = PhoneField(label="Téléphone du contact", max_length=40, required=False)
    organisme_address = TextField(label="Adresse", max_length=250, required=False)
    organisme_postal_code = forms.CharField(
        label="Code postal",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    organisme_city = TextField(label="Commune", max_length=100, required=False)

    def clean_organisme_postal_code(self):
        code = _compact(self.cleaned_data["organisme_postal_code"])
        if code and not (len(code) == 5 and is_ascii_digits(code)):
            raise ValidationError("Le code postal comporte 5 chiffres, par exemple 75015.")
        return code


class DatesForm(DossierForm):
    start_date = AsciiDateField(label="Date de début de la formation")
    end_date = AsciiDateField(label="Date de fin de la formation")
    duration_hours = HoursField(label="Durée de la formation", help_text="En heures, de 1 à 5 000.")
    cost = EurosField(
        label="Coût TTC de la formation",
        inputmode="decimal",
        help_text="En euros, par exemple 2 400,50.",
    )
    working_time = forms.ChoiceField(
        label="La formation a lieu",
        choices=WorkingTime.choices,
        required=False,
        widget=RadioSelect,
        error_messages={"invalid_choice": "Choisissez « sur » ou « hors temps de travail »."},
    )
    employer_siret = SiretField(label="SIRET de votre employeur (facultatif)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier.employment_status != EmploymentStatus.SALARIE:
            # A demandeur d'emploi has no employer: always hors temps de travail.
            del self.fields["working_time"], self.fields["employer_siret"]
        else:
            self.fields["employer_siret"].help_text = (
                "14 chiffres. Utile si votre employeur finance lui-même votre formation "
                "(accord 0,2 %)."
            )


class FinancementForm(DossierForm):
    financeur = forms.ModelChoiceField(
        label="Financeur de votre dossier",
        queryset=None,
        required=False,
        empty_label=None,
        widget=RadioSelect,
        error_messages={"invalid_choice": "Choisissez un financeur de la liste."},
    )
    confidential = forms.BooleanField(
        label="Dossier confidentiel",
        required=False,
        help_text="Votre employeur ne verra pas ce dossier, même s'il agit pour vous par une "
        "délégation.",
    )
    comments = forms.CharField(
        label="Commentaires pour le financeur",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Écrivez 2 000 caractères au plus."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financeur"].queryset = financeurs_for(
            self.dossier.holder, employer_siret=self.dossier.employer_siret
        )

    def clean_comments(self):
        text = self.cleaned_data["comments"].replace("\r\n", "\n")
        # No control or bidi characters; the lines are kept.
        return "".join(c for c in text if c == "\n" or c.isprintable()).strip()


class EmployerRequestForm(DsfrBaseForm):
    version = VersionField()
    employer_requested_on = AsciiDateField(
        label="Date de votre demande à l'employeur",
        required=True,
        required_message="Indiquez la date de votre demande à l'employeur.",
    )


class EmployerAnswerForm(DsfrBaseForm):
    version = VersionField()
    answer = forms.ChoiceField(
        label="Réponse de votre employeur",
        choices=[(EmployerAnswer.ACCORD, "Accord"), (EmployerAnswer.REFUS, "Refus")],
        widget=RadioSelect,
        error_messages={
            "required": "Choisissez la réponse de l'employeur.",
            "invalid_choice": "Choisissez la réponse de l'employeur.",
        },
    )
    employer_answered_on = AsciiDateField(
        label="Date de la réponse",
        required=True,
        required_message="Indiquez la date de la réponse de l'employeur.",
    )


class SendForm(DsfrBaseForm):
    version = VersionField()
    consent = forms.BooleanField(label=CONSENT_LABEL, required=False)

    def clean_consent(self):
        if not self.cleaned_data["consent"]:
            raise ValidationError(CONSENT_MISSING, code="consent")
        return True


def error_summary(*forms_: forms.Form) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every error in the order of the fields, for the summary
    at the top of the page that links to each field (a radio group's anchor is django-dsfr's
    fieldset; a message that already names its field is not prefixed with the label)."""
    summary = []
    for form in forms_:
        for name in [*form.fields, NON_FIELD_ERRORS]:
            errors = form.errors.get(name, [])
            field = form.fields.get(name)
            if field is None or isinstance(field.widget, forms.HiddenInput):
                summary += [("", "", str(error)) for error in errors]
                continue
            bound = form[name]
            anchor = bound.id_for_label
            if isinstance(field.widget, RadioSelect):
                anchor = f"radio-{bound.auto_id}"
            label = "" if any(str(field.label) in str(e) for e in errors) else field.label
            summary += [(anchor, label, str(error)) for error in errors]
    return summary


class ConfirmForm(DsfrBaseForm):
    """A button only: its key is what is checked (REL-04)."""
