"""A legitimate correction breaks no test: on a temporary clone, reword a summary, add a record
anchored with `libyadata anchor`, remove a record, run `libyadata generate`, and the tests
that read the data pass there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from libyadata.coverage import uncited
from libyadata.csvio import read_rows, to_csv_bytes
from libyadata.dataset import load
from libyadata.evidence import occurrences
from libyadata.resources import repository_root

from test_bump import clone, pytestmark  # noqa: F401 - same clone, same skip conditions

ROOT = repository_root()
#: The modules that read the shipped data (counts, ids, spans, hashes, generated files); the
#: slow build and clone tests and the validator's own fixtures are left out.
DATA_MODULES = [
    "test_cli.py", "test_cookbook.py", "test_data.py", "test_dataset.py", "test_docs.py", "test_download.py",
    "test_generate.py", "test_meta.py", "test_metadata_profiles.py", "test_parquet.py", "test_query.py",
    "test_readme.py", "test_readme_parquet.py", "test_release.py", "test_schema.py", "test_versions.py",
    "test_version_workflow.py", "test_validate_workflow.py",
]


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    return subprocess.run([sys.executable, "-c", "from libyadata.cli import main; raise SystemExit(main())", *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def edit(repo: Path, table: str, change) -> None:
    path = repo / "datapackage" / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    path.write_bytes(to_csv_bytes(header, change(rows)))


def removable_claim() -> str:
    """A claim whose every sentence another record also cites (so coverage stays complete)."""
    data = load()
    text = data.source_text()
    records = [r for name in data.counts() for r in data.table(name) if hasattr(r, "char_start")]
    excluded = [(r.char_start, r.char_end) for r in data.exclusions]
    for claim in data.claims:
        others = [(r.char_start, r.char_end) for r in records if r is not claim and r not in data.exclusions]
        if not uncited(text, others, excluded):
            return claim.claim_id
    pytest.skip("every claim is the only citation of some sentence")


def test_a_correction_then_generate_fails_no_test(tmp_path):
    repo = clone(tmp_path / "repo")
    gone = removable_claim()
    reworded = {}

    def reword(rows):
        row = next(r for r in rows if r["claim_id"] != gone)
        row["summary"] = row["summary"].rstrip(".") + ", as the article puts it."
        reworded[row["claim_id"]] = row["summary"]
        return rows

    edit(repo, "claims", reword)
    edit(repo, "claims", lambda rows: [r for r in rows if r["claim_id"] != gone])
    # a new record, its evidence cells from `libyadata anchor` (the contributor's tool)
    data = load()
    text = data.source_text()
    # words no claim cites yet, so the new claim repeats no claim's assertion
    claimed = {c.quote for c in data.claims}
    quote = next(e.quote for e in data.events if e.quote not in claimed and len(occurrences(text, e.quote)) == 1)
    anchored = cli(repo, "anchor", quote)
    if anchored.returncode != 0:
        pytest.fail(anchored.stderr)
    cells = json.loads(anchored.stdout)

    def add(rows):
        # the other cells (attribution, modality, ...) as a kept claim has them: whatever the models require
        new = dict(next(r for r in rows if r["claim_id"] != gone))
        # not the same assertion as the claim whose words it quotes (duplicate-assertion)
        quoted = next((r for r in rows if r["quote"] == cells["quote"]), {})
        new.update(claim_id="a-correction-added-by-a-test", actor_id="", event_id="",
                   claim_type="background" if quoted.get("claim_type") == "assessment" else "assessment",
                   summary="A claim added by a test, quoting the text.", source_id=cells["source_id"],
                   quote=cells["quote"], char_start=str(cells["char_start"]), char_end=str(cells["char_end"]),
                   quote_prefix=cells["quote_prefix"], quote_suffix=cells["quote_suffix"])
        return [*rows, new]

    edit(repo, "claims", add)
    done = cli(repo, "generate")
    assert done.returncode == 0, done.stderr
    assert cli(repo, "validate").returncode == 0
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    modules = [m for m in DATA_MODULES if (repo / "tests" / m).is_file()]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                          *[f"tests/{m}" for m in modules]], cwd=repo, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-6000:]
    assert " passed" in run.stdout.splitlines()[-1] and "failed" not in run.stdout.splitlines()[-1]
