"""``libyadata validate``, the command: exit codes, the text, JSON and GitHub formats, bounded reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from libyadata.cli import main

CORPUS = Path(__file__).resolve().parent / "fixtures" / "invalid"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "libyadata.cli", "validate", *args], capture_output=True, text=True,
                          timeout=120)


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


@pytest.mark.parametrize("args", [["/nonexistent/package"],
                                  [str(CORPUS / "_valid" / "package" / "datapackage.json")]])
def test_unreadable_input_exits_2_with_a_report(args):
    proc = run(*args, "--format", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["type"] == "source-error"


def test_bad_invocation_exits_2():
    proc = run("--max-errors", "-1")
    assert proc.returncode == 2 and "--max-errors" in proc.stderr and "Traceback" not in proc.stderr


def test_max_errors_bounds_the_report(small_package, capsys):
    pkg = small_package
    path = pkg / "data" / "event_actors.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("participant", "particpant"), encoding="utf-8")
    assert main(["validate", str(pkg), "--format", "json", "--max-errors", "2"]) == 1
    doc = json.loads(capsys.readouterr().out)
    # 2 vocabulary errors + byte-count + hash-count = 4 found, 2 shown
    assert doc["stats"]["errors"] == 4 and doc["stats"]["reported"] == 2 and doc["stats"]["truncated"] == 2
