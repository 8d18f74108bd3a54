"""Every GitHub workflow: safe triggers, least privilege, no untrusted text in a shell command, and
no gate that cannot fail.

The rules are one function, :func:`problems`, so that each rule is shown to bite: every mutation
below (an edit a hostile pull request could make) must be flagged, and the real workflows must not.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
#: Workflows that judge pull requests: their checks are the gate.
PR_WORKFLOWS = ("validate.yml", "version.yml")
#: A step is a gate when it runs one of these: its failure must fail the job.
GATE_COMMANDS = re.compile(r"\blibyadata (validate|diff)\b|\bfrictionless validate\b|\bdiff -r\b")
#: Shell that turns a failure into success.
SWALLOW = re.compile(r"\|\|\s*(true|:|exit\s+0)\b|\|\|\s*\{[^}]*exit\s+0|(^|[;&\n]\s*)exit\s+0\b|\bset\s+\+e\b"
                     r"|\|\|\s*echo\b")
UNTRUSTED = re.compile(r"\$\{\{\s*github\.(event|head_ref)\b")


def triggers(wf: dict) -> dict:
    on = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True
    return {on: None} if isinstance(on, str) else {k: None for k in on} if isinstance(on, list) else on


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _writes(perms: Any) -> bool:
    if perms in ("write-all", "write"):
        return True
    return isinstance(perms, dict) and any(v == "write" for v in perms.values())


def problems(wf: dict, name: str) -> list[str]:
    """Everything unsafe in one parsed workflow."""
    out = []
    on = triggers(wf)
    if "pull_request_target" in on or "workflow_run" in on:
        out.append("runs with a write token on untrusted code (pull_request_target / workflow_run)")
    judges = "pull_request" in on
    if judges:
        if wf.get("permissions") != {"contents": "read"}:
            out.append("a pull-request workflow must have permissions: contents: read only")
        paths = (on.get("pull_request") or {}).get("paths", [])
        if any(p.startswith(".github") for p in paths):
            out.append("runs on changes to the gate itself")
    elif _writes(wf.get("permissions")) and name not in ("release.yml",):
        out.append("write permissions outside the release workflow")
    for job_name, job in wf.get("jobs", {}).items():
        if job.get("continue-on-error"):
            out.append(f"job {job_name}: continue-on-error")
        if judges and _writes(job.get("permissions")):
            out.append(f"job {job_name}: write permissions")
        steps = job.get("steps", [])
        if judges and name in PR_WORKFLOWS and not any("diff -r --no-dereference base/.github pr/.github"
                                                       in s.get("run", "") for s in steps):
            out.append(f"job {job_name}: no step fails a fork's edit of .github/")
        for step in steps:
            run = step.get("run", "")
            label = step.get("name") or run[:40]
            if UNTRUSTED.search(run):
                out.append(f"step {label!r}: event text inside run:")
            # The judging workflows install the judge from the base branch (tests.yml tests the PR's own
            # code, with a read-only token: that is its purpose).
            if name in PR_WORKFLOWS and "pip install" in run and step.get("working-directory") != "base":
                out.append(f"step {label!r}: installs the tool from the PR, not from the base branch")
            if not GATE_COMMANDS.search(run):
                continue
            if step.get("continue-on-error"):
                out.append(f"step {label!r}: a gate with continue-on-error")
            if SWALLOW.search(run):
                out.append(f"step {label!r}: a gate whose failure is swallowed")
            if judges and "--read-parquet" in run:
                out.append(f"step {label!r}: parses the PR's Parquet files")
            if "pr/" in run and "frictionless" in run and step.get("if") != "steps.annotations.outcome == 'success'":
                out.append(f"step {label!r}: frictionless reads the PR before libyadata found it valid")
    return out


def test_the_workflows_are_there():
    assert {p.name for p in WORKFLOWS} >= {"validate.yml", "version.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_safe(path):
    assert problems(load(path), path.name) == []


def _step(wf: dict, text: str) -> dict:
    return next(s for job in wf["jobs"].values() for s in job["steps"] if text in s.get("run", ""))


MUTATIONS = {
    "pull_request_target": ("validate.yml", lambda wf: triggers(wf).update(pull_request_target={})),
    "write permission": ("validate.yml", lambda wf: wf.update(permissions={"contents": "write"})),
    "write-all": ("version.yml", lambda wf: wf.update(permissions="write-all")),
    "job write permission": ("version.yml", lambda wf: wf["jobs"]["diff"].update(
        permissions={"pull-requests": "write"})),
    "runs on its own edits": ("validate.yml", lambda wf: triggers(wf)["pull_request"]["paths"].append(
        ".github/workflows/validate.yml")),
    "|| true": ("validate.yml", lambda wf: _step(wf, "--format github").update(
        run=_step(wf, "--format github")["run"] + " || true")),
    "|| exit 0": ("version.yml", lambda wf: _step(wf, "--check-version").update(
        run=_step(wf, "--check-version")["run"] + " || exit 0")),
    "exit 0 gate": ("version.yml", lambda wf: _step(wf, "--check-version").update(
        run=_step(wf, "--check-version")["run"] + "\nexit 0")),
    "set +e": ("validate.yml", lambda wf: _step(wf, "--format github").update(
        run="set +e\n" + _step(wf, "--format github")["run"])),
    "|| echo": ("validate.yml", lambda wf: _step(wf, "--format github").update(
        run=_step(wf, "--format github")["run"] + " || echo skipped")),
    "continue-on-error step": ("validate.yml", lambda wf: _step(wf, "--format github").update(
        {"continue-on-error": True})),
    "continue-on-error job": ("version.yml", lambda wf: wf["jobs"]["diff"].update({"continue-on-error": True})),
    "event text in run": ("validate.yml", lambda wf: _step(wf, "--format github").update(
        run="echo ${{ github.event.pull_request.title }}")),
    "head_ref in run": ("version.yml", lambda wf: _step(wf, "--check-version").update(
        run="git checkout ${{ github.head_ref }}")),
    "install from the PR": ("validate.yml", lambda wf: next(
        s for s in wf["jobs"]["validate"]["steps"] if "pip install" in s.get("run", "")).update(
        {"working-directory": "pr"})),
    "frictionless always": ("validate.yml", lambda wf: _step(wf, "frictionless validate").update(
        {"if": "always()"})),
    "diff parses Parquet": ("version.yml", lambda wf: _step(wf, "--check-version").update(
        run=_step(wf, "--check-version")["run"] + " --read-parquet")),
    "self-protection dropped": ("validate.yml", lambda wf: wf["jobs"]["validate"]["steps"].remove(
        _step(wf, "diff -r"))),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS), ids=list(MUTATIONS))
def test_each_rule_flags_an_edited_workflow(mutation):
    """The rules can fail: an edited copy of a real workflow is flagged."""
    name, mutate = MUTATIONS[mutation]
    wf = copy.deepcopy(load(ROOT / ".github" / "workflows" / name))
    assert problems(wf, name) == []
    mutate(wf)
    assert problems(wf, name), f"{mutation} was not flagged"


def test_codeowners_guard_the_gate():
    lines = [line.split() for line in (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    owned = {parts[0]: parts[1:] for parts in lines}
    # The test configuration too: a PR's noxfile.py, a conftest.py anywhere or a pytest.ini/tox.ini/
    # setup.cfg could make tests.yml pass without running the tests (red team finding 9).
    for path in ("/.github/", "/src/", "/pyproject.toml", "/.pre-commit-hooks.yaml", "/.ci/", "/tests/",
                 "/noxfile.py", "conftest.py", "/pytest.ini", "/tox.ini", "/setup.cfg"):
        assert owned.get(path), f"{path} has no code owner"
