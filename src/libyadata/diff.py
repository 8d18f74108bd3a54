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

Reading the sides (and their safety rules) is :mod:`libyadata.snapshots`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LibyadataError
from .inert import inert, json_text
# Re-exported: reading the sides is part of the diff's public API.
from .snapshots import (DESCRIPTOR, PACKAGE_PREFIX, SUMS, Package, Table, canonical,  # noqa: F401
                        default_repo, key_text, open_side, read_package, read_revision,
                        resolve_revision, retired_ids, schema_fields)

BUMPS = ("none", "patch", "minor", "major")
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
#: Characters of a record's meaning text compared by :func:`same_meaning`.
MEANING_CHARS = 2000
#: Largest Markdown rendering: GitHub drops a whole step summary over 1 MiB (which once hid the
#: "stored text changed" lines); past this the rest is cut and the cut is said.
MARKDOWN_BYTES = 512 * 2**10
#: Reasons listed in the "Why" list (the source/article changes and the largest bumps first).
WHY_ROWS = 200
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


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


def _table_formats(descriptor: dict[str, Any]) -> set[Any]:
    return {r.get("format") for r in descriptor.get("resources", []) if isinstance(r, dict) and r.get("schema")}


def compare_resources(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Resources added or removed, and changes of a kept resource's schema and metadata."""
    out: list[Change] = []
    o_res = {r.get("name"): r for r in old.get("resources", []) if isinstance(r, dict)}
    n_res = {r.get("name"): r for r in new.get("resources", []) if isinstance(r, dict)}
    # A Parquet release does not describe the source text it ships beside the tables; when the
    # two sides are different distributions, a non-table resource on one side only is no change.
    other_form = _table_formats(old) != _table_formats(new)
    for side, other, bump, kind, verb, where in ((o_res, n_res, "major", "resource_removed", "removed", "not"),
                                                 (n_res, o_res, "minor", "resource_added", "added", "only")):
        for name in (n for n in side if n not in other):
            if other_form and not side[name].get("schema"):
                out.append(Change("none", "not_distributed", f"resource `{name}` is {where} described in "
                                  "this distribution (no bump)", name))
            else:
                out.append(Change(bump, kind, f"resource `{name}` {verb}", name))
    for name in (n for n in o_res if n in n_res):
        o, n = o_res[name], n_res[name]
        if (o.get("path"), o.get("format")) != (n.get("path"), n.get("format")):
            out.append(Change("none", "relocated", f"resource `{name}` moved: {_show(o.get('path'))} -> "
                              f"{_show(n.get('path'))} (no bump: where the data is stored is not the data)", name))
        for key in sorted((o.keys() | n.keys()) - {"name", "schema"}):
            if o.get(key) == n.get(key):
                continue
            if key == "hash" and not o.get("schema") and not n.get("schema"):
                # A stored source text is the evidence every record cites: changing it is not a correction.
                out.append(Change("major", "source_text_changed", f"resource `{name}`: the stored text changed "
                                  "(every quote and offset refers to it)", name))
            elif key not in DISTRIBUTION:
                out.append(Change("patch", "resource_metadata", f"resource `{name}`: {key} changed", name))
        os_, ns = o.get("schema") or {}, n.get("schema") or {}
        if not isinstance(os_, dict) or not isinstance(ns, dict):
            continue
        out += compare_fields(name, schema_fields(os_, name), schema_fields(ns, name))
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
    # Only a prefix is compared: SequenceMatcher is superlinear, and 3.3 MB of changed text cost
    # 57 s per diff; a record's meaning shows in its first sentences.
    a, b = meaning_text(old, pk)[:MEANING_CHARS], meaning_text(new, pk)[:MEANING_CHARS]
    if not a and not b:
        return True
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # real_quick_ratio and quick_ratio are upper bounds of ratio, in linear time.
    return m.real_quick_ratio() >= MEANING_THRESHOLD and m.quick_ratio() >= MEANING_THRESHOLD \
        and m.ratio() >= MEANING_THRESHOLD


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
                                  f"({', '.join(key_text(k) for k in td.removed[:5])}"
                                  f"{', …' if len(td.removed) > 5 else ''})", name))
        if td.changed:
            changes.append(Change("patch", "records_changed", f"{_count(td.changed)} corrected", name))
        if name == SOURCES_TABLE:
            changes += _source_changes(td, n)
        for key, _fields in td.changed:
            if not same_meaning(o.rows[key], n.rows[key], td.primary_key):
                changes.append(Change("major", "id_repurposed",
                                      f"id {key_text(key)} kept but the record now means something else "
                                      "(ids are never reused: give it a new id)", name))
        for key in td.added:
            if retired and key in retired.get(name, {}):
                commit, before = retired[name][key]
                if same_meaning(before, n.rows[key], td.primary_key):
                    changes.append(Change("minor", "id_restored", f"id {key_text(key)} restored "
                                          f"(removed in {commit[:12]}, same meaning)", name))
                else:
                    changes.append(Change("major", "id_reused", f"id {key_text(key)} was removed in "
                                          f"{commit[:12]} and comes back with another meaning "
                                          "(ids are never reused: give it a new id)", name))
    return Diff(old, new, changes, tables)


#: The table of sources, and the fields of a row that pin its stored text.
SOURCES_TABLE = "sources"
SOURCE_PINS = ("text_path", "sha256", "char_count")


def _source_changes(td: TableDiff, new: Table) -> list[Change]:
    """A new source is its own kind of change (minor: a new resource); a changed text is major."""
    out = [Change("minor", "source_added", f"new source {_show(key_text(k))}: a new stored text", SOURCES_TABLE)
           for k in td.added]
    for key, fields in td.changed:
        pinned = [f for f in SOURCE_PINS if f in fields]
        if pinned:
            out.append(Change("major", "source_text_changed", f"source {_show(key_text(key))}: "
                              f"{', '.join(pinned)} changed: the stored text every quote refers to is not the "
                              "same text any more", SOURCES_TABLE))
    return out


def _count(items: list[Any]) -> str:
    return f"{len(items)} record{'s' if len(items) != 1 else ''}"


def diff(old: str | Path, new: str | Path, *, repo: str | Path | None = None,
         history: str | None = None, binary: bool = False) -> Diff:
    """Open both sides and compare them (``binary``: also read Parquet files of directory sides,
    for release directories you trust; never for a contribution).

    ``history`` is a git revision whose past tells which ids were removed before; by
    default OLD when OLD is a revision, else NEW's parent when NEW is one.
    """
    old_pkg, new_pkg = open_side(old, repo, binary=binary), open_side(new, repo, binary=binary)
    rev = history
    if rev is None and old_pkg.revision:
        rev = old_pkg.revision
    elif rev is None and new_pkg.revision:
        rev = f"{new_pkg.revision}~1"
        try:
            resolve_revision(default_repo(repo), rev)
        except LibyadataError:
            rev = None  # NEW is the first commit: there is no past to check against
    retired = retired_ids(default_repo(repo), rev, old_pkg.tables) if rev else None
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
    return (f"required bump: {d.bump} (NEW's version must be at least {inert(need)}); NEW has "
            f"{inert(str(d.new.version))}: {verdict}")


def render_text(d: Diff) -> str:
    """Plain-text report, one change per line."""
    lines = [inert(f"libyadata diff: {d.old.label} [{d.old.version}] -> {d.new.label} [{d.new.version}]"),
             _version_line(d)]
    general = [c for c in d.changes if c.table is None]
    if general:
        lines += ["", "package:"] + [f"  [{c.bump}] {inert(c.message)}" for c in general]
    for name in _table_order(d):
        td = d.tables.get(name)
        table_changes = [c for c in d.changes if c.table == name]
        if not table_changes:
            continue
        lines += ["", f"{inert(name)}:"] + [f"  [{c.bump}] {inert(c.message)}" for c in table_changes]
        if td is None:
            continue
        lines += [f"  + {inert(key_text(k))}" for k in td.added]
        lines += [f"  - {inert(key_text(k))}" for k in td.removed]
        for key, fields in td.changed:
            lines.append(f"  ~ {inert(key_text(key))}")
            lines += [f"      {inert(f)}: {inert(_clip(repr(o)))} -> {inert(_clip(repr(n)))}"
                      for f, (o, n) in fields.items()]
    if len(lines) == 2:
        lines += ["", "no changes"]
    return "\n".join(lines) + "\n"


def _table_order(d: Diff) -> list[str]:
    names = list(d.new.tables) + [n for n in d.old.tables if n not in d.new.tables]
    names += [c.table for c in d.changes if c.table and c.table not in names]
    return list(dict.fromkeys(names))


def _code(value: str, in_table: bool = False, limit: int = 120) -> str:
    """Inline Markdown code that survives backticks (and, in a table cell, pipes) in the value.

    Everything a contribution controls (names, keys, cells, messages quoting them) goes
    through here: inside a code span Markdown makes no link, image, HTML or mention, and
    control characters and line breaks are shown escaped.

    >>> _code("[x](https://evil.example) <img src=x> @user")
    '`[x](https://evil.example) <img src=x> @user`'
    """
    value = inert(_clip(value, limit))
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
            out.append(f"| {_code(name, True)} | {counts[0]} | {counts[1]} | {counts[2]} | {schema_n} |")
        out.append("")
    if not d.changes:
        out.append("No changes.")
        return "\n".join(out) + "\n"
    out += ["#### Why", ""]
    # The article's own changes first (they are what a swap would hide), then by bump.
    why = sorted(d.changes, key=lambda c: (not c.kind.startswith("source_text"), not c.kind.startswith("source"),
                                           -BUMPS.index(c.bump)))
    for c in why[:WHY_ROWS]:
        where = f"{_code(c.table)}: " if c.table else ""
        out.append(f"- **{c.bump}**: {where}{_code(c.message, limit=400)}")
    if len(why) > WHY_ROWS:
        kinds = Counter(c.kind for c in why[WHY_ROWS:])
        out.append(f"- … and {len(why) - WHY_ROWS} more reasons not shown ("
                   + ", ".join(f"{n} {_code(k)}" for k, n in kinds.most_common(10))
                   + ("" if len(kinds) <= 10 else ", …") + "; see `--format json`)")
    head = len(out)
    for name in names:
        td = d.tables.get(name)
        if td is None or td.empty:
            continue
        out += ["", f"#### {_code(name)}", ""]
        for label, keys in (("Added", td.added), ("Removed", td.removed)):
            if keys:
                out.append(f"{label}: " + ", ".join(_code(key_text(k)) for k in keys[:MARKDOWN_ROWS])
                           + _more(len(keys) - MARKDOWN_ROWS))
                out.append("")
        if td.changed:
            out += ["| record | field | old | new |", "|---|---|---|---|"]
            cells = [(key, f, o, n) for key, fields in td.changed for f, (o, n) in fields.items()]
            for key, f, o, n in cells[:MARKDOWN_ROWS]:
                out.append(f"| {_code(key_text(key), True)} | {_code(f, True)} | {_code(o, True)} | "
                           f"{_code(n, True)} |")
            if len(cells) > MARKDOWN_ROWS:
                out += ["", _more(len(cells) - MARKDOWN_ROWS, "changed fields").strip()]
    return _capped(out, head)


def _capped(lines: list[str], keep: int) -> str:
    """The lines joined, at most MARKDOWN_BYTES: the first ``keep`` lines (header, bump, reasons)
    as far as they fit, then as many more as fit, and a line saying what was cut."""
    budget = MARKDOWN_BYTES - 200
    shown, used = [], 0
    for i, line in enumerate(lines):
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            cut = len(lines) - i
            shown.append(f"\n**Cut:** this summary stops at {MARKDOWN_BYTES // 1024} KiB; {cut} more line(s) "
                         f"{'of the reasons and ' if i < keep else ''}of the records are not shown "
                         "(see `libyadata diff --format json`).")
            break
        shown.append(line)
        used += size
    return "\n".join(shown) + "\n"


def _more(n: int, what: str = "more") -> str:
    # A pull-request comment holds at most 65,536 characters: long lists end with a pointer to JSON.
    return f" … and {n} {what} not shown (see `--format json`)" if n > 0 else ""


def render_json(d: Diff) -> str:
    return json_text(d.to_dict(), indent=2) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
