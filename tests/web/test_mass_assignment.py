"""AC-05: the fields the server owns cannot be posted.

Every form of every page of the public site, the holder's space and the professional space
is submitted the way it is rendered (the values it shows), by anonymous visitors and by
that space's user, with fields the server owns added, named as the models name them
(``is_staff``, ``cpf_balance``, ``holder``, ``role``…) and aimed at someone else's objects.
The forms must ignore them: afterwards the holder is still a plain holder, with his own
counter at 0 h; the professional still the administrateur principal of his own
organisation; nobody new is staff. (The back office is left out: a superuser may change
these fields there, through forms that list them.)
"""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import resolve

from mcf.domain.accounts.models import User
from mcf.domain.hours.models import Counter
from mcf.domain.identity.protection import nir_lookup_hash
from mcf.domain.organisations.models import ProfessionalProfile
from tests.domain.organisations.builders import SIRET_B, new_organisation
from tests.factories import NIR_A, registered_holder
from tests.web.routes import HOLDER, ROUTES, body, page_forms, route_values, visitors

# A whole-site sweep: run on PostgreSQL only (make test-sqlite skips it, see Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

PROJECT_CODE = Path(__file__).resolve().parents[2] / "mcf"
CHECKED = [
    route for route in ROUTES if route.namespace in {"", "public", "titulaire", "professionnel"}
]


def _server_owned(other_user: User, other_counter: Counter, other_organisation) -> dict:
    return {
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "kind": User.Kind.OPERATEUR,
        "username": "pirate",
        "cpf_balance": "150",
        "cpf_reserved": "0",
        "dif_balance": "999",
        "balance": "9999",
        "status": "valide",
        "validated_by": str(other_user.pk),
        "holder": str(other_user.pk),
        "titulaire": str(other_user.pk),
        "user": str(other_user.pk),
        "counter": str(other_counter.pk),
        "nir_hash": "0" * 64,
        "role": ProfessionalProfile.Role.GESTIONNAIRE,
        "organisation": str(other_organisation.pk),
        "must_change_password": "on",
    }


@pytest.mark.parametrize("route", CHECKED, ids=[route.pattern for route in CHECKED])
def test_ac_05_forms_ignore_the_fields_the_server_owns(route, clients, route_objects):
    other = registered_holder(NIR_A)
    other_counter = Counter.objects.get(holder=other)
    other_organisation = new_organisation("OPCA Autre", siret=SIRET_B, email="x@autre.example")
    extra = _server_owned(other, other_counter, other_organisation.user.professional_profile)
    holder = User.objects.get(nir_hash=nir_lookup_hash(HOLDER))
    holder_before = (holder.username, holder.email)
    professional = ProfessionalProfile.objects.select_related("user").get(
        organisation__name="OPCA Test"
    )
    staff_before = set(User.objects.filter(is_staff=True).values_list("pk", flat=True))
    counter_before = Counter.objects.get(holder=holder)
    for visitor in visitors(route):
        browser = clients[visitor]
        url = route.url(route_values(route, *route_objects)[0])
        page = browser.get(url)
        html = body(page)
        if page.status_code != 200:
            continue
        for form in page_forms(html):
            data = {**{k: v for k, v in extra.items() if k not in form.values}, **form.values}
            target = urljoin(url, form.action) if form.action else url
            if resolve(urlsplit(target).path).url_name == "logout":
                continue  # the header's: the page's other forms are submitted logged in
            body(browser.post(target, data) if form.method == "post" else browser.get(target, data))

    holder.refresh_from_db()
    assert not holder.is_staff and not holder.is_superuser
    assert holder.kind == User.Kind.TITULAIRE
    assert (holder.username, holder.email) == holder_before
    counter = Counter.objects.get(holder=holder)
    assert (counter.cpf_balance, counter.cpf_reserved, counter.dif_balance) == (
        counter_before.cpf_balance,
        counter_before.cpf_reserved,
        counter_before.dif_balance,
    )
    assert Counter.objects.get(pk=other_counter.pk).holder_id == other.pk
    professional.refresh_from_db()
    assert professional.role == ProfessionalProfile.Role.ADMINISTRATEUR_PRINCIPAL
    assert professional.organisation.name == "OPCA Test"
    assert not professional.user.is_staff
    assert set(User.objects.filter(is_staff=True).values_list("pk", flat=True)) == staff_before


def test_ac_05_no_form_takes_all_fields_or_excludes_some():
    """Forms list their fields: no ``fields = "__all__"``, no ``exclude`` (a field added to
    a model later would become postable)."""
    offenders = []
    for path in PROJECT_CODE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ClassDef) and node.name == "Meta":
                for statement in node.body:
                    if not isinstance(statement, ast.Assign):
                        continue
                    names = {t.id for t in statement.targets if isinstance(t, ast.Name)}
                    all_fields = "fields" in names and (
                        isinstance(statement.value, ast.Constant)
                        and statement.value.value == "__all__"
                    )
                    if all_fields or "exclude" in names:
                        offenders.append(f"{path}:{statement.lineno}")
    assert offenders == []
