"""README.md tells the truth: row counts, the two commands, and .ci/run agree."""

from __future__ import annotations

import re

import pytest

from libyadata import models
from libyadata.resources import repository_root

ROOT = repository_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs a source checkout")
TEST_COMMAND = "python3 -m pip install -e '.[test]' && python3 -m pytest"


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_table_of_tables_matches_the_data(data):
    block = readme().split("<!-- BEGIN tables")[1].split("<!-- END tables -->")[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (\d+) \|", block, flags=re.M)
    assert [name for name, _, _ in rows] == list(models.TABLES)
    for name, key, count in rows:
        assert int(count) == len(data.table(name)), name
        assert re.findall(r"`(\w+)`", key) == list(models.TABLES[name].primary_key), name


def test_the_two_commands_are_there_and_ci_runs_the_test_one():
    text = readme()
    assert "pip install . && libyadata info" in text
    assert TEST_COMMAND in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" in ci and "-e '.[test]'" in ci and "python3 -m pytest" in ci


def test_the_command_table_lists_every_command():
    from libyadata.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    section = readme().split("## Command line", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `libyadata (\w+)", section, re.M))
    assert listed == set(sub.choices), f"missing: {set(sub.choices) - listed}, not a command: {listed - set(sub.choices)}"


def test_changelog_has_the_current_version():
    from libyadata import __version__

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, flags=re.M)


def test_quick_start_runs():
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    block = readme().split("## Quick start")[1].split("```python")[1].split("```")[0]
    exec(compile(block, "README.md#quick-start", "exec"), {})
