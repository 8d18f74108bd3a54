"""Release artifacts, the shipped hash registry, and the release workflow."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from libyadata import __version__, models, parquet, release, versions
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


def release_files_at(commit: str, dest: Path) -> dict[str, Path]:
    """The release files of the data package as committed in ``commit`` (git archive, no checkout)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "datapackage"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return release.files(dest / "datapackage")


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout")
def test_every_shipped_registry_is_its_release_found_in_the_history(tmp_path):
    # an installed libyadata knows the hash of every file of its own version and of every earlier one;
    # each registry is exactly the files of the commit that released that version
    assert __version__ in release.known_versions()
    assert set(versions.releases()) <= set(release.known_versions())
    for version in release.known_versions():
        commit = versions.release_commit(ROOT, version)
        files = release_files_at(commit, tmp_path / version)
        assert release.registry(version) == {name: sha(p) for name, p in files.items()}, version
        assert json.loads(files["datapackage.json"].read_text(encoding="utf-8"))["version"] == version


def test_the_current_registry_matches_the_files_unless_the_data_changed_since_its_release():
    drift = release.registry_drift(ROOT)
    if versions.is_released(__version__, ROOT):
        # after a release the files may move on (corrections, regenerations): `release --check`
        # then fails until `libyadata bump`, and the registry stays as released
        assert main(["release", "--check"]) == (1 if drift else 0)
    else:
        assert drift == []


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
    parquet.build(pkg)  # as this pyarrow writes them (the lowest session runs an older one)
    # the registry as the release of these files wrote it
    release.registry_file(repo).parent.mkdir(parents=True)
    release.registry_file(repo).write_text(release.sums_text(release.files(pkg)), encoding="utf-8")
    assert release.registry_drift(repo, pkg) == []
    csv = pkg / "data" / "claims.csv"
    csv.write_bytes(csv.read_bytes().replace(b"Haftar", b"Hafter", 1))
    parquet.build(pkg)
    problems = release.registry_drift(repo, pkg)
    assert [p.split(":")[0] for p in problems] == ["claims.parquet", "datapackage.json"]
    # the version is released: its registry is never rewritten
    released = release.registry_file(repo).read_bytes()
    with pytest.raises(LibyadataError, match=rf"registry of released version {re.escape(__version__)}, "
                                             r"which is never rewritten.*run `libyadata bump`"):
        release.write_registry(repo, pkg)
    assert release.registry_file(repo).read_bytes() == released
    release.registry_file(repo).unlink()
    assert release.registry_drift(repo, pkg) == [f"missing: no registry for version {__version__}"]
    # a version's first registry is written (what `libyadata bump` does through `generate`)
    assert release.write_registry(repo, pkg) == release.registry_file(repo)
    assert release.registry_drift(repo, pkg) == [] and release.write_registry(repo, pkg) is None


def test_cli_release_check_names_the_drift(capsys, monkeypatch, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(datapackage_dir(), repo / "datapackage")
    shutil.copytree(ROOT / "src" / "libyadata" / "registry", repo / "src" / "libyadata" / "registry")
    (repo / "datapackage" / "parquet" / "claims.parquet").write_bytes(b"PAR1 not the released file PAR1")
    monkeypatch.setattr("libyadata.commands.release.require_repository", lambda: repo)
    assert main(["release", "--check"]) == 1
    err = capsys.readouterr().err
    assert f"src/libyadata/registry/{__version__}.sha256: claims.parquet: registry has " in err
    assert "run `libyadata bump`" in err
    before = release.registry_file(repo).read_bytes()
    assert main(["release", "--out", str(tmp_path / "out")]) == 2  # refuses to rewrite a released registry
    assert "never rewritten" in capsys.readouterr().err
    assert release.registry_file(repo).read_bytes() == before and not (tmp_path / "out").exists()


def test_workflow_runs_the_commands_a_person_runs():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert re.search(r"^on:\n  push:\n    tags: \[\"v\*\"\]", text, re.M)
    runs = re.findall(r"^\s+run: (.+)$", text, re.M)
    for command in ("python -m build", "libyadata generate --check", "libyadata build --check --exact",
                    "libyadata release --check", "libyadata release"):
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
