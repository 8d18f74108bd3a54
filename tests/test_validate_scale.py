"""A contribution large enough for the validator's per-distinct-value paths.

Columns that repeat are checked once per distinct value, row rules and spans once per
distinct combination, and keys are grouped without sorting. Small packages never take
those paths, so this test builds one with the benchmark's generator (8,000 events and
participants with every kind of planted fault) and requires the report to be exactly
the one the plain per-row checks give. The sample that decides whether a column repeats
is made smaller to match (``SAMPLE_ROWS``; the code is the same at any size, and 40,000
rows at the shipped sample size cost six seconds more).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from libyadata.validate import columns, reading, validate_package

ROWS = 8_000
SAMPLE_ROWS = 1_024
BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "validate.py"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("benchmark_validate", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = tmp_path_factory.mktemp("scale") / "datapackage"
    planted = bench.generate(root, ROWS)
    return root, planted


@pytest.fixture(autouse=True)
def sample(monkeypatch):
    monkeypatch.setattr(reading, "SAMPLE_ROWS", SAMPLE_ROWS)
    assert ROWS >= 2 * SAMPLE_ROWS  # columns.cells samples only a table at least twice this long


def _problems(report):
    return [(p.type, p.file, p.row, p.field, p.line, p.col, p.message) for p in report.problems]


def test_large_tables_take_the_per_distinct_paths(generated, monkeypatch):
    root, _ = generated
    seen = []
    real = columns.cells

    def spy(col):
        c = real(col)
        seen.append(c.codes is not None)
        return c

    monkeypatch.setattr(columns, "cells", spy)
    validate_package(root)
    assert any(seen) and not all(seen)


def test_every_planted_fault_is_found(generated):
    root, planted = generated
    assert len({p[0] for p in planted}) == 7 and len(planted) == 10
    found = {(p.type, p.file, p.row, p.field) for p in validate_package(root).problems}
    for kind, file, row, field in planted:
        assert any(f[:3] == (kind, file, row) and (field is None or f[3] == field) for f in found), \
            (kind, file, row, field)


def test_per_distinct_paths_report_exactly_what_per_row_checks_report(generated, monkeypatch):
    root, _ = generated
    fast = validate_package(root)
    monkeypatch.setattr(reading, "SAMPLE_ROWS", 10 * ROWS)  # no column is sampled as repeating
    plain = validate_package(root)
    assert fast.error_count == plain.error_count > 0
    assert _problems(fast) == _problems(plain)


def test_checks_on_threads_report_exactly_what_one_thread_reports(generated, monkeypatch):
    from libyadata.validate import run

    root, _ = generated
    monkeypatch.setattr(run, "WORKERS", 2)
    monkeypatch.setattr(run, "THREADED_ROWS", 0)  # field and row checks at once
    monkeypatch.setattr(run, "THREADED_BYTES", 0)  # every file parsed on Arrow's threads
    threaded = validate_package(root)
    monkeypatch.setattr(run, "WORKERS", 1)
    serial = validate_package(root)
    assert threaded.error_count == serial.error_count > 0
    assert _problems(threaded) == _problems(serial)


def test_the_per_distinct_paths_never_import_pandas(generated):
    # pyarrow imports pandas (0.4 s) when an array or scalar is built from Python or NumPy values.
    import subprocess
    import sys

    root, _ = generated
    code = ("import sys; from libyadata.validate import reading, validate_package; "
            f"reading.SAMPLE_ROWS = {SAMPLE_ROWS}; r = validate_package(sys.argv[1]); "
            "print(r.error_count > 0, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "False"], out.stderr
