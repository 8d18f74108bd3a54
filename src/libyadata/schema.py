"""Generated faces of the models: Table Schema, JSON Schema, Arrow schema, descriptor.

Nothing here is edited by hand in its output: ``libyadata generate`` rewrites
``schema/`` and ``datapackage/datapackage.json`` from the models and the files (with
everything else generated), and ``libyadata generate --check`` (and the test suite)
fails when a committed file differs.

>>> ts = table_schema(models.EventActor)
>>> ts["primaryKey"], [f["name"] for f in ts["fields"]]
(['event_id', 'actor_id', 'role'], ['event_id', 'actor_id', 'role', 'notes'])
"""

from __future__ import annotations

import copy
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import meta, models, vocab
from .csvio import stale_files, write_changed
from .hashing import file_digest
from .resources import DESCRIPTOR
from .models import Record

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
LIST_PATTERN = r"^[^|]+(\|[^|]+)*$"
#: Every generated file says what wrote it (JSON: ``$comment``, which JSON Schema defines and the
#: Table Schema and Data Package profiles allow as a further property; Parquet: schema metadata).
GENERATED_BY = "libyadata generate"
GENERATED = meta.GENERATED
CSV_DIALECT = {"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True}


#: The Table Schema (v2) constraints that JSON Schema spells the same way: the models' rules of
#: these kinds reach the Table Schema as they are (``required`` and ``enum`` are read apart).
TABLE_SCHEMA_CONSTRAINTS = ("pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
                            "exclusiveMaximum")
#: JSON Schema keywords of a property that state no rule on the cell (or one read apart).
NOT_CONSTRAINTS = frozenset({"type", "title", "description", "default", "format", "enum", "items", "examples"})


def _flatten(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Collapse pydantic's ``anyOf: [X, null]`` into X and a nullable flag."""
    if "anyOf" in prop:
        variants = [v for v in prop["anyOf"] if v.get("type") != "null"]
        nullable = len(variants) < len(prop["anyOf"])
        merged = {k: v for k, v in prop.items() if k != "anyOf"}
        merged.update(variants[0])
        return merged, nullable
    return prop, False


#: The models' JSON Schemas as ``libyadata generate`` last built them, keyed by the digest of the
#: modules they come from, and used only while that digest holds. Building them with pydantic is
#: 0.13 s of the 1.4 s `libyadata validate` takes on the shipped package (benchmarks/validate.py);
#: LIBYADATA_STORED_SCHEMAS=0 builds them anyway, to compare.
STORED_SCHEMAS = Path(__file__).with_name("json_schemas.json")


def sources_digest() -> str:
    """sha256 of the modules the models' JSON Schemas are built from (``models``, ``vocab``)."""
    from .hashing import digest

    return digest(b"".join(Path(m.__file__).read_bytes() for m in (models, vocab)))


def build_json_schema(model: type[Record]) -> dict[str, Any]:
    """The model's JSON Schema, built by pydantic now."""
    return _whole_numbers(model.model_json_schema())


@lru_cache(maxsize=1)
def _stored() -> dict[str, Any]:
    if os.environ.get("LIBYADATA_STORED_SCHEMAS") == "0":
        return {}
    try:
        stored = json.loads(STORED_SCHEMAS.read_bytes())
    except (OSError, ValueError):
        return {}
    ok = isinstance(stored, dict) and stored.get("sources") == sources_digest()
    return stored.get("schemas", {}) if ok else {}


def stored_json_schemas() -> dict[str, Any]:
    """What ``json_schemas.json`` holds: each model's schema and the digest of its sources."""
    return {"$comment": GENERATED, "sources": sources_digest(),
            "schemas": {m.table: build_json_schema(m) for m in models.MODELS}}


@lru_cache(maxsize=None)
def cached_json_schema(model: type[Record]) -> dict[str, Any]:
    """The model's JSON Schema, built once (or stored, see ``STORED_SCHEMAS``): read it, never change it.

    >>> cached_json_schema(models.Source) == build_json_schema(models.Source)
    True
    """
    return _stored().get(model.table) or build_json_schema(model)


def _whole_numbers(value: Any) -> Any:
    """Bounds such as ``ge=0`` as written (``0``): pydantic before 2.9 gives ``0.0`` on a float field,
    which would make the generated files depend on the pydantic version.

    >>> _whole_numbers({"minimum": 0.0, "maximum": 0.5, "enum": [True]})
    {'minimum': 0, 'maximum': 0.5, 'enum': [True]}
    """
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_fields(model: type[Record]) -> list[dict[str, Any]]:
    """Table Schema fields of ``model``, in CSV column order."""
    js = cached_json_schema(model)
    required = set(js.get("required", []))
    out = []
    for name in model.columns:
        prop, nullable = _flatten(js["properties"][name])
        field: dict[str, Any] = {"name": name, "description": prop.get("description", "")}
        constraints: dict[str, Any] = {}
        kind = prop.get("type")
        if "enum" in prop:
            field["type"] = "string"
            constraints["enum"] = list(prop["enum"])
        elif kind == "string" and prop.get("format") == "date":
            field["type"] = "date"
        elif kind in ("string", "integer", "number"):
            field["type"] = kind
        elif kind == "array":
            field["type"] = "string"
            field["description"] += f" Cell format: values joined by '{vocab.LIST_DELIMITER}'."
            constraints["pattern"] = LIST_PATTERN
        else:  # pragma: no cover - a model author added an unsupported type
            raise TypeError(f"{model.__name__}.{name}: no Table Schema type for {prop}")
        for key in TABLE_SCHEMA_CONSTRAINTS:
            if key in prop:
                constraints[key] = prop[key]
        lost = set(prop) - NOT_CONSTRAINTS - set(TABLE_SCHEMA_CONSTRAINTS)
        if lost:  # a model author used a rule Table Schema cannot state
            raise TypeError(f"{model.__name__}.{name}: Table Schema has no constraint for {sorted(lost)}")
        if name in required and not nullable:
            constraints["required"] = True
        if constraints:
            field["constraints"] = dict(sorted(constraints.items()))
        out.append(field)
    return out


@lru_cache(maxsize=None)
def coded_fields(model: type[Record]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """field -> (vocabulary name, its values in vocabulary order) for every coded field of ``model``.

    >>> coded_fields(models.EventActor)["role"][0]
    'event_role'
    """
    out = {}
    for f in table_fields(model):
        enum = f.get("constraints", {}).get("enum")
        if enum:
            name = next((n for n, v in vocab.VOCABULARIES.items() if list(v) == list(enum)), f["name"])
            out[f["name"]] = (name, tuple(enum))
    return out


def table_schema(model: type[Record]) -> dict[str, Any]:
    """The Frictionless Table Schema (v2) of a table."""
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": table_fields(model),
        "missingValues": [""],
        "primaryKey": list(model.primary_key),
    }
    if model.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(fk.fields), "reference": _reference(model, fk)} for fk in model.foreign_keys
            if not fk.allow  # Table Schema has no exceptions to a foreign key: checked by libyadata validate
        ]
    return schema


def _reference(model: type[Record], fk: models.ForeignKey) -> dict[str, Any]:
    # Table Schema v2: a self-reference omits "resource".
    if fk.resource == model.table:
        return {"fields": list(fk.reference)}
    return {"resource": fk.resource, "fields": list(fk.reference)}


def json_schema(model: type[Record]) -> dict[str, Any]:
    """The JSON Schema of one record, as pydantic validates it."""
    js = copy.deepcopy(cached_json_schema(model))
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": f"{model.table}.schema.json", "$comment": GENERATED, **js}


def arrow_schema(model: type[Record]) -> Any:
    """The Arrow schema of a table: declared types, nullability, descriptions in metadata."""
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "date": pa.date32()}
    fields = []
    for f in table_fields(model):
        is_list = f.get("constraints", {}).get("pattern") == LIST_PATTERN
        typ = pa.list_(pa.field("item", pa.string(), nullable=False)) if is_list else types[f["type"]]
        required = f.get("constraints", {}).get("required", False)
        fields.append(pa.field(f["name"], typ, nullable=not required and not is_list,
                               metadata={"description": f["description"]}))
    return pa.schema(fields, metadata={
        "libyadata.table": model.table,
        "libyadata.version": meta.version(),
        "libyadata.columns": json.dumps(list(model.columns)),
        "libyadata.primary_key": json.dumps(list(model.primary_key)),
        "libyadata.generated_by": GENERATED_BY,
    })


def file_facts(path: Path) -> tuple[int, str]:
    """Size in bytes and ``sha256:`` hash of a file."""
    size, hexdigest = file_digest(path)
    return size, "sha256:" + hexdigest


def table_resource(model: type[Record], path: str, file_format: str, mediatype: str,
                   **facts: Any) -> dict[str, Any]:
    """A table's resource entry: its name, title and description from the model, then ``facts``."""
    return {
        "name": model.table,
        "type": "table",
        "title": model.table_title,
        "description": (model.__doc__ or "").strip().splitlines()[0],
        "path": path,
        "scheme": "file",
        "format": file_format,
        "mediatype": mediatype,
        **facts,
    }


def descriptor(package_dir: Path) -> dict[str, Any]:
    """The data package descriptor, with sizes and hashes of the files as they are now."""
    resources = []
    for model in models.MODELS:
        path = f"data/{model.table}.csv"
        size, digest = file_facts(package_dir / path)
        resources.append(table_resource(
            model, path, "csv", "text/csv", encoding="utf-8", bytes=size, hash=digest,
            dialect=dict(CSV_DIALECT), schema=table_schema(model)))
    for text in sorted((package_dir / "sources").glob("*.txt")):
        size, digest = file_facts(text)
        resources.append({
            # v2 allows only "table" as a resource type: a non-tabular resource omits it.
            "name": f"source-text-{text.stem}",
            "title": f"Source text {text.stem}",
            "description": "The captured source text that every quote and offset refers to. "
                           "Third-party material, stored for verification only.",
            "path": f"sources/{text.name}",
            "scheme": "file",
            "format": "txt",
            "mediatype": "text/plain",
            "encoding": "utf-8",
            "bytes": size,
            "hash": digest,
            "licenses": [meta.THIRD_PARTY_LICENSE],
        })
    return {
        "$schema": PACKAGE_PROFILE,
        **meta.package_metadata(),
        "resources": resources,
    }


def generated_files(repo_root: Path) -> dict[Path, bytes]:
    """Every generated file and the bytes it should hold."""
    out: dict[Path, bytes] = {}
    for model in models.MODELS:
        out[repo_root / "schema" / f"{model.table}.tableschema.json"] = dump_json(
            {"$schema": TABLE_SCHEMA_PROFILE, "$comment": GENERATED, **table_schema(model)})
        out[repo_root / "schema" / f"{model.table}.schema.json"] = dump_json(json_schema(model))
    out[repo_root / "src" / "libyadata" / STORED_SCHEMAS.name] = dump_json(stored_json_schemas())
    pkg = repo_root / "datapackage"
    out[pkg / DESCRIPTOR] = dump_json(descriptor(pkg))
    return out


def dump_json(obj: Any) -> bytes:
    """The one JSON form of generated files: indented, UTF-8, final newline."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write(repo_root: Path) -> list[Path]:
    """Rewrite every generated file that differs; return the ones written."""
    return write_changed(generated_files(repo_root))


def drift(repo_root: Path) -> list[Path]:
    """Generated files whose committed content differs from what the models generate."""
    return stale_files(generated_files(repo_root))
