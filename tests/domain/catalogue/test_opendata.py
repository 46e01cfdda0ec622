"""The open-data export loader: every bad line reported in French, a reload updates in place."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mcf.domain.catalogue import opendata
from mcf.domain.catalogue.geography import load_geography
from mcf.domain.catalogue.models import (
    Certification,
    ListedCertification,
    Offer,
    Organisme,
)
from mcf.domain.catalogue.opendata import OpenDataError, code_cpf_for, import_catalogue
from tests.domain.catalogue.builders import delete_catalogue

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "opendata_sample.csv"
GOOD_LINES, BAD_LINES = 24, 8


@pytest.fixture(scope="module", autouse=True)
def geography(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_geography()
    yield
    with django_db_blocker.unblock():
        delete_catalogue()


def snapshot():
    return (
        list(Offer.objects.order_by("number").values_list("number", "title", "price", "pk")),
        Organisme.objects.count(),
        Certification.objects.count(),
        ListedCertification.objects.count(),
    )


def test_the_sample_loads_its_good_lines_and_reports_each_bad_one():
    report = import_catalogue(SAMPLE)
    assert (report.lines_read, report.offers_created, report.lines_rejected) == (
        GOOD_LINES + BAD_LINES,
        GOOD_LINES,
        BAD_LINES,
    )
    assert Offer.objects.count() == GOOD_LINES
    reasons = dict(report.rejections)
    assert reasons[26] == "SIRET invalide : 73282932000075"
    assert reasons[27] == "nombre d'heures négatif"
    assert reasons[28] == "numéro de formation manquant"
    assert reasons[29] == "type de référentiel inconnu : « Habilitation »"
    assert reasons[30] == "code RNCP manquant"
    assert reasons[31] == "frais illisibles : gratuit"
    assert reasons[32].endswith("déjà présent ligne 9")
    assert reasons[33] == (
        "SIRET invalide : 123 ; nom de l'organisme manquant ; nombre d'heures négatif"
    )


def test_offers_certifications_and_listings_are_derived_from_the_lines():
    import_catalogue(SAMPLE)
    toeic = Offer.objects.select_related("certification", "organisme").get(
        number__endswith="_TOEIC-35-02"
    )
    assert toeic.organisme.name == "Institut Horizon Langues"
    assert (toeic.certification.kind, toeic.certification.code) == ("RS", "RS3635")
    assert toeic.price == Decimal("2490.00")  # « 2 490,00 »
    assert (toeic.departement_id, toeic.region_id) == ("35", "53")
    assert toeic.modality == Offer.Modality.ON_SITE
    remote = Offer.objects.get(number__endswith="_TOEIC-FOAD")
    assert (remote.modality, remote.departement_id) == (Offer.Modality.REMOTE, None)
    assert Offer.objects.get(number__endswith="_TOSA-XL").duration_hours == 18  # 17.5 h
    assert Offer.objects.get(number__endswith="_TOSA-XL").departement_id == "01"  # « 1 »
    assert Offer.objects.get(number__endswith="_HACCP-974").region_id == "04"
    dwwm = Certification.objects.get(code="RNCP37674")
    assert (dwwm.kind, dwwm.level, dwwm.formacodes) == ("RNCP", "5", ["31025", "31054"])
    assert Certification.objects.get(code="RNCP37000").level == "4"  # « Niveau IV »
    # One certification for the three TOEIC offers, listed once on the LNI.
    assert Certification.objects.filter(code="RS3635").count() == 1
    codes = dict(
        ListedCertification.objects.filter(eligibility_list__kind="LNI").values_list(
            "certification__code", "code_cpf"
        )
    )
    assert codes["RS3635"] == 203635
    assert codes["RNCP35830"] == 335830
    assert codes["CLEA"] == 201
    assert ListedCertification.objects.get(certification__kind="VAE").code_cpf == 200
    assert code_cpf_for("CQP", "CQP-01234") == code_cpf_for("CQP", "CQP-01234")


def test_reloading_the_same_file_updates_in_place():
    import_catalogue(SAMPLE)
    before = snapshot()
    report = import_catalogue(SAMPLE)
    assert (report.offers_created, report.offers_updated) == (0, GOOD_LINES)
    assert (report.organismes_created, report.certifications_created) == (0, 0)
    assert snapshot() == before


def test_a_corrected_line_changes_its_offer_only(tmp_path):
    import_catalogue(SAMPLE)
    text = SAMPLE.read_text(encoding="utf-8-sig").replace(
        ";Gestionnaire de paie;;", ";Gestionnaire de paie (nouvelle session);;"
    )
    changed = tmp_path / "export.csv"
    changed.write_text(text, encoding="utf-8")  # without BOM this time
    import_catalogue(changed)
    assert Offer.objects.get(number__endswith="_PAIE-75").title == (
        "Gestionnaire de paie (nouvelle session)"
    )
    assert Offer.objects.count() == GOOD_LINES


def test_a_comma_separated_file_without_bom_gives_the_same_catalogue(tmp_path):
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8-sig")), delimiter=";"))
    comma = tmp_path / "export-virgules.csv"
    with comma.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    report = import_catalogue(comma.open("rb"))  # an uploaded file: bytes
    assert (report.offers_created, report.lines_rejected) == (GOOD_LINES, BAD_LINES)
    assert Offer.objects.get(number__endswith="_TOEIC-35-02").price == Decimal("2490.00")


def test_a_line_naming_its_commune_gets_its_place(tmp_path):
    export = tmp_path / "communes.csv"
    export.write_text(
        "numero_formation;siret;nom_of;intitule_formation;type_referentiel;code_inventaire;"
        "nombre_heures_total_mean;frais_ttc_tot_mean;code_postal;nom_commune;colonne_inconnue\n"
        "AF-1;73282932000074;Organisme;Anglais;RS;3635;30;900;35000;Rennes;x\n"
        "AF-2;73282932000074;Organisme;Anglais;RS;3635;30;900;;;\n",
        encoding="utf-8",
    )
    report = import_catalogue(export)
    assert report.lines_rejected == 0
    rennes = Offer.objects.get(number="AF-1")
    assert (rennes.commune_id, rennes.city, rennes.departement_id) == ("35238", "Rennes", "35")
    assert rennes.latitude == pytest.approx(48.11, abs=0.05)
    assert Offer.objects.get(number="AF-2").modality == Offer.Modality.REMOTE


def test_a_file_without_its_required_columns_is_refused_before_anything_is_written(tmp_path):
    export = tmp_path / "autre.csv"
    export.write_text("nom;prenom\nDupont;Jean\n", encoding="utf-8")
    with pytest.raises(OpenDataError, match="numero_formation, siret"):
        import_catalogue(export)
    with pytest.raises(CommandError, match="Colonnes obligatoires"):
        call_command("import_catalogue", str(export), stdout=io.StringIO())
    assert not Offer.objects.exists()


def test_the_command_prints_the_summary_and_rejections_and_rebuilds_once(monkeypatch):
    calls = []
    monkeypatch.setattr(opendata, "rebuild_search_index", lambda: calls.append(1))
    out = io.StringIO()
    call_command("import_catalogue", str(SAMPLE), stdout=out)
    assert f"Offres créées : {GOOD_LINES}, mises à jour : 0" in out.getvalue()
    assert "ligne 28 : numéro de formation manquant" in out.getvalue()
    assert calls == [1]
