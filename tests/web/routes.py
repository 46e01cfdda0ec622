"""Every route of the portal, read from the URL resolver, with values for its parameters
(the route sweeps of test_every_route.py and the access table of test_access_table.py)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import NIR_B

# The logged-in holder's NIR. Not NIR_A: it is the seed's example, printed in the help
# text of the NIR fields, so a search for it would find the example.
HOLDER = NIR_B
# Which space's user visits which routes, besides an anonymous visitor.
SPACES = {"titulaire": "holder", "professionnel": "professional", "admin": "superuser"}
# Namespaces of pages without login (the root one: health check, captcha media…; the
# API, whose financeurs' endpoints need a token, not a login).
OPEN_NAMESPACES = {"", "public", "antibot", "api-v1"}
# A route's parameters, by converter or name: values that exist, and some that do not.
MISSING_ID = "999999"
SWEEPS_CODE_CPF = 236593  # « Anglais professionnel » of tests/web/catalogue/conftest.py
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    pattern: str  # the route as written: the tests' ids
    namespace: str
    name: str | None
    parts: tuple  # literal text and parameters (``<int:pk>``), in order

    @property
    def key(self) -> str:
        """``titulaire:hours``, or the pattern of an unnamed route (the access table's key)."""
        if not self.name:
            return self.pattern
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    def url(self, values: dict[str, str]) -> str:
        return "/" + "".join(values.get(part, part) for part in self.parts)


def _routes() -> list[Route]:
    """Every route of the resolver, as (literal, parameter…) parts."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: tuple, namespace: str) -> None:
        for entry in resolver.url_patterns:
            parts = prefix + _parts(str(entry.pattern))
            if isinstance(entry, URLResolver):
                walk(entry, parts, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                found.append(Route("".join(parts), namespace, entry.name, parts))

    walk(get_resolver(), (), "")
    return found


def _parts(pattern: str) -> tuple:
    """``formations/<int:pk>/`` → ("formations/", "<int:pk>", "/"); regex routes
    (the admin's) likewise, anchors removed."""
    pattern = pattern.removeprefix("^").removesuffix("$")
    parts: list[str] = []
    position = 0
    for match in PARAMETER.finditer(pattern):
        parts += [pattern[position : match.start()], match.group(0)]
        position = match.end()
    parts.append(pattern[position:])
    return tuple(part for part in parts if part)


ROUTES = _routes()


def visitors(route: Route) -> list[str]:
    """Who visits ``route`` in the sweeps: anonymous, and its space's user if it has one."""
    space = SPACES.get(route.namespace)
    return ["anonymous", space] if space else ["anonymous"]


def body(response) -> str:
    """The response's text. A streamed one (a file: the feed's report) is read to its end,
    which makes the test client close it (and its file) without closing the database
    connection, as ``response.close()`` would."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def status(response) -> int:
    """The status, a streamed body read (see ``body``)."""
    body(response)
    return response.status_code


def route_values(
    route: Route, offer_id: int, objects: dict[str, int | uuid.UUID] | None = None
) -> list[dict[str, str]]:
    """Parameter values for ``route``: one set that may exist, one that does not; both match
    the route's converters, so the request reaches the view. What exists: ``offer_id`` for
    integers; for an object of the back office, the pk that ``objects`` gives for its model's
    routes (``{"gestion/hours/counter/": 12}``), else 1; for a public id (``<uuid:…>``), the
    UUID that ``objects`` gives for the route (a dossier), else one that names nothing."""
    existing, missing = {}, {}
    own = next(
        (pk for prefix, pk in (objects or {}).items() if route.pattern.startswith(prefix)), 1
    )
    for part in route.parts:
        match = PARAMETER.fullmatch(part)
        if not match:
            continue
        converter, name = match.group(1), match.group(2) or match.group(3)
        if name == "code_cpf":  # the API's certification: the sweeps' catalogue's English
            existing[part], missing[part] = str(SWEEPS_CODE_CPF), MISSING_ID
        elif name == "offer_id":  # the API's offer (its path parameter has no converter)
            existing[part], missing[part] = str(offer_id), MISSING_ID
        elif converter == "int":
            existing[part] = str(own if route.namespace == "admin" else offer_id)
            missing[part] = MISSING_ID
        elif converter == "uuid":
            # A real object's public id when ``objects`` gives one for the route (a dossier).
            existing[part] = str(own if isinstance(own, uuid.UUID) else uuid.UUID(int=7))
            missing[part] = str(uuid.UUID(int=7))
        elif name == "step":  # the steps of a dossier's form
            existing[part], missing[part] = "organisme", "page-inconnue"
        elif name == "app_label":
            existing[part], missing[part] = "hours", "hours"
        elif converter == "slug":
            existing[part], missing[part] = "1", "page-inconnue"
        else:  # str, path (object ids of the back office, tokens)
            existing[part], missing[part] = str(own), "x'%20OR%201=1"
    return [existing, missing] if existing else [existing]


@dataclass
class PageForm:
    """A form of a page as the browser would submit it untouched."""

    method: str
    action: str  # as written ("" = the page itself)
    values: dict[str, list[str]]


class _FormReader(HTMLParser):
    """The forms of a page with their fields' current values: text inputs and hidden ones
    with their value, checked boxes and radios, each select's selected (or first) option,
    textareas' text. Buttons are left out: a submit without one is a plain submit."""

    def __init__(self):
        super().__init__()
        self.forms: list[PageForm] = []
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str | None, value: str) -> None:
        if self.forms and name:
            self.forms[-1].values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(PageForm(a.get("method", "get").lower(), a.get("action", ""), {}))
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select, self._select_options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._select_options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected]
            first = [value for value, _ in self._select_options[:1]]
            for value in chosen or first:
                self._add(self._select, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, "".join(self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def page_forms(html: str) -> list[PageForm]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms
