"""Parity with frictionless: on plain Table Schema faults, whatever frictionless reports, libyadata reports too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from libyadata.validate import validate_package
from libyadata.validate.report import ERROR_TYPES

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"
PLAIN = sorted(p.name for p in CORPUS.iterdir()
               if p.is_dir() and p.name != "_valid" and json.loads((p / "expected.json").read_text())["plain"])


def frictionless_errors(package: Path) -> list[tuple[str, str, int | None, str | None]]:
    from frictionless import Package, system

    # trusted=False: frictionless refuses absolute and parent paths too; the corpus's plain cases have none.
    with system.use_context(trusted=False):
        report = Package(str(package / "datapackage.json")).validate()
    out = []
    for task in report.tasks:
        for e in task.errors:
            out.append((e.type, task.name, getattr(e, "row_number", None), getattr(e, "field_name", None) or None))
    return out


def known_artifact(error: tuple, found: list[tuple]) -> bool:
    """Frictionless faults that follow from one libyadata reports in another form."""
    kind, table, row, _ = error
    # A blank row has an empty primary key; libyadata reports the blank row itself.
    if kind == "primary-key" and ("blank-row", table, row) in {(f[0], f[1], f[2]) for f in found}:
        return True
    # Frictionless re-reports an unreadable table's encoding error in each table whose foreign key refers to it.
    return kind == "encoding-error" and any(f[0] == "encoding-error" for f in found)


def test_every_table_schema_fault_has_a_plain_case():
    """The parity test below covers each fault frictionless itself knows (a case per error type)."""
    covered = {ERROR_TYPES[e[0]].frictionless or e[0] for case in PLAIN
               for e in json.loads((CORPUS / case / "expected.json").read_text())["errors"]}
    assert covered >= {"blank-row", "byte-count", "constraint-error", "duplicate-label", "encoding-error",
                       "extra-cell", "extra-label", "foreign-key", "hash-count", "incorrect-label", "missing-cell",
                       "missing-label", "primary-key", "type-error"}


@pytest.mark.slow
@pytest.mark.parametrize("case", PLAIN)
def test_libyadata_reports_everything_frictionless_reports(case):
    package = CORPUS / case / "package"
    theirs = frictionless_errors(package)
    assert theirs, "a plain case frictionless finds nothing in tests nothing"
    report = validate_package(package)
    ours = [(ERROR_TYPES[p.type].frictionless or p.type, Path(p.file or "").stem, p.row, p.field)
            for p in report.problems]
    for error in theirs:
        kind, table, row, field = error
        match = [o for o in ours if o[0] == kind and o[1] == table
                 and (row is None or o[2] == row) and (field is None or o[3] == field)]
        assert match or known_artifact(error, [(o[0], o[1], o[2]) + (o[3],) for o in ours]), \
            f"frictionless reports {error}; libyadata: {ours}"
