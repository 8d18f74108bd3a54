"""``libyadata.validate.assertions``: a row repeating an earlier row's ``same_assertion`` cells is a
``duplicate-assertion`` naming the first such row; a mention naming no record of its record_table
is a ``foreign-key`` (or a note, when that table could not be read or judged).

Small tables are built as the reader gives them (every cell text, an empty cell null); the
shipped tables are read with the validator's own reader.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from libyadata import csvio, models, vocab
from libyadata.resources import datapackage_dir
from libyadata.validate import assertions, keys, reading, run, structure
from libyadata.validate.report import Report
from libyadata.validate.safety import Limits

REL = models.Relationship.same_assertion
HAFTAR = ("khalifa-haftar", "fights", "government-of-national-accord", "goal", "russia")


def strings(values):
    return pa.array(values, pa.string())


def table(model, names, rows, rownum=None, file=None):
    t = pa.Table.from_arrays([strings([r[i] for r in rows]) for i in range(len(names))], names=list(names))
    return structure.RawTable(file or f"data/{model.table}.csv", model, t,
                              None if rownum is None else np.array(rownum, dtype=np.int64), list(names))


def duplicates(raw, checked=None):
    report = Report("pkg")
    assertions.check_duplicates(report, raw, checked)
    assert {p.type for p in report.problems} <= {"duplicate-assertion"}
    return [(p.row, p.field, p.cell, p.message) for p in report.problems]


def repeats(row, names=REL):
    return (f"asserts the same as row {row} (equal {', '.join(names)}): one fact is one record; delete this row "
            "and add its quote to mentions.csv as a mention of the other")


# --- check_duplicates ---------------------------------------------------------------------


@pytest.mark.parametrize("field_checked", [False, True])
def test_a_relation_recorded_twice_is_reported_on_the_later_row_naming_the_first(field_checked):
    other = ("russia", "fights", "khalifa-haftar", "goal", "russia")
    raw = table(models.Relationship, REL, [HAFTAR, other, HAFTAR])
    checked = run.field_checks(Report("pkg"), raw, Limits()) if field_checked else None
    assert duplicates(raw, checked) == [(4, "subject_id", "khalifa-haftar", repeats(2))]
    report = Report("pkg")
    assertions.check_duplicates(report, raw, checked)
    assert report.problems[0].field_number == 2  # subject_id's column in relationships.csv


def test_every_repeat_names_the_first_row_of_its_group_not_the_previous_one():
    other = ("russia", "fights", "khalifa-haftar", "goal", "russia")
    got = duplicates(table(models.Relationship, REL, [HAFTAR, other, HAFTAR, other, HAFTAR]))
    assert [(r, m) for r, _, _, m in got] == [(4, repeats(2)), (5, repeats(3)), (6, repeats(2))]


@pytest.mark.parametrize("field, value", [("subject_id", "russia"), ("predicate", "rival_of"),
                                          ("object_id", "russia"), ("modality", "fear"), ("holder", "article")])
def test_rows_differing_in_any_one_of_the_fields_assert_different_things(field, value):
    changed = tuple(value if f == field else v for f, v in zip(REL, HAFTAR))
    assert changed != HAFTAR
    assert duplicates(table(models.Relationship, REL, [HAFTAR, changed])) == []


def test_ids_compare_normalised_and_other_cells_as_written():
    # An id that differs by case or an invisible character names the same actor; a vocabulary
    # term that differs by case is another cell (its vocabulary-error is the field checks').
    rows = [HAFTAR, ("Khalifa-Haftar\u200b",) + HAFTAR[1:4] + ("RUSSIA",), HAFTAR[:1] + ("Fights",) + HAFTAR[2:]]
    assert duplicates(table(models.Relationship, REL, rows)) == [(3, "subject_id", "Khalifa-Haftar\u200b", repeats(2))]


def test_empty_cells_are_equal_to_each_other_and_to_nothing_else():
    fact = HAFTAR[:3] + ("asserted_fact", None)  # a fact has no holder
    rows = [fact, fact[:4] + ("article",), fact]
    assert duplicates(table(models.Relationship, REL, rows)) == [(4, "subject_id", "khalifa-haftar", repeats(2))]


def test_rows_are_numbered_as_in_the_file():
    rows = [HAFTAR, ("russia",) + HAFTAR[1:], HAFTAR]
    # Record numbers as after rows 4 and 6 could not be read (ragged) and were left out.
    got = duplicates(table(models.Relationship, REL, rows, rownum=[3, 5, 7]))
    assert [(r, m) for r, _, _, m in got] == [(7, repeats(3))]


def test_a_motive_repeats_when_its_holder_and_its_rank_do():
    names = models.Motive.same_assertion
    assert names == ("holder_id", "rank")
    raw = table(models.Motive, names, [("russia", "1"), ("russia", "2"), ("Russia", "1"), ("haftar", "1")])
    assert duplicates(raw) == [(4, "holder_id", "Russia", repeats(2, names))]


@pytest.mark.parametrize("field_checked", [False, True])
def test_numbers_compare_by_value_so_a_rank_written_01_repeats_rank_1(field_checked):
    names = models.Motive.same_assertion
    raw = table(models.Motive, names, [("russia", "1"), ("russia", "2"), ("russia", "01"), ("russia", "+2")])
    checked = run.field_checks(Report("pkg"), raw, Limits()) if field_checked else None
    assert duplicates(raw, checked) == [(4, "holder_id", "russia", repeats(2, names)),
                                        (5, "holder_id", "russia", repeats(3, names))]


def test_a_cell_that_is_not_a_number_is_neither_empty_nor_any_number():
    names = models.Motive.same_assertion
    rows = [("russia", "x"), ("russia", None), ("russia", "0"), ("russia", "-1"), ("russia", "x"), ("russia", "y")]
    raw = table(models.Motive, names, rows)
    checked = run.field_checks(Report("pkg"), raw, Limits())
    assert duplicates(raw, checked) == [(6, "holder_id", "russia", repeats(2, names))]


def test_nothing_is_compared_without_the_models_fields_or_a_second_row():
    assert duplicates(table(models.Relationship, REL, [HAFTAR, HAFTAR])) == [(3, "subject_id", "khalifa-haftar",
                                                                              repeats(2))]
    assert duplicates(table(models.Exclusion, ("exclusion_id", "reason"), [("a", "x"), ("a", "x")])) == []
    assert duplicates(table(models.Relationship, REL[:-1], [HAFTAR[:-1], HAFTAR[:-1]])) == []
    assert duplicates(table(models.Relationship, REL, [HAFTAR])) == []


def read_shipped(path, rel, model):
    report = Report("pkg")
    raw = structure.read_table(path, rel, model, reading.scan(path), report, Limits())
    checked = run.field_checks(report, raw, Limits())
    assert not report.problems, report.problems
    return raw, checked


@pytest.mark.parametrize("model", [m for m in models.MODELS if m.same_assertion], ids=lambda m: m.table)
def test_a_shipped_record_copied_under_a_new_id_is_caught(model, tmp_path):
    rel = f"data/{model.table}.csv"
    shipped = datapackage_dir() / rel
    assert duplicates(*read_shipped(shipped, rel, model)) == []
    header, rows = csvio.read_rows(shipped)
    (key,) = model.primary_key
    rows.append({**rows[0], key: rows[0][key] + "-again"})
    path = tmp_path / f"{model.table}.csv"
    path.write_bytes(csvio.to_csv_bytes(header, rows))
    first = model.same_assertion[0]
    assert duplicates(*read_shipped(path, rel, model)) == [(len(rows) + 1, first, rows[0][first] or None,
                                                           repeats(2, model.same_assertion))]


# --- check_record_references --------------------------------------------------------------

MENTION = ("record_table", "record_id")


def key_sets(**ids):
    return {(name, models.TABLES[name].primary_key): keys.KeySet(strings(values), f"data/{name}.csv")
            for name, values in ids.items()}


def references(raw, sets, checked=None):
    report = Report("pkg")
    assertions.check_record_references(report, raw, checked, sets)
    assert {p.type for p in report.problems} <= {"foreign-key"}
    return [(p.row, p.field, p.message) for p in report.problems], report.notes


def missing(cell, table):
    return (f"record_id {cell!r} is not an existing {models.TABLES[table].primary_key[0]} in {table}; "
            "use an existing id")


ALL = {"events": ["e1"], "motives": ["m1"], "projections": ["p1"], "relationships": ["r1"], "claims": ["c1"]}


def test_a_mention_of_a_missing_record_names_the_key_of_its_table():
    raw = table(models.Mention, MENTION, [("events", "e1"), ("claims", "c-gone"), ("motives", "m1")])
    assert references(raw, key_sets(**ALL)) == ([(3, "record_id", missing("c-gone", "claims"))], [])


def test_the_record_must_be_in_the_table_the_row_names():
    raw = table(models.Mention, MENTION, [("claims", "e1"), ("events", "e1"), ("events", "c1")])
    assert references(raw, key_sets(**ALL))[0] == [(2, "record_id", missing("e1", "claims")),
                                                    (4, "record_id", missing("c1", "events"))]


def test_record_ids_compare_normalised():
    raw = table(models.Mention, MENTION, [("events", "E1"), ("events", "e1\u200b"), ("events", "e2")])
    assert references(raw, key_sets(**ALL))[0] == [(4, "record_id", missing("e2", "events"))]


def test_rows_are_reported_in_file_order_with_their_record_numbers():
    raw = table(models.Mention, MENTION, [("motives", "x"), ("events", "y"), ("events", "e1"), ("claims", "z")],
                rownum=[2, 3, 5, 8])
    assert references(raw, key_sets(**ALL))[0] == [(2, "record_id", missing("x", "motives")),
                                                    (3, "record_id", missing("y", "events")),
                                                    (8, "record_id", missing("z", "claims"))]


def test_a_table_that_could_not_be_read_is_a_note_for_the_mentions_of_it_only():
    raw = table(models.Mention, MENTION, [("claims", "c-any"), ("events", "e-gone")])
    got, notes = references(raw, key_sets(events=["e1"]))  # no key set: the other tables could not be read
    assert got == [(3, "record_id", missing("e-gone", "events"))]
    assert notes == ["data/mentions.csv: record_id -> claims not checked because claims could not be read"]


def test_a_reference_not_found_in_a_table_with_unreadable_rows_is_a_note_not_an_error():
    sets = key_sets(**ALL)
    sets[("events", ("event_id",))] = keys.KeySet(strings(["e1"]), "data/events.csv", unreadable=[4, 9])
    raw = table(models.Mention, MENTION, [("events", "e-gone"), ("events", "e1"), ("events", "e-lost"),
                                          ("motives", "m-gone")])
    got, notes = references(raw, sets)
    assert got == [(5, "record_id", missing("m-gone", "motives"))]
    assert notes == [("data/mentions.csv: record_id -> events: 2 reference(s) not found were not checked because "
                     "row(s) 4, 9 of data/events.csv could not be read")]
    # All found: nothing to say about the unreadable rows.
    assert references(table(models.Mention, MENTION, [("events", "e1")]), sets) == ([], [])


def test_empty_ids_and_tables_that_hold_no_records_are_left_to_the_field_checks():
    rows = [("events", None), (None, "e-gone"), ("actors", "e-gone"), ("Events", "e-gone")]
    assert references(table(models.Mention, MENTION, rows), key_sets(**ALL)) == ([], [])


def test_only_a_table_with_a_record_reference_is_checked():
    assert references(table(models.Relationship, REL, [HAFTAR]), key_sets(**ALL)) == ([], [])
    assert references(table(models.Mention, ("record_id",), [("e-gone",)]), key_sets(**ALL)) == ([], [])


def test_the_shipped_mentions_name_existing_records_and_each_table_is_looked_up_in_its_own_keys():
    root = datapackage_dir()
    sets = {}
    for name in vocab.RECORD_TABLES:
        model = models.TABLES[name]
        raw, checked = read_shipped(root / "data" / f"{name}.csv", f"data/{name}.csv", model)
        sets[(name, model.primary_key)] = keys.key_set(raw, checked, model.primary_key)
    raw, checked = read_shipped(root / "data" / "mentions.csv", "data/mentions.csv", models.Mention)
    assert references(raw, sets, checked) == ([], [])
    tables = raw.table.column("record_table").to_pylist()
    ids = raw.table.column("record_id").to_pylist()
    assert len(set(tables)) >= 3
    for name, reference in sets:
        emptied = {**sets, (name, reference): keys.KeySet(strings([]), f"data/{name}.csv")}
        expected = [(i + 2, "record_id", missing(ids[i], name)) for i, t in enumerate(tables) if t == name]
        assert references(raw, emptied, checked) == (expected, [])
