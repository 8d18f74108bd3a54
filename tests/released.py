"""The release files of a version exactly as its shipped registry records them, for tests that serve them.

While the checkout's files are still those of the current version's release, they are used
as they are; once the data moved on (a correction after the release, before the next bump),
the release is rebuilt from the commit that holds it (``libyadata.versions.release_commit``).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from libyadata import __version__, release, versions
from libyadata.resources import repository_root


def release_root(dest: Path, version: str = __version__) -> Path:
    """``dest`` holding ``<version>/`` with the release files of ``version``; returns ``dest``."""
    folder = release.make(dest, version=version)
    if release.parse_sums((folder / release.SUMS).read_text(encoding="utf-8")) == release.registry(version):
        return dest
    root = repository_root()
    if root is None or not (root / ".git").exists():
        pytest.skip(f"the files moved on since {version} was released, and no git history holds that release")
    commit = versions.release_commit(root, version)
    archive = subprocess.run(["git", "-C", str(root), "archive", commit, "datapackage"], check=True,
                             capture_output=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        folder = release.make(dest, Path(tmp) / "datapackage", version)
    assert release.parse_sums((folder / release.SUMS).read_text(encoding="utf-8")) == release.registry(version)
    return dest
