"""The pull-request version check does what it says (safety: test_workflows.py)."""

from __future__ import annotations

import shutil

import libyadata
from libyadata.cli import main
from libyadata.csvio import read_rows, to_csv_bytes


def test_check_version_fails_when_new_records_keep_the_old_version(tmp_path, package_copy, capsys):
    base = tmp_path / "base"
    shutil.copytree(package_copy, base)
    claims = package_copy / "data" / "claims.csv"
    header, rows = read_rows(claims)
    claims.write_bytes(to_csv_bytes(header, [*rows, {**rows[-1], "claim_id": "a-new-claim"}]))
    assert main(["diff", str(base), str(package_copy), "--check-version"]) == 1
    out = capsys.readouterr()
    major, minor, _ = map(int, libyadata.__version__.split("."))
    assert "required bump: minor" in out.out and f"{major}.{minor + 1}.0" in out.out
    assert main(["diff", str(base), str(base), "--check-version"]) == 0
