"""« Attestation de droits » (PDF): every drawn character has a glyph in the embedded font.

The PDF is read back as a reader would: for each text-showing operator, the codes are
mapped to glyphs (CIDToGIDMap) and to characters (ToUnicode), and each glyph is looked up
in the embedded font program. The core Helvetica font of the first version drew the NIR
mask « •• » as « ?? »; a test that only searched the bytes for the balances missed it.
"""

from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ContentStream

from mcf.domain.hours.models import Counter, Entry
from mcf.domain.identity.nir import Nir
from mcf.web.titulaire.attestation import MISSING, printable, reference
from tests.factories import NIR_A
from tests.web.titulaire.test_hours_pages import client, feed, holder  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

# Operator-typed labels are free text: full-width digits, a narrow no-break space, an emoji.
NBSP = " "  # pypdf's extract_text() gives no-break spaces as spaces
HOSTILE_LABEL = "Régularisation n°\u202f１２ — dossier ＡＢ\u20117 🎓"


def drawn_text(pdf: bytes) -> list[tuple[str, str, int, TTFont]]:
    """(font name, character, glyph id, embedded font) of every character drawn."""
    reader = PdfReader(BytesIO(pdf))
    drawn = []
    for page in reader.pages:
        fonts = {}
        for key, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0", f"{key}: not an embedded Unicode font"
            cid_font = font["/DescendantFonts"][0].get_object()
            program = cid_font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            cid_to_gid = cid_font["/CIDToGIDMap"].get_object().get_data()
            to_unicode = _bfchars(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
            fonts[key] = (str(font["/BaseFont"]), TTFont(BytesIO(program)), cid_to_gid, to_unicode)
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = fonts[operands[0]]
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                for string in strings:
                    if isinstance(string, (int, float)):
                        continue  # a kerning adjustment
                    data = string.original_bytes if hasattr(string, "original_bytes") else string
                    name, program, cid_to_gid, to_unicode = current
                    for i in range(0, len(data), 2):
                        code = int.from_bytes(data[i : i + 2], "big")
                        gid = int.from_bytes(cid_to_gid[code * 2 : code * 2 + 2], "big")
                        drawn.append((name, to_unicode.get(code, ""), gid, program))
    return drawn


def _bfchars(cmap: str) -> dict[int, str]:
    import re

    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
    }


@pytest.fixture
def pdf(client, holder, caplog):  # noqa: F811
    feed(holder, 2015, 24)
    counter = Counter.objects.get(holder=holder)
    Entry.objects.create(counter=counter, kind=Entry.Kind.CORRECTION, hours=0, label=HOSTILE_LABEL)
    response = client.get("/titulaire/compte-d-heures/attestation.pdf")
    assert response["Content-Type"] == "application/pdf"
    # fpdf2 silently leaves out a character its font lacks, and only logs it.
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]
    return response.content


def test_every_drawn_character_has_its_glyph_in_the_embedded_font(pdf):
    drawn = drawn_text(pdf)
    assert len(drawn) > 500
    for name, char, gid, program in drawn:
        assert "glyf" in program, f"{name}: not TrueType outlines, readers may drop it"
        glyph_name = program.getGlyphOrder()[gid]
        assert gid != 0, f"{char!r} drawn with {name}'s .notdef"
        assert char, f"glyph {glyph_name} of {name} has no Unicode text (copy, search)"
        assert program.getBestCmap().get(ord(char[0])) == glyph_name, (
            f"{char!r} is drawn with {glyph_name}, not its own glyph in {name}"
        )
    text = "".join(char for _, char, _, _ in drawn)
    assert "?" not in text  # the replacement of a character the font lacked
    assert MISSING in text  # the emoji, visibly replaced
    assert Nir.parse(NIR_A).masked in text  # the bullets, as bullets


def test_attestation_looks_like_an_official_document(pdf, holder):  # noqa: F811
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    text = text.replace("\xa0", NBSP)
    for expected in (
        "RÉPUBLIQUE",
        "FRANÇAISE",
        "Mon compte formation",
        "Attestation de droits",
        "Établie le ",
        "référence ATT-",
        Nir.parse(NIR_A).masked,
        holder.display_name,
        f"Régularisation n°{NBSP}12 — dossier AB-7 {MISSING}",  # hostile label, made printable
        "page 1 sur 1",
    ):
        assert expected in text, text
    assert NIR_A not in text


def test_reference_changes_with_the_balances_and_not_without(holder):  # noqa: F811
    from datetime import date

    counter = Counter.objects.get(holder=holder)
    day = date(2026, 12, 7)
    first = reference(holder, counter, [], day)
    assert first == reference(holder, counter, [], day)
    counter.cpf_balance += 1
    assert reference(holder, counter, [], day) != first
    assert first.startswith("ATT-20261207-")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_printable_leaves_only_characters_the_font_draws(text):
    from mcf.web.titulaire.attestation import _codepoints

    known = _codepoints()
    assert all(ord(char) in known or char == "\n" for char in printable(text))


def test_printable_keeps_french_and_maps_lookalikes():
    assert printable("Œuvre « été » à 10\u202fh – ½") == "Œuvre « été » à 10\xa0h – ½"
    assert printable("１２３ ＡＢ") == "123 AB"
    assert printable("🎓") == MISSING
