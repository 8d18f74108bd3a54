"""The pull-request version check does what it says (safety: test_workflows.py)."""

from __future__ import annotations

import shutil

from libyadata.cli import main


def test_check_version_fails_when_new_records_keep_the_old_version(tmp_path, package_copy, capsys):
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    claims = package_copy / "data" / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    # the last record again under a new id (ids are the first cell)
    claims.write_text("".join(lines) + "a-new-claim," + lines[-1].split(",", 1)[1], encoding="utf-8")
    assert main(["diff", str(base), str(package_copy), "--check-version"]) == 1
    out = capsys.readouterr()
    assert "required bump: minor" in out.out and "1.1.0" in out.out
    assert main(["diff", str(base), str(base), "--check-version"]) == 0
