"""Parquet copies of the CSV tables: a deterministic build, a logical check, and the way back.

``build()`` reads each CSV with its declared Arrow schema (``tables.read_csv_arrow``:
no type guessing, ``"007"`` stays a string, an empty cell is null), writes
``datapackage/parquet/<table>.parquet`` with fixed writer options, and regenerates
``datapackage/parquet/datapackage.json`` with each file's ``bytes`` and ``hash``.
The Arrow schema travels in the file, so column order, column descriptions, the
primary key and the dataset version are in the Parquet schema metadata.

Identical CSV gives identical bytes with the same pyarrow. ``check()`` compares the
logical content and schema, so that a file written by another pyarrow is reported as
just that, not as a data change:

>>> [d.kind for d in check() if d.is_data_change]  # the committed files hold the CSV's data
[]
>>> t = read("event_actors")
>>> t.schema.metadata[b"libyadata.table"]
b'event_actors'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import meta, models, vocab
from .csvio import atomic_write, to_csv_bytes
from .resources import datapackage_dir
from .schema import dump_json
from .tables import read_csv_arrow

if TYPE_CHECKING:
    import pyarrow as pa

#: Folder of the Parquet files and their descriptor, relative to the CSV descriptor.
PARQUET_DIR = "parquet"
from .resources import DESCRIPTOR  # noqa: E402  (the one definition)
FORMAT = "parquet"
#: IANA registration (2024); frictionless-py itself writes ``application/parquet``.
MEDIATYPE = "application/vnd.apache.parquet"

#: Every writer option that affects the bytes, spelled out so that a pyarrow default
#: changing under us cannot change the files. Statistics are kept: they are computed
#: from the values alone (so they do not vary between builds) and let DuckDB, polars
#: and Spark skip row groups.
WRITE_OPTIONS: dict[str, Any] = {
    "version": "2.6",
    "data_page_version": "1.0",
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "store_schema": True,
    "write_page_index": False,
    "write_page_checksum": False,
    "use_compliant_nested_type": True,
    "use_content_defined_chunking": False,
}
#: One row group holds every table of this dataset; fixed so row groups never depend on a default.
ROW_GROUP_SIZE = 1_000_000


@dataclass(frozen=True)
class Difference:
    """How a committed Parquet file (or the Parquet descriptor) differs from a fresh build.

    ``kind`` is one of ``missing``, ``unreadable``, ``schema``, ``data`` (the content
    differs), ``encoding`` (same content and pyarrow, other bytes: the writer options
    changed), ``pyarrow`` (same content, written by another pyarrow version) or
    ``descriptor``. Only ``pyarrow`` is harmless: the data are what the CSV says.
    """

    table: str
    kind: str
    detail: str

    @property
    def is_data_change(self) -> bool:
        return self.kind != "pyarrow"

    def __str__(self) -> str:
        return f"{self.table}: {self.detail}"


def parquet_dir(package_dir: Path | None = None) -> Path:
    """The folder holding the Parquet files of a data package."""
    return (Path(package_dir) if package_dir is not None else datapackage_dir()) / PARQUET_DIR


def path(name: str, package_dir: Path | None = None) -> Path:
    """The shipped Parquet file of a table.

    >>> path("events").name
    'events.parquet'
    """
    model = models.model_of(name)
    return parquet_dir(package_dir) / f"{model.table}.parquet"


def read(name: str, package_dir: Path | None = None) -> pa.Table:
    """A table read from its shipped Parquet file (schema and metadata as written)."""
    import pyarrow.parquet as pq

    # ParquetFile.read() rather than pq.read_table(): the latter goes through
    # pyarrow.dataset, which imports pandas when it is installed.
    return pq.ParquetFile(path(name, package_dir)).read()


def to_bytes(table: pa.Table) -> bytes:
    """The Parquet bytes of ``table``, written with the fixed options (same input, same bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, table.schema, **_writer_options(pq.ParquetWriter)) as writer:
        writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
    return sink.getvalue().to_pybytes()


def _writer_options(writer: Any) -> dict[str, Any]:
    # An older pyarrow lacks some options (e.g. content-defined chunking, pyarrow >= 21);
    # each one it lacks is off there anyway, and check() must still run to report it.
    import inspect

    known = inspect.signature(writer.__init__).parameters
    return {k: v for k, v in WRITE_OPTIONS.items() if k in known}


def csv_to_parquet_bytes(csv_path: Path, model: type[models.Record]) -> bytes:
    """Convert one CSV table to Parquet bytes."""
    return to_bytes(read_csv_arrow(csv_path, model))


def to_rows(table: pa.Table) -> list[dict[str, str]]:
    """The CSV cells of an Arrow table, formatted as the models write them.

    >>> import pyarrow as pa
    >>> to_rows(pa.table({"a": [["x", "y"], []], "b": [0.55, None]}))
    [{'a': 'x|y', 'b': '0.55'}, {'a': '', 'b': ''}]
    """
    names = table.column_names
    return [{n: models.cell_text(v) for n, v in zip(names, values)}
            for values in zip(*(table.column(n).to_pylist() for n in names))]


def to_csv(table: pa.Table) -> bytes:
    """An Arrow table (e.g. read from Parquet) back to the project's CSV bytes."""
    return to_csv_bytes(table.column_names, to_rows(table))


# --- descriptor -----------------------------------------------------------------------


def parquet_table_schema(model: type[models.Record]) -> dict[str, Any]:
    """The Table Schema of a table's Parquet resource: the CSV one, adapted where Parquet differs.

    ``frictionless validate`` reads Parquet through ``pyarrow -> pandas``, which shapes
    the cells it checks; two fields are adapted so that it accepts exact data:

    - a list column (``aliases``) is a real ``list<string>`` in Parquet, not a
      ``|``-joined string. pandas hands frictionless NumPy arrays, which its ``string``
      and ``array`` types both reject (and Table Schema v2's ``list`` is a delimited
      string that frictionless 5.x does not support), so the field is ``any``, with the
      Parquet type in its description;
    - a nullable ``integer``/``number`` column becomes a float column in pandas with NaN
      for null, and frictionless tests ``value is np.nan``, which a NaN taken from a row
      never is. Such a field gets its own ``missingValues: ["", "nan"]``; the models
      forbid NaN in these columns, so no real value is hidden by it.

    >>> [f["type"] for f in parquet_table_schema(models.Actor)["fields"] if f["name"] == "aliases"]
    ['any']
    """
    from .schema import LIST_PATTERN, table_schema

    schema = table_schema(model)
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        if constraints.get("pattern") == LIST_PATTERN:
            field["type"] = "any"
            field["description"] = field["description"].replace(
                f" Cell format: values joined by '{vocab.LIST_DELIMITER}'.", PARQUET_LIST_NOTE)
            del constraints["pattern"]
        elif field["type"] in ("integer", "number") and not constraints.get("required"):
            field["missingValues"] = list(NAN_MISSING)
        if "constraints" in field and not constraints:
            del field["constraints"]
    return schema


PARQUET_LIST_NOTE = " Parquet type: list<string> (an empty list when there are none)."
NAN_MISSING = ["", "nan"]


def canonical_table_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Undo :func:`parquet_table_schema`'s adaptations: the schema the CSV form declares.

    Lets a Parquet release be compared with a CSV package field by field.

    >>> canonical_table_schema(parquet_table_schema(models.Actor)) == __import__(
    ...     "libyadata.schema").schema.table_schema(models.Actor)
    True
    """
    from .schema import LIST_PATTERN

    schema = json.loads(json.dumps(schema))
    for field in schema.get("fields", []):
        if field.get("type") == "any" and PARQUET_LIST_NOTE in field.get("description", ""):
            field["type"] = "string"
            field["description"] = field["description"].replace(
                PARQUET_LIST_NOTE, f" Cell format: values joined by '{vocab.LIST_DELIMITER}'.")
            field["constraints"] = dict(sorted({**field.get("constraints", {}), "pattern": LIST_PATTERN}.items()))
        if field.get("missingValues") == NAN_MISSING:
            del field["missingValues"]
    return schema


def descriptor(package_dir: Path | None = None) -> dict[str, Any]:
    """The Frictionless descriptor of the Parquet files, with their sizes and hashes as they are now."""
    from .schema import PACKAGE_PROFILE, file_facts, table_resource

    folder = parquet_dir(package_dir)
    resources = []
    for model in models.MODELS:
        name = f"{model.table}.parquet"
        _, digest = file_facts(folder / name)
        # No "bytes": frictionless reads Parquet without its byte loader, so it would
        # report every declared size as a byte-count error ("actual is None").
        resources.append(table_resource(model, name, FORMAT, MEDIATYPE, hash=digest,
                                        schema=parquet_table_schema(model)))
    # Same name and id as the CSV package: one dataset, distributed in two formats.
    return {
        "$schema": PACKAGE_PROFILE,
        **meta.package_metadata(),
        "resources": resources,
    }


# --- build and check ------------------------------------------------------------------


def build(package_dir: Path | None = None, tables: Iterable[str] | None = None) -> list[Path]:
    """Write every table's Parquet file and the Parquet descriptor; return the files that changed.

    Each file goes to a temporary name in the same folder and is renamed into place,
    so a reader never sees half a file.
    """
    pkg = Path(package_dir) if package_dir is not None else datapackage_dir()
    out = parquet_dir(pkg)
    written = []
    for model in _models(tables):
        target = out / f"{model.table}.parquet"
        data = csv_to_parquet_bytes(pkg / "data" / f"{model.table}.csv", model)
        if not target.is_file() or target.read_bytes() != data:
            atomic_write(target, data)
            written.append(target)
    desc = dump_json(descriptor(pkg))
    target = out / DESCRIPTOR
    if not target.is_file() or target.read_bytes() != desc:
        atomic_write(target, desc)
        written.append(target)
    return written


def check(package_dir: Path | None = None, tables: Iterable[str] | None = None) -> list[Difference]:
    """Every way the committed Parquet files and descriptor differ from a fresh build."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pkg = Path(package_dir) if package_dir is not None else datapackage_dir()
    out = parquet_dir(pkg)
    found: list[Difference] = []
    for model in _models(tables):
        target = out / f"{model.table}.parquet"
        rel = f"{PARQUET_DIR}/{target.name}"
        fresh = read_csv_arrow(pkg / "data" / f"{model.table}.csv", model)
        if not target.is_file():
            found.append(Difference(model.table, "missing", f"{rel} is missing (run: libyadata build)"))
            continue
        committed_bytes = target.read_bytes()
        fresh_bytes = to_bytes(fresh)
        if committed_bytes == fresh_bytes:
            continue
        try:
            committed_file = pq.ParquetFile(pa.BufferReader(committed_bytes))
            committed = committed_file.read()
        except (OSError, ValueError) as exc:  # ArrowInvalid / ArrowIOError
            found.append(Difference(model.table, "unreadable", f"{rel} is not a readable Parquet file: {exc}"))
            continue
        problem = _schema_difference(committed.schema, fresh.schema)
        if problem:
            found.append(Difference(model.table, "schema", f"schema of {rel} differs from a fresh build: {problem}"))
            continue
        problem = _data_difference(committed, fresh, model)
        if problem:
            found.append(Difference(model.table, "data",
                                    f"data of {rel} differ from data/{model.table}.csv: {problem}"))
            continue
        theirs = committed_file.metadata.created_by
        ours = pq.ParquetFile(pa.BufferReader(fresh_bytes)).metadata.created_by
        if theirs != ours:
            found.append(Difference(model.table, "pyarrow",
                                    f"{rel} holds the same data and schema but was written by "
                                    f"'{theirs}', this is '{ours}': only the bytes differ"))
        else:
            found.append(Difference(model.table, "encoding",
                                    f"{rel} holds the same data and schema but its bytes differ from a "
                                    f"fresh build with the same pyarrow: the writer options changed"))
    if tables is None:
        target = out / DESCRIPTOR
        try:
            want = dump_json(descriptor(pkg))
        except FileNotFoundError as exc:
            want = None
            found.append(Difference(DESCRIPTOR, "descriptor", f"cannot describe the Parquet files: {exc}"))
        if want is not None and (not target.is_file() or target.read_bytes() != want):
            found.append(Difference(DESCRIPTOR, "descriptor",
                                    f"{PARQUET_DIR}/{DESCRIPTOR} is out of date (run: libyadata build)"))
    return found


def _schema_difference(got: pa.Schema, want: pa.Schema) -> str:
    if got.names != want.names:
        return f"columns {got.names}, expected {want.names}"
    for g, w in zip(got, want):
        if g.type != w.type or g.nullable != w.nullable:
            return (f"column {w.name} is {g.type}{'' if g.nullable else ' not null'}, "
                    f"expected {w.type}{'' if w.nullable else ' not null'}")
        if (g.metadata or {}) != (w.metadata or {}):
            return f"column {w.name}: field metadata (description) differs"
    got_meta, want_meta = got.metadata or {}, want.metadata or {}
    for key in sorted(set(got_meta) | set(want_meta)):
        if key == b"ARROW:schema":
            continue
        if got_meta.get(key) != want_meta.get(key):
            return (f"schema metadata {key.decode()!r} is "
                    f"{_text(got_meta.get(key))}, expected {_text(want_meta.get(key))}")
    return ""


def _text(value: bytes | None) -> str:
    return "absent" if value is None else repr(value.decode("utf-8", "replace"))


def _data_difference(got: pa.Table, want: pa.Table, model: type[models.Record]) -> str:
    if got.equals(want):
        return ""
    if got.num_rows != want.num_rows:
        return f"{got.num_rows} rows, the CSV has {want.num_rows}"
    # The tables are small; a row-by-row comparison gives the most useful message.
    got_rows, want_rows = got.to_pylist(), want.to_pylist()
    for i, (g, w) in enumerate(zip(got_rows, want_rows)):
        for name in want.column_names:
            if g[name] != w[name]:
                key = ", ".join(f"{k}={w[k]!r}" for k in model.primary_key)
                return f"row {i + 2} ({key}), field {name}: Parquet has {g[name]!r}, the CSV {w[name]!r}"
    return "the values are equal but their Arrow layout differs"  # pragma: no cover


def _models(tables: Iterable[str] | None) -> list[type[models.Record]]:
    if tables is None:
        return list(models.MODELS)
    return [models.model_of(t) for t in tables]
