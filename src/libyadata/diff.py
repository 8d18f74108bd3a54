"""Record-level diff of two versions of a data package, and the version bump it requires.

A side (OLD or NEW) is a data package directory (``datapackage.json`` plus the files its
resources name, CSV or Parquet), a built release directory, or a git revision of a
repository whose ``datapackage/`` folder holds the package. Tables are compared by
primary key (records added, removed, changed field by field) and by schema (fields
added, removed, retyped, reordered, constraints tightened or loosened); the package's
own metadata is compared too.

Every change carries the bump the Frictionless Data Package Version recipe gives it
(https://datapackage.org/recipes/data-package-version/):

- **major**: a package, resource or field renamed or removed; a field added or
  reordered (an older reader rejects the new header); a type or format changed; a
  constraint made stricter; a record removed, or an id given another meaning;
- **minor**: a new resource or new records; a constraint loosened;
- **patch**: corrected values; changed descriptive metadata.

>>> old = Package("a", {"version": "1.0.0"}, {})
>>> new = Package("b", {"version": "1.0.1", "title": "New title"}, {})
>>> d = compare(old, new)
>>> d.bump, d.required_version, d.version_ok
('patch', '1.0.1', True)

Ids are never reused: an id that keeps its key but whose content no longer resembles
what it meant, or an id that comes back after it was removed (found in the git history
of a revision side) with another meaning, is flagged as a major change. Limit: when
both sides are directories and no ``history`` revision is given, only OLD and NEW are
compared, so an id removed in an earlier version and reused now goes unnoticed.

Safety: resource paths must stay inside their package (no URL, absolute path, ``..`` or
symlink out); a git revision is read through ``git`` with an argument list (no shell),
after ``git rev-parse --verify``, and only its descriptor and CSV files are taken: Parquet
is read only from directories you name (a release you built), never from a revision.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .csvio import read_rows
from .errors import DataError, LibyadataError

BUMPS = ("none", "patch", "minor", "major")
DESCRIPTOR = "datapackage.json"
#: The checksum file of a release directory (``sha256sum`` format).
SUMS = "SHA256SUMS"
#: Where the data package lives inside a libyadata repository.
PACKAGE_PREFIX = "datapackage"
#: Below this similarity (0..1) of a record's meaning text, a kept id "means something else".
MEANING_THRESHOLD = 0.5
#: Fields that do not carry a record's meaning: remarks and the position of its evidence.
NOT_MEANING = frozenset({"notes", "char_start", "char_end", "quote_prefix", "quote_suffix", "source_id"})
#: Resource properties about where and how the bytes are stored: the recipe gives them no bump.
DISTRIBUTION = frozenset({"path", "format", "mediatype", "encoding", "bytes", "hash", "scheme", "dialect",
                          "compression", "extrapaths", "sources", "licenses", "type"})
#: Package properties that change with every release and are not changes in themselves.
RELEASE_STAMP = frozenset({"version", "created", "resources"})
#: Field properties that decide how a cell is read: changing one changes the data's meaning.
FIELD_PARSING = frozenset({"type", "format", "trueValues", "falseValues", "decimalChar", "groupChar",
                           "bareNumber", "missingValues", "itemType", "delimiter"})
_LOWER_BOUNDS = frozenset({"minimum", "minLength", "exclusiveMinimum"})
_UPPER_BOUNDS = frozenset({"maximum", "maxLength", "exclusiveMaximum"})
#: Records (and changed fields) listed per table in Markdown, which is meant for a pull-request comment.
MARKDOWN_ROWS = 100
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_SAFE_REV = re.compile(r"^[A-Za-z0-9._/@{}^~:+-]+$")


# --- the two sides ---------------------------------------------------------------


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
    """``root / rel`` after refusing anything that could leave the package (URLs, absolute, ``..``)."""
    if not isinstance(rel, str) or not rel:
        raise DataError(f"resource path must be a relative path string, got {rel!r}", file=where)
    if "://" in rel or rel.startswith(("/", "~", "\\")) or ".." in PurePosixPath(rel).parts or "$" in rel:
        raise DataError(f"resource path {rel!r} must stay inside the package (no URL, absolute path or '..')",
                        file=where)
    path = (root / rel).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:  # a symlink pointing out of the package
        raise DataError(f"resource path {rel!r} leads outside the package", file=where) from None
    return path


def _find_file(root: Path, resource: dict[str, Any]) -> Path | None:
    """The file holding a resource: its declared path, else a CSV or Parquet file of the same name.

    A release directory may hold only Parquet files while its descriptor still names
    the CSV paths it was built from; looking for the sibling formats covers that.
    """
    rel = resource["path"]
    declared = _inside(root, rel, DESCRIPTOR)
    if declared.is_file():
        return declared
    stem, name = PurePosixPath(rel).stem, resource.get("name", "")
    folder = PurePosixPath(rel).parent
    candidates = [folder / f"{stem}.csv", folder / f"{stem}.parquet"]
    for sub in ("", "data", "parquet"):
        candidates += [PurePosixPath(sub) / f"{name}.parquet", PurePosixPath(sub) / f"{name}.csv"]
    for cand in candidates:
        path = _inside(root, str(cand), DESCRIPTOR)
        if path.is_file():
            return path
    return None


def _read_cells(path: Path, rel: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # only for release directories; pq.ParquetFile does not pull in pandas

        try:
            table = pq.ParquetFile(path).read()
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise DataError(f"not a readable Parquet file: {exc}", file=rel) from None
        return tuple(table.column_names), table.to_pylist()
    try:
        header, rows = read_rows(path)
    except UnicodeDecodeError as exc:
        raise DataError(f"not valid UTF-8 at byte {exc.start}", file=rel) from None
    return tuple(header), rows


def _read_table(root: Path, resource: dict[str, Any]) -> Table:
    name = resource.get("name", "")
    schema = resource.get("schema")
    if isinstance(schema, str):
        schema_path = _inside(root, schema, DESCRIPTOR)
        try:
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"schema of resource {name!r} cannot be read: {exc}", file=schema) from None
    path = _find_file(root, resource)
    if path is None:
        raise DataError(f"file of resource {name!r} is missing", file=str(resource["path"]))
    rel = path.relative_to(root.resolve()).as_posix()
    _check_sum(root, path, rel)
    header, cells = _read_cells(path, rel)
    types = {f.get("name"): f.get("type") for f in schema.get("fields", [])}
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
            raise DataError(f"duplicate primary key {_key_text(key)}", file=rel, row=number,
                            field=",".join(pk))
        table.rows[key] = row
    return table


def _check_sum(root: Path, path: Path, rel: str) -> None:
    """In a release directory, a file listed in SHA256SUMS must have that hash before it is read."""
    sums = root / SUMS
    if not sums.is_file():
        return
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if name.lstrip("*") == rel:
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
            if actual != digest.strip().lower():
                raise DataError(f"sha256 is {actual}, but {SUMS} line {number} says {digest.strip()}", file=rel)
            return


def read_package(directory: str | Path, label: str | None = None) -> Package:
    """Read a package or release directory (CSV or Parquet tables) into memory."""
    root = Path(directory)
    if root.is_file() and root.name == DESCRIPTOR:
        root = root.parent
    desc_path = root / DESCRIPTOR
    if not desc_path.is_file():
        raise DataError(f"no {DESCRIPTOR} here: not a data package directory", file=str(root))
    try:
        descriptor = json.loads(desc_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"not valid JSON: {exc}", file=str(desc_path)) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise DataError("a descriptor must be a JSON object with a 'resources' list", file=str(desc_path))
    tables = {}
    for resource in descriptor.get("resources", []):
        if isinstance(resource, dict) and resource.get("schema") and "path" in resource:
            table = _read_table(root, resource)
            tables[table.name] = table
    return Package(label or str(directory), descriptor, tables)


# --- git revisions ---------------------------------------------------------------


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise LibyadataError("git is not installed; a git revision cannot be read") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LibyadataError(f"git {args[0]} failed in {repo}: {message[-1] if message else done.returncode}")
    return done.stdout


def resolve_revision(repo: Path, rev: str) -> str:
    """The full commit id of ``rev`` in ``repo``, or a LibyadataError that says why not."""
    if not rev or rev.startswith("-") or not _SAFE_REV.match(rev):
        raise LibyadataError(f"{rev!r} is not a directory, and not a usable git revision name")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except LibyadataError:
        raise LibyadataError(f"{rev!r} is neither a directory nor a commit of the git repository at {repo}") from None


def read_revision(repo: str | Path, rev: str, prefix: str = PACKAGE_PREFIX) -> Package:
    """The package as committed at ``rev``: its files are written to a temporary folder, then read."""
    repo = Path(repo)
    commit = resolve_revision(repo, rev)
    # Only the descriptor and the CSV tables: a revision may come from an untrusted branch, and
    # binary formats (Parquet) from an untrusted source are never parsed.
    listing = _git(repo, "ls-tree", "-r", "-z", "--name-only", commit, "--", f"{prefix}/{DESCRIPTOR}",
                   f"{prefix}/data")
    names = [n for n in listing.decode("utf-8").split("\0") if n and not n.endswith(".parquet")]
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


def open_side(spec: str | Path, repo: str | Path | None = None) -> Package:
    """A directory if ``spec`` names one, else a git revision of ``repo`` (default: the checkout or cwd)."""
    path = Path(spec)
    if path.is_dir() or (path.is_file() and path.name == DESCRIPTOR):
        return read_package(path, label=str(spec))
    return read_revision(_default_repo(repo), str(spec))


def _default_repo(repo: str | Path | None) -> Path:
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
    import csv
    import io

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


# --- changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference and the bump it requires."""

    bump: str
    kind: str
    message: str
    table: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class TableDiff:
    """What changed in one table's records."""

    table: str
    primary_key: tuple[str, ...]
    added: list[tuple[str, ...]] = field(default_factory=list)
    removed: list[tuple[str, ...]] = field(default_factory=list)
    changed: list[tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = field(default_factory=list)
    compared: bool = True

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class Diff:
    """The comparison of two packages: every change, per-table record changes, and the bump."""

    old: Package
    new: Package
    changes: list[Change]
    tables: dict[str, TableDiff]

    @property
    def bump(self) -> str:
        return max((c.bump for c in self.changes), key=BUMPS.index, default="none")

    @property
    def required_version(self) -> str | None:
        return None if self.old.version is None else next_version(self.old.version, self.bump)

    @property
    def version_ok(self) -> bool | None:
        """Whether NEW's version is at least the required one (None when a version is missing)."""
        if self.required_version is None or self.new.version is None:
            return None
        return version_key(self.new.version) >= version_key(self.required_version)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": {"label": self.old.label, "version": self.old.version, "revision": self.old.revision},
            "new": {"label": self.new.label, "version": self.new.version, "revision": self.new.revision},
            "bump": self.bump,
            "required_version": self.required_version,
            "version_ok": self.version_ok,
            "changes": [c.to_dict() for c in self.changes],
            "tables": {
                name: {
                    "primary_key": list(td.primary_key),
                    "compared": td.compared,
                    "added": [_key_dict(td.primary_key, k) for k in td.added],
                    "removed": [_key_dict(td.primary_key, k) for k in td.removed],
                    "changed": [{"key": _key_dict(td.primary_key, k),
                                 "fields": {f: {"old": o, "new": n} for f, (o, n) in fields.items()}}
                                for k, fields in td.changed],
                }
                for name, td in self.tables.items()
            },
        }


def _key_dict(pk: tuple[str, ...], key: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(pk, key))


def _key_text(key: tuple[str, ...]) -> str:
    return " / ".join(key)


def version_key(version: str) -> tuple[int, int, int, int]:
    """Sortable form of a SemVer string; a pre-release sorts before its release.

    >>> version_key("1.2.3") > version_key("1.2.3-rc.1") > version_key("1.2.2")
    True
    """
    m = _SEMVER.match(version.strip())
    if not m:
        raise LibyadataError(f"version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return int(m[1]), int(m[2]), int(m[3]), 0 if m[4] else 1


def next_version(version: str, bump: str) -> str:
    """The lowest version that ``bump`` allows after ``version``.

    >>> [next_version("1.4.2", b) for b in BUMPS]
    ['1.4.2', '1.4.3', '1.5.0', '2.0.0']
    """
    major, minor, patch, _ = version_key(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return f"{major}.{minor}.{patch}"


def _show(value: Any) -> str:
    return "`" + json.dumps(value, ensure_ascii=False, sort_keys=True) + "`"


def compare_package_metadata(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changes of the package's own properties (not its resources)."""
    out = []
    for key in sorted((old.keys() | new.keys()) - RELEASE_STAMP):
        o, n = old.get(key), new.get(key)
        if o == n:
            continue
        if key in ("name", "id"):
            out.append(Change("major", "package_renamed", f"package {key} changed {_show(o)} -> {_show(n)}"))
        else:
            out.append(Change("patch", "metadata", f"package {key} changed"))
    return out


def _constraint_change(table: str, name: str, key: str, o: Any, n: Any) -> Change | None:
    where = f"field `{name}`"
    if key in ("required", "unique"):
        if bool(o) == bool(n):  # absent and false mean the same
            return None
        tighter = bool(n) and not bool(o)
        what = f"{key} {'added' if tighter else 'dropped'}"
    elif key == "enum":
        if o is None or n is None:
            tighter = o is None
            what = "enum added" if tighter else "enum dropped"
        else:
            gone, new_values = [v for v in o if v not in n], [v for v in n if v not in o]
            if not gone and not new_values:
                return Change("patch", "enum_reordered", f"{where}: enum values reordered", table, name)
            tighter = bool(gone)
            what = ("enum shrunk" if tighter else "enum grown") + "".join(
                [f"; removed {_show(gone)}" if gone else "", f"; added {_show(new_values)}" if new_values else ""])
    elif key in _LOWER_BOUNDS or key in _UPPER_BOUNDS:
        if o is None or n is None:
            tighter = o is None  # a bound added restricts; a bound dropped frees
        else:
            try:
                tighter = n > o if key in _LOWER_BOUNDS else n < o
            except TypeError:  # bounds of different types cannot be ordered: assume the worst
                tighter = True
        what = f"{key} {_show(o)} -> {_show(n)}"
    elif key == "pattern":
        # Whether one regular expression accepts everything another does is undecidable in practice.
        tighter = n is not None
        what = f"pattern {_show(o)} -> {_show(n)}"
    else:
        tighter = True
        what = f"constraint {key} {_show(o)} -> {_show(n)}"
    if tighter:
        return Change("major", "constraint_tightened", f"{where}: {what} (tightened)", table, name)
    return Change("minor", "constraint_loosened", f"{where}: {what} (loosened)", table, name)


def compare_fields(table: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    """Schema changes between two field lists: added, removed, renamed, reordered, retyped, constraints."""
    out: list[Change] = []
    old_by, new_by = {f["name"]: f for f in old}, {f["name"]: f for f in new}
    old_names, new_names = [f["name"] for f in old], [f["name"] for f in new]
    gone = [n for n in old_names if n not in new_by]
    added = [n for n in new_names if n not in old_by]
    for name in list(gone):
        pos = old_names.index(name)
        twin = new_names[pos] if pos < len(new_names) else None
        if twin in added and new_by[twin].get("type") == old_by[name].get("type"):
            out.append(Change("major", "field_renamed", f"field `{name}` renamed to `{twin}`", table, name))
            gone.remove(name)
            added.remove(twin)
    out += [Change("major", "field_removed", f"field `{n}` removed", table, n) for n in gone]
    out += [Change("major", "field_added", f"field `{n}` added at position {new_names.index(n) + 1} "
                   "(an older reader rejects the new header)", table, n) for n in added]
    common_old = [n for n in old_names if n in new_by]
    common_new = [n for n in new_names if n in old_by]
    if common_old != common_new:
        out.append(Change("major", "fields_reordered",
                          f"fields reordered: {', '.join(common_old)} -> {', '.join(common_new)}", table))
    for name in common_new:
        o, n = old_by[name], new_by[name]
        for key in sorted((o.keys() | n.keys()) - {"name", "constraints"}):
            if o.get(key) == n.get(key):
                continue
            if key == "type":
                out.append(Change("major", "field_retyped", f"field `{name}`: type {o.get(key)} -> {n.get(key)}",
                                  table, name))
            elif key in FIELD_PARSING:
                out.append(Change("major", "field_format", f"field `{name}`: {key} {_show(o.get(key))} -> "
                                  f"{_show(n.get(key))}", table, name))
            else:
                out.append(Change("patch", "field_metadata", f"field `{name}`: {key} changed", table, name))
        oc, nc = o.get("constraints") or {}, n.get("constraints") or {}
        for key in sorted(oc.keys() | nc.keys()):
            change = _constraint_change(table, name, key, oc.get(key), nc.get(key))
            if oc.get(key) != nc.get(key) and change is not None:
                out.append(change)
    return out


def compare_resources(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Resources added or removed, and changes of a kept resource's schema and metadata."""
    out: list[Change] = []
    o_res = {r.get("name"): r for r in old.get("resources", []) if isinstance(r, dict)}
    n_res = {r.get("name"): r for r in new.get("resources", []) if isinstance(r, dict)}
    for name in o_res:
        if name not in n_res:
            out.append(Change("major", "resource_removed", f"resource `{name}` removed", name))
    for name in n_res:
        if name not in o_res:
            out.append(Change("minor", "resource_added", f"resource `{name}` added", name))
    for name in (n for n in o_res if n in n_res):
        o, n = o_res[name], n_res[name]
        if (o.get("path"), o.get("format")) != (n.get("path"), n.get("format")):
            out.append(Change("none", "relocated", f"resource `{name}` moved: {_show(o.get('path'))} -> "
                              f"{_show(n.get('path'))} (no bump: where the data is stored is not the data)", name))
        for key in sorted((o.keys() | n.keys()) - {"name", "schema"}):
            if o.get(key) == n.get(key):
                continue
            if key == "hash" and not o.get("schema") and not n.get("schema"):
                out.append(Change("patch", "content_changed", f"resource `{name}`: content changed", name))
            elif key not in DISTRIBUTION:
                out.append(Change("patch", "resource_metadata", f"resource `{name}`: {key} changed", name))
        os_, ns = o.get("schema") or {}, n.get("schema") or {}
        if not isinstance(os_, dict) or not isinstance(ns, dict):
            continue
        out += compare_fields(name, os_.get("fields", []), ns.get("fields", []))
        out += _compare_keys(name, os_, ns)
    return out


def _compare_keys(table: str, o: dict[str, Any], n: dict[str, Any]) -> list[Change]:
    out = []

    def as_list(pk: Any) -> list[str]:
        return [pk] if isinstance(pk, str) else list(pk or [])

    if as_list(o.get("primaryKey")) != as_list(n.get("primaryKey")):
        out.append(Change("major", "primary_key", f"primary key {as_list(o.get('primaryKey'))} -> "
                          f"{as_list(n.get('primaryKey'))}", table))
    if o.get("missingValues", [""]) != n.get("missingValues", [""]):
        out.append(Change("major", "missing_values", f"missingValues {_show(o.get('missingValues', ['']))} -> "
                          f"{_show(n.get('missingValues', ['']))}", table))
    ofk = [_show(fk) for fk in o.get("foreignKeys", [])]
    nfk = [_show(fk) for fk in n.get("foreignKeys", [])]
    for fk in nfk:
        if fk not in ofk:
            out.append(Change("major", "constraint_tightened", f"foreign key added {fk} (tightened)", table))
    for fk in ofk:
        if fk not in nfk:
            out.append(Change("minor", "constraint_loosened", f"foreign key dropped {fk} (loosened)", table))
    return out


def meaning_text(row: dict[str, str], pk: Iterable[str]) -> str:
    """What a record says, without its key, remarks and evidence offsets: used to spot a reused id."""
    skip = NOT_MEANING | set(pk)
    return "\n".join(v for k, v in row.items() if k not in skip)


def same_meaning(old: dict[str, str], new: dict[str, str], pk: Iterable[str]) -> bool:
    """Whether two versions of a record still describe the same thing.

    >>> same_meaning({"id": "x", "summary": "Haftar visits Moscow."},
    ...              {"id": "x", "summary": "Haftar visits Moscow in August."}, ["id"])
    True
    >>> same_meaning({"id": "x", "summary": "Haftar visits Moscow."},
    ...              {"id": "x", "summary": "Lavrov criticises France."}, ["id"])
    False
    """
    pk = list(pk)
    a, b = meaning_text(old, pk), meaning_text(new, pk)
    if not a and not b:
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= MEANING_THRESHOLD


def compare_records(old: Table, new: Table) -> TableDiff:
    """Records added, removed and changed, matched by OLD's primary key."""
    pk = old.primary_key or old.header
    td = TableDiff(old.name, tuple(pk))
    if any(k not in new.header for k in pk) or (new.primary_key and tuple(new.primary_key) != tuple(pk)):
        td.compared = False  # the keys do not line up: record matching would be meaningless
        return td
    common = [f for f in old.header if f in new.header]
    new_rows = new.rows
    if tuple(new.primary_key or new.header) != tuple(pk):
        new_rows = {tuple(r[k] for k in pk): r for r in new.rows.values()}
    for key, row in old.rows.items():
        if key not in new_rows:
            td.removed.append(key)
            continue
        other = new_rows[key]
        fields = {f: (row[f], other[f]) for f in common if row[f] != other[f]}
        if fields:
            td.changed.append((key, fields))
    td.added = [k for k in new_rows if k not in old.rows]
    return td


def compare(old: Package, new: Package,
            retired: dict[str, dict[tuple[str, ...], tuple[str, dict[str, str]]]] | None = None) -> Diff:
    """Compare two packages; ``retired`` (from :func:`retired_ids`) adds the check against past ids."""
    changes = compare_package_metadata(old.descriptor, new.descriptor)
    changes += compare_resources(old.descriptor, new.descriptor)
    tables: dict[str, TableDiff] = {}
    for name in (n for n in old.tables if n in new.tables):
        o, n = old.tables[name], new.tables[name]
        td = tables[name] = compare_records(o, n)
        if not td.compared:
            changes.append(Change("major", "records_not_compared",
                                  "records not compared: the primary key changed", name))
            continue
        if td.added:
            changes.append(Change("minor", "records_added", f"{_count(td.added)} added", name))
        if td.removed:
            changes.append(Change("major", "records_removed", f"{_count(td.removed)} removed "
                                  f"({', '.join(_key_text(k) for k in td.removed[:5])}"
                                  f"{', …' if len(td.removed) > 5 else ''})", name))
        if td.changed:
            changes.append(Change("patch", "records_changed", f"{_count(td.changed)} corrected", name))
        for key, _fields in td.changed:
            if not same_meaning(o.rows[key], n.rows[key], td.primary_key):
                changes.append(Change("major", "id_repurposed",
                                      f"id {_key_text(key)} kept but the record now means something else "
                                      "(ids are never reused: give it a new id)", name))
        for key in td.added:
            if retired and key in retired.get(name, {}):
                commit, before = retired[name][key]
                if same_meaning(before, n.rows[key], td.primary_key):
                    changes.append(Change("minor", "id_restored", f"id {_key_text(key)} restored "
                                          f"(removed in {commit[:12]}, same meaning)", name))
                else:
                    changes.append(Change("major", "id_reused", f"id {_key_text(key)} was removed in "
                                          f"{commit[:12]} and comes back with another meaning "
                                          "(ids are never reused: give it a new id)", name))
    return Diff(old, new, changes, tables)


def _count(items: list[Any]) -> str:
    return f"{len(items)} record{'s' if len(items) != 1 else ''}"


def diff(old: str | Path, new: str | Path, *, repo: str | Path | None = None,
         history: str | None = None) -> Diff:
    """Open both sides and compare them.

    ``history`` is a git revision whose past tells which ids were removed before; by
    default OLD when OLD is a revision, else NEW's parent when NEW is one.
    """
    old_pkg, new_pkg = open_side(old, repo), open_side(new, repo)
    rev = history
    if rev is None and old_pkg.revision:
        rev = old_pkg.revision
    elif rev is None and new_pkg.revision:
        rev = f"{new_pkg.revision}~1"
        try:
            resolve_revision(_default_repo(repo), rev)
        except LibyadataError:
            rev = None  # NEW is the first commit: there is no past to check against
    retired = retired_ids(_default_repo(repo), rev, old_pkg.tables) if rev else None
    return compare(old_pkg, new_pkg, retired)


# --- output ----------------------------------------------------------------------


def _clip(value: str, limit: int = 120) -> str:
    value = value.replace("\r", "\\r").replace("\n", "\\n")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _version_line(d: Diff) -> str:
    need = d.required_version
    if need is None:
        return f"required bump: {d.bump} (OLD has no version)"
    verdict = {True: "ok", False: "TOO LOW", None: "NEW has no version"}[d.version_ok]
    return f"required bump: {d.bump} (NEW's version must be at least {need}); NEW has {d.new.version}: {verdict}"


def render_text(d: Diff) -> str:
    """Plain-text report, one change per line."""
    lines = [f"libyadata diff: {d.old.label} [{d.old.version}] -> {d.new.label} [{d.new.version}]",
             _version_line(d)]
    general = [c for c in d.changes if c.table is None]
    if general:
        lines += ["", "package:"] + [f"  [{c.bump}] {c.message}" for c in general]
    for name in _table_order(d):
        td = d.tables.get(name)
        table_changes = [c for c in d.changes if c.table == name]
        if not table_changes:
            continue
        lines += ["", f"{name}:"] + [f"  [{c.bump}] {c.message}" for c in table_changes]
        if td is None:
            continue
        lines += [f"  + {_key_text(k)}" for k in td.added]
        lines += [f"  - {_key_text(k)}" for k in td.removed]
        for key, fields in td.changed:
            lines.append(f"  ~ {_key_text(key)}")
            lines += [f"      {f}: {_clip(repr(o))} -> {_clip(repr(n))}" for f, (o, n) in fields.items()]
    if len(lines) == 2:
        lines += ["", "no changes"]
    return "\n".join(lines) + "\n"


def _table_order(d: Diff) -> list[str]:
    names = list(d.new.tables) + [n for n in d.old.tables if n not in d.new.tables]
    names += [c.table for c in d.changes if c.table and c.table not in names]
    return list(dict.fromkeys(names))


def _code(value: str, in_table: bool = False) -> str:
    """Inline Markdown code that survives backticks (and, in a table cell, pipes) in the value."""
    value = _clip(value)
    if in_table:  # GitHub ends a table cell at a bare pipe even inside a code span
        value = value.replace("|", "\\|")
    if not value:
        return "*(empty)*"
    fence = "`" * (max((len(m) for m in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def render_markdown(d: Diff) -> str:
    """Markdown for a pull-request comment: verdict, summary table, reasons, then the records."""
    verdict = {True: "meets it", False: "**is too low**", None: "cannot be checked"}[d.version_ok]
    out = [f"### libyadata diff: {_code(str(d.old.version))} → {_code(str(d.new.version))}", ""]
    if d.required_version:
        out.append(f"**Required bump: {d.bump}** (at least {_code(d.required_version)}); "
                   f"NEW's version {_code(str(d.new.version))} {verdict}.")
    else:
        out.append(f"**Required bump: {d.bump}**.")
    out.append("")
    names = [n for n in _table_order(d) if any(c.table == n for c in d.changes)]
    if names:
        out += ["| table | added | removed | changed | schema changes |", "|---|---:|---:|---:|---:|"]
        for name in names:
            td = d.tables.get(name)
            schema_n = sum(1 for c in d.changes if c.table == name and not c.kind.startswith(("records_", "id_")))
            counts = (len(td.added), len(td.removed), len(td.changed)) if td else ("–", "–", "–")
            out.append(f"| `{name}` | {counts[0]} | {counts[1]} | {counts[2]} | {schema_n} |")
        out.append("")
    if not d.changes:
        out.append("No changes.")
        return "\n".join(out) + "\n"
    out += ["#### Why", ""]
    for c in sorted(d.changes, key=lambda c: -BUMPS.index(c.bump)):
        where = f"`{c.table}`: " if c.table else ""
        out.append(f"- **{c.bump}**: {where}{c.message}")
    for name in names:
        td = d.tables.get(name)
        if td is None or td.empty:
            continue
        out += ["", f"#### `{name}`", ""]
        for label, keys in (("Added", td.added), ("Removed", td.removed)):
            if keys:
                out.append(f"{label}: " + ", ".join(_code(_key_text(k)) for k in keys[:MARKDOWN_ROWS])
                           + _more(len(keys) - MARKDOWN_ROWS))
                out.append("")
        if td.changed:
            out += ["| record | field | old | new |", "|---|---|---|---|"]
            cells = [(key, f, o, n) for key, fields in td.changed for f, (o, n) in fields.items()]
            for key, f, o, n in cells[:MARKDOWN_ROWS]:
                out.append(f"| {_code(_key_text(key), True)} | `{f}` | {_code(o, True)} | {_code(n, True)} |")
            if len(cells) > MARKDOWN_ROWS:
                out += ["", _more(len(cells) - MARKDOWN_ROWS, "changed fields").strip()]
    return "\n".join(out) + "\n"


def _more(n: int, what: str = "more") -> str:
    # A pull-request comment holds at most 65,536 characters: long lists end with a pointer to JSON.
    return f" … and {n} {what} not shown (see `--format json`)" if n > 0 else ""


def render_json(d: Diff) -> str:
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
