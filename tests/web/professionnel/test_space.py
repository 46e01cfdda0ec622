"""Espace professionnel once logged in: home page, gestionnaire accounts."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.organisations.actions import change_provisional_password
from mcf.domain.organisations.models import ProfessionalProfile
from tests.domain.organisations.builders import (
    SIRET_B,
    active_principal_admin,
    add_gestionnaires,
    enrolled,
    verified_client,
)

pytestmark = pytest.mark.django_db

HOME = "/professionnel/"
GESTIONNAIRES = "/professionnel/gestionnaires/"
MCF = Path(__file__).resolve().parents[3] / "mcf"


@pytest.fixture
def admin():
    return active_principal_admin()


def test_home_shows_the_organisation(admin):
    html = verified_client(*admin).get(HOME).content.decode()
    assert "<h1>Espace professionnel</h1>" in html
    assert "OPCA Test" in html
    assert "administrateur principal" in html
    assert 'href="/professionnel/gestionnaires/"' in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("url", "expected"), [(HOME, 9), (GESTIONNAIRES, 8)])
def test_query_count_is_flat_as_gestionnaires_grow(admin, url, expected):
    user, device = admin
    add_gestionnaires(user, 1)
    client = verified_client(user, device)
    client.get(url)  # the first request after login refreshes the session record
    one = _queries(client, url)
    add_gestionnaires(user, 19, start=1)
    twenty = _queries(client, url)
    assert one == twenty
    # Session, user, OTP device, profile with its organisation, the gestionnaires (one
    # COUNT or one list query), the home page's dossiers per state (an OPCA), then the
    # session save (savepoint, UPDATE, release).
    assert one == expected


def test_the_principal_admin_creates_a_gestionnaire_and_sees_the_password_once(admin):
    client = verified_client(*admin)
    response = client.post(
        GESTIONNAIRES,
        {"first_name": "Bruno", "last_name": "Petit", "email": "bruno.petit@opca.example"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "bruno.petit" in html
    assert "no-store" in response["Cache-Control"]
    profile = ProfessionalProfile.objects.get(user__username="bruno.petit")
    password = re.search(r'<code class="fr-text--lg">([^<]+)</code>', html).group(1)
    assert profile.user.check_password(password)
    assert profile.must_change_password
    # Shown once: neither the list nor the mail has it.
    listing = client.get(GESTIONNAIRES).content.decode()
    assert "bruno.petit" in listing
    assert password not in listing
    assert password not in OutboxEmail.objects.get(kind="pro_gestionnaire_cree").body
    # The same form sent again (back button, reload) creates nothing more.
    again = client.post(
        GESTIONNAIRES,
        {"first_name": "Bruno", "last_name": "Petit", "email": "Bruno.Petit@opca.example"},
    )
    assert "utilise déjà cette adresse" in again.content.decode()
    assert ProfessionalProfile.objects.filter(role="gestionnaire").count() == 1


def test_gestionnaire_form_errors(admin):
    response = verified_client(*admin).post(
        GESTIONNAIRES, {"first_name": "", "last_name": "Petit", "email": "pas-un-courriel"}
    )
    assert response.status_code == 200
    assert not ProfessionalProfile.objects.filter(role="gestionnaire").exists()


def test_a_gestionnaire_cannot_create_accounts(admin):
    user, _ = admin
    gestionnaire = add_gestionnaires(user, 1)[0]
    change_provisional_password(gestionnaire.user, "Gestion-compte-2026x")
    client = verified_client(gestionnaire.user, enrolled(gestionnaire.user))
    home = client.get(HOME)
    assert home.status_code == 200
    assert 'href="/professionnel/gestionnaires/"' not in home.content.decode()
    assert client.get(GESTIONNAIRES).status_code == 403
    response = client.post(
        GESTIONNAIRES, {"first_name": "Eve", "last_name": "Intruse", "email": "eve@x.example"}
    )
    assert response.status_code == 403
    assert ProfessionalProfile.objects.count() == 2


def test_an_admin_sees_only_his_organisation(admin):
    add_gestionnaires(admin[0], 2)
    active_principal_admin(
        name="Région Test", siret=SIRET_B, first_name="Chloé", email="chloe@region.example"
    )
    html = verified_client(*admin).get(GESTIONNAIRES).content.decode()
    assert html.count("gestionnaire.numero") == 2
    assert "chloe" not in html


def test_no_view_of_the_portal_is_csrf_exempt():
    offenders = [
        str(path.relative_to(MCF))
        for path in MCF.rglob("*.py")
        if "csrf_exempt" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
