"""Forms of the financeur's dossier pages: the work list's filters and the instruct page's
acts (valider, demander un complément, refuser, clore, annuler).

The forms read what was typed; the rules belong to the domain: the plan's rules to
``mcf.domain.dossiers.plan`` (through ``actions.validate_dossier``), the hours done to
``actions.close_dossier``, the search to ``queries.work_list``. A refusal of the domain
(``DossierError.errors``, by field) is put back on these forms by ``add_domain_errors``.
"""

from __future__ import annotations

from datetime import date

from django import forms
from dsfr.forms import DsfrBaseForm

from mcf.core.digits import ascii_int, has_foreign_digits
from mcf.domain.dossiers.actions import AbondementLine
from mcf.domain.dossiers.models import Abondement, State
from mcf.domain.dossiers.plan import MAX_HOURS_PER_DOSSIER
from mcf.domain.dossiers.queries import ORDERS, SEARCH_HELP, WorkListFilters
from mcf.domain.dossiers.workflow import MOTIF_MAX
from mcf.web.catalogue.forms import EuroField, FrenchIntegerField, TextField

# The states a financeur sees (a draft is the holder's alone), and those the list shows
# when it is opened without filters: what waits for him.
LIST_STATES = [(state.value, state.label) for state in State if state != State.BROUILLON]
DEFAULT_STATES = (State.TRANSMIS.value, State.VALIDE.value)
ORDER_LABELS = {
    "-sent_at": "Transmis le plus récemment",
    "sent_at": "Transmis le plus anciennement",
    "start_date": "Début de formation le plus proche",
    "-start_date": "Début de formation le plus lointain",
}
if set(ORDER_LABELS) != set(ORDERS):  # every order the query knows has its label
    raise ImportError("ORDER_LABELS and queries.ORDERS differ")
MAX_ABONDEMENT_HOURS = 10_000
ABONDEMENT_LINES = 3  # empty lines offered under the ones already entered


def _no_foreign_digits(value) -> None:
    """« ² », « ٣ », « １２ » are no digits here (mcf/core/digits.py): int(), Decimal() and
    strptime() would read some of them as a second spelling of a number or a date."""
    if isinstance(value, str) and has_foreign_digits(value):
        raise forms.ValidationError("invalid", code="invalid")


class _AsciiMixin:
    def to_python(self, value):
        try:
            _no_foreign_digits(value)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class HoursField(_AsciiMixin, FrenchIntegerField):
    def __init__(self, *, label: str, maximum: int, required: bool = True, **kwargs):
        super().__init__(
            label=label,
            required=required,
            min_value=0,
            max_value=maximum,
            error_messages={
                "required": "Indiquez un nombre d'heures, 0 s'il n'y en a pas.",
                "invalid": "Saisissez un nombre entier d'heures, par exemple 35.",
                "min_value": "Le nombre d'heures ne peut pas être négatif.",
                "max_value": f"Saisissez {maximum:_} heures au plus.".replace("_", " "),
            },
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **kwargs,
        )


class AmountField(_AsciiMixin, EuroField):
    def __init__(self, **kwargs):
        super().__init__(
            min_value=0,
            max_value=999_999,
            max_digits=8,
            decimal_places=2,
            error_messages={
                "invalid": "Saisissez un montant en euros, par exemple 1 200,50.",
                "min_value": "Le montant ne peut pas être négatif.",
                "max_value": "Saisissez un montant de 999 999 € au plus.",
                "max_digits": "Saisissez un montant de 999 999 € au plus.",
                "max_whole_digits": "Saisissez un montant de 999 999 € au plus.",
                "max_decimal_places": "Saisissez un montant au centime près (deux décimales).",
            },
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **kwargs,
        )


class DateFilterField(_AsciiMixin, forms.DateField):
    def __init__(self, label: str):
        super().__init__(
            label=label,
            required=False,
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            error_messages={"invalid": "Saisissez une date valide, par exemple 15/01/2027."},
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )


def parse_version(raw: str) -> int:
    """The dossier's version a form was built on (hidden field). Anything but a number the
    page wrote is 0, a version no dossier has: the action refuses it as a stale form."""
    return ascii_int(raw or "", maximum=2**31 - 1) or 0


# ----- « Dossiers à instruire » -------------------------------------------------------------


class SearchForm(DsfrBaseForm):
    """The search by dossier number or NIR: POSTed, so that a NIR is never in a URL (nor in
    the access log, the history, a shared link: PRIV-02); the page never writes it back."""

    q = TextField(
        label="Numéro de dossier ou numéro de Sécurité sociale",
        required=False,
        max_length=40,
        help_text="Le numéro du dossier (12 chiffres) ou le numéro de Sécurité sociale "
        "complet du titulaire (15 caractères).",
        error_messages={"max_length": SEARCH_HELP},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    @staticmethod
    def may_show(text: str) -> bool:
        """A dossier number (12 digits) or shorter text is shown back; a NIR never is."""
        return len("".join(text.split())) <= 12


class WorkListForm(DsfrBaseForm):
    """The work list's filters, read from the query string (shareable, back button)."""

    etat = forms.MultipleChoiceField(
        label="État",
        required=False,
        choices=LIST_STATES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choisissez des états de la liste.",
            "invalid_list": "Choisissez des états de la liste.",
        },
    )
    transmis_du = DateFilterField("Transmis du")
    transmis_au = DateFilterField("Transmis au")
    debut_du = DateFilterField("Début de formation du")
    debut_au = DateFilterField("Début de formation au")
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=list(ORDER_LABELS.items()),
        error_messages={"invalid_choice": "Choisissez un ordre de la liste."},
    )

    def __init__(self, data=None, *, defaults: bool = True, **kwargs):
        # Opened without any filter: what waits for the financeur (transmis, validés).
        if defaults and data is not None and not any(key != "page" for key in data):
            data = data.copy()
            data.setlist("etat", list(DEFAULT_STATES))
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for start, end, message in (
            ("transmis_du", "transmis_au", "La fin de la période doit suivre son début."),
            ("debut_du", "debut_au", "La fin de la période doit suivre son début."),
        ):
            first: date | None = cleaned.get(start)
            last: date | None = cleaned.get(end)
            if first and last and last < first:
                self.add_error(end, message)
        return cleaned

    def filters(self) -> WorkListFilters:
        data = self.cleaned_data
        return WorkListFilters(
            states=tuple(data.get("etat") or ()),
            sent_from=data.get("transmis_du"),
            sent_to=data.get("transmis_au"),
            start_from=data.get("debut_du"),
            start_to=data.get("debut_au"),
            order=data.get("tri") or "-sent_at",
        )


# ----- The instruct page's acts ---------------------------------------------------------------


class ActForm(DsfrBaseForm):
    """An act on one dossier: the fields, and the errors the domain gives back by field."""

    # The domain's field names → this form's (``DossierError.errors``' keys).
    domain_fields: dict[str, str] = {}

    def add_domain_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            name = self.domain_fields.get(field, field)
            self.add_error(name if name in self.fields else None, message)


class ValidateForm(ActForm):
    dif = HoursField(label="Heures DIF mobilisées", maximum=MAX_HOURS_PER_DOSSIER)
    cpf = HoursField(label="Heures CPF mobilisées", maximum=MAX_HOURS_PER_DOSSIER)
    dif_attestation_checked = forms.BooleanField(
        label="Attestation DIF vérifiée",
        required=False,
        help_text="À cocher quand des heures DIF sont mobilisées pour la première fois : "
        "vous avez vérifié l'attestation DIF de l'employeur.",
    )
    domain_fields = {"abondements": "__all__"}


class AbondementForm(DsfrBaseForm):
    payer = forms.ChoiceField(
        label="Financé par",
        required=False,
        choices=[("", "— Choisir —"), *Abondement.Payer.choices],
        error_messages={"invalid_choice": "Choisissez un financeur de la liste."},
    )
    hours = HoursField(label="Heures", maximum=MAX_ABONDEMENT_HOURS, required=False)
    amount = AmountField(label="Montant (€)", required=False)

    def clean(self):
        cleaned = super().clean()
        payer, hours, amount = (cleaned.get(k) for k in ("payer", "hours", "amount"))
        if (hours or amount) and not payer and "payer" not in self.errors:
            self.add_error("payer", "Choisissez qui finance cet abondement.")
        if payer and not (hours or amount) and not self.errors:
            self.add_error("hours", "Indiquez des heures, un montant, ou les deux.")
        return cleaned

    def line(self) -> AbondementLine | None:
        data = self.cleaned_data
        if not data.get("payer"):
            return None
        return AbondementLine(data["payer"], data.get("hours") or 0, data.get("amount") or 0)


class BaseAbondementFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # The line's number in each label: the error summary says which line is wrong.
        # (DsfrBaseForm builds its bound fields in __init__: they keep their own label.)
        for name, field in form.fields.items():
            field.label = form[name].label = f"{field.label} (abondement {i + 1})"
        return form

    def lines(self) -> list[AbondementLine]:
        return [line for form in self.forms if (line := form.line()) is not None]


AbondementFormSet = forms.formset_factory(
    AbondementForm, formset=BaseAbondementFormSet, extra=ABONDEMENT_LINES, max_num=20,
    absolute_max=20,
)  # fmt: skip


# A motif is what the holder reads to understand: a few words at least, not « x ».
MOTIF_MIN = 10


def _motif(label: str, help_text: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=MOTIF_MIN,
        max_length=MOTIF_MAX,
        help_text=f"{help_text} De {MOTIF_MIN} à {MOTIF_MAX} caractères.",
        error_messages={
            "required": required,
            "min_length": f"Expliquez-le en quelques mots ({MOTIF_MIN} caractères au moins).",
            "max_length": f"Écrivez {MOTIF_MAX} caractères au plus.",
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ComplementForm(ActForm):
    message = _motif(
        "Complément demandé au titulaire",
        "Ce que le titulaire doit ajouter ou corriger : il le lit dans son espace et par "
        "courriel, puis vous transmet de nouveau son dossier.",
        "Indiquez ce que le titulaire doit compléter.",
    )
    domain_fields = {"motif": "message"}


class RefuseForm(ActForm):
    motif = _motif(
        "Motif du refus",
        "Le titulaire le lit dans son espace et par courriel. Le dossier est annulé.",
        "Indiquez le motif du refus.",
    )


class CancelForm(ActForm):
    motif = _motif(
        "Motif de l'annulation",
        "Toutes les heures réservées sont rendues au titulaire, qui lit ce motif dans son "
        "espace et par courriel.",
        "Indiquez le motif de l'annulation.",
    )


class CloseForm(ActForm):
    hours_done = HoursField(
        label="Heures réalisées",
        maximum=MAX_HOURS_PER_DOSSIER,
        help_text="Au plus les heures réservées. Elles sont débitées en commençant par le "
        "DIF ; les heures non réalisées sont rendues au titulaire.",
    )
