"""Numbers written for machines are never localised, on every page of the site.

Django localises a float (and, with thousand separators, an int) in ``{{ }}``: in French,
224.0 becomes « 224,0 ». That is right in a sentence and wrong wherever a program reads the
number: an SVG coordinate, a CSS length, a ``data-*`` value read by JavaScript, a number
field's value, a JSON script. The browser then drops the attribute silently (the chart of
« Mon compte d'heures » drew every point at 0 and its years on top of each other).

Every route of the portal (tests/web/routes.py), as each of its visitors, with a holder
whose ledger has several years (so that the chart is drawn): every numeric attribute of
SVG elements, every length in an inline style or a ``<style>`` block, every ``data-*``
value made of digits, every number field's bounds and every JSON script must parse as the
number a machine expects (dot decimal, no grouping).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import transaction

from mcf.domain.accounts.models import User
from mcf.domain.hours.ledger import correct_cpf, credit_feed, enter_dif
from mcf.domain.hours.models import Counter
from mcf.domain.identity.protection import nir_lookup_hash
from tests.web.routes import HOLDER, ROUTES, body, route_values, visitors

# A whole-site sweep: run on PostgreSQL only (make test-sqlite skips it, see Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
PLAIN = re.compile(rf"^\s*{NUMBER}\s*$")
LENGTH = re.compile(rf"^\s*{NUMBER}(?:px|em|rem|ex|ch|%|vh|vw|vmin|vmax|pt|cm|mm|in)?\s*$")
# A list of numbers (viewBox, points, stroke-dasharray): whitespace and/or one comma apart.
NUMBER_LIST = re.compile(rf"^\s*{NUMBER}(?:(?:\s*,\s*|\s+){NUMBER})*\s*$")
# Attributes of SVG elements that hold one number or length.
SVG_NUMBER = {
    "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy",
    "width", "height", "stroke-width", "font-size", "opacity", "fill-opacity",
    "stroke-opacity", "offset", "stroke-miterlimit", "stroke-dashoffset", "pathlength",
}  # fmt: skip
SVG_LIST = {"viewbox", "points", "stroke-dasharray"}
# Path data: commands and numbers only (a French « 24,5 » reads as two numbers there, so
# the points of a polyline are also written « x,y » pairs: one comma per pair at most).
PATH = re.compile(rf"^[\sMmLlHhVvCcSsQqTtAaZz,]*(?:{NUMBER}[\sMmLlHhVvCcSsQqTtAaZz,]*)*$")
# A data-* value that is only digits, signs, separators: it is meant as a number.
NUMERIC_LOOKING = re.compile(r"^[-+]?[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*$")
# In CSS, outside of functions (rgb(1, 2, 3)), a comma between digits is a localised number.
CSS_DECIMAL_COMMA = re.compile(r"\d,\d")
CSS_FUNCTION = re.compile(r"[\w-]+\([^()]*\)")
INPUT_NUMBERS = {"value", "min", "max", "step"}


def _svg_attribute_ok(name: str, value: str) -> bool:
    if name in SVG_NUMBER:
        return bool(LENGTH.match(value))
    if name in SVG_LIST:
        return bool(
            NUMBER_LIST.match(value)
            and all(token.count(",") <= 1 for token in value.split())
            and (name != "viewbox" or len(re.findall(NUMBER, value)) == 4)
        )
    return name != "d" or bool(PATH.match(value))


class _NumberReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors: list[str] = []
        self._svg_depth = 0
        self._script_json = False
        self._style = False
        self._text: list[str] = []

    def _bad(self, tag: str, name: str, value: str) -> None:
        self.errors.append(f"<{tag} {name}={value!r}>")

    def _check_style(self, where: str, css: str) -> None:
        for declaration in css.split(";"):
            _, _, value = declaration.partition(":")
            if CSS_DECIMAL_COMMA.search(CSS_FUNCTION.sub("", value)):
                self.errors.append(f"{where}: {declaration.strip()!r}")

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._svg_depth += 1
        a = {name.lower(): value or "" for name, value in attrs}
        for name, value in a.items():
            if (self._svg_depth and not _svg_attribute_ok(name, value)) or (
                name.startswith("data-") and NUMERIC_LOOKING.match(value) and not PLAIN.match(value)
            ):
                self._bad(tag, name, value)
            if name == "style":
                self._check_style(f"<{tag} style>", value)
        if tag == "input" and a.get("type") in ("number", "range"):
            for name in INPUT_NUMBERS & a.keys():
                if a[name] and a[name] != "any" and not PLAIN.match(a[name]):
                    self._bad(tag, name, a[name])
        if tag in ("meter", "progress"):
            for name in ("value", "min", "max", "low", "high", "optimum") & a.keys():
                if not PLAIN.match(a[name]):
                    self._bad(tag, name, a[name])
        if tag == "script" and a.get("type", "").endswith("json"):
            self._script_json, self._text = True, []
        if tag == "style":
            self._style, self._text = True, []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self._svg_depth -= 1

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        elif tag == "script" and self._script_json:
            self._script_json = False
            try:
                json.loads("".join(self._text))
            except ValueError as error:
                self.errors.append(f"<script json>: {error}")
        elif tag == "style" and self._style:
            self._style = False
            self._check_style("<style>", "".join(self._text))

    def handle_data(self, data):
        if self._script_json or self._style:
            self._text.append(data)


def number_errors(html: str) -> list[str]:
    """The machine-read numbers of ``html`` that do not parse as numbers."""
    reader = _NumberReader()
    reader.feed(html)
    reader.close()
    return reader.errors


@pytest.mark.parametrize(
    ("html", "errors"),
    [
        ('<svg viewBox="0 0 640 260"><line x1="48" y1="224.5"/></svg>', 0),
        ('<svg viewBox="0 0 640 260"><line x1="48" y1="224,5"/></svg>', 1),
        ('<svg viewBox="0 0 640,5 260"></svg>', 1),
        ('<svg><polyline points="48.0,224.0 80.5,200.0"/></svg>', 0),
        ('<svg><polyline points="48,0,224,0 80,5,200,0"/></svg>', 1),
        ('<svg><circle cx="1e2" cy="-3" r="4"/></svg>', 0),
        ('<svg><path d="M0 0L10.5 3Z"/></svg>', 0),
        ('<svg><path d="M0 0L10,5 3;"/></svg>', 1),
        ('<div style="width: 12.5%; color: rgb(1,2,3)"></div>', 0),
        ('<div style="width: 12,5%"></div>', 1),
        ("<style>.a { margin: 1,5rem }</style>", 1),
        ('<div data-fr-steps="4" data-date="2026-11-27" data-name="a1"></div>', 0),
        ('<div data-ratio="0,5"></div>', 1),
        ('<div data-total="1\u202f234"></div>', 1),
        ('<input type="number" value="12,5" min="0">', 1),
        ('<input type="text" value="12,5">', 0),
        ('<script type="application/json">{"a": 1.5}</script>', 0),
        ('<script type="application/json">{"a": 1,5}</script>', 1),
        ('<line x1="224,0">', 0),  # not SVG: a lone <line> is no SVG element of ours
    ],
)
def test_the_reader_finds_localised_numbers(html, errors):
    assert len(number_errors(html)) == errors, number_errors(html)


@pytest.fixture
def ledger(clients):
    """The sweep's holder with a ledger of several years, a correction and a DIF balance:
    the chart of « Mon compte d'heures » is drawn with coordinates that are not integers."""
    holder = User.objects.get(nir_hash=nir_lookup_hash(HOLDER))
    operator = User.objects.get(username="operatrice")
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(holder=holder)
        for year, hours in [(2015, 24), (2016, 17), (2017, 24), (2018, 24)]:
            credit_feed(counter, year=year, hours=hours, source="test")
    correct_cpf(counter.pk, hours=3, reason="Déclaration rectifiée", operator=operator)
    enter_dif(holder, 45)


@pytest.mark.parametrize("route", ROUTES, ids=[route.pattern for route in ROUTES])
def test_machine_read_numbers_are_never_localised(route, clients, route_objects, ledger):
    failures = []
    for visitor in visitors(route):
        for values in route_values(route, *route_objects):
            url = route.url(values)
            response = clients[visitor].get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                body(response)
                continue
            failures += [f"{visitor} GET {url}: {e}" for e in number_errors(body(response))]
    assert not failures, "\n".join(failures)
