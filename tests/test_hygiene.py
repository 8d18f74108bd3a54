"""Unicode hygiene (libyadata.hygiene): refused classes, NFC by Python's unicodedata, and the validator using them."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata

import pytest

from libyadata import hygiene
from libyadata.validate import validate_package

ALEF_HAMZA = "\u0623"  # ARABIC LETTER ALEF WITH HAMZA ABOVE: pyarrow 25's utf8_normalize decomposes it


def test_alef_with_hamza_above_is_nfc():
    assert hygiene.cell_fault(ALEF_HAMZA + "\u062d\u0645\u062f") is None
    assert hygiene.cell_fault("\u0627\u0654") is not None  # the same letter written decomposed


def test_nfc_verdict_does_not_depend_on_the_arrow_kernel(package_copy, monkeypatch):
    """Under a pyarrow whose NFC kernel decomposes U+0623 (25.x) the shipped Arabic text is still NFC."""
    import pyarrow.compute as pc

    real = pc.utf8_normalize
    monkeypatch.setattr(pc, "utf8_normalize",
                        lambda col, form, **kw: real(col, "NFD" if form == "NFC" else form, **kw))
    path = package_copy / "data" / "actors.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    notes = rows[0].index("notes")
    rows[1][notes] = f"Named {ALEF_HAMZA}\u062d\u0645\u062f in the Arabic original"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    report = validate_package(package_copy)
    assert [p.type for p in report.problems] == ["byte-count", "hash-count"]


@pytest.mark.parametrize("ch, kind", [
    ("\u200b", "default-ignorable"), ("\u202e", "default-ignorable"), ("\u2066", "default-ignorable"),
    ("\u061c", "default-ignorable"), ("\u00ad", "default-ignorable"), ("\ufe0f", "default-ignorable"),
    ("\u3164", "default-ignorable"), ("\U000e0041", "default-ignorable"), ("\ufeff", "default-ignorable"),
    ("\t", "control"), ("\r", "control"), ("\x00", "control"), ("\x85", "control"),
    ("\u0600", "format"), ("\u2028", "line separator"), ("\u2029", "line separator"),
    ("\ue000", "private-use"), ("\U0010fffd", "private-use"), ("\ufffe", "unassigned"),
    ("\n", None), (" ", None), ("\u00a0", None), ("\u00e9", None), (ALEF_HAMZA, None), ("\u4e2d", None),
])
def test_refused_classes(ch, kind):
    assert hygiene.refused_class(ch) == kind
    fault = hygiene.cell_fault(f"a{ch}b")
    assert (fault is None) is (kind is None)
    if kind is not None:
        assert f"U+{ord(ch):04X}" in fault and "position 1" in fault


def test_default_ignorable_table_holds_every_format_character_uax44_derives_it_from():
    """DI = Other_DI + Cf + Variation_Selector - White_Space - FFF9..FFFB - 13430..1343F - PCM (UAX #44)."""
    prepended_concatenation_mark = {*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD}
    excluded = {*range(0xFFF9, 0xFFFC), *range(0x13430, 0x13440)} | prepended_concatenation_mark
    table = {c for lo, hi in hygiene.DEFAULT_IGNORABLE for c in range(lo, hi + 1)}
    cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert cf - excluded <= table
    assert not table & excluded
    assert len(table) == 4174  # the count DerivedCoreProperties.txt 15.1.0 gives


def test_position_of_a_decomposed_character_is_named():
    fault = hygiene.cell_fault("ab" + "e\u0301")
    assert "position 2" in fault and "U+0065 U+0301" in fault


def test_data_dictionary_lists_the_refused_classes():
    from libyadata.docs import data_dictionary

    text = data_dictionary()
    for name, description in hygiene.REFUSED_CLASSES:
        assert f"**{name}**: {description}" in text
