"""``libyadata.validate.spans``: every quote exactly at char_start..char_end (code points) of its own
source, with its prefix and suffix; faulty spans reported per row with what is expected.

Tables are built as the reader gives them (every cell text, an empty cell null) and pass the
real field checks first (``run.field_checks``), so that ``check_spans`` sees what it sees in a
run. The expected cells are worked out here from the text, not taken from the library.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from libyadata import csvio, models
from libyadata.resources import datapackage_dir
from libyadata.validate import columns, reading, run, spans, structure
from libyadata.validate.report import Report
from libyadata.validate.safety import Limits

SOURCE = "src"
# Multi-line, with a curly apostrophe and Arabic before the quotes: code-point offsets differ from
# UTF-8 byte offsets. "Haftar" occurs five times, "Sarraj" once.
TEXT = ("Haftar\u2019s visit to Moscow.\n\u0645\u0639\u0627\u0644\u064a Haftar met Sarraj; Haftar left.\n"
        "Haftar returned, and Haftar stayed.")
OTHER = "-5 Sarraj met Haftar in Paris."  # a second source; its first characters are a formula trigger
TEXTS = {SOURCE: TEXT, "other": OTHER}


def starts(text: str, quote: str) -> list[int]:
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def exact(quote: str, nth: int = 0, text: str = TEXT, source: str = SOURCE) -> dict[str, str | None]:
    """The six cells of the nth occurrence of ``quote``: 32 code points of context each side,
    the prefix without leading formula characters, an empty context as an empty cell."""
    s = starts(text, quote)[nth]
    e = s + len(quote)
    return {"source_id": source, "quote": quote, "char_start": str(s), "char_end": str(e),
            "quote_prefix": text[max(0, s - 32):s].lstrip("=+-@\t\r") or None,
            "quote_suffix": text[e:e + 32] or None}


def table(rows: list[dict[str, str | None]], rownum: list[int] | None = None,
          names: tuple[str, ...] = spans.FIELDS) -> structure.RawTable:
    t = pa.Table.from_arrays([pa.array([r[n] for r in rows], pa.string()) for n in names], names=list(names))
    return structure.RawTable("data/exclusions.csv", models.Exclusion, t,
                              None if rownum is None else np.array(rownum, dtype=np.int64), list(names))


def check(raw: structure.RawTable, texts: dict[str, str] = TEXTS, encode: bool = False
          ) -> tuple[list[tuple[int, str, str]], Report]:
    """(row, field, message) of every span problem, sorted, and the field checks' own report."""
    fields = Report("pkg")
    checked = run.field_checks(fields, raw, Limits())
    if encode:
        run._encode_repeating(raw, checked)  # as run.py holds a repeating column before the row checks
    report = Report("pkg")
    spans.check_spans(report, raw, checked, texts)
    assert {p.type for p in report.problems} <= {"evidence-mismatch"}
    for p in report.problems:  # the cell shown is the cell of the field named
        i = int(np.flatnonzero(raw.rows(np.arange(raw.num_rows)) == p.row)[0])
        assert p.file == "data/exclusions.csv" and p.cell == raw.table.column(p.field)[i].as_py()
    return sorted((p.row, p.field, p.message) for p in report.problems), fields


def test_exact_spans_after_multi_line_non_ascii_text_are_counted_in_code_points():
    rows = [exact("Haftar\u2019s"), exact("Sarraj"), exact("Haftar", 4), exact("stayed."),
            exact("Sarraj", text=OTHER, source="other")]
    s = TEXT.index("Sarraj")
    assert len(TEXT[:s].encode()) != s  # the test means something: bytes would give another offset
    assert rows[0]["quote_prefix"] is None and rows[3]["quote_suffix"] is None  # start and end of the text
    got, fields = check(table(rows))
    assert got == [] and not fields.problems


def test_a_span_given_in_utf8_bytes_is_reported_with_the_code_point_offsets():
    s = TEXT.index("Sarraj")
    b = len(TEXT[:s].encode())
    got, _ = check(table([{**exact("Sarraj"), "char_start": str(b), "char_end": str(b + 6)}]))
    assert got == [(2, "char_start", (f"quote 'Sarraj' is not at char_start={b}, char_end={b + 6} (the text there "
                    f"is {TEXT[b:b + 6]!r}); did you mean char_start={s}, char_end={s + 6}?"))]


def test_a_misplaced_quote_that_occurs_often_suggests_its_first_three_places():
    at = starts(TEXT, "Haftar")
    assert len(at) == 5
    got, _ = check(table([{**exact("Haftar"), "char_start": "1", "char_end": "7"}]))
    hint = ", ".join(f"char_start={s}, char_end={s + 6}" for s in at[:3])
    assert got == [(2, "char_start", (f"quote 'Haftar' is not at char_start=1, char_end=7 (the text there is "
                    f"{TEXT[1:7]!r}); did you mean {hint}?"))]


def test_a_quote_the_text_does_not_hold_is_reported_on_quote_saying_it_occurs_nowhere():
    got, _ = check(table([{**exact("Sarraj"), "quote": "Putin!"}]))
    s = TEXT.index("Sarraj")
    assert got == [(2, "quote", (f"quote 'Putin!' is not at char_start={s}, char_end={s + 6} (the text there is "
                    "'Sarraj'); the quote occurs nowhere in the source text (check curly quotes, apostrophes "
                    "and spaces)"))]


def test_spans_past_the_end_of_the_text_show_what_is_there_and_where_the_quote_is():
    n, s = len(TEXT), TEXT.index("Sarraj")
    got, _ = check(table([{**exact("Sarraj"), "char_start": str(n - 3), "char_end": str(n + 3)},
                          {**exact("Sarraj"), "char_start": str(n + 5), "char_end": str(n + 11)}]))
    hint = f"did you mean char_start={s}, char_end={s + 6}?"
    assert got == [
        (2, "char_start", (f"quote 'Sarraj' is not at char_start={n - 3}, char_end={n + 3} (the text there is "
         f"{TEXT[n - 3:]!r}); {hint}")),
        (3, "char_start", (f"quote 'Sarraj' is not at char_start={n + 5}, char_end={n + 11} (the text there is ''); "
         f"{hint}")),
    ]


def test_char_start_not_before_char_end_is_one_problem_on_char_end():
    got, _ = check(table([{**exact("Sarraj"), "char_start": "7", "char_end": "7"},
                          {**exact("Sarraj"), "char_start": "9", "char_end": "3"},
                          {**exact("Sarraj"), "char_start": "7", "char_end": "8"}]))
    # The first two have a quote longer than their span too: only the order is said about them.
    assert got == [(2, "char_end", "char_start (7) must be less than char_end (7)"),
                   (3, "char_end", "char_start (9) must be less than char_end (3)"),
                   (4, "quote", ("quote has 6 code points but the span char_start..char_end covers 1; use "
                    "`libyadata anchor` to get the cells"))]


def test_the_quote_length_is_counted_in_code_points_not_bytes():
    quote = "Haftar\u2019s"  # 8 code points, 10 bytes
    ok, _ = check(table([exact(quote)]))
    assert ok == []
    got, _ = check(table([{**exact(quote), "char_end": "10"}]))
    # Only the length: the text is not compared for a span whose length is already wrong.
    assert got == [(2, "quote", ("quote has 8 code points but the span char_start..char_end covers 10; use "
                    "`libyadata anchor` to get the cells"))]


def test_a_wrong_prefix_and_a_wrong_suffix_are_two_problems_giving_the_expected_context():
    right = exact("Sarraj")
    got, _ = check(table([{**right, "quote_prefix": "met ", "quote_suffix": right["quote_suffix"]},
                          {**right, "quote_prefix": right["quote_prefix"], "quote_suffix": None},
                          {**right, "quote_prefix": "x", "quote_suffix": "y"}]))
    wrong_prefix = f"quote_prefix 'met ' does not match the text before the quote: expected {right['quote_prefix']!r}"
    assert got == [
        (2, "quote_prefix", wrong_prefix),
        (3, "quote_suffix", (f"quote_suffix None does not match the text after the quote: expected "
         f"{right['quote_suffix']!r}")),
        (4, "quote_prefix", (f"quote_prefix 'x' does not match the text before the quote: expected "
         f"{right['quote_prefix']!r}")),
        (4, "quote_suffix", (f"quote_suffix 'y' does not match the text after the quote: expected "
         f"{right['quote_suffix']!r}")),
    ]


def test_no_context_is_expected_at_the_start_and_the_end_of_the_text():
    got, _ = check(table([{**exact("Haftar\u2019s"), "quote_prefix": "x"},
                          {**exact("stayed."), "quote_suffix": "."}]))
    assert got == [(2, "quote_prefix", "quote_prefix 'x' does not match the text before the quote: expected None"),
                   (3, "quote_suffix", "quote_suffix '.' does not match the text after the quote: expected None")]


def test_the_expected_prefix_drops_the_formula_characters_it_starts_with():
    right = exact("Sarraj", text=OTHER, source="other")
    assert right["quote_prefix"] == "5 "
    # "-5 " as the text has it: not a formula for the field checks (a digit follows, no call), so it
    # reaches the span check.
    got, fields = check(table([right, {**right, "quote_prefix": "-5 "}]))
    assert not fields.problems
    assert got == [(3, "quote_prefix", "quote_prefix '-5 ' does not match the text before the quote: expected '5 '")]


def test_each_span_is_compared_with_the_text_of_its_own_source():
    in_other = exact("Sarraj", text=OTHER, source="other")
    s = TEXT.index("Sarraj")
    got, _ = check(table([in_other, {**in_other, "source_id": SOURCE}]))
    assert got == [(3, "char_start", (f"quote 'Sarraj' is not at char_start=3, char_end=9 (the text there is "
                    f"{TEXT[3:9]!r}); did you mean char_start={s}, char_end={s + 6}?"))]


def test_a_source_with_no_text_gets_only_the_arithmetic_checks():
    misplaced = {**exact("Sarraj"), "char_start": "1", "char_end": "7"}
    backwards = {**exact("Sarraj"), "char_start": "9", "char_end": "3"}
    # An unknown source is the foreign key check's to report; no texts at all: the sources could not be read.
    for rows, texts in (([{**misplaced, "source_id": "gone"}, {**backwards, "source_id": "gone"}], TEXTS),
                        ([misplaced, backwards], {})):
        got, _ = check(table(rows), texts)
        assert got == [(3, "char_end", "char_start (9) must be less than char_end (3)")]


def test_empty_or_faulty_cells_are_left_to_the_field_checks():
    misplaced = {**exact("Sarraj"), "char_start": "1", "char_end": "7"}
    rows = [{**misplaced, "char_start": None}, {**misplaced, "char_end": "seven"}, {**misplaced, "quote": None},
            {**misplaced, "char_start": "-1", "char_end": "5"}, {**misplaced, "quote_prefix": "p" * 33},
            {**misplaced, "source_id": "Src"}, misplaced]
    got, fields = check(table(rows))
    assert sorted({p.row for p in fields.problems}) == [2, 3, 4, 5, 6, 7]  # each is a field error there
    assert [(r, f) for r, f, _ in got] == [(8, "char_start")]  # only the row with clean cells


def test_empty_cells_are_skipped_even_without_the_field_checks_masks():
    misplaced = {**exact("Sarraj"), "char_start": "1", "char_end": "7"}
    raw = table([{**misplaced, "quote": None}, {**misplaced, "char_start": None}, {**misplaced, "char_end": None},
                 misplaced])
    # Typed columns and nothing else: no field is marked faulty, so the spans' own null tests decide.
    typed = {f: raw.table.column(f) for f in spans.FIELDS}
    typed.update({f: pa.chunked_array([pa.array([None if v is None else int(v) for v in
                                                 raw.table.column(f).to_pylist()], pa.int64())])
                  for f in ("char_start", "char_end")})
    report = Report("pkg")
    spans.check_spans(report, raw, columns.Checked(typed=typed), TEXTS)
    assert [(p.row, p.field) for p in report.problems] == [(5, "char_start")]


def test_every_row_citing_a_faulty_span_is_reported_at_its_own_record_number():
    right = exact("Sarraj")
    wrong = {**right, "quote_suffix": "y"}
    message = f"quote_suffix 'y' does not match the text after the quote: expected {right['quote_suffix']!r}"
    # Record numbers as after a blank row and an unreadable row were left out of the table. Row 6 cites
    # the same span as the exact row 4 but for its prefix: it is judged apart.
    got, _ = check(table([wrong, right, wrong, {**right, "quote_prefix": "met "}, wrong], rownum=[2, 4, 5, 6, 9]))
    assert got == [(2, "quote_suffix", message), (5, "quote_suffix", message),
                   (6, "quote_prefix", ("quote_prefix 'met ' does not match the text before the quote: expected "
                    f"{right['quote_prefix']!r}")), (9, "quote_suffix", message)]


def test_a_table_without_an_evidence_column_is_not_span_checked():
    rows = [{**exact("Sarraj"), "char_start": "9", "char_end": "3"}]
    got, _ = check(table(rows, names=tuple(f for f in spans.FIELDS if f != "char_end")))
    assert got == []


def test_the_hint_search_runs_once_per_quote_within_the_budget(monkeypatch):
    s = TEXT.index("Sarraj")
    rows = [{**exact("Sarraj"), "char_start": "1", "char_end": "7"},
            {**exact("Sarraj"), "char_start": "2", "char_end": "8"}]
    monkeypatch.setattr(spans, "HINT_BUDGET", len(TEXT))  # one search of the text, shared by both rows
    got, _ = check(table(rows), {SOURCE: TEXT})
    assert [m for _, _, m in got] == [
        f"quote 'Sarraj' is not at char_start={a}, char_end={a + 6} (the text there is {TEXT[a:a + 6]!r}); "
        f"did you mean char_start={s}, char_end={s + 6}?" for a in (1, 2)]
    monkeypatch.setattr(spans, "HINT_BUDGET", len(TEXT) - 1)  # not even one: still reported, unhinted
    got, _ = check(table(rows), {SOURCE: TEXT})
    assert got == [(r, "quote", (f"quote 'Sarraj' is not at char_start={a}, char_end={a + 6} (the text there is "
                    f"{TEXT[a:a + 6]!r}); not searched for elsewhere in the text (too many faulty spans in this run)"))
                   for r, a in ((2, 1), (3, 2))]


def test_columns_held_as_distinct_values_are_judged_as_the_plain_columns(monkeypatch):
    right, shifted = exact("Sarraj"), {**exact("Sarraj"), "char_start": "1", "char_end": "7"}
    # The first 8 rows (the sample) repeat two spans, so that every column is held as distinct values.
    rows = [right, shifted] * 4 + [
        {**right, "char_start": "7", "char_end": "7"}, {**exact("Haftar", 1), "char_end": "99"},
        {**exact("Haftar", 1), "quote_prefix": "x"}, {**right, "quote": "Putin!"}, exact("Haftar", 2),
        exact("Sarraj", text=OTHER, source="other"), shifted, exact("Haftar\u2019s")]
    plain, _ = check(table(rows))
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 8)
    raw = table(rows)
    distinct, _ = check(raw, encode=True)
    assert all(pa.types.is_dictionary(raw.table.column(f).type) for f in spans.FIELDS)  # the path was taken
    assert distinct == plain
    assert [r for r, _, _ in plain] == [3, 5, 7, 9, 10, 11, 12, 13, 16]
    assert {f for _, f, _ in plain} == {"char_end", "quote", "quote_prefix", "char_start"}


def test_the_shipped_events_are_exact_and_byte_offsets_are_caught_on_every_row(tmp_path):
    root = datapackage_dir()
    text = (root / "sources" / "future-center-2017-08-28.txt").read_bytes().decode("utf-8")
    texts = {"future-center-2017-08-28": text}

    def read(path):
        report = Report("pkg")
        raw = structure.read_table(path, "data/events.csv", models.Event, reading.scan(path), report, Limits())
        checked = run.field_checks(report, raw, Limits())
        assert not report.problems
        out = Report("pkg")
        spans.check_spans(out, raw, checked, texts)
        return sorted((p.row, p.field, p.message) for p in out.problems)

    assert read(root / "data" / "events.csv") == []
    header, rows = csvio.read_rows(root / "data" / "events.csv")
    expected = []
    for number, row in enumerate(rows, start=2):  # record numbers: cells of several lines do not shift them
        s, e, q = int(row["char_start"]), int(row["char_end"]), row["quote"]
        b = len(text[:s].encode())
        row.update(char_start=str(b), char_end=str(b + e - s))
        assert text.count(q) == 1 and text[b:b + e - s] != q
        expected.append((number, "char_start", (f"quote {q!r} is not at char_start={b}, char_end={b + e - s} "
                         f"(the text there is {text[b:b + e - s]!r}); did you mean char_start={s}, char_end={e}?")))
    path = tmp_path / "events.csv"
    path.write_bytes(csvio.to_csv_bytes(header, rows))
    assert read(path) == expected


@pytest.mark.parametrize("message, field", [
    ("quote_prefix 'a' does not match the text before the quote: expected 'b'", "quote_prefix"),
    ("quote_suffix 'a' does not match the text after the quote: expected 'b'", "quote_suffix"),
    ("quote 'a' is not at char_start=1, char_end=2 (the text there is 'b'); did you mean char_start=0, char_end=1?",
     "char_start"),
    (("quote 'a' is not at char_start=1, char_end=2 (the text there is 'b'); the quote occurs nowhere in the source "
     "text (check curly quotes, apostrophes and spaces)"), "quote"),
])
def test_a_span_message_is_filed_under_the_cell_to_change(message, field):
    assert spans._field_of(message) == field
