"""The release build, done exactly as .github/workflows/release.yml does it.

`python -m build` (isolated: the build backend comes from the index into a fresh
environment) writes the sdist, then builds the wheel from that sdist. The sdist must
hold no link, no absolute path and nothing outside its folder; the wheel built from it
installs with its dependencies into a fresh venv, and the data package loads offline
there. The build runs once per test session.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from libyadata import __version__, models
from libyadata.resources import repository_root

ROOT = repository_root()
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml" if ROOT else None
pytestmark = [pytest.mark.slow, pytest.mark.skipif(ROOT is None, reason="needs a source checkout")]

PROBE = """
import json, sys, libyadata, libyadata.release
from libyadata.resources import datapackage_dir
data = libyadata.load()
text = libyadata.source_text()
ok = all(text[r.char_start:r.char_end] == r.quote for r in data.actors + data.events)
# the shipped, hash-verified tables were converted without building a single validator
fast = not any(m.__pydantic_complete__ for m in libyadata.models.MODELS)
same = libyadata.load(validate=True) == data
from libyadata import schema
stored = bool(schema._stored())  # the installed models are the ones the stored JSON Schemas were built from
print(json.dumps({"stored": stored, "file": libyadata.__file__, "data": str(datapackage_dir()), "counts": data.counts(),
                  "chars": len(text), "spans_ok": ok, "version": libyadata.__version__,
                  "fast": fast, "same": same, "registry": libyadata.release.known_versions()}))
"""


def test_the_workflow_builds_the_way_this_test_does():
    runs = re.findall(r"^\s+run: (.+)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    builds = [r for r in runs if "build" in r.split() and r.startswith("python")]
    assert builds == ["python -m build"]  # no --wheel, --sdist or --no-isolation: sdist, then wheel from it


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # build's own words: the wheel is made from the unpacked sdist
    assert "Building wheel from sdist" in done.stdout + done.stderr, done.stderr[-2000:]
    return out


@pytest.fixture(scope="session")
def sdist(dist) -> Path:
    [path] = dist.glob("libyadata-*.tar.gz")
    return path


@pytest.fixture(scope="session")
def wheel(dist) -> Path:
    [path] = dist.glob("libyadata-*.whl")
    return path


def test_sdist_holds_only_regular_files_inside_its_folder(sdist):
    assert sdist.name == f"libyadata-{__version__}.tar.gz"
    top = f"libyadata-{__version__}"
    with tarfile.open(sdist) as tar:
        members = tar.getmembers()
    assert members
    for m in members:
        name = PurePosixPath(m.name)
        assert not name.is_absolute() and ".." not in name.parts, m.name
        assert name.parts[0] == top, m.name
        assert m.isfile() or m.isdir(), f"{m.name} is not a regular file or folder (type {m.type!r})"
        assert not (m.issym() or m.islnk()) and not m.linkname, m.name
    names = {m.name[len(top) + 1:] for m in members}
    for required in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "src/libyadata/releases.json",
                     f"src/libyadata/registry/{__version__}.sha256", "datapackage/datapackage.json",
                     "tests/fixtures/make_invalid.py", "tests/fixtures/invalid/_valid/package/datapackage.json"):
        assert required in names, required
    assert not [n for n in names if n.startswith((".venv", ".git/", "dist/")) or "__pycache__" in n]


def test_wheel_contains_the_data_package(wheel):
    assert wheel.name.startswith(f"libyadata-{__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for model in models.MODELS:
        assert f"libyadata/datapackage/data/{model.table}.csv" in names
        assert f"libyadata/datapackage/parquet/{model.table}.parquet" in names
    assert "libyadata/datapackage/datapackage.json" in names
    assert "libyadata/datapackage/sources/future-center-2017-08-28.txt" in names
    assert "libyadata/py.typed" in names and "libyadata/releases.json" in names
    assert f"libyadata/registry/{__version__}.sha256" in names
    assert not any(n.startswith(("tests/", "schema/")) for n in names)


def _pins() -> list[str]:
    # The dependencies at the versions this environment runs, so pip takes them from its cache
    # or the local index instead of resolving anew (the wheel's own requirements still apply).
    out = []
    for req in importlib.metadata.requires("libyadata") or []:
        if "extra ==" in req:
            continue
        name = re.match(r"[A-Za-z0-9._-]+", req).group(0)
        out.append(f"{name}=={importlib.metadata.version(name)}")
    return out


def test_wheel_from_the_sdist_installs_in_a_fresh_venv_and_loads_offline(wheel, tmp_path, data):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(_pins()) + "\n", encoding="utf-8")
    done = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-compile", "-c", str(constraints), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # offline: no proxy, an unroutable index; nothing in load() may reach for the network
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(elsewhere), "PYTHONNOUSERSITE": "1",
           "PIP_NO_INDEX": "1", "no_proxy": "*", "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    result = subprocess.run([str(py), "-c", PROBE], cwd=elsewhere, capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["file"].startswith(str(env_dir)) and info["data"].startswith(str(env_dir))
    assert info["counts"] == data.counts() and info["spans_ok"] and info["version"] == __version__
    assert info["chars"] == data.sources[0].char_count
    assert info["fast"] and info["same"] and __version__ in info["registry"]
    assert info["stored"]
    cli = subprocess.run([str(env_dir / "bin" / "libyadata"), "info"], cwd=elsewhere, capture_output=True,
                         text=True, timeout=120, env=env)
    assert cli.returncode == 0 and f"libyadata {__version__}" in cli.stdout
