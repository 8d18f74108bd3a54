"""Safety: the descriptor read with limits, paths confined to the package, no links, no binaries.

Nothing here follows a symbolic link, opens a URL or reads outside the package
directory; JSON is measured (size, nesting depth) before it is parsed; binary files
are recognised by name and magic bytes and never parsed.

>>> path_problem("data/events.csv") is None
True
>>> path_problem("../secrets.csv")
"'../secrets.csv' leaves the package ('..')"
>>> path_problem("https://example.org/x.csv")
"'https://example.org/x.csv' is a URL; libyadata never opens the network for a package file"
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from .report import Report

from ..resources import DESCRIPTOR  # noqa: E402  (the one definition)
#: A folder of generated files (``libyadata build``): never parsed, only compared with --base.
GENERATED_DIR = "parquet"
#: The folder of the source texts, one file ``<name>.txt`` each.
SOURCES_DIR = "sources/"


@dataclass(frozen=True)
class Limits:
    """Size caps; anything larger is refused before it is parsed."""

    descriptor_bytes: int = 10 * 2**20
    json_depth: int = 32
    csv_bytes: int = 2 * 2**30
    text_bytes: int = 64 * 2**20
    #: All distinct source texts together: each text is read once however many rows cite it
    #: (200 rows citing one 20 MiB text once kept 200 decoded copies, 4.2 GB).
    texts_total_bytes: int = 128 * 2**20
    rows: int = 20_000_000
    cell_bytes: int = 64 * 2**10
    files: int = 10_000
    #: Header labels of a table (the models' tables have a few dozen fields): a 1 MB header of
    #: 120000 labels took 39 s and 650 MB to report label by label.
    labels: int = 1_000


#: Binary formats a contribution may not carry, by magic bytes and by file name suffix.
_MAGIC = ((b"PAR1", "Parquet"), (b"ARROW1", "Arrow IPC"), (b"\x80\x02", "pickle"), (b"\x80\x03", "pickle"),
          (b"\x80\x04", "pickle"), (b"\x80\x05", "pickle"), (b"PK\x03\x04", "zip archive"),
          (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ", "xz"), (b"(\xb5/\xfd", "zstd"),
          (b"7z\xbc\xaf", "7-zip"), (b"SQLite format 3", "SQLite"), (b"\x93NUMPY", "NumPy"),
          (b"\x89HDF", "HDF5"), (b"\x7fELF", "executable"), (b"MZ", "executable"),
          (b"\xd0\xcf\x11\xe0", "OLE (xls/doc)"))
_SUFFIXES = {".parquet": "Parquet", ".pq": "Parquet", ".arrow": "Arrow IPC", ".feather": "Arrow IPC",
             ".ipc": "Arrow IPC", ".pkl": "pickle", ".pickle": "pickle", ".joblib": "pickle", ".npy": "NumPy",
             ".npz": "NumPy", ".h5": "HDF5", ".hdf5": "HDF5", ".zip": "zip archive", ".gz": "gzip",
             ".xlsx": "spreadsheet", ".xls": "spreadsheet", ".ods": "spreadsheet", ".sqlite": "SQLite",
             ".db": "database", ".duckdb": "database", ".pt": "pickle", ".bin": "binary", ".so": "executable",
             ".exe": "executable", ".dll": "executable", ".avro": "Avro", ".orc": "ORC"}


def path_problem(path: Any) -> str | None:
    """Why a descriptor path is unsafe, or None: the rules of :func:`libyadata.paths.problem`."""
    return paths.problem(path)


def safe_file(root: Path, rel: str) -> Path | None:
    """``root/rel`` if no component is a link and it is a regular file (:func:`libyadata.paths.safe_file`)."""
    return paths.safe_file(root, rel)


_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
#: A JSON string once its escapes are gone: it holds no quote, so the match cannot backtrack.
_JSON_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def json_depth(data: bytes) -> int:
    """Maximum nesting depth of JSON text, measured without parsing it, in linear time.

    Brackets inside strings do not count. Escapes go first (``\\\\`` then ``\\"``, as a JSON
    parser reads them left to right), then the strings, then everything but brackets, and the
    depth is a running sum (NumPy). The former ``"(?:[^"\\\\]|\\\\.)*"`` pattern backtracked
    quadratically on a long run of escaped quotes: 1 MB hung.

    >>> json_depth(b'{"a": "[[\\\\"{{", "b": [[1]]}'), json_depth(b'{"a": "[[[[{{{{", "b": [[1]]}')
    (3, 3)
    """
    import numpy as np

    plain = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = _JSON_STRING.sub(b"", plain).translate(None, _NOT_BRACKETS)
    if not marks:
        return 0
    codes = np.frombuffer(marks, dtype=np.uint8)
    steps = np.where((codes == 0x5B) | (codes == 0x7B), 1, -1).astype(np.int8)
    return max(0, int(np.cumsum(steps, dtype=np.int32).max()))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # One pass with a set: ``keys.count`` per key was quadratic (40000 keys took 124 s).
    seen: set[str] = set()
    dup: set[str] = set()
    for k, _ in pairs:
        if k in seen:
            dup.add(k)
        seen.add(k)
    if dup:
        shown = sorted(dup)[:20]
        raise ValueError(f"duplicate key(s) {', '.join(shown)}{' …' if len(dup) > 20 else ''}")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_descriptor(root: Path, report: Report, limits: Limits, refused: bool = False) -> dict[str, Any] | None:
    """The parsed descriptor, or None after reporting why it cannot be used (``refused``: the walk
    reported it already, as a link or a special file)."""
    if refused:
        return None
    path = root / DESCRIPTOR
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        report.add("missing-file", f"{DESCRIPTOR} is missing: a data package needs its descriptor", file=DESCRIPTOR)
        return None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
        report.add("unsafe-path", f"{DESCRIPTOR} is a link or not a regular file; refused", file=DESCRIPTOR)
        return None
    if st.st_size > limits.descriptor_bytes:
        report.add("size-limit", f"{DESCRIPTOR} has {st.st_size} bytes, more than the {limits.descriptor_bytes} "
                   "accepted; refused before parsing", file=DESCRIPTOR)
        return None
    try:
        data = paths.read_bytes(root, DESCRIPTOR, limits.descriptor_bytes)
    except paths.UnsafePath as exc:
        report.add("unsafe-path", f"{DESCRIPTOR}: {exc}; refused", file=DESCRIPTOR)
        return None
    depth = json_depth(data)
    if depth > limits.json_depth:
        report.add("size-limit", f"nesting depth {depth} exceeds {limits.json_depth} levels; refused before parsing",
                   file=DESCRIPTOR)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.add("encoding-error", f"invalid UTF-8 at byte {exc.start} (line {line}); save it as UTF-8", file=DESCRIPTOR,
                   line=line)
        return None
    if text.startswith("\ufeff"):
        report.add("encoding-error", "starts with a byte order mark; save as UTF-8 without BOM", file=DESCRIPTOR, line=1)
        return None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        report.add("package-error", f"not valid JSON: {exc}", file=DESCRIPTOR)
        return None
    if not isinstance(obj, dict):
        report.add("package-error", f"must be a JSON object, not {type(obj).__name__}", file=DESCRIPTOR)
        return None
    return obj


def binary_kind(path: Path) -> str | None:
    """The binary format a file is (by suffix or magic bytes), or None for text. Reads 16 bytes."""
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind:
        return kind
    try:
        with os.fdopen(paths.open_found(path), "rb") as f:
            head = f.read(16)
    except paths.UnsafePath:
        return "not a regular file"
    except OSError:
        return None
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "binary" if b"\x00" in head else None


def is_source_text(rel: str) -> bool:
    """Whether a package path names a source text: ``sources/<name>.txt``, one level down.

    >>> is_source_text("sources/a.txt"), is_source_text("sources/x/a.txt"), is_source_text("data/a.txt")
    (True, False, False)
    """
    return rel.startswith(SOURCES_DIR) and rel.endswith(".txt") and rel.count("/") == 1


class Walk(dict):  # type: ignore[type-arg]
    """The package's regular files (relative POSIX path -> path), and ``refused``: the entries the
    walk reported (links, hidden names, special files), which later checks do not report again."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()

    def was_refused(self, rel: str) -> bool:
        """Whether ``rel`` or a folder above it was refused (and so reported)."""
        parts = rel.split("/")
        return any("/".join(parts[:i]) in self.refused for i in range(1, len(parts) + 1))


def was_refused(files: dict[str, Path], rel: str) -> bool:
    """Whether the walk that found ``files`` refused ``rel`` or a folder above it (and reported it)."""
    return isinstance(files, Walk) and files.was_refused(rel)


def walk(root: Path, report: Report, limits: Limits) -> Walk:
    """Every regular file of the package (relative POSIX path -> path), reporting links and hidden names.

    Links are reported and never followed; the walk stops at ``limits.files`` entries.
    """
    found = Walk()
    stack = [(root, "")]
    seen = 0
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            report.add("source-error", f"cannot list {prefix or '.'}: {exc.strerror}", file=prefix or None)
            continue
        for entry in entries:
            seen += 1
            if seen > limits.files:
                report.add("size-limit", f"the package holds more than {limits.files} files; refused")
                return found
            rel = prefix + entry.name
            if entry.is_symlink():
                report.add("unsafe-path", f"{rel} is a symbolic link; links are never followed: commit the file",
                           file=rel)
                found.refused.add(rel)
            elif entry.name.startswith("."):
                report.add("unsafe-path", f"{rel} is hidden; hidden files and folders are not allowed", file=rel)
                found.refused.add(rel)
            elif entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), rel + "/"))
            elif entry.is_file(follow_symlinks=False):
                found[rel] = Path(entry.path)
            else:
                report.add("forbidden-file", f"{rel} is not a regular file", file=rel)
                found.refused.add(rel)
    return found
