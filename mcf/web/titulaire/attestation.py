"""« Attestation de droits » (PDF): the balances and the movements, printable.

fpdf2 (pure Python, no system library) with its core Helvetica font: enough for French
(Latin-1) and nothing to install on the servers.
"""

from __future__ import annotations

from django.utils import timezone
from fpdf import FPDF

from mcf.domain.hours.models import Counter, Entry


def _latin1(text: str) -> str:
    # Core PDF fonts are Latin-1: typographic apostrophes and spaces become plain ones.
    return (
        (text.replace("’", "'").replace("\u202f", " ").replace("\xa0", " ").replace("–", "-"))
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def render_attestation(user, counter: Counter, entries: list[Entry]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # a few kB, and the text stays searchable (and testable)
    pdf.set_title("Attestation de droits - Mon compte formation")
    pdf.set_author("Mon compte formation")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1("Attestation de droits"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    today = timezone.localdate()
    lines = [
        "Compte personnel de formation - Mon compte formation",
        f"Titulaire : {user.display_name}",
        # PRIV-02: the NIR appears masked, never in clear.
        f"Numéro de Sécurité sociale : {user_nir_masked(user)}",
        f"Établie le {today:%d/%m/%Y}",
        "",
        f"Heures CPF : {counter.cpf_balance} h (dont {counter.cpf_reserved} h réservées), "
        "plafond 150 h",
        "Heures DIF : "
        + ("non renseignées" if counter.dif_balance is None else f"{counter.dif_balance} h"),
    ]
    for line in lines:
        pdf.cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _latin1("Mouvements"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if not entries:
        pdf.cell(
            0,
            6,
            _latin1("Aucun mouvement n'a été porté à la connaissance du compte d'heures CPF."),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for entry in entries:
        sign = "+" if entry.hours > 0 else ""
        pdf.cell(
            0,
            6,
            _latin1(
                f"{timezone.localtime(entry.created_at):%d/%m/%Y}  "
                f"{entry.get_account_display()}  {entry.label or entry.get_kind_display()}  "
                f"{sign}{entry.hours} h"
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def user_nir_masked(user) -> str:
    from mcf.domain.identity.nir import Nir

    return Nir.parse(user.nir).masked if user.nir else "-"
