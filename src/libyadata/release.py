"""Release artifacts of a version, and the registry of their hashes that the package ships.

``make()`` writes ``dist/data/<version>/``: the Parquet files, their descriptor
(``datapackage.json``), the source text and ``SHA256SUMS``. The folder is flat because
a GitHub release is: every file becomes an asset at
``…/releases/download/v<version>/<name>``.

The same ``SHA256SUMS`` text is kept in the package as ``registry/<version>.sha256``,
so an installed libyadata knows the hash of every file of its own version (and of
every earlier version whose registry it keeps) and can verify a download:

>>> from libyadata import __version__
>>> sorted(registry(__version__))[:2]
['actors.parquet', 'claims.parquet']
>>> len(registry(__version__)["actors.parquet"])
64
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import LibyadataError
from .hashing import file_digest
from .resources import datapackage_dir

SUMS = "SHA256SUMS"
#: Where the registries live inside the package (read with importlib.resources).
REGISTRY_DIR = "registry"
VERSION_PATTERN = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(?:[-.+]?[A-Za-z0-9.]+)?$")
#: A release file name: flat, no path separators, not hidden.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def files(package_dir: Path | None = None) -> dict[str, Path]:
    """The files of a release, by their (flat) release name.

    >>> sorted(files())[:3]
    ['actors.parquet', 'claims.parquet', 'datapackage.json']
    """
    from . import models, parquet

    pkg = Path(package_dir) if package_dir is not None else datapackage_dir()
    folder = parquet.parquet_dir(pkg)
    out = {f"{t}.parquet": folder / f"{t}.parquet" for t in _tables(folder, models)}
    out[parquet.DESCRIPTOR] = folder / parquet.DESCRIPTOR
    for text in sorted((pkg / "sources").glob("*.txt")):
        out[text.name] = text
    missing = [str(p) for p in out.values() if not p.is_file()]
    if missing:
        raise LibyadataError(f"cannot release: missing {', '.join(missing)} (run: libyadata build)")
    return dict(sorted(out.items()))


def _tables(folder: Path, models: Any) -> list[str]:
    """The tables a package's Parquet descriptor declares (an older version may lack a table the models
    have now), else the models' tables."""
    import json

    try:
        resources = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]
        names = [r["path"][:-len(".parquet")] for r in resources
                 if re.fullmatch(r"[a-z0-9_]+\.parquet", str(r.get("path", "")))]
    except (OSError, ValueError, KeyError, TypeError):
        names = []
    return names or [m.table for m in models.MODELS]


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    return file_digest(path)[1]


def sums_text(paths: dict[str, Path]) -> str:
    """``SHA256SUMS`` text (the ``sha256sum`` format, so ``sha256sum -c SHA256SUMS`` works)."""
    return "".join(f"{sha256(p)}  {name}\n" for name, p in sorted(paths.items()))


def parse_sums(text: str, origin: str = SUMS) -> dict[str, str]:
    """File name -> hex SHA-256 from ``SHA256SUMS`` text.

    >>> parse_sums("ab" * 32 + "  events.parquet\\n")
    {'events.parquet': 'abababababababababababababababababababababababababababababababab'}
    """
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = re.fullmatch(r"([0-9a-f]{64}) [ *](\S+)", line)
        if not match or not NAME_PATTERN.match(match.group(2)):
            raise LibyadataError(f"{origin}, line {number}: expected '<sha256 hex>  <file name>', got {line!r}")
        out[match.group(2)] = match.group(1)
    return out


def make(out_root: Path, package_dir: Path | None = None, version: str = __version__) -> Path:
    """Write the release folder ``out_root/<version>/`` and return it.

    The folder is assembled under a temporary name and renamed into place, so it
    never holds a mix of two builds, and a file removed from the package does not
    linger in it.
    """
    check_version(version)
    sources = files(package_dir)
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / version
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=out_root))
    try:
        for name, src in sources.items():
            shutil.copyfile(src, staging / name)
        (staging / SUMS).write_text(sums_text(sources), encoding="utf-8")
        for p in staging.iterdir():
            p.chmod(0o644)  # release assets are public; mkstemp-made files are 0600
        staging.chmod(0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{version}.old.", dir=out_root))
            os.replace(target, old / version)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


# --- the shipped registry -------------------------------------------------------------


def check_version(version: str) -> str:
    """Refuse a version string that is not a release version (it becomes a path and a URL)."""
    if not VERSION_PATTERN.match(version):
        raise LibyadataError(f"not a release version: {version!r} (expected e.g. {__version__})")
    return version


def known_versions() -> list[str]:
    """Versions whose file hashes this installation ships."""
    from importlib.resources import files as resource_files

    folder = resource_files("libyadata").joinpath(REGISTRY_DIR)
    if not folder.is_dir():
        return []
    names = [p.name[: -len(".sha256")] for p in folder.iterdir() if p.name.endswith(".sha256")]
    return sorted(names, key=lambda v: [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"[.+-]", v)])


def registry(version: str = __version__) -> dict[str, str]:
    """File name -> hex SHA-256 of every release file of ``version``, as shipped in the package."""
    from importlib.resources import files as resource_files

    check_version(version)
    entry = resource_files("libyadata").joinpath(REGISTRY_DIR, f"{version}.sha256")
    if not entry.is_file():
        known = ", ".join(known_versions()) or "none"
        raise LibyadataError(f"libyadata {__version__} knows no file hashes for version {version} "
                             f"(it knows: {known}); install libyadata {version} or later")
    return parse_sums(entry.read_text(encoding="utf-8"), origin=f"libyadata/{REGISTRY_DIR}/{version}.sha256")


def registry_file(repo_root: Path, version: str = __version__) -> Path:
    """Where a source checkout keeps the registry of ``version``."""
    return Path(repo_root) / "src" / "libyadata" / REGISTRY_DIR / f"{check_version(version)}.sha256"


def registry_drift(repo_root: Path, package_dir: Path | None = None) -> list[str]:
    """Release files whose hash differs from (or is missing in) the checkout's registry, and
    registry entries with no file."""
    path = registry_file(repo_root)
    want = parse_sums(sums_text(files(package_dir)))
    if not path.is_file():
        return [f"missing: no registry for version {__version__}"]
    have = parse_sums(path.read_text(encoding="utf-8"), origin=str(path))
    problems = [f"{name}: registry has {have.get(name, 'no entry')}, the file is {digest}"
                for name, digest in want.items() if have.get(name) != digest]
    problems += [f"{name}: in the registry but not a release file" for name in have if name not in want]
    return problems


def write_registry(repo_root: Path, package_dir: Path | None = None) -> Path | None:
    """Write the checkout's registry of the current version if it differs; return it if written.

    The registry of a released version (``versions.releases()``) is written once, never
    rewritten: users verify that version's downloads against it.
    """
    from .csvio import atomic_write
    from .versions import is_released

    path = registry_file(repo_root)
    text = sums_text(files(package_dir)).encode("utf-8")
    if path.is_file() and path.read_bytes() == text:
        return None
    if path.is_file() and is_released(__version__, repo_root):
        raise LibyadataError(f"{REGISTRY_DIR}/{path.name} is the registry of released version {__version__}, "
                             "which is never rewritten, and the files differ from it: run `libyadata bump`")
    atomic_write(path, text)
    path.chmod(0o644)
    return path
