"""The data-validation workflow and the pre-commit hook run the validator as they should.

The safety rules every workflow obeys are in test_workflows.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert "libyadata validate pr/datapackage --base base/datapackage --format github" in runs
    assert "--format json --max-errors 0 > report.json" in runs
    assert "frictionless validate pr/datapackage/datapackage.json" in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)


def test_pre_commit_hook_runs_the_validator():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "libyadata-validate")
    assert hook["entry"] == "libyadata validate" and hook["pass_filenames"] is False
