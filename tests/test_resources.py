"""Every verb finds the same package the same way: the checkout's datapackage/ (as git finds a repository), else the installed copy.

The installed wheel is reproduced as pip lays it out: the ``libyadata`` package with the
data package inside it (the wheel's force-include), on a path of its own, away from any
pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libyadata import csvio, load
from libyadata.cli import main
from libyadata.resources import datapackage_dir, find_package

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "libyadata"


def checkout(dest: Path, *, bad_date: bool = False) -> Path:
    """A minimal source checkout: pyproject.toml and datapackage/ (without the Parquet files)."""
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    shutil.copytree(datapackage_dir(), dest / "datapackage", ignore=shutil.ignore_patterns("parquet"))
    if bad_date:
        path = dest / "datapackage" / "data" / "events.csv"
        header, rows = csvio.read_rows(path)
        rows[0]["date_start"] = rows[0]["date_end"] = "2017-02-30"
        path.write_bytes(csvio.to_csv_bytes(header, rows))
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """site-packages/libyadata as the wheel installs it, data package inside."""
    site = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(SRC, site / "libyadata", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(datapackage_dir(), site / "libyadata" / "datapackage")
    return site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    code = ("import sys, libyadata; assert libyadata.__file__.startswith(sys.argv[1]), libyadata.__file__; "
            "from libyadata.cli import main; sys.exit(main(sys.argv[2:]))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", code, str(site), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


# --- the one function -----------------------------------------------------------------------


def test_a_checkout_is_found_from_its_root_and_below(tmp_path):
    root = checkout(tmp_path / "repo")
    for where in (root, root / "datapackage", root / "datapackage" / "data"):
        found = find_package(where)
        assert (found.path, found.kind, found.root) == (root / "datapackage", "source checkout", root)


def test_outside_any_checkout_it_is_the_installed_copy(tmp_path):
    found = find_package(tmp_path)
    assert (found.path, found.kind) == (datapackage_dir(), "installed copy")


def test_a_datapackage_folder_of_another_project_is_read_but_not_written(tmp_path):
    shutil.copytree(datapackage_dir(), tmp_path / "datapackage", ignore=shutil.ignore_patterns("parquet"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    found = find_package(tmp_path)
    assert (found.path, found.kind, found.root) == (tmp_path / "datapackage", "source checkout", None)


def test_inside_the_installed_copy_it_is_the_installed_copy(wheel):
    installed = wheel / "libyadata"
    proc = run_installed(wheel, installed, "info", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.endswith(" (installed copy)\n")
    proc = run_installed(wheel, installed, "schema")
    assert proc.returncode == 2 and "the installed copy is read-only" in proc.stderr


def test_load_keeps_reading_the_installed_copy(tmp_path, monkeypatch):
    checkout(tmp_path / "repo", bad_date=True)
    monkeypatch.chdir(tmp_path / "repo")
    assert load().path == datapackage_dir()  # the library does not look at the current folder


def test_every_reading_verb_says_which_package_it_used(tmp_path, monkeypatch, capsys):
    checkout(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo" / "datapackage")
    for argv in (["info", "--format", "json"], ["coverage", "--format", "json"], ["validate", "--format", "json"],
                 ["anchor", "his visit to Moscow"]):
        main(argv)
        out, err = capsys.readouterr()
        assert err.splitlines()[0] == "libyadata: using . (source checkout)", argv
        assert out.lstrip().startswith("{"), argv  # stdout stays machine-readable
    main(["info", "--format", "json"])
    assert f'"path": "{Path(".")}"' in capsys.readouterr().out


# --- the bug: after `pip install .`, validate judged the installed copy ---------------------


def test_validate_in_a_checkout_judges_the_checkout_not_the_installed_wheel(wheel, tmp_path):
    repo = checkout(tmp_path / "repo", bad_date=True)
    proc = run_installed(wheel, repo, "validate")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == "libyadata: using ./datapackage (source checkout)\n"
    assert "date_start" in proc.stdout and "2017-02-30" in proc.stdout
    # from below the checkout's root, too
    assert run_installed(wheel, repo / "datapackage" / "data", "validate").returncode == 1
    # outside any checkout it is the installed copy, and that one is valid
    proc = run_installed(wheel, tmp_path, "validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == f"libyadata: using {wheel / 'libyadata' / 'datapackage'} (installed copy)\n"


@pytest.mark.parametrize("argv", [["schema"], ["schema", "--check"], ["build"], ["docs"], ["release", "--check"],
                                  ["generate"], ["generate", "--check"], ["bump", "patch"], ["metadata"],
                                  ["plot"]])
def test_maintainer_verbs_refuse_to_write_into_an_installed_wheel(wheel, tmp_path, argv):
    before = sorted(p.relative_to(wheel) for p in wheel.rglob("*") if "__pycache__" not in p.parts)
    proc = run_installed(wheel, tmp_path, *argv)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"libyadata {argv[0]}: error: this maintainer command writes into a source checkout")
    assert "git clone https://github.com/libyadata/libyadata && cd libyadata" in line
    assert sorted(p.relative_to(wheel) for p in wheel.rglob("*") if "__pycache__" not in p.parts) == before


def test_maintainer_verbs_of_a_wheel_work_on_the_checkout_they_run_in(wheel, tmp_path):
    repo = checkout(tmp_path / "repo", bad_date=True)
    proc = run_installed(wheel, repo, "schema", "--check")  # the edited CSV changed its bytes and hash
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith("libyadata: using ./datapackage (source checkout)\n")
    assert "out of date: datapackage/datapackage.json" in proc.stderr


def test_a_foreign_datapackage_folder_is_not_written(tmp_path, monkeypatch, capsys):
    shutil.copytree(datapackage_dir(), tmp_path / "datapackage", ignore=shutil.ignore_patterns("parquet"))
    monkeypatch.chdir(tmp_path)
    assert main(["schema"]) == 2
    assert "is not in a source checkout of libyadata" in capsys.readouterr().err


def test_the_checkout_of_an_editable_install_is_a_source_checkout():
    found = find_package(ROOT / "datapackage" / "data")
    assert (found.path, found.kind, found.root) == (ROOT / "datapackage", "source checkout", ROOT)
