"""The invalid-package corpus: each case gives exactly its errors (type, file, row, field), exit 1, no traceback.

That the committed corpus is what ``fixtures/make_invalid.py`` writes, links excepted, is
``libyadata generate --check``'s job (``tests/test_generate.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from libyadata.cli import main
from libyadata.validate import validate_package
from libyadata.validate.report import ERROR_TYPES

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"
sys.path.insert(0, str(CORPUS.parent))
try:
    import make_invalid
finally:
    sys.path.pop(0)
COMMITTED = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "_valid")
#: Cases holding a symbolic link are written at test time (a committed link would go into the sdist).
LINKED = {c.name: c for c in make_invalid.CASES if make_invalid.needs_links(c)}
CASES = sorted([*COMMITTED, *LINKED])


@pytest.fixture(scope="module")
def linked_corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("linked-corpus")
    for case in LINKED.values():
        make_invalid.write_case(case, out)
    return out


def case_dir(case: str, linked_corpus: Path) -> Path:
    return linked_corpus / case if case in LINKED else CORPUS / case


def expected(case: str, root: Path = CORPUS) -> dict:
    return json.loads((root / case / "expected.json").read_text(encoding="utf-8"))


def test_corpus_covers_every_error_type(linked_corpus):
    assert "unsafe-path-symlink" in LINKED
    covered = {e[0] for c in CASES for e in expected(c, case_dir(c, linked_corpus).parent)["errors"]}
    # source-error needs an unreadable path and unique-error a field declaring `unique` (none does today):
    # both are tested elsewhere (test_validate.py and test_validate_run.py; test_validate_keys.py).
    assert covered == set(ERROR_TYPES) - {"source-error", "unique-error"}


def test_base_package_is_valid():
    report = validate_package(CORPUS / "_valid" / "package")
    assert report.problems == [] and report.exit_code == 0


@pytest.mark.parametrize("case", CASES)
def test_case_reports_exactly_its_errors(case, capsys, linked_corpus):
    folder = case_dir(case, linked_corpus)
    if case in LINKED:
        assert any(p.is_symlink() for p in (folder / "package").rglob("*"))
    want = sorted(tuple(e) for e in expected(case, folder.parent)["errors"])
    code = main(["validate", str(folder / "package"), "--format", "json"])
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




@pytest.mark.parametrize("case", CASES)
def test_case_reports_exactly_its_errors_with_every_table_checked_at_once(case, linked_corpus, monkeypatch):
    # The corpus' files are small, so that the threaded paths (scan beside parse, Arrow's threaded
    # parse, field and row checks at once) are taken only when their thresholds are lowered.
    from libyadata.validate import run

    folder = case_dir(case, linked_corpus)
    monkeypatch.setattr(run, "WORKERS", 2)
    monkeypatch.setattr(run, "THREADED_ROWS", 0)
    monkeypatch.setattr(run, "THREADED_BYTES", 0)
    report = validate_package(folder / "package")
    got = sorted((p.type, p.file, p.row, p.field) for p in report.problems)
    assert got == sorted(tuple(e) for e in expected(case, folder.parent)["errors"])
