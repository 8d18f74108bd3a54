"""Generated files match the models; the descriptor is a valid Frictionless v2 package."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from libyadata import __version__, models, schema
from libyadata.resources import datapackage_dir, repository_root

ROOT = repository_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs a source checkout")


def test_committed_generated_files_do_not_drift():
    stale = schema.drift(ROOT)
    assert not stale, f"run `libyadata schema`: {[str(p.relative_to(ROOT)) for p in stale]}"


def test_drift_is_detected(tmp_path):
    copy = tmp_path / "repo"
    for part in ("schema", "datapackage"):
        shutil.copytree(ROOT / part, copy / part)
    (copy / "src" / "libyadata").mkdir(parents=True)
    shutil.copyfile(schema.STORED_SCHEMAS, copy / "src" / "libyadata" / schema.STORED_SCHEMAS.name)
    assert schema.drift(copy) == []
    # a hand edit of a generated schema, and a data change that moves bytes/hash
    ts = copy / "schema" / "events.tableschema.json"
    ts.write_text(ts.read_text().replace('"date"', '"string"', 1))
    with open(copy / "datapackage" / "data" / "claims.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    assert {p.name for p in schema.drift(copy)} == {"events.tableschema.json", "datapackage.json"}
    written = schema.write(copy)
    assert {p.name for p in written} == {"events.tableschema.json", "datapackage.json"}
    assert schema.drift(copy) == []


@pytest.fixture()
def stored_at(tmp_path, monkeypatch):
    """Point the stored JSON Schemas at a file of the test's own; the caches are emptied around it."""
    def use(content: dict | None):
        path = tmp_path / "json_schemas.json"
        if content is not None:
            path.write_text(json.dumps(content), encoding="utf-8")
        monkeypatch.setattr(schema, "STORED_SCHEMAS", path)
        schema._stored.cache_clear()
        schema.cached_json_schema.cache_clear()
    yield use
    monkeypatch.undo()
    schema._stored.cache_clear()
    schema.cached_json_schema.cache_clear()


def test_stored_json_schemas_are_what_pydantic_builds():
    stored = json.loads(schema.STORED_SCHEMAS.read_text(encoding="utf-8"))
    assert stored["sources"] == schema.sources_digest()
    assert stored["schemas"] == {m.table: schema.build_json_schema(m) for m in models.MODELS}


def test_stored_json_schemas_of_other_sources_are_not_used(stored_at):
    # A stale file (the models changed, `libyadata generate` not run yet) is ignored, not trusted.
    poisoned = {"sources": "0" * 64, "schemas": {"events": {"properties": {}}}}
    stored_at(poisoned)
    assert schema.cached_json_schema(models.Event) == schema.build_json_schema(models.Event)
    stored_at({**poisoned, "sources": schema.sources_digest()})
    assert schema.cached_json_schema(models.Event) == {"properties": {}}  # the digest holds: it is used


@pytest.mark.parametrize("content", [None, "not json"])
def test_a_missing_or_unreadable_store_means_building(stored_at, tmp_path, content):
    stored_at(None)
    if content is not None:
        schema.STORED_SCHEMAS.write_text(content, encoding="utf-8")
    assert schema.cached_json_schema(models.Claim) == schema.build_json_schema(models.Claim)


def test_the_store_can_be_switched_off(stored_at, monkeypatch):
    stored_at({"sources": schema.sources_digest(), "schemas": {"claims": {"properties": {}}}})
    monkeypatch.setenv("LIBYADATA_STORED_SCHEMAS", "0")
    schema._stored.cache_clear()
    assert schema.cached_json_schema(models.Claim) == schema.build_json_schema(models.Claim)


def test_a_rule_table_schema_cannot_state_is_refused_not_dropped(monkeypatch):
    js = json.loads(json.dumps(schema.cached_json_schema(models.Motive)))
    js["properties"]["rank"]["multipleOf"] = 2  # e.g. Field(multiple_of=2): no Table Schema constraint says it
    monkeypatch.setattr(schema, "cached_json_schema", lambda model: js)
    with pytest.raises(TypeError, match=r"Motive\.rank: Table Schema has no constraint for \['multipleOf'\]"):
        schema.table_fields(models.Motive)


def test_the_exclusive_bounds_reach_the_table_schema(monkeypatch):
    js = json.loads(json.dumps(schema.cached_json_schema(models.Motive)))
    js["properties"]["rank"]["exclusiveMaximum"] = 100  # e.g. Field(lt=100)
    monkeypatch.setattr(schema, "cached_json_schema", lambda model: js)
    rank = next(f for f in schema.table_fields(models.Motive) if f["name"] == "rank")
    assert rank["constraints"]["exclusiveMaximum"] == 100


def test_descriptor_has_the_v2_metadata():
    d = json.loads((datapackage_dir() / "datapackage.json").read_text(encoding="utf-8"))
    assert d["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for key in ("name", "id", "title", "description", "version", "created", "licenses", "sources",
                "contributors", "keywords", "resources"):
        assert d[key], key
    assert d["version"] == __version__
    names = [r["name"] for r in d["resources"]]
    assert names[: len(models.MODELS)] == [m.table for m in models.MODELS]
    for r in d["resources"]:
        for key in ("path", "format", "mediatype", "encoding", "bytes", "hash"):
            assert r[key], (r["name"], key)
        assert r["hash"].startswith("sha256:") and not r["path"].startswith(("/", ".."))
    tables = {r["name"]: r for r in d["resources"] if r.get("type") == "table"}
    assert tables["event_actors"]["schema"]["primaryKey"] == ["event_id", "actor_id", "role"]
    assert {"fields": ["affiliation_id"], "reference": {"fields": ["actor_id"]}} in \
        tables["actors"]["schema"]["foreignKeys"]
    text = [r for r in d["resources"] if "type" not in r]  # v2: a non-tabular resource has no type
    assert len(text) == 1 and "Third-party" in text[0]["licenses"][0]["title"]


def test_table_schema_mirrors_the_model():
    ts = schema.table_schema(models.Event)
    fields = {f["name"]: f for f in ts["fields"]}
    assert [f["name"] for f in ts["fields"]] == list(models.Event.columns)
    assert fields["date_start"]["type"] == "date" and "required" not in fields["date_start"].get("constraints", {})
    assert fields["event_type"]["constraints"]["enum"] == list(models.vocab.EVENT_TYPES)
    assert fields["char_start"]["type"] == "integer" and fields["char_start"]["constraints"]["minimum"] == 0
    assert fields["event_id"]["constraints"]["pattern"] == models.SLUG_PATTERN
    aliases = {f["name"]: f for f in schema.table_fields(models.Actor)}["aliases"]
    assert aliases["type"] == "string" and aliases["constraints"]["pattern"] == schema.LIST_PATTERN


def test_arrow_schema_mirrors_the_model():
    pa = pytest.importorskip("pyarrow")
    s = schema.arrow_schema(models.Actor)
    assert s.names == list(models.Actor.columns)
    assert s.field("aliases").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    assert s.field("actor_id").nullable is False and s.field("role").nullable is True
    assert s.metadata[b"libyadata.version"].decode() == __version__
    assert s.field("name").metadata[b"description"]


@pytest.mark.slow
def test_frictionless_validates_the_package():
    pytest.importorskip("frictionless")
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", str(datapackage_dir() / "datapackage.json")],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["valid"] is True, json.dumps(report.get("errors") or report, indent=1)[:3000]
    assert result.returncode == 0
    assert len(report["tasks"]) == len(models.MODELS) + 1


@pytest.mark.slow
def test_frictionless_catches_a_broken_foreign_key(package_copy):
    pytest.importorskip("frictionless")
    path = package_copy / "data" / "event_actors.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",russia,host", ",rusia,host", 1), encoding="utf-8")
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        r.pop("hash"), r.pop("bytes")
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                             str(package_copy / "datapackage.json")], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["valid"] is False
    types = {e["type"] for t in report["tasks"] for e in t["errors"]}
    assert types == {"foreign-key"}
