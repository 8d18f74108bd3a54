"""The data-validation workflow and the pre-commit hook run the validator as they should.

The safety rules every workflow obeys are in test_workflows.py.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libyadata import csvio

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "validate.yml"


def load() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_validator_comes_from_the_base_branch_and_reports_three_ways():
    steps = load()["jobs"]["validate"]["steps"]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout")]
    assert [c["with"]["path"] for c in checkouts] == ["base", "pr"]
    assert checkouts[0]["with"]["ref"] == "${{ github.base_ref }}"
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["working-directory"] == "base"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "libyadata validate pr/datapackage --base base/datapackage --format github --strip-prefix pr/" in runs
    assert "--format json --max-errors 0 > report.json" in runs
    assert "frictionless validate pr/datapackage/datapackage.json" in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)


def test_pre_commit_hook_runs_the_validator():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "libyadata-validate")
    assert hook["entry"] == "libyadata validate" and hook["pass_filenames"] is False


def annotations_command() -> list[str]:
    """The workflow's annotation step, exactly as it runs, with this environment's libyadata."""
    step = next(s for s in load()["jobs"]["validate"]["steps"] if s.get("id") == "annotations")
    argv = shlex.split(step["run"])
    assert argv[0] == "libyadata"
    return [sys.executable, "-m", "libyadata.cli", *argv[1:]]


@pytest.fixture
def workspace(tmp_path) -> Path:
    """The runner's workspace as validate.yml lays it out: the base branch in base/, the pull request in pr/."""
    for side in ("base", "pr"):
        shutil.copytree(ROOT / "datapackage", tmp_path / side / "datapackage")
    return tmp_path


def edit_events(workspace: Path, **cells: str) -> None:
    path = workspace / "pr" / "datapackage" / "data" / "events.csv"
    header, rows = csvio.read_rows(path)
    rows[0].update(cells)
    path.write_bytes(csvio.to_csv_bytes(header, rows))


def run_in(workspace: Path, argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=workspace, capture_output=True, text=True, timeout=300)


def test_annotations_name_the_files_from_the_repository_root(workspace):
    edit_events(workspace, event_type="vist")
    proc = run_in(workspace, annotations_command())  # from the workspace, the parent of base/ and pr/
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert any(line.startswith("::error file=datapackage/data/events.csv,line=2,") and "vocabulary-error" in line
               for line in errors)
    files = {re.match(r"::error file=([^,]+),", line).group(1) for line in errors if line.startswith("::error file=")}
    assert files and all((workspace / "pr" / f).is_file() for f in files)  # paths of the pull request's repository


def test_a_prefix_that_is_not_there_is_refused(workspace):
    argv = [a if a != "pr/" else "base/" for a in annotations_command()]
    proc = run_in(workspace, argv)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("libyadata validate: error: --strip-prefix 'base/' does not begin the package path "
                           "'pr/datapackage'; pass the folder the repository is checked out in\n")


def test_without_a_prefix_paths_are_from_the_current_folder(workspace):
    edit_events(workspace, event_type="vist")
    proc = run_in(workspace / "pr", [sys.executable, "-m", "libyadata.cli", "validate", "--format", "github"])
    assert proc.stderr == "libyadata: using ./datapackage (source checkout)\n"
    assert "::error file=datapackage/data/events.csv,line=2," in proc.stdout


def test_text_from_the_pull_request_cannot_forge_workflow_commands(workspace):
    # a cell and a column name made of the characters GitHub's commands are built from
    edit_events(workspace, event_type="x\r\n::warning file=README.md::forged%0A,a:b")
    path = workspace / "pr" / "datapackage" / "data" / "events.csv"
    header, rows = csvio.read_rows(path)
    forged = "notes\n::error file=x::forged, 100%"
    path.write_bytes(csvio.to_csv_bytes([forged if h == "notes" else h for h in header],
                                        [{(forged if k == "notes" else k): v for k, v in r.items()} for r in rows]))
    proc = run_in(workspace, annotations_command())
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning title=libyadata validate::", "invalid: "))
                         for line in lines)
    # nothing the pull request wrote starts a line, or a command: GitHub reads one command per line, and its
    # properties up to the first "::"; the rest of the line is the message
    assert proc.stdout.count("forged") >= 2
    for line in lines:
        if line.startswith("::error "):
            props, _, message = line[len("::error "):].partition("::")
            for prop in props.split(","):  # each property is key=value, its value escaped
                assert re.fullmatch(r"(file|line|col|title)=[^,:\r\n]*", prop), prop
            assert "\r" not in message and "%" not in message.replace("%25", "").replace("%0A", "").replace("%0D", "")
