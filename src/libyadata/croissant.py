"""The dataset described for search engines and ML tools: schema.org ``Dataset`` JSON-LD in MLCommons Croissant 1.0.

Generated from the models (one ``RecordSet`` per table, a ``Field`` per column, keys
and foreign keys as ``key``/``references``) and from the descriptor's metadata and
file hashes; ``libyadata metadata`` writes it to ``datapackage/croissant.json``, next
to the CSV files its ``contentUrl``\\ s name. Google Dataset Search reads the
schema.org part; ``mlcroissant`` validates it and loads records from it.

>>> doc = croissant(datapackage_dir())
>>> doc["@type"], doc["conformsTo"]
('sc:Dataset', 'http://mlcommons.org/croissant/1.0')
>>> [f["dataType"] for f in doc["recordSet"][2]["field"] if f["name"] == "date_start"]
['sc:Date']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import meta, models
from .resources import datapackage_dir  # noqa: F401 (doctest)
from .schema import file_facts, table_fields

OUTPUT = "docs/croissant.json"
#: Where the tables are, seen from OUTPUT.
DATA_URL = "../datapackage/"
CROISSANT = "http://mlcommons.org/croissant/1.0"
REPOSITORY = "https://github.com/libyadata/libyadata"

#: The Croissant 1.0 JSON-LD context, as the specification gives it.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float", "date": "sc:Date"}


def _joinable(model: type[models.Record]) -> list[models.ForeignKey]:
    """The single-field foreign keys of ``model`` other than to itself and to sources."""
    return [fk for fk in model.foreign_keys if len(fk.fields) == 1 and fk.resource not in (model.table, "sources")]


def _references(model: type[models.Record]) -> dict[str, str]:
    """field -> ``table/field`` it references, for the references Croissant declares.

    mlcroissant (1.1) joins record sets along their references and fails on a cycle (a
    self-reference) and on a chain (a reference to a table that itself references another;
    every table references sources). So only references to tables that reference nothing but
    themselves and sources are declared; the field descriptions name every foreign key. A key
    that also allows values that are not references (``asserted_by`` 'article') is not
    declared: its data would break the reference.
    """
    leaves = {m.table for m in models.MODELS if not _joinable(m)}
    return {fk.fields[0]: f"{fk.resource}/{fk.reference[0]}" for fk in _joinable(model)
            if fk.resource in leaves and not fk.allow}


def _field(model: type[models.Record], f: dict[str, Any]) -> dict[str, Any]:
    table = model.table
    out: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{f['name']}",
        "name": f["name"],
        "description": f["description"],
        "dataType": DATA_TYPES[f["type"]],
        "source": {"fileObject": {"@id": f"{table}.csv"}, "extract": {"column": f["name"]}},
    }
    target = _references(model).get(f["name"])
    if target is not None:
        out["references"] = {"field": {"@id": target}}
    return out


def croissant(package_dir: Path, data_url: str = DATA_URL) -> dict[str, Any]:
    """The Croissant JSON-LD document of the data package in ``package_dir`` (``data_url``: its URL or relative path)."""
    from .site import citation

    from .versions import created

    version = meta.version()
    released = created(version)  # None until the version is released
    distribution, record_sets = [], []
    for model in models.MODELS:
        rel = f"data/{model.table}.csv"
        size, digest = file_facts(package_dir / rel)
        distribution.append({
            "@type": "cr:FileObject", "@id": f"{model.table}.csv", "name": f"{model.table}.csv",
            "description": f"The {model.table} table as CSV (UTF-8, one header row).",
            "contentUrl": data_url + rel, "contentSize": f"{size} B", "encodingFormat": "text/csv",
            "sha256": digest.removeprefix("sha256:"),
        })
        record_sets.append({
            "@type": "cr:RecordSet", "@id": model.table, "name": model.table,
            "description": (model.__doc__ or "").strip().splitlines()[0],
            "key": [{"@id": f"{model.table}/{k}"} for k in model.primary_key],
            "field": [_field(model, f) for f in table_fields(model)],
        })
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT,
        "name": meta.NAME,
        "alternateName": meta.TITLE,
        "description": meta.DESCRIPTION,
        "identifier": meta.ID,
        "version": version,
        **({"datePublished": released[:10]} if released else {}),
        "license": meta.DATA_LICENSE["path"],
        "url": REPOSITORY,
        "sameAs": f"https://pypi.org/project/{meta.NAME}/",
        "citeAs": citation(version)["bibtex"],
        "creator": {"@type": "Organization", "name": meta.CONTRIBUTORS[0]["title"], "url": REPOSITORY},
        "keywords": meta.KEYWORDS,
        "isBasedOn": {"@type": "CreativeWork", "name": meta.SOURCES[0]["title"]},
        "isAccessibleForFree": True,
        "inLanguage": "en",
        "distribution": distribution,
        "recordSet": record_sets,
    }
