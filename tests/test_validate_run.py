"""``libyadata.validate.run``: the checks over a whole package: one fault, one error; what is read
and what is never imported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libyadata.resources import datapackage_dir
from libyadata.validate import validate_package


def test_real_package_is_valid():
    report = validate_package(datapackage_dir())
    assert report.problems == [] and report.valid and report.exit_code == 0


def test_no_pandas_and_no_network_modules_are_imported():
    code = ("import sys; from libyadata.validate import validate_package; r = validate_package(); "
            "assert r.valid; print(sorted(m for m in ('pandas', 'frictionless', 'requests', 'urllib3', 'http.client') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("beside_its_parse", [False, True])
def test_a_file_that_cannot_be_read_for_its_hash_is_named(small_package, monkeypatch, beside_its_parse):
    from libyadata.validate import reading, run

    if beside_its_parse:  # the large-table path: scanned on a thread while it is parsed
        monkeypatch.setattr(run, "WORKERS", 2)
        monkeypatch.setattr(run, "THREADED_BYTES", 0)
    pkg = small_package
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


def test_a_missing_comma_is_one_error_and_the_keys_that_depend_on_the_row_are_not_checked(small_package):
    pkg = small_package
    path = pkg / "data" / "events.csv"
    header, first, *rest = path.read_text(encoding="utf-8").split("\n")
    assert first.startswith("haftar-visit-moscow,visit,")  # referred to by event_actors.csv
    path.write_text("\n".join([header, first.replace(",visit,", ",visit ", 1), *rest]), encoding="utf-8")
    report = validate_package(pkg)
    found = [(p.type, p.file, p.row) for p in report.problems if p.type not in ("byte-count", "hash-count")]
    assert found == [("missing-cell", "data/events.csv", 2)]
    # the comma between event_type and summary: the vocabulary refuses the joined cell, the summary takes it
    assert "only if the cell of event_type (column 2) is the one missing; is a comma left out next to it" in \
        next(p.message for p in report.problems if p.type == "missing-cell")
    notes = [n for n in report.notes if "not checked because" in n]
    assert notes and all(n.endswith("not checked because row(s) 2 of data/events.csv could not be read")
                         for n in notes)
    assert any(n.startswith("data/event_actors.csv: foreign key event_id -> events: 2 reference(s)") for n in notes)


@pytest.mark.parametrize("base", ["missing", "empty", "file"])
def test_a_base_that_is_not_a_package_is_the_invocations_fault(small_package, tmp_path, base):
    # A wrong --base (a typo, the wrong checkout) must not pass for faults of the contribution.
    where = tmp_path / "base"
    if base == "empty":
        where.mkdir()
    elif base == "file":
        where.write_text("x")
    report = validate_package(small_package, base=where)
    assert [p.type for p in report.problems] == ["source-error"] and report.exit_code == 2
    assert f"the base package {str(where)!r} has no datapackage.json" in report.problems[0].message


def test_generated_parquet_must_equal_the_base_when_given(small_package, tmp_path):
    pkg = small_package
    base = Path(shutil.copytree(pkg, tmp_path / "base", symlinks=True))
    for p in (pkg, base):
        (p / "parquet").mkdir()
        (p / "parquet" / "events.parquet").write_bytes(b"PAR1 same PAR1")
    assert validate_package(pkg).valid
    assert validate_package(pkg, base=base).valid
    (pkg / "parquet" / "events.parquet").write_bytes(b"PAR1 evil PAR1")
    report = validate_package(pkg, base=base)
    assert [(p.type, p.file) for p in report.problems] == [("forbidden-file", "parquet/events.parquet")]
