"""The README's "Parquet files and downloads" section runs as written.

Code blocks between ``<!-- BEGIN parquet -->`` and ``<!-- END parquet -->`` are executed
against a local HTTP server serving a freshly made release (``LIBYADATA_BASE_URL``),
with a temporary cache (``LIBYADATA_CACHE``): the ``sh`` download commands in a shell, the
``python`` blocks in order in one namespace, each skipped only when a module it imports is
not installed (pyspark). The maintainers' block (it starts with ``# maintainers``) runs
its read-only ``--check`` and ``frictionless`` lines; the writing commands are checked
for existing verbs and options (``--help``), since a test must not rewrite the checkout.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from libyadata import __version__, downloads, release
from libyadata.cli import main

from released import release_root
from test_download import Server

ROOT = Path(__file__).resolve().parent.parent
#: What `libyadata download` fetches of this version (its registry's Parquet files and descriptor).
REGISTERED = downloads.default_files(__version__)
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- BEGIN parquet -->"), text.index("<!-- END parquet -->")
    return text[start:end]


def blocks(lang: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(section()) if kind == lang]


def commands(block: str) -> list[str]:
    lines = [line.split("  #")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def imports(code: str) -> set[str]:
    return set(re.findall(r"^(?:from|import) (\w+)", code, re.M))


@pytest.fixture()
def served(tmp_path, monkeypatch):
    server = Server(release_root(tmp_path / "release"))
    monkeypatch.setenv("LIBYADATA_BASE_URL", server.base_url)
    monkeypatch.setenv("LIBYADATA_CACHE", str(tmp_path / "cache"))
    yield server
    server.stop()


def test_section_has_every_tool():
    code = "\n".join(blocks("python"))
    assert {"duckdb", "polars", "pandas", "pyspark", "libyadata"} <= imports(code)
    assert "spark.read.parquet(" in code
    assert [c.split()[:2] for c in commands(blocks("sh")[0])] == [["libyadata", "download"]] * 2


def test_download_commands_run(served, tmp_path):
    download_block, = [b for b in blocks("sh") if not b.startswith("# maintainers")]
    for command in commands(download_block):
        result = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (command, result.stderr)
        printed = [tmp_path / p for p in result.stdout.split()]
        # one line per file it fetches
        assert len(printed) == len(REGISTERED) and all(p.is_file() for p in printed)
    assert (tmp_path / "libyadata-parquet" / "events.parquet").is_file()
    assert (tmp_path / "cache" / __version__ / "events.parquet").is_file()


def test_python_blocks_run(served, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    ran, skipped = [], []
    for code in blocks("python"):
        missing = sorted(m for m in imports(code) if importlib.util.find_spec(m) is None)
        if missing:
            skipped.append(missing)
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
        ran.append(out.getvalue())
    assert namespace["folder"] == tmp_path / "cache" / __version__
    assert "khalifa-haftar" not in "".join(ran) and "Khalifa Haftar" in ran[1]  # the DuckDB join printed names
    assert skipped in ([], [["pyspark"]])
    assert len(ran) + len(skipped) == len(blocks("python"))


def maintainer_commands() -> list[list[str]]:
    (block,) = [b for b in blocks("sh") if b.startswith("# maintainers")]
    return [shlex.split(c) for c in commands(block)]


def test_maintainer_commands_exist_and_checks_pass(capsys):
    for argv in maintainer_commands():
        if argv[0] == "frictionless":
            continue  # an external tool: test_the_frictionless_command_passes (slow)
        assert argv[0] == "libyadata"
        if "--check" in argv:
            # after a release the files may move on until the next bump: then release --check says so
            moved_on = argv[1] == "release" and release.registry_drift(ROOT) != []
            assert main(argv[1:]) == (1 if moved_on else 0), capsys.readouterr().err
            continue
        with pytest.raises(SystemExit) as exc:
            main([argv[1], "--help"])
        assert exc.value.code == 0
        for option in (a for a in argv[2:] if a.startswith("--")):
            assert option in capsys.readouterr().out


@pytest.mark.slow
def test_the_frictionless_command_passes():
    pytest.importorskip("frictionless")
    ran = [argv for argv in maintainer_commands() if argv[0] == "frictionless"]
    assert ran, "the README's maintainer block names no frictionless command"
    for argv in ran:
        result = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout[-2000:]


def test_readme_names_match_the_code():
    from libyadata import downloads

    assert (downloads.ENV_BASE_URL, downloads.ENV_CACHE) == ("LIBYADATA_BASE_URL", "LIBYADATA_CACHE")
    assert f"retried {['never', 'once', 'twice'][downloads.DEFAULT_RETRIES]}" in section()
    assert "LIBYADATA_BASE_URL" in section() and "LIBYADATA_CACHE" in section()
    assert f"the release pins {os.environ.get('PYARROW_VERSION', '26.0.1')}" in section()
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    pinned = re.search(r'PYARROW_VERSION: "([^"]+)"', workflow).group(1)
    assert f"the release pins {pinned}" in section()
