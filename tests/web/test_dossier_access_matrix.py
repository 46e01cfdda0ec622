"""AC-01 and AC-03: every dossier route × every kind of visitor, against a declared table.

The routes are read from the URL resolver (tests/web/routes.py): every route of the holder's
and the professional's spaces whose name says « dossier », and the back office's dossiers
(/gestion/dossiers/). A route added later is in the matrix without a line here: the people
it must refuse are refused by the rules of its space (``DOOR``, ``expected``); the one it
serves is checked against ``ALLOWED`` when the route has a line there, else only for
« served, not refused ».

The visitors (``ACTORS``): holder A, whose dossiers they are; holder B, another holder of
the same branch; the financeur of the dossiers (a gestionnaire of OPCA Démo, the
organisation the dossiers name); another financeur (OPCA Autre, which funds the same
branch); a CEP (Apec: a professional whose organisation funds nothing); an operator of the
back office allowed to read dossiers (« Voir dossier de formation »), and one who is not
(the compte d'heures' permissions); anonymous. Holder A has one dossier in each of three
states (``STATES``): being prepared (a draft, sur temps de travail, the employer's accord
recorded, consent given), sent to OPCA Démo, validated by it.

Each object route is requested by GET and by POST, by every visitor, on every dossier. The
POST carries a body the route's own form would accept (``BODIES``: the union of the
fields of the space's forms, the dossier's current version, an idempotency key issued to
that visitor for that route): only the access check stands between it and a write — the
owner's same POST writes, which ``ALLOWED`` says (``writes=True``) and the test checks.

Asserted: the exact status (and where a redirect goes); that a refused visitor gets the
same answer for this dossier as for a dossier that does not exist (404, not 403, past the
space's door: existence never leaks); that his answer never holds the holder's name, his
NIR (even masked) or the dossier's number; that a refused POST writes nothing (the dossiers,
the counters, the ledger, transitions, journal, outbox, idempotency keys, tasks). The lists
(« Mes dossiers », « Dossiers à instruire », the back office's list) show a dossier only to
whom it may. A professional sees a holder only through a dossier of his organisation
(AC-03): no page of the professional space names holder A to another financeur or a CEP,
nor to the financeur while the dossier is a draft. Dossier URLs take a random UUID
(``public_id``): an integer pk, the number or a UUID made from the pk resolves nothing.

The world is built once for the module (a transaction rolled back at its end); each test
runs in a savepoint of it, rolled back after the test, with fresh browsers on the
sessions opened once.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mcf.domain.accounts.models import User
from mcf.domain.catalogue.models import Branch
from mcf.domain.dossiers import actions
from mcf.domain.dossiers.models import Dossier, EmployerAnswer, WorkingTime
from mcf.domain.hours.models import Counter
from mcf.domain.identity.nir import Nir, with_key
from mcf.domain.organisations.actions import change_provisional_password, create_gestionnaire
from mcf.domain.organisations.models import Organisation
from mcf.web.idempotency import FIELD
from mcf.web.professionnel.dossier_forms import LIST_STATES
from tests.domain.dossiers.builders import (
    ORGANISME_SIRET,
    dossier_world,
    give_hours,
    ready_dossier,
    salarie_of,
)
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    active_principal_admin,
    enrolled,
    operator_client,
    verified_client,
)
from tests.factories import NIR_B, registered_holder
from tests.web.keys import client_key
from tests.web.professionnel.dossier_helpers import sent_sur_temps
from tests.web.routes import PARAMETER, ROUTES, Route, body

# A sweep (docs/decisions/0014-gate-time.md): it tests the views, run once, on PostgreSQL.
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

ACTORS = (
    "holder_a",
    "holder_b",
    "financeur",
    "other_financeur",
    "cep",
    "operator",
    "operator_hours",
    "anonymous",
)
STATES = ("brouillon", "transmis", "valide")
METHODS = ("GET", "POST")

# ----- the routes, from the resolver ---------------------------------------------------------

# The portal's UUID, the back office's pk, a webhook delivery's UUID (« Renvoyer »).
OBJECT_PARAMETERS = {"public_id", "object_id", "delivery_id"}


def _is_dossier_route(route: Route) -> bool:
    if route.namespace in ("titulaire", "professionnel"):
        return "dossier" in (route.name or "")
    return route.pattern.startswith("gestion/dossiers/")


def _parameters(route: Route) -> dict[str, str | None]:
    """{name: converter} of the route's parameters."""
    found = {}
    for part in route.parts:
        if match := PARAMETER.fullmatch(part):
            found[match.group(2) or match.group(3)] = match.group(1)
    return found


DOSSIER_ROUTES = [route for route in ROUTES if _is_dossier_route(route)]
OBJECT_ROUTES = [r for r in DOSSIER_ROUTES if OBJECT_PARAMETERS & set(_parameters(r))]
LIST_ROUTES = [r for r in DOSSIER_ROUTES if not OBJECT_PARAMETERS & set(_parameters(r))]
PORTAL_OBJECT_ROUTES = [r for r in OBJECT_ROUTES if r.namespace != "admin"]
PROFESSIONAL_ROUTES = [r for r in ROUTES if r.namespace == "professionnel"]
HOLDER_ROUTES = [r for r in ROUTES if r.namespace == "titulaire"]


# ----- the outcomes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    # A redirect's target: a route of the dossier (its id added) and its other parameters,
    # or LOGIN_TARGET (the space's login page, back to the URL asked for).
    target: tuple[str, tuple[tuple[str, str], ...]] | None = None
    writes: bool = False

    def __str__(self):
        where = f" → {self.target[0]}" if self.target else ""
        return f"{self.status}{where}{' (writes)' if self.writes else ''}"


LOGIN_TARGET = ("login", ())
OK = Outcome(200)
LOGIN = Outcome(302, LOGIN_TARGET)
FORBIDDEN = Outcome(403)
NOT_FOUND = Outcome(404)
METHOD = Outcome(405)
CONFLICT = Outcome(409)  # the dossier's state refuses the act: the page, nothing written


def to(name: str, *, writes: bool = False, **parameters: str) -> Outcome:
    return Outcome(302, (name, tuple(sorted(parameters.items()))), writes)


def every(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(STATES, outcome)


def draft_only(outcome: Outcome, otherwise: Outcome) -> dict[str, Outcome]:
    return {"brouillon": outcome, "transmis": otherwise, "valide": otherwise}


HOLDER_PAGE = to("titulaire:dossier")
FINANCEUR_PAGE = to("professionnel:dossier")
CHANGE_PAGE = to("admin:dossiers_dossier_change")
HOLDER_DONE = to("titulaire:dossier", writes=True)  # done: the dossier's page, a message
FINANCEUR_DONE = to("professionnel:dossier", writes=True)
WHILE_SENT = {"transmis": FINANCEUR_DONE, "valide": CONFLICT}  # valider, complément, refus
ONCE_VALIDATED = {"transmis": CONFLICT, "valide": FINANCEUR_DONE}  # clore, annuler

# Who each space is for, and whose dossier it is there. The back office's operator reads
# every dossier; the financeur's pages know a dossier once it is sent (a draft is not his).
OWNER = {"titulaire": "holder_a", "professionnel": "financeur", "admin": "operator"}
OWNER_STATES = {"titulaire": STATES, "professionnel": ("transmis", "valide"), "admin": STATES}

# Who is stopped at each space's door, and how, before any dossier is looked up (the same
# answer whatever the id). Everyone else is inside: the dossier is then looked up among his
# own (404 when it is not: AC-01), after the route's method (405).
DOOR: dict[str, dict[str, Outcome]] = {
    "titulaire": {
        "anonymous": LOGIN,
        # A logged-in professional or operator is no holder (holder_required: 403).
        "financeur": FORBIDDEN,
        "other_financeur": FORBIDDEN,
        "cep": FORBIDDEN,
        "operator": FORBIDDEN,
        "operator_hours": FORBIDDEN,
    },
    "professionnel": {
        "anonymous": LOGIN,
        "holder_a": LOGIN,
        "holder_b": LOGIN,
        "operator": LOGIN,
        "operator_hours": LOGIN,
        # An organisation that funds nothing: a dossier's page does not say it exists.
        "cep": NOT_FOUND,
    },
    "admin": {
        "anonymous": LOGIN,
        "holder_a": LOGIN,
        "holder_b": LOGIN,
        "financeur": LOGIN,
        "other_financeur": LOGIN,
        "cep": LOGIN,
        # Staff, without « Voir dossier de formation ».
        "operator_hours": FORBIDDEN,
    },
}
# Exceptions to the door, with why.
DOOR_EXCEPTIONS: dict[tuple[str, str], Outcome] = {
    # Django's admin sends /gestion/…/<pk>/ on to …/<pk>/change/ for any staff member (the
    # permission is checked there: 403); nothing is read.
    ("gestion/dossiers/dossier/<path:object_id>/", "operator_hours"): CHANGE_PAGE,
}

# The owner's outcome, by route and method, in each state. A method refused in every
# state is refused to everyone past the door (405) before the dossier is looked up.
ALLOWED: dict[tuple[str, str], dict[str, Outcome]] = {
    # The holder (titulaire:…): his dossier's page, its PDF and the live plan in any state;
    # its steps while it is being prepared (else back to its page); the acts the state
    # allows (else 409 and the page).
    ("titulaire:dossier", "GET"): every(OK),
    ("titulaire:dossier", "POST"): every(METHOD),
    ("titulaire:dossier_recap", "GET"): every(OK),
    ("titulaire:dossier_recap", "POST"): every(METHOD),
    ("titulaire:dossier_plan", "GET"): every(OK),
    ("titulaire:dossier_plan", "POST"): every(METHOD),
    ("titulaire:dossier_step", "GET"): draft_only(OK, HOLDER_PAGE),
    ("titulaire:dossier_step", "POST"): draft_only(
        to("titulaire:dossier_step", step="dates", writes=True), HOLDER_PAGE
    ),
    ("titulaire:dossier_employer", "GET"): draft_only(OK, HOLDER_PAGE),
    ("titulaire:dossier_employer", "POST"): draft_only(
        to("titulaire:dossier_employer", writes=True), HOLDER_PAGE
    ),
    ("titulaire:dossier_send", "GET"): draft_only(OK, HOLDER_PAGE),
    ("titulaire:dossier_send", "POST"): draft_only(HOLDER_DONE, HOLDER_PAGE),
    ("titulaire:dossier_withdraw", "GET"): every(METHOD),
    ("titulaire:dossier_withdraw", "POST"): {
        "brouillon": CONFLICT,
        "transmis": HOLDER_DONE,
        "valide": CONFLICT,
    },
    ("titulaire:dossier_cancel", "GET"): every(METHOD),
    ("titulaire:dossier_cancel", "POST"): {
        "brouillon": HOLDER_DONE,
        "transmis": HOLDER_DONE,
        "valide": CONFLICT,
    },
    # The financeur (professionnel:…): nothing of a draft (OWNER_STATES); the instruct page;
    # each act where the state allows it (a GET goes back to the page).
    ("professionnel:dossier", "GET"): every(OK),
    ("professionnel:dossier", "POST"): every(METHOD),
    ("professionnel:dossier_validate", "GET"): every(FINANCEUR_PAGE),
    ("professionnel:dossier_validate", "POST"): WHILE_SENT,
    ("professionnel:dossier_complement", "GET"): every(FINANCEUR_PAGE),
    ("professionnel:dossier_complement", "POST"): WHILE_SENT,
    ("professionnel:dossier_refuse", "GET"): every(FINANCEUR_PAGE),
    ("professionnel:dossier_refuse", "POST"): WHILE_SENT,
    ("professionnel:dossier_close", "GET"): every(FINANCEUR_PAGE),
    ("professionnel:dossier_close", "POST"): ONCE_VALIDATED,
    ("professionnel:dossier_cancel", "GET"): every(FINANCEUR_PAGE),
    ("professionnel:dossier_cancel", "POST"): ONCE_VALIDATED,
    # The operator (the back office): reads, never writes (no add, change or delete).
    ("admin:dossiers_dossier_change", "GET"): every(OK),
    ("admin:dossiers_dossier_change", "POST"): every(FORBIDDEN),
    ("admin:dossiers_dossier_history", "GET"): every(OK),
    ("admin:dossiers_dossier_history", "POST"): every(OK),
    ("admin:dossiers_dossier_delete", "GET"): every(FORBIDDEN),
    ("admin:dossiers_dossier_delete", "POST"): every(FORBIDDEN),
    ("gestion/dossiers/dossier/<path:object_id>/", "GET"): every(CHANGE_PAGE),
    ("gestion/dossiers/dossier/<path:object_id>/", "POST"): every(CHANGE_PAGE),
}
KNOWN_OBJECT_ROUTES = {key for key, _ in ALLOWED}


def refuses_method(route: Route, method: str) -> bool:
    outcomes = ALLOWED.get((route.key, method))
    return outcomes is not None and all(o == METHOD for o in outcomes.values())


def is_owner(route: Route, actor: str, state: str) -> bool:
    return actor == OWNER[route.namespace] and state in OWNER_STATES[route.namespace]


def expected(route: Route, method: str, actor: str, state: str) -> Outcome | None:
    """The declared outcome; None for the owner on a route without a line in ALLOWED."""
    space = route.namespace
    if (route.key, actor) in DOOR_EXCEPTIONS:
        return DOOR_EXCEPTIONS[route.key, actor]
    if actor in DOOR[space]:
        return DOOR[space][actor]
    if is_owner(route, actor, state):
        outcomes = ALLOWED.get((route.key, method))
        return outcomes[state] if outcomes is not None else None
    # Inside the space, not his dossier: as if it did not exist.
    return METHOD if refuses_method(route, method) else NOT_FOUND


# ----- the world, built once ---------------------------------------------------------------

FAST = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}
CEP_SIRET = "99900012800010"
# Holder A's NIR: not NIR_A, the seed's example that the NIR fields' help text prints (a
# page with a NIR field would seem to leak it).
HOLDER_A_NIR = with_key("2920375120001")
PLAN_DIF = 5  # small: the validated dossier leaves hours for validating the sent one


@dataclass
class Matrix:
    dossiers: dict[str, Dossier]  # holder A's, by state
    holder_a: User
    offer_id: int
    cookies: dict[str, dict[str, str]]  # each actor's session cookies

    def client(self, actor: str) -> Client:
        """A fresh browser on the actor's session (no message or cookie of another test)."""
        client = Client()
        client.raise_request_exception = False  # a server error is a status to report
        client.cookies = SimpleCookie(self.cookies[actor])
        return client

    def leaks(self, response, *, typed: str = "") -> list[str]:
        """What of holder A the answer shows (a refused one must show nothing): his name,
        e-mail, NIR (in full, spaced or not, or masked), a dossier's number (but ``typed``,
        what the visitor typed himself)."""
        holder = self.holder_a
        nir = Nir.parse(holder.nir)
        secrets = {
            "name": holder.display_name,
            "first name": holder.first_name,
            "last name": holder.birth_name.upper(),
            "e-mail": holder.email,
            "masked NIR": nir.masked,
        }
        for state, dossier in self.dossiers.items():
            secrets[f"number of the {state} dossier"] = dossier.number
            secrets[f"number of the {state} dossier, spaced"] = dossier.number_display
        text = spaced(body(response))
        found = [what for what, value in secrets.items() if value in text and value != typed]
        if holder.nir[:13] in re.sub(r"\D", "", text):
            found.append("NIR")
        return found


def _sur_temps_draft(world) -> Dossier:
    """Complete, consent given, sur temps de travail: asked and agreed today."""
    dossier = ready_dossier(world, working_time=WorkingTime.SUR)
    today = timezone.localdate()
    dossier = actions.record_employer_request(
        dossier.pk, by=dossier.holder, version=dossier.version, requested_on=today
    )
    return actions.record_employer_answer(
        dossier.pk,
        by=dossier.holder,
        version=dossier.version,
        answer=EmployerAnswer.ACCORD,
        answered_on=today,
    )


def _active_gestionnaire(admin: User) -> User:
    """A gestionnaire of the admin's organisation, past his provisional password, enrolled."""
    account = create_gestionnaire(
        admin,
        organisation=admin.professional_profile.organisation,
        first_name="Gaëlle",
        last_name="Instruit",
        email="gaelle.instruit@opca.example",
    )
    change_provisional_password(account.user, PRO_PASSWORD)
    enrolled(account.user)
    return account.user


def _session(client: Client) -> dict[str, str]:
    return {name: morsel.value for name, morsel in client.cookies.items()}


def _build() -> Matrix:
    world = dossier_world(nir=HOLDER_A_NIR)
    world.holder.refresh_from_db()  # his counter as it is now, DIF entered
    holder_b = registered_holder(
        NIR_B, first_name="Bastien", birth_name="Vert", email="bastien.vert@example.org"
    )
    salarie_of(holder_b, Branch.objects.get(pk=world.catalogue.branch_id))
    give_hours(holder_b, cpf=30, dif=10)
    draft = _sur_temps_draft(world)
    sent = sent_sur_temps(world, answer=EmployerAnswer.ACCORD)
    to_validate = sent_sur_temps(world, answer=EmployerAnswer.ACCORD)
    validated = actions.validate_dossier(
        to_validate.pk,
        by=world.financeur,
        version=to_validate.version,
        dif=PLAN_DIF,
        cpf=0,
        dif_attestation_checked=True,
    )
    gestionnaire = _active_gestionnaire(world.financeur)
    cep = verified_client(
        *active_principal_admin(
            name="Apec Test",
            kind=Organisation.Kind.APEC,
            siret=CEP_SIRET,
            first_name="Céline",
            last_name="Conseil",
            email="celine@apec.example",
        )
    )
    holders = {}
    for name, user in (("holder_a", world.holder), ("holder_b", holder_b)):
        holders[name] = Client()
        holders[name].force_login(user)
    browsers = holders | {
        "financeur": verified_client(gestionnaire, gestionnaire.totpdevice_set.get()),
        "other_financeur": verified_client(
            world.other_financeur, world.other_financeur.totpdevice_set.get()
        ),
        "cep": cep,
        "operator": operator_client("guichet", "view_dossier")[1],
        "operator_hours": operator_client("heures", "import_declarations", "correct_counter")[1],
        "anonymous": Client(),
    }
    return Matrix(
        dossiers={
            "brouillon": Dossier.objects.get(pk=draft.pk),
            "transmis": Dossier.objects.get(pk=sent.pk),
            "valide": Dossier.objects.get(pk=validated.pk),
        },
        holder_a=world.holder,
        offer_id=world.catalogue.anglais.pk,
        cookies={actor: _session(browser) for actor, browser in browsers.items()},
    )


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The world, in a transaction left open for the module's tests (each in a savepoint)
    and rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**FAST):
                built = _build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# ----- requests ---------------------------------------------------------------------------


def _object_id(route: Route, dossier: Dossier) -> str:
    return str(dossier.pk if route.namespace == "admin" else dossier.public_id)


def url_of(route: Route, matrix: Matrix, object_id: str) -> str:
    values = {}
    for part in route.parts:
        if match := PARAMETER.fullmatch(part):
            name = match.group(2) or match.group(3)
            if name in OBJECT_PARAMETERS:
                values[part] = object_id
            elif name == "step":
                values[part] = "organisme"  # the first step of the dossier's form
            elif match.group(1) == "int":
                values[part] = str(matrix.offer_id)
            elif match.group(1) == "str":  # a link's token (the holder's space)
                values[part] = "jeton-inconnu"
            else:  # pragma: no cover - a new kind of parameter: say which
                raise AssertionError(f"{route.key}: no value for {part}")
    return route.url(values)


def post_body(route: Route, dossier: Dossier, client: Client) -> dict[str, str]:
    """What the route's form would send, with a key issued to this visitor for it."""
    return {**BODIES[route.namespace](dossier), FIELD: client_key(client, route.key)}


MOTIF = "La formation est reportée à l'année prochaine."
BODIES = {
    # The holder's forms: the organisme step, the employer's request, the consent, a motif.
    "titulaire": lambda dossier: {
        "version": str(dossier.version),
        "organisme_siret": ORGANISME_SIRET,
        "organisme_name": "Organisme Démo",
        "formulaire": "demande",
        "employer_requested_on": f"{timezone.localdate():%d/%m/%Y}",
        "consent": "on",
        "motif": MOTIF,
    },
    # The instruct page's acts: a plan within what is available, a message, a motif, the
    # hours done.
    "professionnel": lambda dossier: {
        "version": str(dossier.version),
        "valider-dif": str(PLAN_DIF),
        "valider-cpf": "0",
        "valider-dif_attestation_checked": "on",
        "abondements-TOTAL_FORMS": "0",
        "abondements-INITIAL_FORMS": "0",
        "abondements-MIN_NUM_FORMS": "0",
        "abondements-MAX_NUM_FORMS": "20",
        "complement-message": "Joignez le devis signé de l'organisme.",
        "refus-motif": MOTIF,
        "cloture-hours_done": "1",
        "annulation-motif": MOTIF,
    },
    # The back office's read-only form: what a change form would send.
    "admin": lambda dossier: {"state": "clos", "training_title": "Changé", "_save": "1"},
}


def request(client: Client, method: str, url: str, data: dict | None = None):
    return client.get(url) if method == "GET" else client.post(url, data or {})


def _target(response) -> tuple[str, dict[str, list[str]]]:
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query)


def _check(outcome: Outcome, response, route: Route, url: str, dossier: Dossier) -> None:
    shown = f"{response.status_code} {response.get('Location', '')}"
    assert response.status_code == outcome.status, f"expected {outcome}, got {shown}"
    if outcome.target is None:
        return
    path, query = _target(response)
    name, parameters = outcome.target
    if outcome.target == LOGIN_TARGET:
        login = {"titulaire": "titulaire:login", "professionnel": "professionnel:login"}
        assert path == reverse(login.get(route.namespace, "admin:login")), shown
        assert query.get("next") == [url], shown
        return
    object_name = "object_id" if name.startswith("admin:") else "public_id"
    kwargs = {object_name: _object_id(route, dossier), **dict(parameters)}
    assert path == reverse(name, kwargs=kwargs), shown


WATCHED_APPS = ("dossiers", "hours", "journal", "mailing", "idempotency")


def database_state() -> tuple:
    """Everything a dossier route could write: every dossier and counter as stored, and
    how many rows each model of the dossiers, the ledger, the journal, the outbox, the
    idempotency keys and the tasks has."""
    counts = {
        model._meta.label: model.objects.count()
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models()
    }
    counts["tasks"] = DBTaskResult.objects.count()
    return (
        list(Dossier.objects.order_by("pk").values()),
        list(Counter.objects.order_by("pk").values()),
        counts,
    )


# ----- the routes found --------------------------------------------------------------------


def test_the_dossier_routes_are_found_in_the_resolver():
    found = {route.key for route in DOSSIER_ROUTES}
    assert {route.key for route in OBJECT_ROUTES} >= KNOWN_OBJECT_ROUTES
    assert {"titulaire:dossiers", "titulaire:dossier_new", "professionnel:dossiers"} <= found
    assert {"admin:dossiers_dossier_changelist", "admin:dossiers_dossier_add"} <= found
    assert {route.key for route in LIST_ROUTES} == set(LISTS)
    assert len(OBJECT_ROUTES) >= len(KNOWN_OBJECT_ROUTES) == 18


def test_portal_dossier_urls_take_a_uuid_public_id():
    for route in PORTAL_OBJECT_ROUTES:
        assert _parameters(route).get("public_id") == "uuid", route.key


# ----- the matrix --------------------------------------------------------------------------

CASES = [
    pytest.param(route, method, state, actor, id=f"{route.key}-{method}-{state}-{actor}")
    for route in OBJECT_ROUTES
    for method in METHODS
    for state in STATES
    for actor in ACTORS
]


@pytest.mark.parametrize(("route", "method", "state", "actor"), CASES)
def test_ac_01_each_visitor_gets_what_the_table_says(matrix, route, method, state, actor):
    dossier = Dossier.objects.get(pk=matrix.dossiers[state].pk)
    client = matrix.client(actor)
    url = url_of(route, matrix, _object_id(route, dossier))
    data = post_body(route, dossier, client) if method == "POST" else None
    before = database_state()
    response = request(client, method, url, data)
    outcome = expected(route, method, actor, state)
    if outcome is None:  # a route ALLOWED has no line for yet: served, not refused
        assert response.status_code in (200, 302, 405, 409), response.status_code
        if response.status_code == 302:
            assert "connexion" not in response["Location"], response["Location"]
        return
    _check(outcome, response, route, url, dossier)
    written = database_state() != before
    assert written == outcome.writes, "wrote" if written else "wrote nothing"
    if is_owner(route, actor, state):
        return
    # Refused: nothing of the dossier or its holder, and the answer a missing id gets.
    assert matrix.leaks(response) == []
    missing = str(uuid.uuid4()) if route.namespace != "admin" else "999999"
    missing_url = url_of(route, matrix, missing)
    if method == "POST":
        data = post_body(route, dossier, client)
    other = request(matrix.client(actor), method, missing_url, data)
    assert other.status_code == response.status_code
    if response.status_code == 302:
        real_id = _object_id(route, dossier)
        assert other["Location"].replace(missing, real_id) == response["Location"]


# ----- the lists ----------------------------------------------------------------------------

SEES_ALL = frozenset(STATES)
SEES_SENT = frozenset({"transmis", "valide"})
SEES_NONE: frozenset[str] = frozenset()

# Who gets each page without a dossier in its URL (200), and which of holder A's dossiers
# it shows (by its number). Anybody else: the door of the space, or 403 inside it.
LISTS: dict[str, dict[str, frozenset[str]]] = {
    "titulaire:dossiers": {"holder_a": SEES_ALL, "holder_b": SEES_NONE},
    "titulaire:dossier_new": {"holder_a": SEES_NONE, "holder_b": SEES_NONE},
    "titulaire:training_dossier": {"holder_a": SEES_NONE, "holder_b": SEES_NONE},
    "professionnel:dossiers": {"financeur": SEES_SENT, "other_financeur": SEES_NONE},
    "admin:dossiers_dossier_changelist": {"operator": SEES_ALL},
    "admin:dossiers_dossier_add": {},
}


def list_refusal(route: Route, actor: str) -> Outcome:
    door = DOOR[route.namespace].get(actor)
    return door if door is not None and door != NOT_FOUND else FORBIDDEN


LIST_CASES = [
    pytest.param(route, actor, id=f"{route.key}-{actor}")
    for route in LIST_ROUTES
    for actor in ACTORS
]

# The financeur's work list asked for every state it offers (the default: what is to do).
EVERY_STATE = "?" + "&".join(f"etat={value}" for value, _ in LIST_STATES)
LIST_QUERIES = {"professionnel:dossiers": EVERY_STATE}


@pytest.mark.parametrize(("route", "actor"), LIST_CASES)
def test_ac_01_the_lists_show_a_dossier_only_to_whom_it_may(matrix, route, actor):
    client = matrix.client(actor)
    url = url_of(route, matrix, "") + LIST_QUERIES.get(route.key, "")
    response = client.get(url)
    allowed = LISTS[route.key]
    if actor not in allowed:
        _check(list_refusal(route, actor), response, route, url, matrix.dossiers["brouillon"])
        assert matrix.leaks(response) == []
        return
    assert response.status_code == 200
    shown = shown_dossiers(matrix, response)
    assert shown == allowed[actor]
    if route.namespace != "admin":  # the portal links a dossier by its public id
        for state in shown:
            assert f"/{matrix.dossiers[state].public_id}/" in body(response)


def spaced(text: str) -> str:
    """``text`` with every Unicode space as a plain one: a number written « 1234\xa05678 »
    (kept on one line) is the number all the same."""
    return re.sub(r"\s", " ", text)


def shown_dossiers(matrix: Matrix, response) -> set[str]:
    """Which of holder A's dossiers the page names (by number, with or without spaces)."""
    text = spaced(body(response))
    return {s for s, d in matrix.dossiers.items() if d.number_display in text or d.number in text}


# ----- AC-03: a professional sees a holder only through a dossier of his organisation ------

WORK_LIST = reverse("professionnel:dossiers")
SEARCHERS = {"financeur": SEES_SENT, "other_financeur": SEES_NONE}


@pytest.mark.parametrize("by", ["NIR", "number"])
@pytest.mark.parametrize("actor", SEARCHERS)
def test_ac_03_a_search_finds_only_the_organisation_s_sent_dossiers(matrix, actor, by):
    """The work list's search, by the holder's NIR or each dossier's number, over every
    state: the financeur finds the dossiers sent to him, never the draft; another
    financeur finds nothing, and learns nothing of the holder."""
    holder = matrix.holder_a
    typed = [holder.nir] if by == "NIR" else [d.number for d in matrix.dossiers.values()]
    found = set()
    for q in typed:
        response = matrix.client(actor).post(WORK_LIST + EVERY_STATE, {"q": q})
        assert response.status_code == 200
        # A row shows the number with its spaces; the search field gives back what was
        # typed (a number without spaces; never a NIR).
        text = body(response)
        found |= {s for s, d in matrix.dossiers.items() if d.number_display in text}
        if not SEARCHERS[actor]:  # what was typed, and nothing else
            assert matrix.leaks(response, typed=q) == []
    assert found == SEARCHERS[actor]


SWEEP_CASES = [
    pytest.param(route, actor, id=f"{route.key}-{actor}")
    for route in PROFESSIONAL_ROUTES
    for actor in ("financeur", "other_financeur", "cep")
]


@pytest.mark.parametrize(("route", "actor"), SWEEP_CASES)
def test_ac_03_no_professional_page_names_a_holder_without_a_dossier(matrix, route, actor):
    """Every page of the professional space (GET), by a professional of another
    organisation, a CEP, and the financeur with the holder's draft in the URL: nothing of
    the draft, nor — for the first two — of its holder."""
    draft = matrix.dossiers["brouillon"]
    url = url_of(route, matrix, str(draft.public_id))
    response = matrix.client(actor).get(url)
    assert response.status_code < 500
    if actor == "financeur":  # the holder's sent dossiers are his: only the draft is not
        assert "brouillon" not in shown_dossiers(matrix, response)
    else:
        assert matrix.leaks(response) == []


@pytest.mark.parametrize("route", HOLDER_ROUTES, ids=[r.key for r in HOLDER_ROUTES])
def test_ac_01_no_page_of_another_holder_shows_the_dossiers(matrix, route):
    """Every page of the holder's space (GET) by holder B, holder A's draft in the URL
    where it takes a dossier: nothing of holder A or his dossiers (his synthèse, hours,
    history, export are B's own)."""
    url = url_of(route, matrix, str(matrix.dossiers["brouillon"].public_id))
    response = matrix.client("holder_b").get(url)
    assert response.status_code < 500
    assert matrix.leaks(response) == []


# ----- AC-01: ids that cannot be guessed ----------------------------------------------------


@pytest.mark.parametrize("route", PORTAL_OBJECT_ROUTES, ids=[r.key for r in PORTAL_OBJECT_ROUTES])
def test_ac_01_a_dossier_is_named_by_a_random_uuid_never_by_a_counter(matrix, route):
    """The URL takes the dossier's public id, a random UUID (version 4): its pk, its number
    or a UUID made of them names nothing, even to the dossier's owner."""
    dossier = matrix.dossiers["transmis"]  # a dossier the owner of either space opens
    assert {d.public_id.version for d in matrix.dossiers.values()} == {4}
    for guess in (str(dossier.pk), dossier.number, f"{dossier.pk:012d}"):
        with pytest.raises(Resolver404):
            resolve(url_of(route, matrix, guess))
    owner = matrix.client(OWNER[route.namespace])
    method = next(m for m in METHODS if not refuses_method(route, m))
    for guess in (uuid.UUID(int=dossier.pk), uuid.UUID(int=int(dossier.number))):
        data = post_body(route, dossier, owner) if method == "POST" else None
        response = request(owner, method, url_of(route, matrix, str(guess)), data)
        assert response.status_code == 404
