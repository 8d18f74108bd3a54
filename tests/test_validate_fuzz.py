"""Fuzzing: mutated CSV bytes and descriptors always end in exit 0, 1 or 2 with a report, never a crash."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from libyadata.cli import main

BASE = Path(__file__).resolve().parent / "fixtures" / "invalid" / "_valid" / "package"
FILES = sorted(str(p.relative_to(BASE)) for p in BASE.rglob("*") if p.is_file())
SPECIAL = [b"", b"\x00", b"\r", b"\r\n", b"\n", b'"', b",", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\xe2\x80\x8b",
           b"=", b"-", b"|", b"{", b"[" * 64, b"}", b"null", b"NaN", b'"path": "../x"', b"9" * 30, b"\\"]


@st.composite
def mutations(draw):
    rel = draw(st.sampled_from(FILES))
    data = bytearray((BASE / rel).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        chunk = draw(st.one_of(st.sampled_from(SPECIAL), st.binary(max_size=8)))
        if kind == "insert":
            data[pos:pos] = chunk
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 16))]
        elif kind == "replace":
            data[pos:pos + len(chunk)] = chunk
        else:
            del data[pos:]
    return rel, bytes(data)


ACTORS = (BASE / "data" / "actors.csv").read_bytes()
CLAIMS = (BASE / "data" / "claims.csv").read_bytes()
CLAIMS_HEADER = CLAIMS.split(b"\n")[0] + b"\n"


# Examples the search once found (each crashed or misreported before it was fixed).
@example(("data/actors.csv", b"\r\x80" + ACTORS), "text")  # internal error UnicodeDecodeError, exit 2
@example(("data/actors.csv", b"\n\x80" + ACTORS), "json")  # the same
@example(("data/actors.csv", b"\x80" + ACTORS), "github")  # only a garbled header label, no encoding error
# Segfault on pyarrow <= 25 (the lowest session): 16 bytes cut from the only row, which then lacks a cell,
# so the table has no rows (see test_a_table_with_no_rows_is_reported_not_crashed).
@example(("data/claims.csv", CLAIMS[:153] + CLAIMS[169:]), "text")
@example(("data/claims.csv", CLAIMS_HEADER), "json")  # the same: the header alone
@settings(max_examples=30)  # each example validates a whole package: the profile's 60 took 80 s of the suite
@given(mutations(), st.sampled_from(["text", "json", "github"]))
def test_mutated_package_never_crashes(mutation, fmt):
    rel, data = mutation
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "package"
        shutil.copytree(BASE, pkg)
        (pkg / rel).write_bytes(data)
        import contextlib
        import io

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(pkg), "--format", fmt])
    assert code in (0, 1, 2)
    assert err.getvalue() == "", err.getvalue()
    assert out.getvalue()
    if fmt == "json":
        assert json.loads(out.getvalue())["valid"] is (code == 0)


def test_a_table_whose_first_line_is_empty_and_next_not_utf8_is_reported(tmp_path, capsys):
    """Found by the fuzz test: a CR, then a non-UTF-8 byte before the header (pyarrow named columns
    from those bytes and the validator crashed decoding them)."""
    pkg = tmp_path / "package"
    shutil.copytree(BASE, pkg)
    actors = pkg / "data" / "actors.csv"
    actors.write_bytes(b"\r\x80" + actors.read_bytes())
    assert main(["validate", str(pkg), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    report = json.loads(out)
    assert {e["type"] for t in report["tasks"] for e in t["errors"] if t["name"] == "data/actors.csv"} >= {
        "line-ending", "encoding-error"}


#: ``libyadata validate`` in a child process: a segfault then fails one test instead of ending the run.
VALIDATE = "import sys; from libyadata.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("rows, expected", [
    (b"", set()),
    (b"visit-raised-questions,assessment\n", {"missing-cell"}),
    (b"," * CLAIMS_HEADER.count(b",") + b"\n", {"blank-row"}),
], ids=["header-only", "only-a-ragged-row", "only-a-blank-row"])
def test_a_table_with_no_rows_is_reported_not_crashed(tmp_path, rows, expected):
    """Found by the fuzz test in the lowest-versions session: a table left with no rows to check made
    the hygiene check's mask a ChunkedArray of no chunks, and ``indices_nonzero`` of pyarrow <= 25
    segfaults on one (apache/arrow#51018)."""
    pkg = tmp_path / "package"
    shutil.copytree(BASE, pkg)
    (pkg / "data" / "claims.csv").write_bytes(CLAIMS_HEADER + rows)
    run = subprocess.run([sys.executable, "-c", VALIDATE, "validate", str(pkg), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stderr == ""
    errors = [e["type"] for t in json.loads(run.stdout)["tasks"] if t["name"] == "data/claims.csv" for e in t["errors"]]
    assert set(errors) == {"byte-count", "hash-count"} | expected


def test_every_field_check_takes_a_column_of_no_chunks():
    """The field checks run on columns that Arrow kernels hand back with no chunks at all (no rows)."""
    import pyarrow as pa

    from libyadata import models
    from libyadata.validate.columns import check_field, field_specs
    from libyadata.validate.report import Report
    from libyadata.validate.structure import RawTable

    for model in models.MODELS:
        specs = field_specs(model)
        table = pa.table({s.name: pa.chunked_array([], pa.string()) for s in specs})
        raw = RawTable(f"data/{model.table}.csv", model, table, None, [s.name for s in specs])
        report = Report("pkg")
        for spec in specs:
            checked = check_field(report, raw, spec)
            assert len(checked.typed[spec.name]) == 0
        assert report.problems == []
