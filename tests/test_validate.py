"""libyadata validate: the real package is valid; exit codes, formats, safety, columnar rules match the models."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libyadata import models
from libyadata.cli import main
from libyadata.resources import datapackage_dir
from libyadata.validate import validate_package
from libyadata.validate.safety import Limits, json_depth, path_problem

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"
BASE = CORPUS / "_valid" / "package"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "libyadata.cli", "validate", *args], capture_output=True, text=True,
                          timeout=120)


def copy_base(tmp_path: Path) -> Path:
    dest = tmp_path / "package"
    shutil.copytree(BASE, dest, symlinks=True)
    return dest


def test_real_package_is_valid():
    report = validate_package(datapackage_dir())
    assert report.problems == [] and report.valid and report.exit_code == 0


def test_cli_default_is_the_repository_package_and_exits_0():
    proc = run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("valid: ")
    # one line on stderr says which package was found (tests/test_resources.py checks which)
    assert proc.stderr.startswith("libyadata: using ") and proc.stderr.count("\n") == 1


def test_cli_json_and_github_on_an_invalid_package():
    case = CORPUS / "vocabulary" / "package"
    proc = run(str(case), "--format", "json")
    assert proc.returncode == 1 and proc.stderr == ""
    doc = json.loads(proc.stdout)
    err = next(e for t in doc["tasks"] for e in t["errors"])
    assert (err["type"], err["rowNumber"], err["fieldName"], err["cell"]) == ("vocabulary-error", 2, "event_type", "vist")
    assert "did you mean 'visit'?" in err["message"]
    proc = run(str(case), "--format", "github")
    assert proc.returncode == 1
    # annotations name files from the current folder (the workspace a workflow runs in)
    assert proc.stdout.startswith(f"::error file={os.path.relpath(case)}/data/events.csv,line=2,col=")
    assert "title=vocabulary-error (event_type)::row 2, field event_type: 'vist'" in proc.stdout


def test_text_output_groups_by_file_without_colour_when_piped():
    proc = run(str(CORPUS / "evidence-offset" / "package"))
    assert proc.returncode == 1 and "\033[" not in proc.stdout
    assert proc.stdout.startswith("data/events.csv: 1 error(s) (1 evidence-mismatch)\n")
    assert "did you mean char_start=" in proc.stdout


@pytest.mark.parametrize("args", [["/nonexistent/package"], [str(BASE / "datapackage.json")]])
def test_unreadable_input_exits_2_with_a_report(args):
    proc = run(*args, "--format", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["type"] == "source-error"


def test_bad_invocation_exits_2():
    proc = run("--max-errors", "-1")
    assert proc.returncode == 2 and "--max-errors" in proc.stderr and "Traceback" not in proc.stderr


def test_max_errors_bounds_the_report(tmp_path, capsys):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "event_actors.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("participant", "particpant"), encoding="utf-8")
    assert main(["validate", str(pkg), "--format", "json", "--max-errors", "2"]) == 1
    doc = json.loads(capsys.readouterr().out)
    # 2 vocabulary errors + byte-count + hash-count = 4 found, 2 shown
    assert doc["stats"]["errors"] == 4 and doc["stats"]["reported"] == 2 and doc["stats"]["truncated"] == 2


def test_no_pandas_and_no_network_modules_are_imported():
    code = ("import sys; from libyadata.validate import validate_package; r = validate_package(); "
            "assert r.valid; print(sorted(m for m in ('pandas', 'frictionless', 'requests', 'urllib3', 'http.client') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_generated_parquet_must_equal_the_base_when_given(tmp_path):
    pkg = copy_base(tmp_path)
    base = copy_base(tmp_path / "base")
    for p in (pkg, base):
        (p / "parquet").mkdir()
        (p / "parquet" / "events.parquet").write_bytes(b"PAR1 same PAR1")
    assert validate_package(pkg).valid
    assert validate_package(pkg, base=base).valid
    (pkg / "parquet" / "events.parquet").write_bytes(b"PAR1 evil PAR1")
    report = validate_package(pkg, base=base)
    assert [(p.type, p.file) for p in report.problems] == [("forbidden-file", "parquet/events.parquet")]


def test_symlinked_source_text_is_never_read(tmp_path):
    pkg = copy_base(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    text = pkg / "sources" / "test-source.txt"
    text.unlink()
    os.symlink(secret, text)
    report = validate_package(pkg)
    types = {(p.type, p.file) for p in report.problems}
    assert ("unsafe-path", "sources/test-source.txt") in types
    assert all("outside" not in (p.message + (p.cell or "")) for p in report.problems)


def test_size_limits_refuse_before_parsing(tmp_path):
    pkg = copy_base(tmp_path)
    report = validate_package(pkg, limits=Limits(csv_bytes=100))
    assert {p.type for p in report.problems} == {"size-limit"}
    report = validate_package(pkg, limits=Limits(descriptor_bytes=100))
    assert [(p.type, p.file) for p in report.problems] == [("size-limit", "datapackage.json")]


def test_oversized_cell_is_refused(tmp_path):
    pkg = copy_base(tmp_path)
    report = validate_package(pkg, limits=Limits(cell_bytes=20))
    got = {(p.type, p.file, p.field) for p in report.problems}
    assert ("size-limit", "data/actors.csv", "quote") in got
    assert {t for t, _, _ in got} == {"size-limit"}


def test_row_longer_than_a_block_is_read(tmp_path):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Dated by the visit.", "x" * 1_500_000),
                    encoding="utf-8")
    report = validate_package(pkg)
    assert ("size-limit", 3, "notes") in {(p.type, p.row, p.field) for p in report.problems}


def test_lines_and_columns_follow_multi_line_cells(tmp_path):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "events.csv"
    text = path.read_text(encoding="utf-8")
    # Row 2's quote_prefix already spans two lines ("Analysis\n..."); row 3 gets a two-line note:
    # row 4's event_type error is then on line 6, column 24.
    text = text.replace("Dated by the visit.", '"Dated by\nthe visit."').replace(",statement,", ",statment,")
    path.write_text(text, encoding="utf-8")
    report = validate_package(pkg)
    err = next(p for p in report.problems if p.type == "vocabulary-error")
    assert (err.row, err.line, err.col) == (4, 6, len("russia-supports-haftar,") + 1)


def test_unique_constraint_is_checked_when_declared(tmp_path):
    import numpy as np

    from libyadata.validate import keys, structure
    from libyadata.validate._arrow import strings
    from libyadata.validate.columns import Checked
    from libyadata.validate.report import Report

    import pyarrow as pa

    table = pa.Table.from_arrays([strings(["a", "b", "a\u200b"])], names=["motive_id"])
    raw = structure.RawTable("data/motives.csv", models.Motive, table, None, ["motive_id"])
    report = Report("pkg")
    keys.check_unique(report, raw, Checked(), ("motive_id",), "unique-error")
    assert [(p.type, p.row, p.field) for p in report.problems] == [("unique-error", 4, "motive_id")]
    assert "already used in row 2" in report.problems[0].message
    assert np.array_equal(raw.rows(np.array([0, 2])), [2, 4])


@pytest.mark.parametrize("path, safe", [
    ("data/events.csv", True), ("sources/a.txt", True), ("../x.csv", False), ("/etc/passwd", False),
    ("C:/x.csv", False), ("file:///etc/passwd", False), ("https://example.org/x.csv", False),
    ("data/.hidden.csv", False), ("~/x.csv", False), ("$HOME/x.csv", False), ("data\\x.csv", False),
    ("", False), (None, False), (["data/a.csv"], False), ("data/x\x00.csv", False),
])
def test_path_safety(path, safe):
    assert (path_problem(path) is None) is safe


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth(b'{"a": "[[[[{{{{", "b": [[1]]}') == 3


DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2150, 12, 31)),
                  st.sampled_from([dt.date(2016, 2, 1), dt.date(2016, 2, 29), dt.date(2017, 1, 1),
                                   dt.date(2017, 12, 31), dt.date(2017, 6, 1), dt.date(2017, 6, 30)]))


@settings(max_examples=200)
@given(st.lists(st.tuples(DATES, DATES, st.sampled_from(list(models.vocab.DATE_PRECISIONS)),
                          st.sampled_from(list(models.vocab.DATE_BASES))), min_size=1, max_size=20))
def test_columnar_date_rule_agrees_with_check_interval(rows):
    """The Arrow masks flag exactly the intervals models.check_interval rejects."""
    from libyadata.validate._arrow import strings
    from libyadata.validate.rules import interval_mask

    starts = _dates([r[0] for r in rows])
    ends = _dates([r[1] for r in rows])
    mask = interval_mask(starts, ends, strings([r[2] for r in rows]), strings([r[3] for r in rows])).to_pylist()
    for (s, e, p, b), flagged in zip(rows, mask):
        try:
            models.check_interval(s, e, p, b)
            ok = True
        except ValueError:
            ok = False
        assert flagged is (not ok), (s, e, p, b)


def _dates(values):
    import numpy as np
    import pyarrow as pa

    days = np.array([(v - dt.date(1970, 1, 1)).days if v else 0 for v in values], dtype=np.int32)
    valid = np.packbits(np.array([v is not None for v in values]), bitorder="little")
    return pa.Array.from_buffers(pa.date32(), len(values), [pa.py_buffer(valid), pa.py_buffer(days)])


def _eventually(condition) -> None:
    import time

    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.mark.parametrize("beside_its_parse", [False, True])
def test_a_file_that_cannot_be_read_for_its_hash_is_named(tmp_path, monkeypatch, beside_its_parse):
    from libyadata.validate import reading, run

    if beside_its_parse:  # the large-table path: scanned on a thread while it is parsed
        monkeypatch.setattr(run, "WORKERS", 2)
        monkeypatch.setattr(run, "THREADED_BYTES", 0)
    pkg = copy_base(tmp_path)
    real = reading.scan

    def scan(path, algorithm="sha256"):
        if path.name == "motives.csv":
            raise OSError(13, "Permission denied", str(path))
        return real(path, algorithm)

    monkeypatch.setattr(reading, "scan", scan)
    report = validate_package(pkg)
    errors = [p for p in report.problems if p.type == "source-error"]
    assert [(p.message, p.file) for p in errors] == [("cannot read data/motives.csv: Permission denied",
                                                      "data/motives.csv")]
    assert report.exit_code == 2


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
    monkeypatch.setattr(columns, "SAMPLE_ROWS", 8)
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


@pytest.mark.parametrize("descriptor", [True, False])
def test_crlf_line_ends_are_reported_once_with_or_without_a_usable_descriptor(tmp_path, descriptor):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "motives.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    if not descriptor:  # an unusable descriptor declares nothing: the table's own read looks for CR bytes
        (pkg / "datapackage.json").write_text("{", encoding="utf-8")
    found = [(p.type, p.file, p.message) for p in validate_package(pkg).problems if p.type == "line-ending"]
    assert found == [("line-ending", "data/motives.csv", "line 1 ends with CR LF: the package uses LF line ends "
                      "only (convert the file with dos2unix or your editor)")]


def test_ids_compare_in_their_normalised_form():
    import pyarrow as pa

    from libyadata.validate import keys

    lower = pa.chunked_array([["russia", None, "ev-1"], [], ["x2"]], pa.string())
    assert keys.normalized(lower).to_pylist() == lower.to_pylist()
    mixed = pa.chunked_array([["russia"], ["Egypt", None]])
    assert keys._ascii_case(mixed) == "ascii" and keys.normalized(mixed).to_pylist() == ["russia", "egypt", None]
    # The buffers of a slice hold cells outside it: only the slice's bytes count.
    sliced = pa.array(["ABC", "abc", "Ünï"]).slice(1, 1)
    assert keys._ascii_case(sliced) == "lower" and keys.normalized(sliced).to_pylist() == ["abc"]
    assert keys._ascii_case(pa.array(["abc", "ﬁ"])) == "other"
    assert keys.normalized(pa.array(["abc\u200b", "ABC", "ﬁ"])).to_pylist() == ["abc", "abc", "fi"]


@pytest.mark.parametrize("prefix, offset, line", [
    (b"\r\x80", 1, 1),  # was an internal error (UnicodeDecodeError), exit 2
    (b"\n\x80", 1, 2),  # the same
    (b"\x80", 0, 1),  # was only a garbled header label
])
def test_an_encoding_fault_in_the_first_bytes_is_an_encoding_error_with_its_offset(tmp_path, prefix, offset, line):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "actors.csv"
    path.write_bytes(prefix + path.read_bytes())
    report = validate_package(pkg)
    mine = [(p.type, p.message) for p in report.problems if p.file == "data/actors.csv"
            and p.type not in ("byte-count", "hash-count", "line-ending")]
    assert mine == [("encoding-error", f"invalid UTF-8 at byte {offset} (line {line}): the byte(s) 80 are an "
                     "invalid start byte; save the file as UTF-8")]
    assert report.exit_code == 1
    # The tables that refer to actors say why their references were not checked.
    assert any("-> actors not checked because actors could not be read" in n for n in report.notes)


def test_an_encoding_fault_deep_in_a_file_is_found_by_the_byte_scan(tmp_path):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "events.csv"
    data = path.read_bytes()
    at = data.rindex(b"Moscow")
    path.write_bytes(data[:at] + b"\xc3\x28" + data[at + 2:])  # a lead byte without its continuation
    line = data[:at].count(b"\n") + 1
    errors = [p for p in validate_package(pkg).problems if p.type == "encoding-error"]
    assert [(p.file, p.message.split(":")[0]) for p in errors] == [("data/events.csv",
                                                                    f"invalid UTF-8 at byte {at} (line {line})")]


def test_a_missing_comma_is_one_error_and_the_keys_that_depend_on_the_row_are_not_checked(tmp_path):
    pkg = copy_base(tmp_path)
    path = pkg / "data" / "events.csv"
    header, first, *rest = path.read_text(encoding="utf-8").split("\n")
    assert first.startswith("haftar-visit-moscow,visit,")  # referred to by event_actors.csv
    path.write_text("\n".join([header, first.replace(",visit,", ",visit ", 1), *rest]), encoding="utf-8")
    report = validate_package(pkg)
    found = [(p.type, p.file, p.row) for p in report.problems if p.type not in ("byte-count", "hash-count")]
    assert found == [("missing-cell", "data/events.csv", 2)]
    assert "is missing (often a comma left out)" in next(p.message for p in report.problems if p.type == "missing-cell")
    notes = [n for n in report.notes if "not checked because" in n]
    assert notes and all(n.endswith("not checked because row(s) 2 of data/events.csv could not be read")
                         for n in notes)
    assert any(n.startswith("data/event_actors.csv: foreign key event_id -> events: 2 reference(s)") for n in notes)


def test_an_impossible_date_is_said_as_a_sentence():
    report = validate_package(CORPUS / "type-error-impossible-date" / "package")
    assert {p.message for p in report.problems} == {"2017-02-30 is not a real date: February 2017 has 28 days"}


@pytest.mark.parametrize("case, rule, cells", [
    ("consistency-wikidata", models.check_wikidata, ("wikidata_id", "wikidata_ref")),
    ("consistency-self-affiliation", models.check_affiliation, ("actor_id", "affiliation_id")),
    ("consistency-likelihood", models.check_likelihood, ("likelihood_text", "likelihood_low", "likelihood_high")),
    ("consistency-holder", models.check_holder, ("modality", "holder")),
])
def test_cross_field_rules_say_what_the_models_say(case, rule, cells):
    report = validate_package(CORPUS / case / "package")
    [problem] = [p for p in report.problems if p.type == "consistency-error"]
    path = CORPUS / case / "package" / problem.file
    with open(path, encoding="utf-8", newline="") as f:
        row = list(csv.DictReader(f))[problem.row - 2]
    numeric = {"likelihood_low", "likelihood_high"}
    values = [None if row[c] == "" else float(row[c]) if c in numeric else row[c] for c in cells]
    with pytest.raises(ValueError) as exc:
        rule(*values)
    assert str(exc.value) == problem.message
