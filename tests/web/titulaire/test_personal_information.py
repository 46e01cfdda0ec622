"""« Mes informations personnelles » (domain.md §8): identity, phones, situation, e-mail
change (AUTH-14), data export (PRIV-03), closing the space; every change journaled."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from mcf.domain.accounts.models import EmploymentStatus, User
from mcf.domain.catalogue.models import Branch, Region
from mcf.domain.hours.ledger import enter_dif
from mcf.domain.journal.models import Action, JournalEntry
from mcf.domain.mailing.models import OutboxEmail
from tests.factories import NIR_A, NIR_B, PASSWORD, registered_holder, run_password_reset_requests
from tests.web.keys import submit

pytestmark = pytest.mark.django_db

PAGE = "/titulaire/informations-personnelles/"
NEW_EMAIL = "touria.nouvelle@example.net"


@pytest.fixture
def holder():
    return registered_holder()


@pytest.fixture
def referentials():
    regions = {
        code: Region.objects.create(code=code, name=name)
        for code, name in [("11", "Île-de-France"), ("84", "Auvergne-Rhône-Alpes")]
    }
    branch = Branch.objects.create(idcc="1486", name="Bureaux d'études techniques (Syntec)")
    return regions, branch


def logged_in(nir=NIR_A) -> Client:
    client = Client()
    response = client.post("/titulaire/connexion/", {"nir": nir, "password": PASSWORD})
    assert response.status_code == 302
    return client


def actions(holder) -> list[str]:
    entries = JournalEntry.objects.filter(holder=holder).order_by("occurred_at", "id")
    return list(entries.values_list("action", flat=True))


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def test_page_shows_identity_with_the_nir_masked(holder, referentials):
    page = logged_in().get(PAGE).content.decode()
    assert "Mes informations personnelles" in page
    for text in ["Madame", "Touria", "Orange", "1 85 •• •• ••• ••• 91", "06 12 34 56 78"]:
        assert text in page, text
    # PRIV-02: never the NIR in clear, in any grouping.
    assert NIR_A not in page and "1 85 05 78 006 084 91" not in page
    assert "Bientôt disponible" not in page
    assert 'aria-current="page"' in page


def test_page_query_count(holder, referentials, django_assert_num_queries):
    client = logged_in()
    # session, user, pending e-mail change, branches, regions ×2 (two selects), session save
    # (savepoint: 3 statements).
    with django_assert_num_queries(9):
        assert client.get(PAGE).status_code == 200


def test_page_needs_a_holder(client):
    assert client.get(PAGE)["Location"].startswith("/titulaire/connexion/")


# --------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------


def test_phones_are_normalised_and_journaled(holder):
    client = logged_in()
    response = submit(
        client,
        PAGE,
        action=PAGE + "telephones/",
        data={"tel-landline": "01.45.67.89.01", "tel-mobile": "0698765432"},
    )
    assert response["Location"] == PAGE
    holder.refresh_from_db()
    assert (holder.landline, holder.mobile) == ("+33145678901", "+33698765432")
    entry = JournalEntry.objects.get(holder=holder, action=Action.PHONES_CHANGED)
    assert entry.details == "Modifié : téléphone fixe, téléphone portable."
    assert "Vos numéros de téléphone ont été enregistrés." in client.get(PAGE).content.decode()


def test_phones_bad_input_keeps_what_was_typed_and_says_why(holder):
    client = logged_in()
    response = submit(
        client,
        PAGE,
        action=PAGE + "telephones/",
        data={"tel-landline": "06 11 22 33 44", "tel-mobile": "n'importe quoi"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "saisissez-le dans « Téléphone portable »" in page.replace("&#x27;", "'")
    assert "n&#x27;importe quoi" in page
    holder.refresh_from_db()
    assert holder.mobile == "+33612345678"
    assert Action.PHONES_CHANGED not in actions(holder)


def test_phones_unchanged_writes_no_history(holder):
    submit(
        logged_in(),
        PAGE,
        action=PAGE + "telephones/",
        data={"tel-landline": "", "tel-mobile": "06 12 34 56 78"},
    )
    assert Action.PHONES_CHANGED not in actions(holder)


# --------------------------------------------------------------------------------------
# Situation
# --------------------------------------------------------------------------------------


def test_situation_of_a_salarie_needs_branch_and_workplace_region(holder, referentials):
    regions, branch = referentials
    client = logged_in()
    missing = submit(
        client, PAGE, action=PAGE + "situation/", data={"situation-employment_status": "salarie"}
    )
    assert missing.status_code == 200
    page = missing.content.decode()
    assert "Choisissez la branche professionnelle de votre employeur." in page
    assert "Choisissez la région de votre lieu de travail." in page
    done = submit(
        client,
        PAGE,
        action=PAGE + "situation/",
        data={
            "situation-employment_status": "salarie",
            "situation-branch": branch.pk,
            "situation-work_region": "11",
            "situation-home_region": "84",  # not asked of a salarié: not kept
        },
    )
    assert done["Location"] == PAGE
    holder.refresh_from_db()
    assert holder.employment_status == EmploymentStatus.SALARIE
    assert (holder.branch, holder.work_region, holder.home_region) == (branch, regions["11"], None)
    assert JournalEntry.objects.get(holder=holder, action=Action.SITUATION_CHANGED).details == (
        "Situation : Salarié(e)."
    )


def test_situation_of_a_job_seeker_needs_the_home_region(holder, referentials):
    regions, branch = referentials
    holder.branch, holder.work_region = branch, regions["11"]
    holder.save()
    client = logged_in()
    missing = submit(
        client,
        PAGE,
        action=PAGE + "situation/",
        data={"situation-employment_status": "demandeur_emploi"},
    )
    assert "Choisissez la région de votre domicile." in missing.content.decode()
    submit(
        client,
        PAGE,
        action=PAGE + "situation/",
        data={"situation-employment_status": "demandeur_emploi", "situation-home_region": "84"},
    )
    holder.refresh_from_db()
    assert (holder.branch, holder.work_region, holder.home_region) == (None, None, regions["84"])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"situation-employment_status": "retraite"},
        {"situation-employment_status": "salarie", "situation-branch": "abc"},
        {"situation-employment_status": "salarie", "situation-work_region": "\x00" * 5000},
    ],
)
def test_situation_bad_input_gives_french_errors_never_500(holder, referentials, data):
    response = submit(logged_in(), PAGE, action=PAGE + "situation/", data=data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    holder.refresh_from_db()
    assert holder.employment_status == ""


# --------------------------------------------------------------------------------------
# E-mail change (AUTH-14)
# --------------------------------------------------------------------------------------


def confirmation_path() -> str:
    body = OutboxEmail.objects.get(kind="courriel_confirmation").body
    return re.search(r"https?://[^/\s]+(/titulaire/\S+/)", body).group(1)


def test_auth14_new_address_is_used_only_after_its_link(holder):
    client = logged_in()
    response = submit(
        client, PAGE + "courriel/", data={"email": NEW_EMAIL, "email_confirmation": NEW_EMAIL}
    )
    assert response["Location"] == PAGE
    mail = OutboxEmail.objects.get(kind="courriel_confirmation")
    assert mail.to == NEW_EMAIL
    assert "Changement en attente" in client.get(PAGE).content.decode()
    # Until the link is used: the old address is the address on file…
    holder.refresh_from_db()
    assert holder.email == "touria.orange@example.org"
    # … and a reset mail goes there.
    Client().post("/titulaire/mot-de-passe-oublie/", {"nir": NIR_A})
    run_password_reset_requests()
    assert OutboxEmail.objects.get(kind="mot_de_passe_oublie").to == holder.email
    # The GET of the link changes nothing (mail scanners).
    path = confirmation_path()
    page = Client().get(path)
    assert "Confirmer ma nouvelle adresse" in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin"
    holder.refresh_from_db()
    assert holder.email != NEW_EMAIL
    # The POST does, from any browser (the link proves the mailbox).
    assert Client().post(path)["Location"] == "/titulaire/connexion/"
    holder.refresh_from_db()
    assert holder.email == NEW_EMAIL
    notices = OutboxEmail.objects.filter(kind="courriel_modifie")
    assert [n.to for n in notices] == ["touria.orange@example.org"]
    assert NEW_EMAIL not in notices[0].body
    assert {Action.EMAIL_CHANGE_REQUESTED, Action.EMAIL_CHANGED} <= set(actions(holder))
    # Single use.
    assert Client().post(path).status_code == 410


def test_auth14_link_expires_after_24_hours(holder, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = logged_in()
    submit(client, PAGE + "courriel/", data={"email": NEW_EMAIL, "email_confirmation": NEW_EMAIL})
    time_machine.shift(24 * 3600 + 1)
    response = Client().post(confirmation_path())
    assert response.status_code == 410
    assert "Le lien a expiré" in response.content.decode()
    holder.refresh_from_db()
    assert holder.email == "touria.orange@example.org"


def test_auth14_a_newer_request_voids_the_older_link(holder):
    client = logged_in()
    submit(client, PAGE + "courriel/", data={"email": NEW_EMAIL, "email_confirmation": NEW_EMAIL})
    first = confirmation_path()
    OutboxEmail.objects.filter(kind="courriel_confirmation").update(kind="old")
    other = "autre@example.net"
    submit(client, PAGE + "courriel/", data={"email": other, "email_confirmation": other})
    assert Client().post(first).status_code == 404
    Client().post(confirmation_path())
    holder.refresh_from_db()
    assert holder.email == other


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "pas-une-adresse", "email_confirmation": "pas-une-adresse"}, "valide"),
        ({"email": NEW_EMAIL, "email_confirmation": "x" + NEW_EMAIL}, "ne correspond pas"),
        (
            {
                "email": "Touria.Orange@example.org",
                "email_confirmation": "touria.orange@example.org",
            },
            "déjà l&#x27;adresse de votre espace",
        ),
        ({"email": "a" * 300 + "@example.org", "email_confirmation": ""}, "caractères"),
    ],
)
def test_auth14_bad_addresses_are_refused_in_french(holder, data, message):
    response = submit(logged_in(), PAGE + "courriel/", data=data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OutboxEmail.objects.filter(kind="courriel_confirmation").exists()


def test_auth14_unknown_link_is_a_french_404(db):
    response = Client().get(PAGE + "courriel/confirmation/inconnu/")
    assert response.status_code == 404
    assert "remplacé par une demande plus récente" in response.content.decode()


# --------------------------------------------------------------------------------------
# Export (PRIV-03)
# --------------------------------------------------------------------------------------


def export(client, **data) -> dict:
    response = client.post(PAGE + "mes-donnees/", data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_priv03_export_holds_what_we_keep_and_is_journaled(holder, referentials):
    enter_dif(holder, 45)
    client = logged_in()
    data = export(client)
    assert data["identite"]["numero_securite_sociale"] == "1 85 •• •• ••• ••• 91"
    assert data["identite"]["nom_de_naissance"] == "Orange"
    assert data["coordonnees"]["courriel"] == holder.email
    assert data["coordonnees"]["telephone_portable"] == "+33612345678"
    assert data["compteur_d_heures"]["solde_dif_heures"] == 45
    assert [m["heures"] for m in data["compteur_d_heures"]["mouvements"]] == [45]
    history = [h["action"] for h in data["historique"]]
    assert history[0] == "Inscription enregistrée"
    assert history[-1] == "Téléchargement de vos données personnelles"
    assert len(data["sessions_ouvertes"]) == 1
    assert Action.DATA_EXPORTED in actions(holder)
    assert NIR_A not in json.dumps(data)


def test_priv03_full_nir_only_when_asked(holder):
    data = export(logged_in(), full_nir="on")
    assert data["identite"]["numero_securite_sociale"] == "1 85 05 78 006 084 91"
    entry = JournalEntry.objects.get(holder=holder, action=Action.DATA_EXPORTED)
    assert entry.details == "Avec le numéro de Sécurité sociale complet."


def test_priv03_exports_share_nothing_of_another_holder(holder):
    other = registered_holder(NIR_B, email="autre@example.org", first_name="Autre")
    enter_dif(other, 12)
    mine = json.dumps(export(logged_in()))
    theirs = json.dumps(export(logged_in(NIR_B)))
    assert "autre@example.org" not in mine and holder.email not in theirs
    assert str(other.public_id) not in mine and str(holder.public_id) not in theirs


def test_priv03_export_query_count(holder, django_assert_num_queries):
    client = logged_in()
    # session, user, savepoint + history insert + release, user reload, counter, entries,
    # e-mail change, history, dossiers (their abondements: one more once there are some),
    # sessions, session save (3).
    with django_assert_num_queries(15):
        export(client)


def test_priv03_export_by_get_changes_nothing(holder):
    page = logged_in().get(PAGE + "mes-donnees/")
    assert "Télécharger mes données" in page.content.decode()
    assert Action.DATA_EXPORTED not in actions(holder)


# --------------------------------------------------------------------------------------
# Closing the space
# --------------------------------------------------------------------------------------


def test_closing_needs_the_explicit_confirmation(holder):
    response = submit(logged_in(), PAGE + "fermeture/", data={})
    assert response.status_code == 200
    assert "Cochez la case pour confirmer" in response.content.decode()
    holder.refresh_from_db()
    assert holder.is_active


def test_closing_ends_every_session_keeps_the_counter_and_mails(holder):
    other = logged_in()
    client = logged_in()
    response = submit(client, PAGE + "fermeture/", data={"confirm": "on"})
    assert response["Location"] == "/titulaire/connexion/"
    holder.refresh_from_db()
    assert not holder.is_active and holder.closed_at is not None
    assert holder.counter.holder_id == holder.pk  # the right survives
    for session in (client, other):
        assert session.get("/titulaire/").status_code == 302
    assert OutboxEmail.objects.get(kind="espace_ferme").to == holder.email
    entry = JournalEntry.objects.get(holder=holder, action=Action.ACCOUNT_CLOSED)
    assert entry.details == "Sessions fermées : 2."
    # No login, no reset link any more.
    login = Client().post("/titulaire/connexion/", {"nir": NIR_A, "password": PASSWORD})
    assert login.status_code == 200
    Client().post("/titulaire/mot-de-passe-oublie/", {"nir": NIR_A})
    run_password_reset_requests()
    assert not OutboxEmail.objects.filter(kind="mot_de_passe_oublie").exists()


def test_a_closed_space_is_reopened_by_registering_again(holder):
    submit(logged_in(), PAGE + "fermeture/", data={"confirm": "on"})
    counter_id = holder.counter.pk
    reopened = registered_holder(email="touria.retour@example.org")
    assert reopened.pk == holder.pk
    assert reopened.is_active and reopened.closed_at is None
    assert reopened.email == "touria.retour@example.org"
    assert reopened.counter.pk == counter_id
    assert User.objects.count() == 1
    assert actions(holder)[-1] == Action.ACCOUNT_REOPENED
    assert logged_in().get("/titulaire/").status_code == 200


def test_an_account_disabled_by_an_operator_is_not_reopened_by_registering(holder):
    holder.is_active = False
    holder.save(update_fields=["is_active"])
    from mcf.domain.accounts.registration import register_holder
    from tests.factories import registration_data

    assert register_holder(registration_data()) is None
    assert OutboxEmail.objects.filter(kind="inscription_compte_existant").exists()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (PAGE + "courriel/", 5),
        (PAGE + "mes-donnees/", 5),
        (PAGE + "fermeture/", 5),
        ("/titulaire/confirmer-mot-de-passe/", 5),
    ],
)
def test_query_counts_of_the_sensitive_pages(holder, django_assert_num_queries, url, queries):
    """Session, user, session save (savepoint: 3 statements): nothing else is read."""
    client = logged_in()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


WEIRD = ["\x00", "é" * 10_000, "\u202etxt.exe", "<script>alert(1)</script>", "' OR 1=1 --", ""]
FORMS = {
    PAGE + "telephones/": ["tel-landline", "tel-mobile"],
    PAGE + "situation/": [
        "situation-employment_status",
        "situation-branch",
        "situation-work_region",
        "situation-home_region",
    ],
    PAGE + "courriel/": ["email", "email_confirmation"],
    PAGE + "mes-donnees/": ["full_nir"],
    PAGE + "fermeture/": ["confirm"],
    "/titulaire/confirmer-mot-de-passe/": ["password"],
}


@pytest.mark.parametrize("url", FORMS)
def test_val01_odd_input_never_gives_a_500(holder, referentials, url):
    """VAL-01: NUL bytes, 10 000 characters, RTL override, markup: a French form error or
    a normal answer, never a server error; markup is never echoed unescaped (VAL-02)."""
    client = logged_in()
    for value in WEIRD:
        response = client.post(url, dict.fromkeys(FORMS[url], value))
        assert response.status_code in {200, 302}, (url, value[:20], response.status_code)
        assert "<script>alert(1)</script>" not in response.content.decode(errors="replace")


def test_auth14_link_page_query_count(holder, django_assert_num_queries):
    submit(
        logged_in(), PAGE + "courriel/", data={"email": NEW_EMAIL, "email_confirmation": NEW_EMAIL}
    )
    path = confirmation_path()
    # The request with its holder (one join); an anonymous visitor has no session row.
    with django_assert_num_queries(1):
        assert Client().get(path).status_code == 200
