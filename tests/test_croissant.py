"""``libyadata.croissant``: the Croissant record sets, files and references say what the package's files hold.

Expected values come from the shipped files themselves (``datapackage.json``, the CSV
headers and bytes, ``releases.json``), read with the standard library, not from the
models the generator reads.
"""

from __future__ import annotations

import csv
import hashlib
import json
import posixpath

import pytest
from shipped import csv_rows, drop_last_row, released_on

from libyadata import croissant, meta, models
from libyadata.resources import datapackage_dir
from libyadata.schema import dump_json

PACKAGE = datapackage_dir()
CR = "http://mlcommons.org/croissant/"
SC = "https://schema.org/"
#: Table Schema type -> schema.org data type, as the Croissant specification pairs them.
EXPECTED_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float", "date": "sc:Date"}


@pytest.fixture(scope="module")
def doc():
    return croissant.croissant(PACKAGE)


def tabular_resources() -> list[dict]:
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    return [r for r in descriptor["resources"] if "schema" in r]


def test_record_sets_name_every_table_and_field_of_the_descriptor(doc):
    resources = tabular_resources()
    assert [rs["name"] for rs in doc["recordSet"]] == [r["name"] for r in resources]
    for rs, resource in zip(doc["recordSet"], resources):
        fields = resource["schema"]["fields"]
        assert rs["@type"] == "cr:RecordSet" and rs["@id"] == resource["name"]
        assert rs["description"] == resource["description"]
        assert [f["name"] for f in rs["field"]] == [f["name"] for f in fields]
        assert [f["description"] for f in rs["field"]] == [f["description"] for f in fields]
        assert [f["dataType"] for f in rs["field"]] == [EXPECTED_TYPES[f["type"]] for f in fields]
        assert [k["@id"] for k in rs["key"]] == [f"{rs['name']}/{k}" for k in resource["schema"]["primaryKey"]]


def test_every_field_extracts_its_own_column_from_its_own_csv(doc):
    for rs in doc["recordSet"]:
        with open(PACKAGE / "data" / f"{rs['name']}.csv", encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        for field in rs["field"]:
            assert field["@id"] == f"{rs['name']}/{field['name']}"
            assert field["source"] == {"fileObject": {"@id": f"{rs['name']}.csv"}, "extract": {"column": field["name"]}}
            assert field["name"] in header, (rs["name"], field["name"])


def test_each_file_object_states_the_size_and_hash_of_the_bytes_shipped(doc):
    resources = {r["name"]: r for r in tabular_resources()}
    assert [d["name"] for d in doc["distribution"]] == [f"{name}.csv" for name in resources]
    for file in doc["distribution"]:
        table = file["name"].removesuffix(".csv")
        raw = (PACKAGE / "data" / file["name"]).read_bytes()
        assert file["@type"] == "cr:FileObject" and file["@id"] == file["name"]
        assert file["contentSize"] == f"{len(raw)} B" == f"{resources[table]['bytes']} B"
        assert file["sha256"] == hashlib.sha256(raw).hexdigest() == resources[table]["hash"].removeprefix("sha256:")
        assert file["encodingFormat"] == "text/csv"


def test_content_urls_resolve_from_the_output_file_to_the_tables(doc):
    for file in doc["distribution"]:
        # docs/croissant.json names ../datapackage/data/x.csv: the file next to the repository's tables
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(croissant.OUTPUT), file["contentUrl"]))
        assert resolved == f"datapackage/data/{file['name']}"


def test_a_given_data_url_changes_the_content_urls_and_nothing_else(doc):
    other = croissant.croissant(PACKAGE, data_url="https://example.org/v2/")
    assert [d["contentUrl"] for d in other["distribution"]] == \
        [f"https://example.org/v2/data/{d['name']}" for d in doc["distribution"]]
    for d in other["distribution"]:
        d["contentUrl"] = next(x["contentUrl"] for x in doc["distribution"] if x["name"] == d["name"])
    assert other == doc


def test_every_id_it_refers_to_is_defined_once(doc):
    defined, referred = [], []

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"@id"}:
                referred.append(node["@id"])
            elif "@id" in node:
                defined.append(node["@id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in doc.items() if k != "@context"})
    assert len(defined) == len(set(defined))
    assert referred and set(referred) <= set(defined)


def test_references_go_only_to_tables_that_reference_nothing_further(doc):
    # mlcroissant 1.1 fails on a self-reference and on a chain of references
    declared = {(rs["name"], f["name"]): f["references"]["field"]["@id"]
                for rs in doc["recordSet"] for f in rs["field"] if "references" in f}
    assert declared
    referencing = {table for table, _ in declared}
    for (table, _), target in declared.items():
        target_table = target.split("/")[0]
        assert target_table != table and target_table not in referencing
    # and every single-field key to such a table is declared, but for those that allow other values
    leaves = {m.table for m in models.MODELS
              if all(fk.resource in (m.table, "sources") for fk in m.foreign_keys if len(fk.fields) == 1)}
    expected = {(m.table, fk.fields[0]): f"{fk.resource}/{fk.reference[0]}"
                for m in models.MODELS for fk in m.foreign_keys
                if len(fk.fields) == 1 and fk.resource in leaves - {m.table, "sources"} and not fk.allow}
    assert declared == expected


def test_declared_references_hold_in_the_data(doc):
    # a key with allowed values (asserted_by 'article') is not declared: the data would break it
    for rs in doc["recordSet"]:
        for f in rs["field"]:
            if "references" not in f:
                continue
            target_table, target_field = f["references"]["field"]["@id"].split("/")
            keys = {row[target_field] for row in csv_rows(target_table)}
            values = {row[f["name"]] for row in csv_rows(rs["name"]) if row[f["name"]]}
            assert values, (rs["name"], f["name"])
            assert values <= keys, (rs["name"], f["name"], sorted(values - keys)[:3])


def test_the_context_expands_croissant_terms_into_the_croissant_vocabulary(doc):
    jsonld = pytest.importorskip("pyld.jsonld")

    def offline(url, options=None):
        raise AssertionError(f"the inline context needs no remote document, asked for {url}")

    (expanded,) = jsonld.expand(doc, {"documentLoader": offline})
    # every property survived expansion (a term JSON-LD cannot map is dropped)
    assert len(expanded) == len(doc) - 1  # - @context
    assert expanded[CR + "citeAs"][0]["@value"] == doc["citeAs"]
    assert expanded["http://purl.org/dc/terms/conformsTo"][0]["@value"] == croissant.CROISSANT
    record_sets = expanded[CR + "recordSet"]
    assert len(record_sets) == len(doc["recordSet"])
    for rs, compact in zip(record_sets, doc["recordSet"]):
        assert rs["@type"] == [CR + "RecordSet"] and len(rs[CR + "key"]) == len(compact["key"])
        fields = rs[CR + "field"]
        assert len(fields) == len(compact["field"])
        for f, c in zip(fields, compact["field"]):
            assert f[CR + "dataType"] == [{"@id": SC + c["dataType"].removeprefix("sc:")}]
            source = f[CR + "source"][0]
            assert source[CR + "extract"][0][CR + "column"][0]["@value"] == c["name"]
            # relative ids: pyld 2 leaves them as written, later versions resolve them against a base
            assert source[CR + "fileObject"][0]["@id"].rsplit("/", 1)[-1] == compact["name"] + ".csv"
            assert (CR + "references" in f) == ("references" in c)


def test_dataset_facts_are_the_package_metadata(doc):
    version = meta.version()
    assert doc["name"] == "libyadata" and doc["version"] == version
    assert doc["identifier"] == meta.ID and doc["alternateName"] == meta.TITLE
    assert doc["license"] == meta.DATA_LICENSE["path"] and doc["keywords"] == meta.KEYWORDS
    assert doc["isBasedOn"]["name"] == meta.SOURCES[0]["title"]
    assert f"version = {{{version}}}" in doc["citeAs"] and meta.TITLE in doc["citeAs"]
    day = released_on(version)
    assert day is not None, "the checked-out version is released"
    assert doc["datePublished"] == day and f"year = {{{day[:4]}}}" in doc["citeAs"]


def test_an_unreleased_version_has_no_publication_date(monkeypatch):
    monkeypatch.setattr(meta, "version", lambda: "99.0.0-dev")
    assert released_on("99.0.0-dev") is None
    doc = croissant.croissant(PACKAGE)
    assert "datePublished" not in doc and doc["version"] == "99.0.0-dev"
    assert "year = {unreleased}" in doc["citeAs"] and "version = {99.0.0-dev}" in doc["citeAs"]


def test_it_describes_the_package_it_is_given_not_the_installed_one(package_copy):
    path = package_copy / "data" / "mentions.csv"
    drop_last_row(path)
    doc = croissant.croissant(package_copy)
    installed = {d["name"]: d for d in croissant.croissant(PACKAGE)["distribution"]}
    for file in doc["distribution"]:
        raw = (package_copy / "data" / file["name"]).read_bytes()
        assert file["sha256"] == hashlib.sha256(raw).hexdigest() and file["contentSize"] == f"{len(raw)} B"
        assert (file == installed[file["name"]]) == (file["name"] != "mentions.csv")


def test_a_missing_table_file_is_named_in_the_error(package_copy):
    (package_copy / "data" / "claims.csv").unlink()
    with pytest.raises(FileNotFoundError, match="claims.csv"):
        croissant.croissant(package_copy)


def test_the_document_is_deterministic_json(doc):
    again = croissant.croissant(PACKAGE)
    assert dump_json(again) == dump_json(doc)
    assert json.loads(dump_json(doc)) == doc  # plain JSON: nothing lost on the way to the file
