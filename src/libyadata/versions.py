"""The released versions: when each was released, where its data is, and how the next one is cut.

``releases.json`` (shipped in the package) lists every released version with the day it
was released. ``libyadata bump`` appends to it and nobody else writes it; the
descriptors' ``created`` is read from it, so a regeneration never changes it:

>>> releases()["1.0.0"]
'2026-11-28'
>>> created("1.0.0")
'2026-11-28T00:00:00Z'

The data of a released version is found in the git history, offline, from any full
clone: the tag ``v<version>`` when there is one, else the commit that wrote the Parquet
descriptor whose sha256 the version's shipped registry (``registry/<version>.sha256``)
records. That descriptor holds the version and the hash of every Parquet file, so it
names one version's data exactly, and the registry is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import GitMissing, LibyadataError

RELEASES = "releases.json"
COMMENT = "Released versions and their release dates. Appended by `libyadata bump`; never edit by hand."
PARQUET_DESCRIPTOR = "datapackage/parquet/datapackage.json"
VERSION_FILE = Path("src") / "libyadata" / "_version.py"
LEVELS = ("patch", "minor", "major")
_UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n", re.M)


def _read(text: str, origin: str) -> dict[str, str]:
    try:
        doc = json.loads(text)
        return {r["version"]: r["date"] for r in doc["releases"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise LibyadataError(f"{origin}: not a list of releases ({exc})") from None


def releases(repo_root: Path | None = None) -> dict[str, str]:
    """Released version -> release date (ISO), oldest first: the installed list, or a checkout's."""
    path = Path(repo_root) / "src" / "libyadata" / RELEASES if repo_root is not None else None
    if path is not None and path.is_file():
        return _read(path.read_text(encoding="utf-8"), str(path))
    from importlib.resources import files

    return _read(files("libyadata").joinpath(RELEASES).read_text(encoding="utf-8"), f"libyadata/{RELEASES}")


def is_released(version: str, repo_root: Path | None = None) -> bool:
    return version in releases(repo_root)


def created(version: str) -> str | None:
    """The descriptor's ``created`` of a version (RFC 3339): its release day, or None before it is released."""
    date = releases().get(version)
    return None if date is None else f"{date}T00:00:00Z"


def last_release(repo_root: Path | None = None) -> str:
    """The highest released version."""
    from .diff import version_key

    known = releases(repo_root)
    if not known:
        raise LibyadataError(f"no released version in {RELEASES}")
    return max(known, key=version_key)


# --- where a release's data is ---------------------------------------------------------


def is_version(spec: str) -> bool:
    """Whether ``spec`` is a bare version number (``1.0.0``), as opposed to a git revision (``v1.0.0``, ``HEAD``).

    >>> is_version("1.0.0"), is_version("v1.0.0"), is_version("HEAD")
    (True, False, False)
    """
    return re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?", spec) is not None


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise GitMissing("git is not installed; a release's data is read from the git history") from None


def _registry_text(repo: Path, version: str) -> str:
    from .release import check_version, registry_file

    path = registry_file(repo, check_version(version))
    if path.is_file():
        return path.read_text(encoding="utf-8")
    from .release import REGISTRY_DIR
    from importlib.resources import files

    entry = files("libyadata").joinpath(REGISTRY_DIR, f"{version}.sha256")
    if not entry.is_file():
        raise LibyadataError(f"no registry for version {version}: it was never released")
    return entry.read_text(encoding="utf-8")


def release_commit(repo: str | Path, version: str) -> str:
    """The commit holding the data released as ``version``.

    The tag ``v<version>`` if the clone has it (its Parquet descriptor must match the
    registry), else the newest commit that wrote the Parquet descriptor the registry records.
    """
    from .release import parse_sums

    repo = Path(repo)
    want = parse_sums(_registry_text(repo, version), origin=f"registry/{version}.sha256").get("datapackage.json")
    if want is None:
        raise LibyadataError(f"registry/{version}.sha256 records no datapackage.json")

    def digest(commit: str) -> str | None:
        shown = _git(repo, "show", f"{commit}:{PARQUET_DESCRIPTOR}")
        return hashlib.sha256(shown.stdout).hexdigest() if shown.returncode == 0 else None

    tag = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}")
    if tag.returncode == 0:
        commit = tag.stdout.decode().strip()
        if digest(commit) != want:
            raise LibyadataError(f"tag v{version} holds other Parquet files than registry/{version}.sha256 records")
        return commit
    log = _git(repo, "log", "--format=%H", "--all", "--", PARQUET_DESCRIPTOR)
    if log.returncode != 0:
        raise LibyadataError(f"cannot read the git history of {repo}: {log.stderr.decode(errors='replace').strip()}")
    for commit in log.stdout.decode().split():
        if digest(commit) == want:
            return commit
    raise LibyadataError(f"no commit of {repo} holds the data of {version} (the Parquet descriptor that "
                         f"registry/{version}.sha256 records); a shallow clone? fetch the full history")


# --- the bump --------------------------------------------------------------------------


@dataclass
class Bump:
    old: str
    new: str
    level: str
    required: str
    reasons: list[str]
    date: str


class BumpRefused(LibyadataError):
    """The requested bump is lower than the changes since the last release require."""

    def __init__(self, message: str, reasons: list[str]):
        super().__init__(message)
        self.reasons = reasons


def required_bump(repo_root: Path) -> tuple[str, str, Any]:
    """(last release, the bump its data diff requires, the diff) for a checkout."""
    from .diff import diff

    last = last_release(repo_root)
    result = diff(release_commit(repo_root, last), repo_root / "datapackage", repo=repo_root)
    return last, result.bump, result


def move_unreleased(changelog: str, version: str, date: str) -> str:
    """CHANGELOG text with ``## [Unreleased]``'s entries under ``## [version] - date``; compare links updated.

    >>> print(move_unreleased("# C\\n\\n## [Unreleased]\\n\\n- x\\n\\n## [1.0.0] - 2026-01-01\\n", "1.1.0", "2026-02-03"))
    # C
    <BLANKLINE>
    ## [Unreleased]
    <BLANKLINE>
    ## [1.1.0] - 2026-02-03
    <BLANKLINE>
    - x
    <BLANKLINE>
    ## [1.0.0] - 2026-01-01
    <BLANKLINE>
    """
    if not _UNRELEASED.search(changelog):
        raise LibyadataError("CHANGELOG.md has no '## [Unreleased]' heading")
    if re.search(rf"^## \[{re.escape(version)}\]", changelog, re.M):
        raise LibyadataError(f"CHANGELOG.md already has an entry for {version}")
    out = _UNRELEASED.sub(f"## [Unreleased]\n\n## [{version}] - {date}\n", changelog, count=1)
    out = re.sub(r"## \[Unreleased\]\n\n\n+", "## [Unreleased]\n\n", out)
    # Keep a Changelog compare links, if the file has them.
    link = re.search(r"^\[Unreleased\]: (\S+)/compare/v?([^.\s]+\.[^.\s]+\.[^.\s]+)\.\.\.HEAD$", out, re.M)
    if link:
        base, previous = link.group(1), link.group(2)
        out = out.replace(link.group(0), f"[Unreleased]: {base}/compare/v{version}...HEAD\n"
                                         f"[{version}]: {base}/compare/v{previous}...v{version}")
    return out


def _reason(change: Any, result: Any, shown: int = 20) -> str:
    """A change, with the records it names (``events: 1 record removed: haftar-visit``)."""
    from .diff import key_text

    text = f"{change.table}: {change.message}" if change.table else change.message
    td = result.tables.get(change.table) if change.table else None
    keys = {"records_removed": td.removed, "records_added": td.added}.get(change.kind) if td else None
    if keys:
        text += ": " + ", ".join(key_text(k) for k in keys[:shown]) + (" …" if len(keys) > shown else "")
    return text


def bump(repo_root: Path, level: str, today: dt.date | None = None) -> Bump:
    """Raise the version of a checkout by ``level`` after its last release, refusing a bump too low.

    Writes ``_version.py``, appends to ``releases.json``, moves CHANGELOG's
    ``[Unreleased]`` entries under the new version and regenerates every generated file
    (with the new version, in a fresh interpreter). No registry of a released version is written.
    """
    from .diff import BUMPS, next_version

    if level not in LEVELS:
        raise LibyadataError(f"bump must be one of {', '.join(LEVELS)}, not {level!r}")
    repo_root = Path(repo_root)
    last, required, result = required_bump(repo_root)
    reasons = [_reason(c, result) for c in result.changes if c.bump == required]
    if BUMPS.index(level) < BUMPS.index(required):
        raise BumpRefused(f"a {level} bump is too low: the changes since {last} require a {required} bump "
                          f"(at least {next_version(last, required)})", reasons)
    new = next_version(last, level)
    if is_released(new, repo_root):
        raise LibyadataError(f"{new} is already released")
    date = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    changelog = repo_root / "CHANGELOG.md"
    text = move_unreleased(changelog.read_text(encoding="utf-8"), new, date)
    from .csvio import atomic_write

    listed = json.loads((repo_root / "src" / "libyadata" / RELEASES).read_text(encoding="utf-8"))
    listed["releases"].append({"version": new, "date": date})
    atomic_write(repo_root / "src" / "libyadata" / RELEASES,
                 (json.dumps(listed, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    atomic_write(repo_root / VERSION_FILE, f'__version__ = "{new}"\n'.encode("utf-8"))
    atomic_write(changelog, text.encode("utf-8"))
    regenerate(repo_root)
    return Bump(last, new, level, required, reasons, date)


def regenerate(repo_root: Path) -> None:
    """``libyadata generate`` in a fresh interpreter that imports this checkout (so it sees the new version)."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(repo_root) / "src"), *filter(None, [env.get("PYTHONPATH")])])
    done = subprocess.run([sys.executable, "-c", "from libyadata.cli import main; raise SystemExit(main(['generate']))"],
                          cwd=repo_root, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        raise LibyadataError(f"libyadata generate failed after the bump: {done.stderr.strip()}")
