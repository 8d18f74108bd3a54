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
