"""The hostile corpus' own tools: the fork server runs a command as its own process, and is killed on time."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import hostile_kit
from libyadata.resources import datapackage_dir


def test_a_forked_command_is_its_own_process():
    ok = hostile_kit.validate(datapackage_dir())
    assert ok.code == 0 and ok.report()["valid"] is True and ok.peak_mb > 0
    bad = hostile_kit.cli("validate", "/nonexistent/datapackage")
    assert bad.code != 0 and "does not exist" in bad.text
    usage = hostile_kit.cli("no-such-verb")
    assert usage.code == 2 and "invalid choice" in usage.err


def test_a_command_past_its_timeout_is_killed_and_the_server_goes_on():
    if hostile_kit._forked(["--version"], None, 60) is None:
        pytest.skip("no fork server here (LIBYADATA_TEST_FRESH=1, no fork, or its imports start a thread)")
    with pytest.raises(subprocess.TimeoutExpired):
        hostile_kit.cli("validate", str(datapackage_dir()), timeout=0.001)
    assert hostile_kit.cli("--version").code == 0


def test_fresh_and_forked_give_the_same_answer():
    package = Path(__file__).resolve().parent / "fixtures" / "invalid" / "unicode-nfc" / "package"
    forked, fresh = hostile_kit.validate(package), hostile_kit.validate(package, fresh=True)

    def answer(run):
        doc = run.report()
        return run.code, [e for t in doc["tasks"] for e in t["errors"]], doc["errors"]

    assert answer(forked) == answer(fresh) and answer(forked)[0] == 1
