"""The data package travels inside the wheel and loads offline in a fresh environment."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from libyadata import __version__, models
from libyadata.resources import repository_root

ROOT = repository_root()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(ROOT is None, reason="needs a source checkout")]

PROBE = """
import json, sys, libyadata
from libyadata.resources import datapackage_dir
data = libyadata.load()
text = libyadata.source_text()
ok = all(text[r.char_start:r.char_end] == r.quote for r in data.actors + data.events)
# the shipped, hash-verified tables were converted without building a single validator
fast = not any(m.__pydantic_complete__ for m in libyadata.models.MODELS)
same = libyadata.load(validate=True) == data
print(json.dumps({"file": libyadata.__file__, "data": str(datapackage_dir()), "counts": data.counts(),
                  "chars": len(text), "spans_ok": ok, "version": libyadata.__version__,
                  "fast": fast, "same": same}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("wheel")
    # no isolation: the build backend comes from the test extra, so this works offline
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    [whl] = out.glob("libyadata-*.whl")
    return whl


def test_wheel_contains_the_data_package(wheel):
    assert wheel.name.startswith(f"libyadata-{__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for model in models.MODELS:
        assert f"libyadata/datapackage/data/{model.table}.csv" in names
    assert "libyadata/datapackage/datapackage.json" in names
    assert "libyadata/datapackage/sources/future-center-2017-08-28.txt" in names
    assert "libyadata/py.typed" in names
    assert not any(n.startswith(("tests/", "schema/")) for n in names)


def test_wheel_loads_everything_offline_in_a_fresh_venv(wheel, tmp_path, data):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # The dependencies (pydantic, pyarrow) come from this environment, offline: its
    # site-packages are appended as plain paths, so their .pth files (among them an
    # editable install of libyadata) are not run and only the wheel provides libyadata.
    venv_site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip()
    outer = [p for p in {*site.getsitepackages(), sysconfig.get_paths()["purelib"]} if Path(p).is_dir()]
    (Path(venv_site) / "_outer_dependencies.pth").write_text("\n".join(sorted(outer)) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(py), "-c", PROBE], cwd=elsewhere, capture_output=True, text=True, timeout=120,
                            env={"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(elsewhere),
                                 "PYTHONNOUSERSITE": "1"})
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["file"].startswith(str(env_dir)) and info["data"].startswith(str(env_dir))
    assert info["counts"] == data.counts() and info["spans_ok"] and info["version"] == __version__
    assert info["chars"] == data.sources[0].char_count
    assert info["fast"] and info["same"]
    cli = subprocess.run([str(env_dir / "bin" / "libyadata"), "info"], cwd=elsewhere, capture_output=True,
                         text=True, timeout=120)
    assert cli.returncode == 0 and f"libyadata {__version__}" in cli.stdout
