"""« Attestation de droits » (PDF): the balances and the movements, printable.

A document a holder hands to an employer, so it looks like one: the DSFR's bloc-marque
(« RÉPUBLIQUE FRANÇAISE » as text, as the site's header writes it; the Marianne image is a
protected mark and is not drawn), the service's name, the date, a reference, and the
numbers in tables, set in Marianne like the site.

fpdf2 (pure Python) embeds a subset of Marianne read from django-dsfr's own font files
(the WOFF ones: fontTools reads them with zlib alone, the WOFF2 ones would need brotli;
the font's fsType 4 allows embedding for viewing and printing). The core PDF fonts
(Helvetica…) are Latin-1 only and printed the NIR mask as « ?? ». Marianne's outlines are
CFF, which fpdf2 2.8 embeds as a TrueType font program (poppler: « Mismatch between font
type and embedded font file »; stricter readers drop the font): ``_truetype()`` converts
them once per process to TrueType outlines with fontTools' cu2qu, as fontTools' own
otf2ttf snippet does (a snippet, not a library function, hence these few lines).
Every string goes through ``printable()``, so a character Marianne lacks never reaches
the PDF (tests/web/titulaire/test_attestation.py reads the PDF back and checks that every
drawn character has a glyph in the embedded font).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import shutil
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.formats import date_format
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from mcf.domain.hours.models import CPF_CEILING, Counter, Entry

# fontTools' subsetter logs each step of each PDF at INFO: a dozen lines per download.
logging.getLogger("fontTools").setLevel(logging.WARNING)

SERVICE = "Mon compte formation"
TAGLINE = "Devenez acteur de votre parcours professionnel"
FAMILY = "Marianne"
_STYLES = {
    "": "Marianne-Regular.woff",
    "B": "Marianne-Bold.woff",
    "I": "Marianne-Regular_Italic.woff",
}
# A character the font lacks becomes the dotted circle, the usual « missing character » sign
# (it is in Marianne), never a silent « ? ».
MISSING = "\u25cc"
# Typography the font lacks but has an equivalent for.
_EQUIVALENTS = str.maketrans({"\u202f": "\xa0", "\u2011": "-", "\xad": None})

BLUE_FRANCE = (0, 0, 145)  # --blue-france-sun-113-625
GREY_LINE = (221, 221, 221)  # --border-default-grey
GREY_BACKGROUND = (238, 238, 238)  # --background-contrast-grey
GREY_TEXT = (102, 102, 102)  # --text-mention-grey
HEADING = FontFace(emphasis="BOLD", fill_color=GREY_BACKGROUND)  # a table's headings


def font_path(style: str = "") -> Path:
    """django-dsfr's Marianne file of ``style`` ("", "B", "I")."""
    found = finders.find(f"dsfr/dist/fonts/{_STYLES[style]}")
    if not found:  # django-dsfr changed its layout: fail loudly, not with a blank PDF
        raise FileNotFoundError(f"Marianne ({_STYLES[style]}) not found in django-dsfr")
    return Path(found)


@cache
def _private_directory() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="mcf-fonts-"))  # mode 0700, this process only
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@cache
def truetype_path(style: str = "") -> Path:
    """Marianne of ``style`` with TrueType outlines, converted once per process."""
    font = TTFont(font_path(style))
    if "CFF " in font:
        _cff_to_truetype(font)
    target = _private_directory() / f"Marianne-{style or 'R'}.ttf"
    font.flavor = None
    font.save(target)
    return target


def _cff_to_truetype(font: TTFont) -> None:
    """Cubic CFF outlines to quadratic ``glyf`` ones (1 unit of 1000 at most off)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for table in ("CFF ", "VORG", "DSIG"):  # DSIG: the signature no longer matches
        if table in font:
            del font[table]
    glyf.compile(font)
    metrics = font["hmtx"].metrics
    for name, glyph in glyf.glyphs.items():
        metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


@cache
def _codepoints() -> frozenset[int]:
    """The characters every style of the font can draw."""
    sets = [frozenset(TTFont(font_path(style)).getBestCmap()) for style in _STYLES]
    return frozenset.intersection(*sets)


def printable(text: str) -> str:
    """``text`` with only characters Marianne draws: typographic equivalents first, then the
    compatibility decomposition (full-width digits, ligatures…), else ``MISSING``."""
    known = _codepoints()
    out = []
    for char in unicodedata.normalize("NFC", str(text)).translate(_EQUIVALENTS):
        if ord(char) in known or char == "\n":
            out.append(char)
            continue
        decomposed = [c for c in unicodedata.normalize("NFKD", char) if ord(c) in known]
        out.append("".join(decomposed) or MISSING)
    return "".join(out)


def reference(user, counter: Counter, entries: list[Entry], day) -> str:
    """« ATT-AAAAMMJJ-XXXX-XXXX »: the day plus a digest of whose balances these are and what
    they were, so two attestations with the same content share a reference and any change
    gives another. Not a secret and not reversible (no NIR in it, PRIV-02)."""
    state = "|".join(
        [
            str(user.pk),
            str(counter.cpf_balance),
            str(counter.cpf_reserved),
            str(counter.dif_balance),
            str(entries[-1].pk if entries else ""),
            str(len(entries)),
            day.isoformat(),
        ]
    )
    digest = hashlib.sha256(state.encode()).hexdigest()[:8].upper()
    return f"ATT-{day:%Y%m%d}-{digest[:4]}-{digest[4:]}"


class Document(FPDF):
    """An A4 document of the service: the bloc-marque header, a footer of
    ``footer_text()`` with the page numbers (the attestation, a dossier's récapitulatif)."""

    reference = ""

    def footer_text(self) -> str:
        raise NotImplementedError

    def header(self):
        top = self.t_margin
        # Bloc-marque: « RÉPUBLIQUE FRANÇAISE » over the devise, as in the DSFR's header.
        self.set_xy(self.l_margin, top)
        self.set_font(FAMILY, "B", 11)
        self.set_text_color(0, 0, 0)
        self.multi_cell(50, 4.6, "RÉPUBLIQUE\nFRANÇAISE", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "I", 7)
        self.multi_cell(50, 3, "Liberté\nÉgalité\nFraternité", new_x="LMARGIN", new_y="NEXT")
        # The service, right of the bloc-marque.
        self.set_xy(self.l_margin + 48, top + 1)
        self.set_font(FAMILY, "B", 13)
        self.cell(0, 6, SERVICE, new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*GREY_TEXT)
        self.cell(0, 4.5, TAGLINE, new_x="LEFT", new_y="NEXT")
        self.cell(0, 4.5, "Compte personnel de formation (CPF)", new_x="LEFT", new_y="NEXT")
        self.set_draw_color(*BLUE_FRANCE)
        self.set_line_width(0.6)
        self.line(self.l_margin, top + 22, self.w - self.r_margin, top + 22)
        self.set_text_color(0, 0, 0)
        self.set_y(top + 28)

    def footer(self):
        self.set_y(-18)
        self.set_draw_color(*GREY_LINE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*GREY_TEXT)
        self.multi_cell(
            0,
            3.5,
            printable(self.footer_text()),
            align="C",
        )


class _Attestation(Document):
    def footer_text(self) -> str:
        return (
            f"{SERVICE} — attestation {self.reference} — page {self.page_no()} sur "
            "{nb}\nÉtablie d'après les informations connues du service à sa date ; "
            "elle ne vaut pas accord de prise en charge d'une formation."
        )


def open_document[D: Document](cls: type[D], title: str, reference: str) -> D:
    """A new document of ``cls``, Marianne loaded, margins set, on its first page."""
    pdf = cls(format="A4")
    pdf.reference = reference
    for style in _STYLES:
        pdf.add_font(FAMILY, style, truetype_path(style))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=24)
    pdf.set_title(f"{title} — {SERVICE}")
    pdf.set_author(SERVICE)
    pdf.set_lang("fr")
    pdf.add_page()
    return pdf


def render_attestation(user, counter: Counter, entries: list[Entry]) -> bytes:
    today = timezone.localdate()
    pdf = open_document(
        _Attestation, "Attestation de droits", reference(user, counter, entries, today)
    )

    pdf.set_font(FAMILY, "B", 20)
    pdf.cell(0, 10, "Attestation de droits", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*GREY_TEXT)
    pdf.cell(
        0,
        5,
        printable(f"Établie le {date_format(today, 'j F Y')} — référence {pdf.reference}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(5)

    heading = HEADING
    pdf.set_font(FAMILY, "", 10)
    pdf.set_draw_color(*GREY_LINE)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=(55, 119), first_row_as_headings=False, line_height=7, padding=(1, 2)
    ) as table:
        # PRIV-02: the NIR appears masked, never in clear.
        for label, value in (
            ("Titulaire", user.display_name),
            ("Numéro de Sécurité sociale", user_nir_masked(user)),
        ):
            row = table.row()
            row.cell(printable(label), style=heading)
            row.cell(printable(value))
    pdf.ln(6)

    section(pdf, "Vos droits à la date de l'attestation")
    dif = "non renseigné" if counter.dif_balance is None else f"{counter.dif_balance} h"
    with pdf.table(
        col_widths=(55, 30, 89),
        text_align=("LEFT", "RIGHT", "LEFT"),
        line_height=7,
        padding=(1, 2),
        headings_style=heading,
    ) as table:
        for cells in (
            ("Compteur", "Solde", "Précisions"),
            (
                "Heures CPF",
                f"{counter.cpf_balance} h",
                f"dont {counter.cpf_reserved} h réservées ; plafond {CPF_CEILING} h",
            ),
            ("Heures DIF", dif, "solde saisi par vous, d'après votre employeur"),
        ):
            table.row([printable(cell) for cell in cells])
    pdf.ln(6)

    section(pdf, "Mouvements")
    pdf.set_font(FAMILY, "", 9)
    if not entries:
        pdf.multi_cell(
            0,
            5,
            "Aucun mouvement n'a été porté à la connaissance du compte d'heures CPF.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    else:
        with pdf.table(
            col_widths=(24, 18, 110, 22),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
            line_height=5.5,
            padding=(1, 2),
            headings_style=heading,
            cell_fill_mode=TableCellFillMode.NONE,
        ) as table:
            table.row(["Date", "Compte", "Libellé", "Heures"])
            for entry in entries:
                table.row(
                    [
                        f"{timezone.localtime(entry.created_at):%d/%m/%Y}",
                        printable(entry.get_account_display()),
                        printable(entry.label or entry.get_kind_display()),
                        printable(entry.hours_shown),
                    ]
                )
    return bytes(pdf.output())


def section(pdf: FPDF, title: str) -> None:
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_text_color(*BLUE_FRANCE)
    pdf.cell(0, 8, printable(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "", 10)


def user_nir_masked(user) -> str:
    from mcf.domain.identity.nir import Nir

    return Nir.parse(user.nir).masked if user.nir else "–"
