"""Every page a person reads is in French, and in French as it is written.

Each route of the resolver (tests/web/routes.py) is opened by each of its visitors, the
back office's by a superuser (every model, list, filter, add, change, delete and history
page). The visible text (and what a screen reader or a tooltip says: title, alt,
aria-label, placeholder, the value of a button) must hold:

* no word typical of an untranslated Django or third-party screen (« TOTP devices »,
  « Task Results », « TASKS DATABASE BACKEND », « Par status / priority »: the back office
  showed them, as labels of third-party apps that nobody had translated);
* no « de », « que », « le », « la » before a vowel where French elides them (« en tant que
  administrateur principal », « Gestionnaires de OPCA Démo »: a variable after the word;
  mcf.core.french.elide() writes them).

Identifiers shown as data (dotted paths, e-mail addresses, code) are left out of the check.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import translation

from tests.web.routes import ROUTES, body, route_values, visitors

# A whole-site sweep: run on PostgreSQL only (make test-sqlite skips it, see Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

# Whole words, any case, that an untranslated Django or third-party screen shows.
ENGLISH = {
    "delete",
    "save",
    "select",
    "filter",
    "search",
    "history",
    "device",
    "devices",
    "task",
    "tasks",
    "result",
    "results",
    "status",
    "priority",
    "created",
    "updated",
    "backend",
    "database",
    "enqueued",
    "queue",
    "worker",
    "traceback",
    "confirmed",
    "throttling",
    "failure",
    "tolerance",
    "drift",
    "digits",
    "name",
    "key",
    "user",
    "users",
    "groups",
    "yes",
    "the",
    "and",
    "of",
    "by",
    "with",
}
# Words that are English only when capitalised, as an admin's buttons and titles write them
# (« change » is a French word too).
CAPITALISED = {"Add", "Change", "View"}
# English words that are also French, or names: checked by hand, kept out of the list's reach.
ALLOWED: set[str] = set()
ELISION = re.compile(
    r"(?<![\w'’-])(de|que|le|la|ne|je|me|se|te)\s+(?=[aeiouâàäéèêëîïôöûùüæœ])",
    re.IGNORECASE,
)
# A token that is data, not prose: dotted paths, addresses, code, URLs.
IDENTIFIER = re.compile(r"[._/@:=<>{}\\]|^\w+_\w+")
SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")


class _VisibleText(HTMLParser):
    """What a person reads or hears: text outside script/style/template, and the labels
    carried by attributes and buttons."""

    HIDDEN = {"script", "style", "template", "code", "pre", "textarea"}
    BLOCKS = {"td", "th", "tr", "li", "p", "div", "dt", "dd", "label", "option", "legend"}
    BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "a", "button", "span", "strong", "caption"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        a = {key: value or "" for key, value in attrs}
        self.parts += [a[name] for name in SHOWN_ATTRIBUTES if a.get(name)]
        if tag == "input" and a.get("type") in ("submit", "button", "reset"):
            self.parts.append(a.get("value", ""))
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        # A cell, a heading, a paragraph ends: « Créée le » (a column) does not run on into
        # the next cell's « OPCA Test ».
        self.parts.append(" ¶ " if tag in self.BLOCKS else " ")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _VisibleText()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def english_words(text: str) -> list[str]:
    found = []
    for token in text.split():
        if IDENTIFIER.search(token):
            continue
        word = token.strip("«»“”\"'’()[]{},;:.!?…")
        if (word.lower() in ENGLISH or word in CAPITALISED) and word.lower() not in ALLOWED:
            found.append(token)
    return found


def missing_elisions(text: str) -> list[str]:
    return [text[max(0, m.start() - 30) : m.end() + 20] for m in ELISION.finditer(text)]


def test_the_checks_catch_what_the_issue_found():
    """The two checks on the texts of issue 12, and on their corrections."""
    found = visible_text(
        "<h2>TOTP devices</h2><a title='Task Results'>x</a><p>TASKS DATABASE BACKEND</p>"
        "<h3>Par status</h3><input type=submit value='Save'><p>mcf.domain.mailing.tasks</p>"
    )
    assert english_words(found) == [
        *("devices", "Task", "Results", "TASKS", "DATABASE", "BACKEND", "status", "Save")
    ]
    assert english_words("Appareils TOTP — Par statut — Enregistrer") == []
    wrong = "Vous êtes connecté en tant que administrateur principal. Gestionnaires de OPCA Démo"
    assert len(missing_elisions(wrong)) == 2
    right = "en tant qu'administrateur principal, Gestionnaires d'OPCA Démo, de Haute-Savoie"
    assert missing_elisions(right) == []


def test_django_itself_speaks_french_and_our_catalogue_is_compiled():
    with translation.override("fr"):
        assert translation.gettext("Save") == "Enregistrer"
        assert translation.gettext("Select %s to change") == "Sélectionnez l’objet %s à changer"
        # mcf/locale: each text of the .po, as the compiled .mo gives it (msgfmt forgotten?).
        po = (settings.BASE_DIR / "mcf/locale/fr/LC_MESSAGES/django.po").read_text()
        pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, re.MULTILINE)
        assert pairs
        for msgid, msgstr in pairs:
            assert translation.gettext(msgid) == msgstr


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_every_page_is_in_french(route, clients, route_objects):
    failures = []
    for visitor in visitors(route):
        for values in route_values(route, *route_objects)[:1]:  # the existing objects
            url = route.url(values)
            response = clients[visitor].get(url)
            html = body(response)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            text = visible_text(html)
            if words := english_words(text):
                failures.append(f"{visitor} GET {url}: English {sorted(set(words))}")
            if elisions := missing_elisions(text):
                failures.append(f"{visitor} GET {url}: no elision in {elisions}")
    assert not failures, "\n".join(failures)
