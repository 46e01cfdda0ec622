from django import forms
from dsfr.forms import DsfrBaseForm

from mcf.domain.contact.models import ContactMessage


class ContactForm(DsfrBaseForm):
    full_name = forms.CharField(label="Nom et prénom", max_length=150)
    email = forms.EmailField(
        label="Courriel",
        max_length=254,
        help_text="Format attendu : nom@domaine.fr. La réponse sera envoyée à cette adresse.",
    )
    # Radios, not a select: the longest subject (« Je suis un professionnel de l'emploi ou de
    # la formation ») does not fit in a select on a phone (tests/browser/page_checks.js).
    topic = forms.ChoiceField(
        label="Sujet", choices=ContactMessage.Topic.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label="Votre message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "5 000 caractères au maximum. N'indiquez ni votre mot de passe ni votre numéro "
            "de Sécurité sociale complet."
        ),
    )

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(
                "Merci de détailler votre demande (10 caractères au moins)."
            )
        return message


class SiteSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher sur le site", max_length=200, required=False)
