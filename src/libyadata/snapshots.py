"""The versions a diff compares, read into memory: package directories, release directories, git revisions.

A :class:`Package` holds a descriptor and its tables; every cell is kept in one canonical
text form (see :func:`canonical`), so that a CSV package and a Parquet release of the same
data compare equal.

Safety: resource paths must stay inside their package (no URL, absolute path, ``..`` or
symlink out); a release directory's files are checked against its ``SHA256SUMS`` before
they are read; a git revision is read through ``git`` with an argument list (no shell),
after ``git rev-parse --verify``, and only its descriptor and CSV files are taken: Parquet
is read only from directories you name (a release you built), never from a revision.

>>> canonical("3.0", "number"), canonical(None)
('3', '')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import paths
from .csvio import read_rows
from .errors import DataError, GitMissing, LibyadataError
from .hashing import file_digest

from .resources import DESCRIPTOR  # noqa: E402  (the one definition)
#: The checksum file of a release directory (``sha256sum`` format).
SUMS = "SHA256SUMS"
#: Where the data package lives inside a libyadata repository.
PACKAGE_PREFIX = "datapackage"
#: Largest descriptor (or SHA256SUMS, schema file) read.
DESCRIPTOR_LIMIT = 10 * 2**20
_SAFE_REV = re.compile(r"[A-Za-z0-9._/@{}^~:+-]+")

@dataclass
class Table:
    """One tabular resource: its Table Schema and its records by primary key."""

    name: str
    schema: dict[str, Any]
    header: tuple[str, ...]
    rows: dict[tuple[str, ...], dict[str, str]]
    file: str = ""

    @property
    def primary_key(self) -> tuple[str, ...]:
        pk = self.schema.get("primaryKey") or ()
        return (pk,) if isinstance(pk, str) else tuple(pk)


@dataclass
class Package:
    """A data package read into memory: descriptor and tables, cells in canonical text form."""

    label: str
    descriptor: dict[str, Any]
    tables: dict[str, Table]
    revision: str | None = None

    @property
    def version(self) -> str | None:
        v = self.descriptor.get("version")
        return v if isinstance(v, str) else None


def canonical(value: Any, field_type: str | None = None) -> str:
    """A cell as text that compares equal across CSV and Parquet: ``""`` for null, lists joined by ``|``.

    >>> canonical("0.80", "number"), canonical(0.8), canonical("3.0", "number"), canonical(["a", "b"])
    ('0.8', '0.8', '3', 'a|b')
    >>> canonical(dt.date(2017, 8, 14)), canonical("007", "string")
    ('2017-08-14', '007')
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "|".join(canonical(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        # 3 and 3.0 are one number: an integer-to-number retyping must not show every cell as changed
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text == "":
        return ""
    try:
        if field_type == "integer":
            return str(int(text))
        if field_type == "number":
            return canonical(float(text))
        if field_type == "date":
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass  # an unparseable cell is compared as written; validating it is not the diff's job
    return text


def _inside(root: Path, rel: Any, where: str) -> Path:
    """``root / rel`` after the path rules of :mod:`libyadata.paths` (no URL, absolute path, ``..``, hidden
    name), whether or not the file exists; a link on the way is refused by :func:`_regular`."""
    why = paths.problem(rel)
    if why:
        raise DataError(f"resource path {why}; it must stay inside the package", file=where)
    return root / rel


def _regular(root: Path, rel: str, where: str) -> Path | None:
    """``root / rel`` if it is a regular file reached through no link; None if it does not exist."""
    path = _inside(root, rel, where)
    why = paths.file_problem(root, rel)
    if why is None:
        return path
    if why.endswith("does not exist"):
        return None
    raise DataError(f"resource path {why}; refused", file=where)


def _find_file(root: Path, resource: dict[str, Any], binary: bool) -> Path | None:
    """The file holding a resource: its declared path, else a CSV or Parquet file of the same name.

    A release directory may hold only Parquet files while its descriptor still names
    the CSV paths it was built from; looking for the sibling formats covers that.
    Parquet files are candidates only when ``binary`` is set (a release you trust).
    """
    rel = resource["path"]
    declared = _regular(root, rel, DESCRIPTOR)
    if declared is not None and (binary or not _is_binary(declared)):
        return declared
    if declared is not None:
        raise DataError(f"{rel} is a binary (Parquet) file: not read from a package that may be untrusted; "
                        "pass --read-parquet for a release directory you built or verified", file=rel)
    stem, name = PurePosixPath(rel).stem, resource.get("name", "")
    folder = PurePosixPath(rel).parent
    candidates = [folder / f"{stem}.csv"] + ([folder / f"{stem}.parquet"] if binary else [])
    for sub in ("", "data", "parquet"):
        candidates += ([PurePosixPath(sub) / f"{name}.parquet"] if binary else []) \
            + [PurePosixPath(sub) / f"{name}.csv"]
    for cand in candidates:
        path = _regular(root, str(cand), DESCRIPTOR)
        if path is not None:
            return path
    return None


def _is_binary(path: Path) -> bool:
    """Parquet (or anything not text) by name or magic bytes: never parsed without ``binary``."""
    if path.suffix.lower() in (".parquet", ".pq", ".arrow", ".feather"):
        return True
    with open(path, "rb") as f:
        head = f.read(8)
    return head.startswith(b"PAR1") or b"\x00" in head


def _read_cells(path: Path, rel: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # only for release directories; pq.ParquetFile does not pull in pandas

        try:
            table = pq.ParquetFile(path).read()
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise DataError(f"not a readable Parquet file: {exc}", file=rel) from None
        return tuple(table.column_names), table.to_pylist()
    try:
        header, rows = read_rows(path, rel)
    except UnicodeDecodeError as exc:
        raise DataError(f"not valid UTF-8 at byte {exc.start}", file=rel) from None
    except csv.Error as exc:  # e.g. a cell over the csv module's field limit
        raise DataError(f"not readable CSV: {str(exc)[:200]}", file=rel) from None
    return tuple(header), rows


def schema_fields(schema: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A table schema's ``fields``, checked to be objects with a string ``name`` (else DataError).

    >>> schema_fields({"fields": [{"name": "id"}]}, "t")
    [{'name': 'id'}]
    """
    fields = schema.get("fields", [])
    if not isinstance(fields, list):
        raise DataError(f"schema of resource {name!r}: fields must be a list", file=DESCRIPTOR)
    for i, f in enumerate(fields):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            raise DataError(f"schema of resource {name!r}: fields[{i}] must be an object with a string name",
                            file=DESCRIPTOR)
    pk = schema.get("primaryKey", [])
    if not (isinstance(pk, str) or (isinstance(pk, list) and all(isinstance(k, str) for k in pk))):
        raise DataError(f"schema of resource {name!r}: primaryKey must be a field name or a list of them",
                        file=DESCRIPTOR)
    return fields


def _read_table(root: Path, resource: dict[str, Any], binary: bool = False) -> Table:
    name = resource.get("name", "")
    schema = resource.get("schema")
    if isinstance(schema, str):
        _inside(root, schema, DESCRIPTOR)
        try:
            schema = _load_json(paths.read_bytes(root, schema, DESCRIPTOR_LIMIT), schema)
        except paths.UnsafePath as exc:
            raise DataError(f"schema of resource {name!r} cannot be read: {exc}", file=schema) from None
    if not isinstance(schema, dict):
        raise DataError(f"schema of resource {name!r} must be an object", file=DESCRIPTOR)
    fields = schema_fields(schema, name)
    path = _find_file(root, resource, binary)
    if path is None:
        raise DataError(f"file of resource {name!r} is missing", file=str(resource["path"]))
    rel = path.relative_to(root).as_posix()
    _check_sum(root, path, rel)
    header, cells = _read_cells(path, rel)
    types = {f.get("name"): f.get("type") for f in fields}
    table = Table(name, schema, header, {}, rel)
    pk = table.primary_key or header
    missing = [k for k in pk if k not in header]
    if missing:
        raise DataError(f"primary key field(s) {', '.join(missing)} missing from the header", file=rel, row=1)
    first_row = 2 if path.suffix != ".parquet" else 1
    # CSV text cells are already canonical; only typed columns (and every Parquet value) need work.
    typed = [k for k in header if path.suffix == ".parquet" or types.get(k) in ("integer", "number", "date")]
    for number, raw in enumerate(cells, start=first_row):
        row = {k: raw.get(k, "") for k in header} if path.suffix != ".parquet" else dict.fromkeys(header, "")
        for k in typed:
            row[k] = canonical(raw.get(k), types.get(k))
        key = tuple(row[k] for k in pk)
        if key in table.rows:
            raise DataError(f"duplicate primary key {key_text(key)}", file=rel, row=number,
                            field=",".join(pk))
        table.rows[key] = row
    return table


def _check_sum(root: Path, path: Path, rel: str) -> None:
    """In a release directory, a file listed in SHA256SUMS must have that hash before it is read."""
    if _regular(root, SUMS, SUMS) is None:
        return
    try:
        text = paths.read_bytes(root, SUMS, DESCRIPTOR_LIMIT).decode("utf-8")
    except (paths.UnsafePath, UnicodeDecodeError) as exc:
        raise DataError(f"cannot be read: {exc}", file=SUMS) from None
    for number, line in enumerate(text.splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if name.lstrip("*") == rel:
            actual = file_digest(path)[1]
            if actual != digest.strip().lower():
                raise DataError(f"sha256 is {actual}, but {SUMS} line {number} says {digest.strip()}", file=rel)
            return


def _load_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataError(f"not valid JSON: {str(exc)[:200]}", file=where) from None


def read_package(directory: str | Path, label: str | None = None, *, binary: bool = False) -> Package:
    """Read a package or release directory (CSV tables; Parquet too with ``binary``) into memory.

    The folder, its descriptor and every file it names are reached through no symbolic link
    (:mod:`libyadata.paths`); Parquet is parsed only when ``binary`` says the directory is
    trusted (a release you built or verified): never from a contribution.
    """
    root = Path(directory)
    if root.name == DESCRIPTOR and not root.is_dir():
        root = root.parent
    why = paths.root_problem(root)
    if why:
        raise DataError(f"not a usable package folder: {why}", file=str(root))
    try:
        data = paths.read_bytes(root, DESCRIPTOR, DESCRIPTOR_LIMIT)
    except paths.UnsafePath as exc:
        if not os.path.lexists(root / DESCRIPTOR):
            raise DataError(f"no {DESCRIPTOR} here: not a data package directory", file=str(root)) from None
        raise DataError(f"{exc}; refused", file=str(root / DESCRIPTOR)) from None
    descriptor = _load_json(data, str(root / DESCRIPTOR))
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise DataError("a descriptor must be a JSON object with a 'resources' list", file=str(root / DESCRIPTOR))
    tables = {}
    for resource in descriptor.get("resources", []):
        if isinstance(resource, dict) and resource.get("format") == "parquet" and isinstance(resource.get("schema"), dict):
            schema_fields(resource["schema"], str(resource.get("name", "")))
            from .parquet import canonical_table_schema  # the Parquet schema only adapts the CSV one

            resource["schema"] = canonical_table_schema(resource["schema"])
        if isinstance(resource, dict) and resource.get("schema") and "path" in resource:
            table = _read_table(root, resource, binary)
            tables[table.name] = table
    return Package(label or str(directory), descriptor, tables)


# --- git revisions ---------------------------------------------------------------


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise GitMissing("git is not installed; a git revision cannot be read") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LibyadataError(f"git {args[0]} failed in {repo}: {message[-1] if message else done.returncode}")
    return done.stdout


def resolve_revision(repo: Path, rev: str) -> str:
    """The full commit id of ``rev`` in ``repo``, or a LibyadataError that says why not."""
    if not rev or rev.startswith("-") or not _SAFE_REV.fullmatch(rev):
        raise LibyadataError(f"{rev!r} is not a directory, and not a usable git revision name")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitMissing:
        raise GitMissing(f"{rev!r} is not a directory, and git, which would read it as a revision, "
                         "is not installed") from None
    except LibyadataError:
        raise LibyadataError(f"{rev!r} is neither a directory nor a commit of the git repository at {repo}") from None


def read_revision(repo: str | Path, rev: str, prefix: str = PACKAGE_PREFIX) -> Package:
    """The package as committed at ``rev``: its files are written to a temporary folder, then read."""
    repo = Path(repo)
    commit = resolve_revision(repo, rev)
    # Only the descriptor and the CSV tables: a revision may come from an untrusted branch, and
    # binary formats (Parquet) from an untrusted source are never parsed.
    listing = _git(repo, "ls-tree", "-r", "-z", commit, "--", f"{prefix}/{DESCRIPTOR}", f"{prefix}/data")
    names = []
    for entry in listing.decode("utf-8", "replace").split("\0"):
        meta, _, name = entry.partition("\t")
        # Regular files only: a committed link (mode 120000) or submodule is never taken.
        if name and meta.split(" ")[0] in ("100644", "100755") and not name.endswith(".parquet"):
            names.append(name)
    if f"{prefix}/{DESCRIPTOR}" not in names:
        raise LibyadataError(f"revision {rev} ({commit[:12]}) has no {prefix}/{DESCRIPTOR}")
    with tempfile.TemporaryDirectory(prefix="libyadata-diff-") as tmp:
        for name in names:
            rel = PurePosixPath(name).relative_to(prefix)
            dest = _inside(Path(tmp), str(rel), name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(_git(repo, "show", f"{commit}:{name}"))
        package = read_package(tmp, label=f"{rev} ({commit[:12]})")
    package.revision = commit
    return package


def open_side(spec: str | Path, repo: str | Path | None = None, *, binary: bool = False) -> Package:
    """A directory if ``spec`` names one, a release version (``1.0.0``), else a git revision of ``repo``
    (default: the checkout or cwd).

    ``binary``: read Parquet files of a directory side (see :func:`read_package`).
    """
    path = Path(spec)
    if os.path.lexists(path) and (path.is_dir() or path.name == DESCRIPTOR or os.path.islink(path)):
        return read_package(path, label=str(spec), binary=binary)
    from .versions import is_version, release_commit

    if is_version(str(spec)):  # a bare release version: the commit that holds its data
        return read_revision(default_repo(repo), release_commit(default_repo(repo), str(spec)))
    return read_revision(default_repo(repo), str(spec))


def default_repo(repo: str | Path | None) -> Path:
    if repo is not None:
        return Path(repo)
    from .resources import repository_root

    return repository_root() or Path.cwd()


def retired_ids(repo: str | Path, rev: str, tables: dict[str, Table],
                prefix: str = PACKAGE_PREFIX) -> dict[str, dict[tuple[str, ...], tuple[str, dict[str, str]]]]:
    """Ids that were once in a table and later removed, in the history up to ``rev``.

    Returns, per table, key -> (commit that removed it, the record as it last was).
    Only CSV files committed under ``prefix/`` are read, commit by commit.
    """
    repo = Path(repo)
    commit = resolve_revision(repo, rev)
    out: dict[str, dict[tuple[str, ...], tuple[str, dict[str, str]]]] = {}
    for name, table in tables.items():
        rel = f"{prefix}/{table.file}" if table.file.endswith(".csv") else f"{prefix}/data/{name}.csv"
        commits = _git(repo, "rev-list", "--reverse", commit, "--", rel).decode().split()
        present: dict[tuple[str, ...], dict[str, str]] = {}
        retired: dict[tuple[str, ...], tuple[str, dict[str, str]]] = {}
        for c in commits:
            now = _rows_at(repo, c, rel, table)
            for key in present.keys() - now.keys():
                retired[key] = (c, present[key])
            for key in now.keys() & retired.keys():
                del retired[key]
            present = now
        out[name] = retired
    return out


def _rows_at(repo: Path, commit: str, rel: str, table: Table) -> dict[tuple[str, ...], dict[str, str]]:
    listing = _git(repo, "ls-tree", "--name-only", commit, "--", rel).decode().strip()
    if not listing:
        return {}
    text = _git(repo, "show", f"{commit}:{rel}").decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    pk = table.primary_key or tuple(header)
    if any(k not in header for k in pk):
        return {}
    types = {f.get("name"): f.get("type") for f in table.schema.get("fields", [])}
    rows = {}
    for cells in reader:
        row = {k: canonical(v, types.get(k)) for k, v in zip(header, cells)}
        rows[tuple(row.get(k, "") for k in pk)] = row
    return rows



def key_text(key: tuple[str, ...]) -> str:
    """A primary key value as one string: ``a / b`` for a composite key."""
    return " / ".join(key)
