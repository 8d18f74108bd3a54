"""Release artifacts, the shipped hash registry, and the release workflow."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from libyadata import __version__, models, parquet, release
from libyadata.cli import build_parser, main
from libyadata.errors import LibyadataError
from libyadata.resources import datapackage_dir

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_release_folder_holds_parquet_descriptor_text_and_sums(tmp_path):
    folder = release.make(tmp_path)
    assert folder == tmp_path / __version__
    names = sorted(p.name for p in folder.iterdir())
    texts = sorted(p.name for p in (datapackage_dir() / "sources").glob("*.txt"))
    assert names == sorted([f"{m.table}.parquet" for m in models.MODELS]
                           + ["datapackage.json", "SHA256SUMS", *texts])
    sums = release.parse_sums((folder / "SHA256SUMS").read_text(encoding="utf-8"))
    assert sums == {p.name: sha(p) for p in folder.iterdir() if p.name != "SHA256SUMS"}
    assert (folder / "events.parquet").read_bytes() == parquet.path("events").read_bytes()
    assert (folder / "datapackage.json").read_bytes() == (parquet.parquet_dir() / "datapackage.json").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_sums_are_the_shipped_registry():
    # an installed libyadata knows the hash of every file of its own version
    assert __version__ in release.known_versions()
    files = release.files()
    assert release.registry() == {name: sha(p) for name, p in files.items()}
    assert release.registry_drift(ROOT) == []


def test_remake_replaces_the_whole_folder(tmp_path):
    folder = release.make(tmp_path)
    (folder / "stale.parquet").write_bytes(b"old")
    assert not (release.make(tmp_path) / "stale.parquet").exists()


def test_registry_errors_name_what_is_wrong():
    with pytest.raises(LibyadataError, match=r"knows no file hashes for version 9\.9\.9 \(it knows: .*1\.0\.0"):
        release.registry("9.9.9")
    with pytest.raises(LibyadataError, match="not a release version: 'v1'"):
        release.registry("v1")
    with pytest.raises(LibyadataError, match=r"^SHA256SUMS, line 2: expected '<sha256 hex>  <file name>', got "):
        release.parse_sums("a" * 64 + "  ok.parquet\n" + "a" * 64 + "  ../escape.parquet\n")


def test_missing_parquet_is_named(tmp_path):
    pkg = tmp_path / "datapackage"
    shutil.copytree(datapackage_dir(), pkg)
    (pkg / "parquet" / "claims.parquet").unlink()
    with pytest.raises(LibyadataError, match=r"cannot release: missing .*claims\.parquet \(run: libyadata build\)"):
        release.make(tmp_path / "out", pkg)


def test_registry_drift_is_found_and_fixed(tmp_path):
    repo = tmp_path / "repo"
    pkg = repo / "datapackage"
    shutil.copytree(datapackage_dir(), pkg)
    shutil.copytree(ROOT / "src" / "libyadata" / "registry", repo / "src" / "libyadata" / "registry")
    assert release.registry_drift(repo, pkg) == []
    csv = pkg / "data" / "claims.csv"
    csv.write_bytes(csv.read_bytes().replace(b"Haftar", b"Hafter", 1))
    parquet.build(pkg)
    problems = release.registry_drift(repo, pkg)
    assert [p.split(":")[0] for p in problems] == ["claims.parquet", "datapackage.json"]
    assert release.write_registry(repo, pkg) == release.registry_file(repo)
    assert release.registry_drift(repo, pkg) == [] and release.write_registry(repo, pkg) is None
    release.registry_file(repo).unlink()
    assert release.registry_drift(repo, pkg) == [f"missing: no registry for version {__version__}"]


def test_cli_release_check_and_out(tmp_path, capsys):
    assert main(["release", "--check"]) == 0
    assert "matches the files" in capsys.readouterr().out
    assert main(["release", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / __version__ / 'SHA256SUMS'}" in out and "wrote" not in out  # registry untouched


def test_workflow_runs_the_commands_a_person_runs():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert re.search(r"^on:\n  push:\n    tags: \[\"v\*\"\]", text, re.M)
    runs = re.findall(r"^\s+run: (.+)$", text, re.M)
    for command in ("python -m build", "libyadata build --check --exact", "libyadata release --check",
                    "libyadata release"):
        assert command in runs, command
    assert runs.index("libyadata release --check") < runs.index("python -m build")  # the wheel ships the registry
    verbs = set(next(a for a in build_parser()._actions if a.dest == "command").choices)
    for run in runs:
        if run.startswith("libyadata "):
            assert run.split()[1] in verbs, run
    assert "pull_request_target" not in text and "dist/data/" in text


def test_workflow_is_valid_yaml_and_each_run_is_one_command():
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert doc[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key "on" as True
    steps = doc["jobs"]["release"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == re.findall(r"^\s+run: (.+)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    assert runs[-1].startswith('gh release create "$TAG"') and runs[-1].endswith("dist/data/*/*")
