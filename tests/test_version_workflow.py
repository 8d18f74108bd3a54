"""The pull-request version check: safe workflow, and its commands do what it says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from libyadata.cli import main

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "version.yml"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_pull_request_only_read_only_no_event_text_in_shell():
    wf = workflow()
    triggers = wf[True] if True in wf else wf["on"]
    assert set(triggers) == {"pull_request"} and wf["permissions"] == {"contents": "read"}
    for job in wf["jobs"].values():
        for step in job["steps"]:
            assert not re.search(r"\$\{\{\s*github\.(event|head_ref)", step.get("run", "")), step
    steps = wf["jobs"]["diff"]["steps"]
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["working-directory"] == "base"


def test_check_version_fails_when_new_records_keep_the_old_version(tmp_path, package_copy, capsys):
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    claims = package_copy / "data" / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    claims.write_text("".join(lines) + lines[-1].replace("haftar-aims-exploit-russian-help", "a-new-claim", 1),
                      encoding="utf-8")
    assert main(["diff", str(base), str(package_copy), "--check-version"]) == 1
    out = capsys.readouterr()
    assert "required bump: minor" in out.out and "1.1.0" in out.out
    assert main(["diff", str(base), str(base), "--check-version"]) == 0
