"""``libyadata.validate.keys``: ids compared after normalisation; a foreign key's one lookup codes its cells."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pyarrow as pa
import pytest

from libyadata import models
from libyadata.resources import datapackage_dir
from libyadata.validate import keys, reading, structure, validate_package
from libyadata.validate.columns import Checked
from libyadata.validate.report import Report


def strings(values):
    return pa.array(values, pa.string())


def _participants(event_ids, actor_ids, roles):
    table = pa.Table.from_arrays([strings(event_ids), strings(actor_ids), strings(roles)],
                                 names=["event_id", "actor_id", "role"])
    return structure.RawTable("data/event_actors.csv", models.EventActor, table, None, ["event_id", "actor_id", "role"])


def _parent(ids):
    return keys.KeySet(strings(ids), "data/events.csv")


FK = next(fk for fk in models.EventActor.foreign_keys if fk.fields == ("event_id",))


def test_positions_are_equal_for_equal_keys_and_minus_one_when_missing():
    parent = strings(["a", "b", "a", "c"])  # a duplicate key is a primary-key error there; here it must not split codes
    got = keys.positions(strings(["c", "a", "zz", None, "a"]), parent)
    assert got.tolist() == [3, 0, -1, -1, 0]


def test_reference_codes_code_keys_not_in_the_parent_among_themselves():
    raw = _participants(["a", "x", "A", "x", "y", None], ["p"] * 6, ["r"] * 6)
    codes = keys.reference_codes(raw, Checked(), FK, _parent(["a", "b"]))
    assert codes[0] == codes[2] == 0  # "A" normalises to "a", found at position 0
    assert codes[1] == codes[3] >= 2 and codes[4] >= 2 and codes[4] != codes[1]  # after the parent's positions
    assert codes[5] == -1


def test_a_composite_key_grouped_from_the_lookup_codes_reports_what_hashing_reports():
    raw = _participants(["e1", "e1", "E1", "e2", "gone", "gone", "e2"], ["a", "b", "a", "a", "a", "a", "a"],
                        ["host", "host", "host", "host", "host", "host", "guest"])
    parent = _parent(["e1", "e2"])
    hashed, shared = Report("pkg"), Report("pkg")
    keys.check_unique(hashed, raw, Checked(), models.EventActor.primary_key, "primary-key")
    known = {"event_id": keys.reference_codes(raw, Checked(), FK, parent)}
    keys.check_unique(shared, raw, Checked(), models.EventActor.primary_key, "primary-key", known)
    rows = [(p.row, p.message) for p in hashed.problems]
    assert rows == [(p.row, p.message) for p in shared.problems]
    assert [r for r, _ in rows] == [4, 7]  # "E1" repeats row 2; the second dangling "gone" repeats row 6
    assert "already used in row 2" in rows[0][1] and "already used in row 6" in rows[1][1]


def test_a_dangling_reference_is_reported_once_with_the_parent_named():
    raw = _participants(["e1", "nope"], ["a", "a"], ["host", "host"])
    report = Report("pkg")
    keys.check_foreign_key(report, raw, Checked(), FK, _parent(["e1"]))
    assert [(p.type, p.row, p.field) for p in report.problems] == [("foreign-key", 3, "event_id")]
    assert "'nope' is not an existing event_id in events" in report.problems[0].message


def test_a_parent_that_could_not_be_read_gives_a_note_not_an_error():
    raw = _participants(["e1"], ["a"], ["host"])
    report = Report("pkg")
    keys.check_foreign_key(report, raw, Checked(), FK, None)
    assert not report.problems and report.notes == ["data/event_actors.csv: foreign key event_id -> events not "
                                                    "checked because events could not be read"]
    assert np.array_equal(raw.rows(np.array([0])), [2])


def test_unique_constraint_is_checked_when_declared():
    table = pa.Table.from_arrays([strings(["a", "b", "a\u200b"])], names=["motive_id"])
    raw = structure.RawTable("data/motives.csv", models.Motive, table, None, ["motive_id"])
    report = Report("pkg")
    keys.check_unique(report, raw, Checked(), ("motive_id",), "unique-error")
    assert [(p.type, p.row, p.field) for p in report.problems] == [("unique-error", 4, "motive_id")]
    assert "already used in row 2" in report.problems[0].message
    assert np.array_equal(raw.rows(np.array([0, 2])), [2, 4])


def _key_problems(report):
    return [(p.type, p.file, p.row, p.field, p.cell, p.message) for p in report.problems]


def test_keys_checked_per_distinct_value_report_what_per_row_keys_report(tmp_path, monkeypatch):
    """Repeating key columns are normalised and looked up once per distinct value; the report
    must be the per-row one, including ids that differ only by case or an invisible character."""
    from libyadata.validate import columns

    pkg = tmp_path / "package"  # the shipped package: tables long enough to be sampled
    shutil.copytree(datapackage_dir(), pkg)
    with open(pkg / "data" / "events.csv", encoding="utf-8", newline="") as f:
        ids = [row["event_id"] for row in csv.DictReader(f)]
    path = pkg / "data" / "event_actors.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    first = rows[0].split(",")
    planted = [
        ",".join([first[0], first[1].upper(), *first[2:]]),  # the first row's key, up to case
        ",".join([first[0], "nobody", *first[2:]]),  # no such actor
        ",".join([ids[1], "RUSSIA\u200b", "host", ""]),  # an existing actor behind case and a zero-width space
    ]
    # Leading rows that repeat actor and role make those columns sampled as repeating.
    path.write_text("\n".join([header, *[f"{i},russia,host," for i in ids], *planted, *rows]) + "\n",
                    encoding="utf-8")

    per_row = validate_package(pkg)
    seen = []
    real = columns.cells
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 8)
    monkeypatch.setattr(columns, "cells", lambda col: seen.append(c := real(col)) or c)
    per_value = validate_package(pkg)
    assert sum(c.codes is not None for c in seen) >= 3  # actor_id, role, the events' source_id at least
    assert _key_problems(per_value) == _key_problems(per_row)
    found = {(p.type, p.row, p.field) for p in per_row.problems if p.file == "data/event_actors.csv"}
    n = len(ids)
    assert ("primary-key", n + 5, "event_id") in found  # the first original row: the planted one, up to case
    assert ("foreign-key", n + 3, "actor_id") in found
    assert ("foreign-key", n + 4, "actor_id") not in found  # RUSSIA + U+200B is russia
    assert ("unicode-error", n + 4, "actor_id") in found


def test_ids_compare_in_their_normalised_form():
    lower = pa.chunked_array([["russia", None, "ev-1"], [], ["x2"]], pa.string())
    assert keys.normalized(lower).to_pylist() == lower.to_pylist()
    mixed = pa.chunked_array([["russia"], ["Egypt", None]])
    assert keys._ascii_case(mixed) == "ascii" and keys.normalized(mixed).to_pylist() == ["russia", "egypt", None]
    # The buffers of a slice hold cells outside it: only the slice's bytes count.
    sliced = pa.array(["ABC", "abc", "Ünï"]).slice(1, 1)
    assert keys._ascii_case(sliced) == "lower" and keys.normalized(sliced).to_pylist() == ["abc"]
    assert keys._ascii_case(pa.array(["abc", "ﬁ"])) == "other"
    assert keys.normalized(pa.array(["abc\u200b", "ABC", "ﬁ"])).to_pylist() == ["abc", "abc", "fi"]


def test_an_id_is_compared_the_same_under_every_pyarrow_and_never_lengthened():
    import unicodedata

    # U+FDFA is 18 letters under NFKC: a column of such ids grew 11-fold and overflowed Arrow's
    # string offsets (a 189 MB file: an internal error, or under pyarrow 26 a silent overflow).
    # U+212B: pyarrow 14's NFKC left it decomposed, Python's (and pyarrow 26's) compose it.
    long = "\uff21" * (keys.MAX_ID_CHARS + 1)  # a length error already: compared as written
    values = ["\ufdfa" * 5, "\uff21\u200bB", "ABC", None, "", "\ufb01" * 3, "x\u00bd", "\u212bn", "ev-1", long]
    col = pa.chunked_array([values[:4], values[4:]], pa.string())
    got = keys.normalized(col).to_pylist()
    assert got == ["\ufdfa" * 5, "ab", "abc", None, "", "fififi", "x\u00bd", "\u00e5n", "ev-1", long]
    assert unicodedata.is_normalized("NFC", got[7])
    assert all(len((g or "").encode()) <= len((v or "").encode()) for g, v in zip(got, values))
    assert got == [None if v is None else keys.comparable_id(v) for v in values]


@pytest.mark.parametrize("written, hidden", [
    ("chapter-\u2177", "chapter-\u2177\u200b"),  # a letter NFKC lengthens, then an invisible one
    ("sallam-\ufdfa", "sallam-\ufdfa\u200b"),  # one it lengthens 11-fold (compared without NFKC)
    ("khal\u0130fa", "khalifa\u200b"),  # I with a dot: i, as Arrow lowers it
    ("half-\u00bd", "half-\u00bd\u2060"),
    ("\uff41" * 1001, "\uff41" * 1001 + "\u200b"),  # longer than MAX_ID_CHARS
    ("chapter-viii", "chapter-\u2177"),
])
def test_an_invisible_or_compatibility_character_never_hides_a_duplicate(written, hidden):
    # Found by a hostile review: comparing "as written" whenever NFKC lengthened an id kept its
    # zero-width characters, so these pairs were no longer duplicates.
    assert keys.comparable_id(written) == keys.comparable_id(hidden)
    assert keys.normalized(pa.array([written, hidden])).to_pylist() == [keys.comparable_id(written)] * 2


def test_a_number_in_a_key_is_compared_as_a_number(tmp_path):
    from libyadata.csvio import read_rows, to_csv_bytes

    pkg = tmp_path / "pkg"
    shutil.copytree(datapackage_dir(), pkg, ignore=shutil.ignore_patterns("parquet"))
    path = pkg / "data" / "mentions.csv"
    header, rows = read_rows(path)
    copy = {**rows[0], "char_start": "0" + rows[0]["char_start"]}  # the same mention, its offset written 0723
    path.write_bytes(to_csv_bytes(header, [rows[0], copy, *rows[1:]]))
    found = {(p.type, p.row) for p in validate_package(pkg).problems}
    assert ("primary-key", 3) in found, found


def test_a_column_whose_normalised_ids_would_outgrow_arrow_keeps_only_the_format_removal(monkeypatch):
    from libyadata.validate import _arrow as A

    values = ["chapter-\u2177", "abc"]  # NFKC makes the first one byte longer (viii)
    col = pa.array(values)
    assert keys.normalized(col).to_pylist() == ["chapter-viii", "abc"]
    monkeypatch.setattr(A, "MAX_STRING_BYTES", sum(len(v.encode()) for v in values))  # no byte more
    assert keys.normalized(col).to_pylist() == ["chapter-\u2177", "abc"]
