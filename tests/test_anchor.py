"""libyadata anchor: occurrences listed and picked, near misses suggested, CSV cells, and --fix.

Every test works on the real source text; --fix runs on a copy of the real package with
rows broken the way an edit breaks them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libyadata import csvio
from libyadata.cli import main
from libyadata.evidence import (EVIDENCE_CELLS, anchor, fix_spans, near_matches, occurrences, prefix_at, reanchor,
                                suffix_at)
from libyadata.resources import datapackage_dir
from libyadata.validate import validate_package

EVENTS = "data/events.csv"


@pytest.fixture
def package(tmp_path) -> Path:
    dest = tmp_path / "datapackage"
    shutil.copytree(datapackage_dir(), dest, ignore=shutil.ignore_patterns("parquet"))
    return dest


def rows(package: Path, table: str = "events") -> tuple[list[str], list[dict[str, str]]]:
    return csvio.read_rows(package / "data" / f"{table}.csv")


def write(package: Path, header, table_rows, table: str = "events") -> None:
    (package / "data" / f"{table}.csv").write_bytes(csvio.to_csv_bytes(header, table_rows))


def widened(text: str, row: dict[str, str]) -> str:
    """The row's quote widened to the word before it: a quote of the text that its offsets no longer
    fit, made from whatever the row holds today (a correction of the data does not break the tests)."""
    start, end = int(row["char_start"]), int(row["char_end"])
    while True:
        start = text.rindex(" ", 0, start - 1) + 1
        if text.count(text[start:end]) == 1:
            return text[start:end]


def span_errors(package: Path) -> list:
    return [p for p in validate_package(package).problems if p.type == "evidence-mismatch"]


# --- anchor QUOTE -----------------------------------------------------------------------


def test_several_occurrences_are_listed_not_guessed(capsys, text, package):
    n = len(occurrences(text, "Haftar"))
    assert n > 1
    assert main(["anchor", "Haftar", "--package", str(package)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"'Haftar' occurs {n} times" in err and "--occurrence N or --near OFFSET" in err
    listed = [line for line in err.splitlines() if line.startswith("  --occurrence ")]
    assert len(listed) == n
    assert all("[Haftar]" in line for line in listed)  # each with its context


@pytest.mark.parametrize("pick", [["--occurrence", "3"], ["--near", "PLACE"]])
def test_one_occurrence_is_picked(capsys, text, package, pick):
    starts = occurrences(text, "Haftar")
    if pick[1] == "PLACE":
        pick = ["--near", str(starts[3] + 2)]
    assert main(["anchor", "Haftar", *pick, "--package", str(package)]) == 0
    cells = __import__("json").loads(capsys.readouterr().out)
    assert cells["char_start"] == starts[3] and text[cells["char_start"]:cells["char_end"]] == "Haftar"


def test_an_occurrence_that_does_not_exist(capsys, package):
    assert main(["anchor", "Haftar", "--occurrence", "999", "--package", str(package)]) == 1
    assert "occurrence 999 does not exist" in capsys.readouterr().err


def test_straight_apostrophe_gets_the_curly_one_suggested(capsys, text, package):
    typed = "Haftar's recent visit"
    assert typed not in text and "Haftar\u2019s recent visit" in text
    assert main(["anchor", typed, "--package", str(package)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "Did you mean" in err and "[Haftar\u2019s recent visit]" in err
    assert "RIGHT SINGLE QUOTATION MARK" in err and "libyadata anchor 'Haftar\u2019s recent visit'" in err


@pytest.mark.parametrize("typed, found", [
    ("a  b", "A b"),                      # runs of spaces and case
    ("x - y", "x \u2013 y"),              # hyphen for an en dash
    ("x -- y", None),                      # but not for two characters
    ('"quoted"', "\u201cquoted\u201d"),   # straight for curly double quotes
    ("line end", "line\n\nend"),          # spaces for newlines
])
def test_near_matches(typed, found):
    text = "A b, x \u2013 y, \u201cquoted\u201d, line\n\nend."
    near = near_matches(text, typed)
    assert [s.quote for s in near] == ([found] if found else [])
    for s in near:
        assert text[s.char_start:s.char_end] == s.quote and s.quote_prefix == prefix_at(text, s.char_start)


def test_csv_cells_paste_into_a_row(capsys, text, package):
    quote = "The goals of the visit"  # its prefix and suffix hold line breaks
    assert main(["anchor", quote, "--format", "csv", "--package", str(package)]) == 0
    out = capsys.readouterr().out
    assert "\\n" not in out and "\n\n" in out  # real line breaks, quoted; never JSON's \n
    [cells] = list(csv.reader(io.StringIO(out, newline="")))
    span = anchor(text, quote)
    assert cells == ["future-center-2017-08-28", quote, str(span.char_start), str(span.char_end),
                     span.quote_prefix, span.quote_suffix]
    # pasted over the six evidence cells of a row, the row's evidence is exact
    header, table = rows(package)
    table[0].update(dict(zip(EVIDENCE_CELLS, cells)))
    write(package, header, table)
    assert span_errors(package) == []


def test_text_format(capsys, package):
    assert main(["anchor", "his visit to Moscow", "--format", "text", "--package", str(package)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == list(EVIDENCE_CELLS)


def test_anchor_works_while_the_package_is_invalid(capsys, package, text):
    header, table = rows(package)
    table[0]["quote"] = new = widened(text, table[0])  # offsets now wrong: invalid
    table[1]["event_type"] = "vist"
    write(package, header, table)
    assert span_errors(package)
    assert main(["anchor", new, "--package", str(package)]) == 0
    assert f'"quote": {json.dumps(new, ensure_ascii=False)}' in capsys.readouterr().out


def test_unknown_source_is_a_one_line_error(capsys, package):
    assert main(["anchor", "Haftar", "--source", "nope", "--package", str(package)]) == 2
    assert "no source 'nope'" in capsys.readouterr().err


def test_quote_and_fix_go_alone(capsys):
    assert main(["anchor"]) == 2
    assert main(["anchor", "Haftar", "--fix"]) == 2
    assert "give either a QUOTE or --fix" in capsys.readouterr().err
    assert main(["anchor", "--fix", "--near", "3"]) == 2
    assert main(["anchor", "Haftar", "--dry-run"]) == 2
    assert "--dry-run goes with --fix" in capsys.readouterr().err


# --- reanchor -----------------------------------------------------------------------------

TEXT = "Haftar met Sarraj. Later Haftar met Putin. Haftar met Sarraj again."


def test_reanchor_prefers_the_matching_context():
    later = TEXT.index("Haftar met Putin")
    s = reanchor(TEXT, "Haftar met", 0, "Later ", " Putin")
    assert (s.char_start, s.quote_prefix, s.quote_suffix) == (later, prefix_at(TEXT, later), suffix_at(TEXT, later + 10))


def test_reanchor_breaks_ties_by_the_old_offset():
    assert reanchor(TEXT, "Haftar met Sarraj", 40).char_start == TEXT.rindex("Haftar met Sarraj")
    assert reanchor(TEXT, "Haftar met Sarraj", 2).char_start == 0


def test_reanchor_refuses_to_guess():
    with pytest.raises(LookupError, match="occurs 2 times .* do not tell which"):
        reanchor(TEXT, "Haftar met Sarraj")  # no offset, no context: either one
    with pytest.raises(LookupError, match="did you mean 'Haftar met Putin'"):
        reanchor(TEXT, "haftar  met putin", 3)
    with pytest.raises(LookupError, match="occurs nowhere"):
        reanchor(TEXT, "Lavrov")


# --- anchor --fix -------------------------------------------------------------------------


def test_fix_reanchors_an_edited_quote_and_says_what_it_changed(capsys, package, text):
    header, table = rows(package)
    before = (package / EVENTS).read_bytes()
    old = dict(table[0])
    table[0]["quote"] = new = widened(text, old)
    write(package, header, table)
    assert main(["anchor", "--fix", "--package", str(package)]) == 0
    out, err = capsys.readouterr()
    s = text.index(new)
    assert out == (f"{EVENTS}, row 2 ({old['event_id']}): char_start '{old['char_start']}' -> '{s}'; "
                   f"quote_prefix {old['quote_prefix']!r} -> {prefix_at(text, s)!r}\n")
    assert "re-anchored 1 row(s); 0 could not be fixed" in err
    assert span_errors(package) == []
    # only that row changed; the file keeps the project's dialect (UTF-8, LF, the CSV writer)
    after = (package / EVENTS).read_bytes()
    assert after.splitlines()[2:] == before.splitlines()[2:] and b"\r" not in after
    assert after == csvio.to_csv_bytes(*rows(package))
    assert not list((package / "data").glob(".*.tmp"))  # the temporary file was renamed


def test_fix_repairs_every_table_and_offsets_that_moved(package, text):
    broken = {}
    for table in ("events", "claims", "motives"):
        header, table_rows = rows(package, table)
        r = table_rows[-1]
        r["char_start"], r["char_end"] = str(int(r["char_start"]) + 5), str(int(r["char_end"]) + 5)
        if table == "motives":
            r["quote_suffix"] = "stale"  # in place, but the context is wrong
            r["char_start"], r["char_end"] = str(int(r["char_start"]) - 5), str(int(r["char_end"]) - 5)
        broken[table] = len(table_rows) + 1
        write(package, header, table_rows, table)
    assert len(span_errors(package)) == 3
    fixes = fix_spans(package)
    assert {(f.file, f.row) for f in fixes} == {(f"data/{t}.csv", n) for t, n in broken.items()}
    assert all(f.problem is None for f in fixes)
    assert span_errors(package) == []
    assert fix_spans(package) == []  # nothing left to do


def test_fix_leaves_rows_it_cannot_place_and_exits_1(capsys, package):
    header, table = rows(package)
    table[0]["quote"] = "his visit to Russia on August 15"   # not in the text
    table[1]["quote"] = "Haftar"                                # 19 places, and the old context fits none
    table[1]["quote_prefix"] = table[1]["quote_suffix"] = ""
    table[1]["char_start"] = "x"
    write(package, header, table)
    before = (package / EVENTS).read_bytes()
    assert main(["anchor", "--fix", "--package", str(package)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{EVENTS}, row 2 ({table[0]['event_id']}): not fixed: quote 'his visit to Russia on August 15'" in err
    assert f"{EVENTS}, row 3 ({table[1]['event_id']}): not fixed: quote 'Haftar' occurs" in err
    assert "0 row(s); 2 could not be fixed" in err
    assert (package / EVENTS).read_bytes() == before


def test_fix_names_the_row_or_the_bytes_that_make_a_file_unreadable(capsys, package):
    events, claims = package / EVENTS, package / "data" / "claims.csv"
    lines = events.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",", "", 1)  # a comma left out in row 2
    events.write_text("\n".join(lines), encoding="utf-8", newline="")
    size = claims.stat().st_size
    with claims.open("ab") as f:
        f.write(b"\x80")
    assert main(["anchor", "--fix", "--package", str(package)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"{EVENTS}, row 2: not fixed: the file cannot be read: expected {lines[0].count(',') + 1} cells as in the " \
           f"header, got {lines[0].count(',')}; `libyadata validate` says what is wrong with the row" in err
    assert f"data/claims.csv: not fixed: the file cannot be read: it is not UTF-8 (byte offset {size}: " \
           "invalid start byte)" in err


def test_fix_dry_run_writes_nothing(capsys, package, text):
    header, table = rows(package)
    table[0]["quote"] = widened(text, table[0])
    write(package, header, table)
    before = (package / EVENTS).read_bytes()
    assert main(["anchor", "--fix", "--dry-run", "--package", str(package)]) == 0
    assert "would re-anchor 1 row(s)" in capsys.readouterr().err
    assert (package / EVENTS).read_bytes() == before


def test_fix_finds_the_package_of_the_current_folder(capsys, package, monkeypatch, text):
    header, table = rows(package)
    table[0]["quote"] = widened(text, table[0])
    write(package, header, table)
    monkeypatch.chdir(package / "data")  # below the checkout's datapackage/, as git would find it
    assert main(["anchor", "--fix"]) == 0
    assert capsys.readouterr().err.startswith("libyadata: using .. (source checkout)\n")
    assert span_errors(package) == []


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 9000), length=st.integers(1, 60), old=st.integers(0, 9500))
def test_reanchor_finds_any_quote_of_the_text_from_its_context(text, start, length, old):
    start = min(start, len(text) - length)
    end = start + length
    quote = text[start:end]
    s = reanchor(text, quote, old, prefix_at(text, start), suffix_at(text, end))
    assert (s.char_start, s.char_end) == (start, end)
