"""One version everywhere: _version.py, pyproject, libyadata.__version__, the descriptor, the Parquet
metadata, the release directory, and a CHANGELOG entry for every version.

``version_problems`` collects every disagreement with a message naming the file; the tests
run it on this checkout (it must find none) and on broken copies (it must name each fault).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import libyadata
from libyadata import meta, versions
from libyadata.diff import version_key
from libyadata.errors import GitMissing
from libyadata.resources import repository_root

ROOT = repository_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs a source checkout")
HEADING = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$", re.M)


def changelog_entries(text: str) -> dict[str, str | None]:
    """Version -> release date of every ``## [x.y.z] - date`` heading, in file order."""
    return {v: d or None for v, d in HEADING.findall(text) if v != "Unreleased"}


def parquet_version(path: Path) -> str | None:
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).schema_arrow.metadata or {}
    value = metadata.get(b"libyadata.version")
    return value.decode() if value is not None else None


def version_problems(root: Path, version: str) -> list[str]:
    """Every place under ``root`` whose version disagrees with ``version``."""
    out = []
    desc = json.loads((root / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    if desc.get("version") != version:
        out.append(f"datapackage/datapackage.json: version {desc.get('version')!r}, expected {version!r}")
    parquet = root / "datapackage" / "parquet"
    for path in sorted(parquet.glob("*.parquet")):
        if parquet_version(path) != version:
            out.append(f"{path.relative_to(root)}: libyadata.version {parquet_version(path)!r}, expected {version!r}")
    if (parquet / "datapackage.json").is_file():
        v = json.loads((parquet / "datapackage.json").read_text(encoding="utf-8")).get("version")
        if v != version:
            out.append(f"datapackage/parquet/datapackage.json: version {v!r}, expected {version!r}")
    # A release directory is named after its version; older ones may stay next to it.
    for release in sorted((root / "dist" / "data").glob("*/")):
        v = json.loads((release / "datapackage.json").read_text(encoding="utf-8")).get("version")
        if v != release.name:
            out.append(f"{release.relative_to(root)}/datapackage.json: version {v!r}, expected {release.name!r}")
        for path in sorted(release.glob("*.parquet")):
            if parquet_version(path) != release.name:
                out.append(f"{path.relative_to(root)}: libyadata.version {parquet_version(path)!r}, "
                           f"expected {release.name!r}")
    entries = changelog_entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    if version not in entries:
        out.append(f"CHANGELOG.md: no '## [{version}] - YYYY-MM-DD' entry for the current version")
    elif entries[version] is None:
        out.append(f"CHANGELOG.md: the entry for {version} has no release date")
    listed = list(entries)
    if listed != sorted(listed, key=version_key, reverse=True):
        out.append(f"CHANGELOG.md: versions are not newest first: {', '.join(listed)}")
    return out


# --- this checkout -----------------------------------------------------------------------


def test_pyproject_takes_its_version_from_version_py():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"], "the version is set in one place: src/libyadata/_version.py"
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/libyadata/_version.py"


def test_version_py_and_the_package_agree():
    text = (ROOT / "src" / "libyadata" / "_version.py").read_text(encoding="utf-8")
    found = re.findall(r'^__version__ = "([^"]+)"$', text, re.M)
    assert found == [libyadata.__version__]
    version_key(libyadata.__version__)  # a semantic version, or this raises


def test_every_place_agrees_on_the_version():
    assert version_problems(ROOT, libyadata.__version__) == []


def test_descriptor_created_is_the_release_date_of_the_version():
    # `created` comes from releases.json (written by `libyadata bump`), never from the clock
    for path in ("datapackage/datapackage.json", "datapackage/parquet/datapackage.json"):
        desc = json.loads((ROOT / path).read_text(encoding="utf-8"))
        assert desc.get("created") == versions.created(libyadata.__version__), path
    assert meta.package_metadata().get("created") == versions.created(libyadata.__version__)


def test_changelog_has_an_entry_for_every_release_with_its_date():
    entries = changelog_entries((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    released = versions.releases(ROOT)
    assert released == versions.releases()  # the checkout's list is the one the package ships
    for version, date in released.items():
        assert version in entries, f"CHANGELOG.md has no entry for {version}"
        assert entries[version] == date, f"CHANGELOG.md dates {version} {entries[version]}, releases.json {date}"
    assert [v for v, d in entries.items() if d is not None and v not in released] == []


def test_releases_json_is_in_order_and_says_who_writes_it():
    doc = json.loads((ROOT / "src" / "libyadata" / "releases.json").read_text(encoding="utf-8"))
    assert "libyadata bump" in doc["$comment"]
    listed = [r["version"] for r in doc["releases"]]
    assert listed == sorted(listed, key=version_key) and len(set(listed)) == len(listed)
    for r in doc["releases"]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]) and (ROOT / "src" / "libyadata" / "registry" /
                                                                   f"{r['version']}.sha256").is_file()


@pytest.mark.skipif(ROOT is None or not (ROOT / ".git").exists() or shutil.which("git") is None,
                    reason="needs a git checkout")
def test_every_release_tag_has_a_changelog_entry():
    tags = subprocess.run(["git", "-C", str(ROOT), "tag", "--list", "v*"], capture_output=True, text=True,
                          check=True).stdout.split()
    entries = changelog_entries((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert [t for t in tags if t[1:] not in entries] == []


# --- the checks fail when they should ------------------------------------------------------


@pytest.fixture()
def root(tmp_path) -> Path:
    """A copy of the parts of the checkout that carry a version."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "datapackage", copy / "datapackage")
    shutil.copy(ROOT / "CHANGELOG.md", copy / "CHANGELOG.md")
    return copy


def test_a_bumped_version_without_changelog_or_descriptor_fails(root):
    v = libyadata.__version__
    nxt = f"{version_key(v)[0]}.{version_key(v)[1] + 1}.0"
    problems = version_problems(root, nxt)
    assert f"datapackage/datapackage.json: version {v!r}, expected {nxt!r}" in problems
    assert f"CHANGELOG.md: no '## [{nxt}] - YYYY-MM-DD' entry for the current version" in problems


def test_changelog_entry_without_date_and_out_of_order(root):
    log = root / "CHANGELOG.md"
    v = libyadata.__version__
    log.write_text(log.read_text().replace("## [Unreleased]", "## [Unreleased]\n\n## [0.9.0] - 2020-01-01")
                   .replace(f"## [{v}] - ", f"## [{v}]\n\nwas: "))
    problems = version_problems(root, v)
    assert problems[0] == f"CHANGELOG.md: the entry for {v} has no release date"
    # every version the log holds, in its order: the planted 0.9.0 first, then the real ones
    listed = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", log.read_text(), flags=re.M)
    assert problems[1:] == [f"CHANGELOG.md: versions are not newest first: {', '.join(listed)}"]
    assert listed[:2] == ["0.9.0", v]


def test_parquet_metadata_that_disagrees_is_named(root, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    parquet = root / "datapackage" / "parquet"
    parquet.mkdir(exist_ok=True)
    pq.write_table(pa.table({"x": [1]}).replace_schema_metadata({"libyadata.version": "0.0.1"}),
                   parquet / "stale.parquet")
    release = root / "dist" / "data" / "7.0.0"
    release.mkdir(parents=True)
    (release / "datapackage.json").write_text(json.dumps({"version": "6.0.0"}))
    problems = version_problems(root, libyadata.__version__)
    assert f"datapackage/parquet/stale.parquet: libyadata.version '0.0.1', expected '{libyadata.__version__}'" \
        in problems
    assert "dist/data/7.0.0/datapackage.json: version '6.0.0', expected '7.0.0'" in problems


def test_changelog_parser():
    text = "## [Unreleased]\n\n## [1.1.0] - 2027-01-02\n\n### Added\n\n## [1.0.0] - 2026-11-28\n"
    assert changelog_entries(text) == {"1.1.0": "2027-01-02", "1.0.0": "2026-11-28"}


def test_without_git_a_releases_commit_is_a_libyadata_error_that_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without git
    with pytest.raises(GitMissing) as err:
        versions.release_commit(repository_root(), "1.0.0")
    assert str(err.value) == "git is not installed; a release's data is read from the git history"
