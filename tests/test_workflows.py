"""Every GitHub workflow: safe triggers, least privilege, no untrusted text in a shell command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / ".github" / "workflows").glob("*.yml"))


def triggers(wf: dict) -> dict:
    return wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True


def test_the_workflows_are_there():
    assert {p.name for p in WORKFLOWS} >= {"validate.yml", "version.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_safe(path):
    wf = yaml.safe_load(path.read_text(encoding="utf-8"))
    on = triggers(wf)
    assert "pull_request_target" not in on
    if "pull_request" in on and path.name == "tests.yml":
        # the code's own tests: a pull request's code runs with a read-only token and no secrets
        assert wf["permissions"] == {"contents": "read"} and "secrets." not in path.read_text(encoding="utf-8")
        return
    if "pull_request" in on:
        # code from a fork runs with a read-only token and no secrets
        assert set(on) == {"pull_request"} and wf["permissions"] == {"contents": "read"}
        for job in wf["jobs"].values():
            installs = [s for s in job["steps"] if "pip install" in s.get("run", "")]
            assert all(s.get("working-directory") == "base" for s in installs), "install the tool from the base branch"
    else:
        assert set(wf["permissions"]) == {"contents"}
    for job in wf["jobs"].values():
        for step in job["steps"]:
            assert not re.search(r"\$\{\{\s*github\.(event|head_ref)", step.get("run", "")), step
