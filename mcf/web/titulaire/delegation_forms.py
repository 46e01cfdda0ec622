"""Forms of « Mes délégations » (the rules are the domain's: delegations.actions)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from mcf.domain.delegations.actions import NO_RIGHTS, check_rights
from mcf.domain.delegations.models import DelegateKind
from mcf.web.titulaire.dossier_forms import AsciiDateField, SiretField


class GrantForm(DsfrBaseForm):
    """Whom, which rights, until when. The rights and dates are checked by the domain's
    rule (``check_rights``) here too, so that every error shows at once; who may receive a
    délégation is checked by the action."""

    delegate_kind = forms.ChoiceField(
        label="À qui donnez-vous une délégation ?",
        choices=DelegateKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une entreprise ou une personne."},
    )
    siret = SiretField(label="SIRET de l'entreprise")
    email = forms.EmailField(
        label="Adresse courriel de la personne",
        max_length=254,
        required=False,
        help_text="Format attendu : nom@domaine.fr. Elle recevra une invitation valable 15 jours.",
        error_messages={
            "invalid": "Saisissez une adresse courriel valide, par exemple nom@domaine.fr."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    consult = forms.BooleanField(
        label="Consultation",
        required=False,
        help_text="Vos heures, leurs mouvements et vos dossiers non confidentiels ; votre "
        "identité reste masquée.",
    )
    modify = forms.BooleanField(
        label="Modification",
        required=False,
        help_text="Préparer vos dossiers de formation en cours d'élaboration et enregistrer la "
        "réponse de l'employeur (comprend la consultation). L'accord pour mobiliser vos heures, "
        "la transmission d'un dossier, vos données et vos délégations restent les vôtres.",
    )
    ends_on = AsciiDateField(
        label="Fin de la délégation",
        required=True,
        required_message="Indiquez la date de fin de la délégation.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].help_text = "3 ans au plus ; la délégation prend fin d'elle-même."

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("delegate_kind")
        if kind == DelegateKind.ENTREPRISE and not cleaned.get("siret"):
            self.add_error("siret", "Indiquez le numéro SIRET de l'entreprise.")
        if (
            kind == DelegateKind.PERSONNE
            and not cleaned.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", "Indiquez l'adresse courriel de la personne.")
        # The domain's rule on rights and dates (one owner), shown with the other errors.
        problems = check_rights(
            consult=cleaned.get("consult", False),
            modify=cleaned.get("modify", False),
            ends_on=cleaned.get("ends_on"),
            today=timezone.localdate(),
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(None if name == "rights" else name, message)
        return cleaned

    @property
    def rights_error(self) -> str:
        """The « au moins un droit » error, shown in the rights' fieldset (and the summary)."""
        return NO_RIGHTS if NO_RIGHTS in self.non_field_errors() else ""
