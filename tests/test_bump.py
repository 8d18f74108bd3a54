"""`libyadata bump`, `generate` and `release` on a temporary clone of this repository, as a maintainer runs them.

Each test clones the checkout (full history, so the last release's data is found the
way a fresh clone finds it), changes it, and runs the real commands in a fresh
interpreter that imports the clone's own code.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from libyadata import __version__
from libyadata.csvio import read_rows, to_csv_bytes
from libyadata.resources import repository_root

ROOT = repository_root()


def _shallow() -> bool:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"], capture_output=True,
                          text=True)
    return done.returncode != 0 or done.stdout.strip() != "false"


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ROOT is None or shutil.which("git") is None or not (ROOT / ".git").exists() or _shallow(),
                       reason="needs a full git clone of the repository"),
]
TODAY = dt.datetime.now(dt.timezone.utc).date().isoformat()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def clone(dest: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True, capture_output=True)
    # the clone carries what this checkout has not committed yet (a test run during development)
    status = git(ROOT, "status", "--porcelain", "-z", "--untracked-files=all").split("\0")
    for entry in filter(None, status):
        rel = entry[3:]
        src, dst = ROOT / rel, dest / rel
        if src.is_file() and not src.is_symlink() and not rel.startswith(".venv"):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        elif not src.exists() and dst.is_file():
            dst.unlink()
    git(dest, "add", "-A")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "--allow-empty", "-m",
        "the checkout under test")
    return dest


def cli(repo: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(repo / "src"), "LIBYADATA_CACHE": str(repo / ".cache")}
    return subprocess.run([sys.executable, "-c", "from libyadata.cli import main; raise SystemExit(main())", *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)


def edit_rows(repo: Path, table: str, change) -> None:
    path = repo / "datapackage" / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    path.write_bytes(to_csv_bytes(header, change(rows)))


def remove_claim(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return rows[:-1]


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A clone whose data changed (a record removed, a field description reworded), then bumped major."""
    repo = clone(tmp_path_factory.mktemp("bump") / "repo")
    registry = repo / "src" / "libyadata" / "registry" / f"{__version__}.sha256"
    before = registry.read_bytes()
    edit_rows(repo, "claims", remove_claim)
    models = repo / "src" / "libyadata" / "models.py"
    text = models.read_text(encoding="utf-8")
    old = "The exact words of the source that support the record."
    assert old in text
    models.write_text(text.replace(old, "The exact words of the source that support this record."), encoding="utf-8")
    done = cli(repo, "generate")
    assert done.returncode == 0, done.stderr
    assert "never rewritten" in done.stderr and registry.read_bytes() == before

    refused = cli(repo, "bump", "patch")
    assert refused.returncode == 1, refused.stderr
    assert (f"refused: a patch bump is too low: the changes since {__version__} require a major bump"
            in refused.stderr)
    # records removed since the release (the claim removed here, or those the data changed before it)
    removed = re.search(r"claims: (\d+) records? removed", refused.stderr)
    assert "changes that require it:" in refused.stderr and removed and int(removed.group(1)) >= 1, refused.stderr
    assert (repo / "src" / "libyadata" / "_version.py").read_text() == f'__version__ = "{__version__}"\n'
    # the models and the JSON Schemas `generate` stores from them; nothing else yet
    assert git(repo, "status", "--porcelain", "--", "CHANGELOG.md", "src/libyadata") == \
        " M src/libyadata/json_schemas.json\n M src/libyadata/models.py\n"

    changelog = repo / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(
        "## [Unreleased]\n", f"## [Unreleased]\n\n{ENTRY}\n", 1), encoding="utf-8")
    done = cli(repo, "bump", "major")
    assert done.returncode == 0, done.stderr
    assert registry.read_bytes() == before  # the released version's registry, byte for byte
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-am", "release")
    return repo


#: What the maintainer wrote under [Unreleased] before bumping, in the clone.
ENTRY = "- A claim removed, and a field description changed (written by the bump test)."


def new_version() -> str:
    return f"{int(__version__.split('.')[0]) + 1}.0.0"


def test_bump_writes_the_version_once_dates_it_today_and_moves_the_changelog(released):
    new = new_version()
    assert (released / "src" / "libyadata" / "_version.py").read_text() == f'__version__ = "{new}"\n'
    listed = json.loads((released / "src" / "libyadata" / "releases.json").read_text())["releases"]
    assert listed[-1] == {"version": new, "date": TODAY} and listed[0]["version"] == "1.0.0"
    log = (released / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [Unreleased]\n\n## [{new}] - {TODAY}\n" in log
    ours = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").split("## [Unreleased]\n", 1)[1].split("\n## [")[0]
    moved = log.split(f"## [{new}] - {TODAY}\n", 1)[1].split("\n## [")[0]
    assert ENTRY in moved and ours.strip() in moved  # the entries moved (the repository's own, if any)
    for desc in ("datapackage/datapackage.json", "datapackage/parquet/datapackage.json"):
        d = json.loads((released / desc).read_text(encoding="utf-8"))
        assert d["version"] == new and d["created"] == f"{TODAY}T00:00:00Z", desc
    # everything regenerated; the new version's registry is the files; the commands agree
    for args in (["generate", "--check"], ["release", "--check"]):
        done = cli(released, *args)
        assert done.returncode == 0, (args, done.stderr)
    assert (released / "src" / "libyadata" / "registry" / f"{new}.sha256").is_file()


def test_diff_resolves_bare_release_versions_from_the_history(released):
    done = cli(released, "diff", "1.0.0", new_version(), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["old"]["version"] == "1.0.0" and result["new"]["version"] == new_version()
    assert result["bump"] == "major" and result["version_ok"] is True
    # the claims removed are the release's that the new data lacks (not a hand-copied count)
    rev = subprocess.run([sys.executable, "-c", "import sys; from libyadata.versions import release_commit; "
                          "print(release_commit(sys.argv[1], sys.argv[2]))", str(released), "1.0.0"],
                         env={**os.environ, "PYTHONPATH": str(released / "src")}, capture_output=True, text=True,
                         check=True).stdout.strip()
    import csv
    import io

    then = {r["claim_id"] for r in csv.DictReader(io.StringIO(git(released, "show",
                                                                    f"{rev}:datapackage/data/claims.csv")))}
    now = {r["claim_id"] for r in read_rows(released / "datapackage" / "data" / "claims.csv")[1]}
    removed = result["tables"]["claims"]["removed"]
    assert {r["claim_id"] for r in removed} == then - now and removed
    unknown = cli(released, "diff", "9.9.9", new_version())
    assert unknown.returncode == 2 and "9.9.9" in unknown.stderr


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


def test_the_previous_release_stays_downloadable_and_verified(released, tmp_path):
    # the release assets of 1.0.0 as its release commit built them, served on 127.0.0.1
    served = tmp_path / "served"
    for version in ("1.0.0", new_version()):
        rev = subprocess.run([sys.executable, "-c", "import sys; from libyadata.versions import release_commit; "
                              "print(release_commit(sys.argv[1], sys.argv[2]))", str(released), version],
                             env={**os.environ, "PYTHONPATH": str(released / "src")}, capture_output=True, text=True,
                             check=True).stdout.strip()
        tree = tmp_path / f"at-{version}"
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(released), "archive", rev, "datapackage"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        make = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from libyadata import "
                               "release; release.make(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])",
                               str(served), str(tree / "datapackage"), version],
                              env={**os.environ, "PYTHONPATH": str(released / "src")}, capture_output=True, text=True)
        assert make.returncode == 0, make.stderr
    handler = functools.partial(_Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/{{version}}/"
        for version in ("1.0.0", new_version()):
            done = cli(released, "download", "--version", version, "--base-url", base, "--dest",
                       str(tmp_path / f"got-{version}"), "--retries", "0", timeout=120)
            assert done.returncode == 0, (version, done.stderr)
            assert (tmp_path / f"got-{version}" / "events.parquet").is_file()
        # a file of another version is refused: each version is verified against its own registry
        shutil.copyfile(served / new_version() / "claims.parquet", served / "1.0.0" / "claims.parquet")
        done = cli(released, "download", "--version", "1.0.0", "--base-url", base, "--dest",
                   str(tmp_path / "bad"), "--retries", "0", "--file", "claims.parquet", timeout=120)
        assert done.returncode == 2 and "claims.parquet" in done.stderr
    finally:
        server.shutdown()
        server.server_close()
