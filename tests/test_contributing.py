"""CONTRIBUTING.md is true: its console blocks run, in order, on a copy of the repository.

As tests/test_cookbook.py does for the cookbook, this runs the document itself. Every
```console block is a session: a line starting with ``$ `` is a command, run with bash
in the copy's root (a clone of the repository holding the working tree's files) with
``libyadata`` running the copy's code; the lines after it are what it prints
(stdout and stderr, as a terminal shows them). In the expected lines ``…`` stands for
any text within a line (timings, hashes) and a line that is only ``…`` for any number
of lines. A command that fails must be followed by ``$ echo $?`` showing its status.
The ```sh blocks are the set-up that needs the network (clone, install); nothing else
may hide in them. Then the result must pass what CI runs on a pull request, run as the
workflows run it (the base branch in base/, the pull request in pr/).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from libyadata.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "CONTRIBUTING.md"
#: The command that regenerates the descriptor's sizes and hashes.
REGENERATE = "libyadata schema"
GIT_USER = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


@dataclass
class Step:
    command: str
    expected: list[str]


def sessions(markdown: str) -> list[list[Step]]:
    """The console blocks of ``markdown``, each as its commands and their expected output."""
    found = []
    for lang, body in FENCE.findall(markdown):
        if lang != "console":
            continue
        steps: list[Step] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:], []))
            else:
                assert steps, f"output before any command in a console block: {line!r}"
                steps[-1].expected.append(line)
        found.append(steps)
    return found


def pattern(expected: list[str]) -> re.Pattern[str]:
    """A regex for the whole output: ``…`` is any text in a line; a line of ``…`` any lines."""
    parts = []
    for line in expected:
        if line == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append("[^\n]*".join(re.escape(p) for p in line.split("…")) + r"\n")
    return re.compile("".join(parts))


def test_pattern_elides_text_and_lines():
    assert pattern(["valid: … s)", "…"]).fullmatch("valid: x (3 in 0.2 s)\nnote: a\nnote: b\n")
    assert pattern(["a", "…", "z"]).fullmatch("a\nz\n")
    assert not pattern(["valid: … s)"]).fullmatch("invalid: x\n")
    assert not pattern(["a"]).fullmatch("a\nb\n")


def test_sessions_parse_commands_and_output():
    [[edit, check]] = sessions("text\n```console\n$ touch x\n$ ls\nx\n```\n")
    assert (edit.command, edit.expected, check.command, check.expected) == ("touch x", [], "ls", ["x"])


def test_shell_blocks_are_only_the_network_set_up():
    for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8")):
        if lang in ("sh", "bash", "shell"):
            commands = [c for c in body.splitlines() if c.strip() and not c.startswith("#")]
            assert any(c.startswith("git clone") for c in commands), f"an untested shell block:\n{body}"


def repository_copy(dest: Path) -> Path:
    """A clone of this repository (its history: `bump` finds the last release there) holding the working tree's files."""
    env = {**os.environ, **GIT_USER}
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(dest)], env=env, check=True,
                   capture_output=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_symlink() or not src.is_file():
            continue  # deleted in the working tree, or a link a test makes for itself
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)
    for cmd in (["git", "add", "-A"], ["git", "commit", "-q", "--allow-empty", "-m", "the working tree"]):
        subprocess.run(cmd, cwd=dest, env=env, check=True, capture_output=True)
    return dest


def workflow_step(workflow: str, job: str, marker: str) -> list[str]:
    """The command of the workflow step whose id or run line holds ``marker``, with this environment's libyadata."""
    yaml = pytest.importorskip("yaml")
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))["jobs"][job]["steps"]
    [step] = [s for s in steps if s.get("id") == marker or marker in s.get("run", "")]
    argv = shlex.split(step["run"])
    assert argv[0] == "libyadata"
    return [sys.executable, "-m", "libyadata.cli", *argv[1:]]


def verbs() -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return set(sub.choices)


def run_env(checkout: Path) -> dict[str, str]:
    """The environment of a shell in ``checkout`` whose ``libyadata`` runs that checkout's code (as ``pip install -e .``)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(checkout / "src"), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", **GIT_USER}
    env.pop("LIBYADATA_DEBUG", None)
    return env


def release_what_is_pending(copy: Path) -> str | None:
    """Release the changes the copy holds since its last release, as a maintainer would; the level, or None."""
    from libyadata.versions import required_bump

    _, level, _ = required_bump(copy)
    if level == "none":
        return None
    env = run_env(copy)
    for cmd in (["libyadata", "bump", level], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "release"]):
        proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{cmd}: {proc.stdout}{proc.stderr}"
    return level


@pytest.mark.slow
def test_the_contributors_path_runs_as_written(tmp_path):
    blocks = sessions(DOC.read_text(encoding="utf-8"))
    commands = [s.command for session in blocks for s in session]
    order = ["libyadata anchor --fix", REGENERATE, "libyadata validate", "libyadata diff HEAD datapackage",
             "libyadata bump patch"]
    at = [max(i for i, c in enumerate(commands) if c == want) for want in order]
    assert at == sorted(at), f"the path runs {order} in this order"

    # the workspace of the pull-request workflows: the base branch in base/, the pull request in pr/
    copy = repository_copy(tmp_path / "pr")
    # A contributor starts from a released version. When this branch holds changes not yet released
    # (a data release under way), the maintainers' release comes first.
    release_what_is_pending(copy)
    subprocess.run(["git", "clone", "-q", str(copy), str(tmp_path / "base")], check=True, capture_output=True)
    env = run_env(copy)
    available = verbs()
    ran, missing = 0, []
    for session in blocks:
        status, previous = 0, ""
        for step in session:
            verb = re.match(r"libyadata (\w+)", step.command)
            if verb and verb.group(1) not in available:
                # a verb another branch brings: the steps before it are checked, the rest of this block is not
                missing.append(step.command)
                status = 0
                break
            if step.command == "echo $?":
                out, status = f"{status}\n", 0
            else:
                assert status == 0, f"{previous!r} exited {status}; the document must show `echo $?` after it"
                proc = subprocess.run(["bash", "-c", step.command], cwd=copy, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, timeout=600)
                out, status = proc.stdout, proc.returncode
            assert pattern(step.expected).fullmatch(out), (
                f"$ {step.command}\n--- CONTRIBUTING.md shows:\n" + "\n".join(step.expected)
                + f"\n--- it prints:\n{out}")
            ran, previous = ran + 1, step.command
        assert status == 0, f"{previous!r} exited {status}; the document must show `echo $?` after it"
    # what the path changed is what the commit step names (the CSV files, and each file in backticks)
    step = re.search(r"^\d+\. \*\*Commit\*\*(.*?)(?=^\S)", DOC.read_text(encoding="utf-8"), re.S | re.M).group(1)
    named = re.findall(r"`([\w./-]+)`", step)
    assert "the CSV files" in step and "tests/fixtures/invalid/" in named, step
    status = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=copy, capture_output=True, text=True,
                            check=True).stdout
    changed = [line[3:] for line in status.splitlines()]
    unnamed = [p for p in changed if not (p.startswith("datapackage/data/") and p.endswith(".csv"))
               and not any(p == n or (n.endswith("/") and p.startswith(n)) for n in named)]
    assert changed and not unnamed, f"the path changed files its commit step does not name: {unnamed}"
    # the result passes the checks CI runs on the pull request, as the workflows run them: from the
    # workspace, with the validator of the base branch
    checks = [workflow_step("validate.yml", "validate", "annotations")]
    if not missing:
        checks.append(workflow_step("version.yml", "diff", "--check-version"))
    for argv in checks:
        proc = subprocess.run(argv, cwd=tmp_path, env=run_env(tmp_path / "base"), capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, f"{' '.join(argv)}\n{proc.stdout}{proc.stderr}"
    if missing:
        pytest.skip(f"ran {ran} commands; not yet {missing} and what follows them in their block: "
                    "the verb is not on this branch yet")
