"""The invalid-package corpus: each case gives exactly its errors (type, file, row, field), exit 1, no traceback."""

from __future__ import annotations

import filecmp
import json
import os
import sys
from pathlib import Path

import pytest

from libyadata.cli import main
from libyadata.validate import validate_package
from libyadata.validate.report import ERROR_TYPES

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "_valid")


def expected(case: str) -> dict:
    return json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))


def test_corpus_covers_every_error_type():
    covered = {e[0] for c in CASES for e in expected(c)["errors"]}
    # source-error needs an unreadable path and unique-error a field declaring `unique` (none does today):
    # both are tested in test_validate.py.
    assert covered == set(ERROR_TYPES) - {"source-error", "unique-error"}


def test_base_package_is_valid():
    report = validate_package(CORPUS / "_valid" / "package")
    assert report.problems == [] and report.exit_code == 0


@pytest.mark.parametrize("case", CASES)
def test_case_reports_exactly_its_errors(case, capsys):
    want = sorted(tuple(e) for e in expected(case)["errors"])
    code = main(["validate", str(CORPUS / case / "package"), "--format", "json"])
    out, err = capsys.readouterr()
    assert err == "", err
    assert code == 1
    report = json.loads(out)
    got = sorted((e["type"], task["name"], e.get("rowNumber"), e.get("fieldName"))
                 for task in report["tasks"] for e in task["errors"])
    got += [(e["type"], None, e.get("rowNumber"), e.get("fieldName")) for e in report["errors"]]
    assert sorted(got) == want
    for task in report["tasks"]:
        for e in task["errors"]:
            assert e["message"] and "Traceback" not in e["message"]


def test_corpus_matches_its_generator(tmp_path):
    sys.path.insert(0, str(CORPUS.parent))
    try:
        import make_invalid
    finally:
        sys.path.pop(0)
    make_invalid.build(tmp_path)

    def tree(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink()}

    assert tree(tmp_path) == tree(CORPUS)
    for rel in tree(CORPUS):
        a, b = CORPUS / rel, tmp_path / rel
        if a.is_symlink():
            assert os.readlink(a) == os.readlink(b), rel
        else:
            assert filecmp.cmp(a, b, shallow=False), f"{rel} is stale: run python3 tests/fixtures/make_invalid.py"
