"""French elision before a variable (mcf.core.french)."""

import pytest
from django.template import Context, Template

from mcf.core.french import elide, elision


@pytest.mark.parametrize(
    ("word", "following", "expected"),
    [
        ("de", "OPCA Démo", "d'OPCA Démo"),
        ("de", "Caisse des Dépôts", "de Caisse des Dépôts"),
        ("que", "administrateur principal", "qu'administrateur principal"),
        ("que", "gestionnaire", "que gestionnaire"),
        ("le", "organisme", "l'organisme"),
        ("la", "école", "l'école"),
        ("de", "Élodie", "d'Élodie"),
        ("de", "Œuvre", "d'Œuvre"),
        ("de", "Yves", "d'Yves"),  # « y » before a consonant: a vowel sound
        ("de", "Yann", "de Yann"),  # « y » before a vowel: a consonant sound
        ("de", "Hélène", "de Hélène"),  # « h »: mute or aspirated, not known: whole word
        ("De", "Amandine", "D'Amandine"),
        ("du", "organisme", "de l'organisme"),
        ("de", "", "de "),
        ("de", "8 heures", "de 8 heures"),
    ],
)
def test_elide(word, following, expected):
    assert elide(word, following) == expected


def test_elision_alone_for_marked_up_text():
    assert elision("que", "administrateur principal") == "qu'"
    assert elision("que", "gestionnaire") == "que "


def test_template_tags_escape_the_variable():
    template = Template('{% load french %}{% elide "de" name %} — {% elision "que" role %}')
    rendered = template.render(Context({"name": "OPCA <b>", "role": "administrateur"}))
    assert rendered == "d&#x27;OPCA &lt;b&gt; — qu&#x27;"
