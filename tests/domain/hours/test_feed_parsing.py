"""The feed's line reader: its fast NIR check agrees with Nir.parse."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcf.domain.hours.feed.parsing import DeclarationReader, siret_reason
from mcf.domain.identity.nir import Nir, NirError, fast_nir_value, with_key
from mcf.domain.identity.protection import nir_lookup_hash
from tests.factories import NIR_A, NIR_B

HYPOTHESIS = settings(
    database=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

prefixes = st.builds(
    lambda sex, middle, department, tail: f"{sex}{middle}{department}{tail}",
    st.sampled_from("12345678"),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.sampled_from(["75", "2A", "2B", "2a", "13", "97", "99"]),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)


def parse_or_none(raw: str) -> str | None:
    try:
        return Nir.parse(raw).value
    except NirError:
        return None


@HYPOTHESIS
@given(prefix=prefixes, key=st.one_of(st.none(), st.from_regex(r"[0-9]{2}", fullmatch=True)))
def test_the_fast_nir_check_accepts_only_what_nir_parse_accepts(prefix, key):
    raw = with_key(prefix.upper()) if key is None else prefix + key
    fast = fast_nir_value(raw)
    if fast is not None:
        assert fast == parse_or_none(raw) == raw
    elif raw == raw.upper() and raw[0] in "12":
        # A canonical, definitive number is never left to the slow path when valid.
        assert parse_or_none(raw) is None


@HYPOTHESIS
@given(raw=st.text(alphabet="0123456789 .-aAbB2", max_size=20))
def test_the_fast_nir_check_never_accepts_a_refused_number(raw):
    fast = fast_nir_value(raw)
    assert fast is None or fast == parse_or_none(raw)


def test_siret_reasons():
    assert siret_reason("73282932000074") is None
    assert siret_reason("732 829 320 00074") is None
    assert siret_reason("35600000000048") is None  # La Poste's head office
    assert siret_reason("") == "SIRET manquant"
    assert siret_reason("7328293200007") == "SIRET invalide : 14 chiffres attendus"
    assert siret_reason("73282932000075") == "SIRET invalide : la clé de contrôle ne correspond pas"


def read(lines, today=date(2026, 3, 2)):
    rejected = []
    reader = DeclarationReader(
        lines, today=today, on_reject=lambda number, reason: rejected.append((number, reason))
    )
    return list(reader), rejected, reader


def test_accepted_lines_are_normalised():
    accepted, rejected, reader = read(
        [
            f"2015;73282932000074;{NIR_A};A;B;803,5;;\n",
            f"2016;73282932000074;{NIR_A};A;B;803.5;1820,00;12,5\r\n",
            f"2017;73282932000074;{NIR_A};A;B;100;0;0\n",  # reference 0 = none (1 607 h)
            "   \n",
        ]
    )
    digest = nir_lookup_hash(NIR_A)
    assert accepted == [
        (digest, 2015, "803.5", None, "0"),
        (digest, 2016, "803.5", "1820.00", "12.5"),
        (digest, 2017, "100", None, "0"),
    ]
    assert rejected == []
    assert (reader.lines_read, reader.lines_rejected) == (3, 0)


LIMITS = "(au plus 4 chiffres avant et 4 après la virgule)"


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ("", "heures travaillées manquantes"),
        ("-0,5", "heures travaillées négatives : « -0,5 »"),
        ("1e3", "heures travaillées non numériques : « 1e3 »"),
        ("12 h", "heures travaillées non numériques : « 12h »"),
        ("99999", f"heures travaillées hors limites : « 99999 » {LIMITS}"),
        ("1,23456", f"heures travaillées hors limites : « 1,23456 » {LIMITS}"),
    ],
)
def test_hours_reasons(hours, reason):
    _, rejected, _ = read([f"2015;73282932000074;{NIR_A};A;B;{hours};;0\n"])
    assert rejected == [(2, reason)]


def test_the_last_year_accepted_is_the_one_before_today():
    _, rejected, _ = read(
        [f"2025;73282932000074;{NIR_A};A;B;1;;0", f"2026;73282932000074;{NIR_A};A;B;1;;0"],
        today=date(2026, 1, 1),
    )
    assert [number for number, _ in rejected] == [3]
    _, rejected, _ = read([f"20x5;73282932000074;{NIR_A};A;B;1;;0"])
    assert rejected == [(2, "année non numérique : « 20x5 »")]


# --- Reading by blocks (a stream) gives exactly what reading line by line gives -----------

_NIR_2A = with_key("1850520012345")
_FIELDS = {
    "year": ["2015", "2016", "2025", "2026", "20x5", ""],
    "siret": ["73282932000074", "73282932000075", "732 829 320 00074", ""],
    "nir": [NIR_A, NIR_B, _NIR_2A, NIR_A[:14] + "0", "7" + NIR_A[1:], NIR_A.lower(), ""],
    "name": ["DUPONT", "", '"DE LA; FONTAINE"', "Zoé\u2028X", "A\x85B"],
    "hours": ["1607", "803,5", "803.50", "0", "", "-1", "99999", "12 h", "1,2345"],
}
_ENDINGS = ["\n", "\r\n", "\r", "\r\r\n", ""]
data_lines = st.builds(
    lambda year, siret, nir, name, hours, ending, columns: (
        ";".join([year, siret, nir, name, name, *hours][:columns]) + ending
    ),
    *(st.sampled_from(_FIELDS[key]) for key in ("year", "siret", "nir", "name")),
    st.lists(st.sampled_from(_FIELDS["hours"]), min_size=3, max_size=3),
    st.sampled_from(_ENDINGS),
    st.sampled_from([8, 8, 8, 8, 7, 9]),
)
files = st.lists(st.one_of(data_lines, st.sampled_from(["\n", "  \r\n", ";;;;;;;\n"])), max_size=25)


def _read_all(source, **options):
    rejected = []
    reader = DeclarationReader(
        source,
        today=date(2026, 3, 2),
        on_reject=lambda number, reason: rejected.append((number, reason)),
        **options,
    )
    return list(reader), rejected, (reader.lines_read, reader.lines_rejected)


@HYPOTHESIS
@given(lines=files, block=st.integers(min_value=1, max_value=300))
def test_reading_by_blocks_is_reading_line_by_line(lines, block):
    text = "".join(lines)
    by_lines = _read_all(list(io.StringIO(text, newline="")))
    by_blocks = _read_all(io.StringIO(text, newline=""), block_characters=block)
    assert by_blocks == by_lines


def test_the_canonical_lines_are_read_by_blocks_with_their_numbers():
    good = f"2016;73282932000074;{NIR_A};A;B;1607;;0\n"
    text = good + "2016;bad\n" + good.replace("\n", "\r\n") + "\n" + good
    accepted, rejected, counts = _read_all(io.StringIO(text, newline=""), block_characters=50)
    assert [row[1] for row in accepted] == [2016, 2016, 2016]
    assert rejected == [(3, "2 colonnes au lieu de 8 (séparateur « ; »)")]
    assert counts == (4, 1)
