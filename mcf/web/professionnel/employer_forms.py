"""The employer's answer to a request for training on working time."""

from __future__ import annotations

from django import forms

from mcf.domain.dossiers.models import EmployerAnswer
from mcf.web.professionnel.dossier_forms import ActForm, _motif


class EmployerAnswerForm(ActForm):
    answer = forms.ChoiceField(
        label="Votre réponse",
        choices=[(EmployerAnswer.ACCORD, "Accord"), (EmployerAnswer.REFUS, "Refus")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez votre réponse : accord ou refus."},
    )
    motif = _motif(
        "Motif du refus (en cas de refus)",
        "Le salarié le lit dans son espace et par courriel.",
        "Indiquez le motif du refus : le salarié le lira.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motif"].required = False

    def clean(self):
        cleaned = super().clean()
        refused = cleaned.get("answer") == EmployerAnswer.REFUS
        if refused and not cleaned.get("motif") and "motif" not in self.errors:
            self.add_error("motif", "Indiquez le motif du refus : le salarié le lira.")
        return cleaned
