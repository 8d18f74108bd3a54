"""Parquet build: exact types, deterministic bytes, a logical --check, a valid descriptor, exact round trip."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libyadata import __version__, csvio, models, parquet, schema, vocab
from libyadata.cli import main
from libyadata.errors import LibyadataError
from libyadata.resources import datapackage_dir
from libyadata.tables import read_csv_arrow

COMMITTED = parquet.parquet_dir()


@pytest.fixture()
def pkg(tmp_path) -> Path:
    """A writable copy of the real data package, Parquet files included, as this pyarrow builds them
    (the lowest-versions session runs an older pyarrow than the one that wrote the committed files)."""
    dest = tmp_path / "datapackage"
    shutil.copytree(datapackage_dir(), dest)
    parquet.build(dest)
    return dest


def built_with_this_pyarrow() -> bool:
    return pq.ParquetFile(parquet.path("events")).metadata.created_by.endswith(pa.__version__)


def edit_csv(path: Path, table: str, key: str, field: str, value: str) -> None:
    header, rows = csvio.read_rows(path / "data" / f"{table}.csv")
    pk = models.TABLES[table].primary_key[0]
    row = next(r for r in rows if r[pk] == key)
    row[field] = value
    (path / "data" / f"{table}.csv").write_bytes(csvio.to_csv_bytes(header, rows))


# --- build -----------------------------------------------------------------------------


def test_every_table_has_a_parquet_file_and_nothing_else():
    assert sorted(p.name for p in COMMITTED.iterdir()) == sorted(
        [f"{m.table}.parquet" for m in models.MODELS] + ["datapackage.json"])


def test_committed_files_match_a_fresh_build():
    found = parquet.check()
    # A pyarrow other than the one that wrote the files may only ever differ in bytes.
    assert [d for d in found if d.is_data_change] == []
    if built_with_this_pyarrow():
        assert found == []


def test_two_builds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for dest in (a, b):
        shutil.copytree(datapackage_dir(), dest, ignore=shutil.ignore_patterns("parquet"))
        parquet.build(dest)
    names = sorted(p.name for p in (a / "parquet").iterdir())
    assert len(names) == len(models.MODELS) + 1
    for name in names:
        assert (a / "parquet" / name).read_bytes() == (b / "parquet" / name).read_bytes(), name
    if built_with_this_pyarrow():  # and identical to what is committed, with the pinned pyarrow
        for name in names:
            assert (a / "parquet" / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_build_writes_only_what_changed(pkg):
    assert parquet.build(pkg) == [] or not built_with_this_pyarrow()
    edit_csv(pkg, "events", "haftar-visit-russia-2017-08", "location", "Moscow, Russia")
    written = parquet.build(pkg)
    assert [p.name for p in written] == ["events.parquet", "datapackage.json"]
    assert not [p for p in (pkg / "parquet").iterdir() if p.name.startswith(".")]  # no temporary left
    assert parquet.check(pkg) == []


def test_types_are_declared_not_guessed(pkg):
    # "007", "NA" and "null" are text in text columns; an empty cell is null; aliases a list.
    edit_csv(pkg, "actors", "khalifa-haftar", "role", "007")
    edit_csv(pkg, "actors", "khalifa-haftar", "notes", "NA")
    edit_csv(pkg, "actors", "khalifa-haftar", "wikidata_ref", "")
    edit_csv(pkg, "actors", "khalifa-haftar", "wikidata_id", "")
    edit_csv(pkg, "actors", "sergei-lavrov", "notes", "null")
    parquet.build(pkg, ["actors"])
    t = parquet.read("actors", pkg)
    rows = {r["actor_id"]: r for r in t.to_pylist()}
    assert rows["khalifa-haftar"]["role"] == "007"
    assert rows["khalifa-haftar"]["notes"] == "NA"
    assert rows["khalifa-haftar"]["wikidata_ref"] is None
    assert rows["sergei-lavrov"]["notes"] == "null"
    assert rows["khalifa-haftar"]["aliases"][0] == "Haftar"
    assert t.schema == schema.arrow_schema(models.Actor)


def test_schema_carries_order_descriptions_key_and_version():
    for model in models.MODELS:
        s = pq.ParquetFile(parquet.path(model.table)).schema_arrow
        assert s.names == list(model.columns)
        md = s.metadata
        assert md[b"libyadata.version"] == __version__.encode()
        assert md[b"libyadata.table"] == model.table.encode()
        assert json.loads(md[b"libyadata.columns"]) == list(model.columns)
        assert json.loads(md[b"libyadata.primary_key"]) == list(model.primary_key)
        for field, ts_field in zip(s, schema.table_fields(model)):
            assert field.metadata[b"description"].decode() == ts_field["description"]
    events = pq.ParquetFile(parquet.path("events")).schema_arrow
    assert events.field("date_start").type == pa.date32()
    assert events.field("char_start").type == pa.int64() and not events.field("char_start").nullable


def test_writer_options_are_fixed():
    meta = pq.ParquetFile(parquet.path("events")).metadata
    assert meta.num_row_groups == 1 and meta.format_version == "2.6"
    assert meta.row_group(0).column(0).compression == "ZSTD"
    if built_with_this_pyarrow():  # the pinned pyarrow applies every option; an older one drops none it has
        assert parquet._writer_options(pq.ParquetWriter) == parquet.WRITE_OPTIONS


def test_unreadable_csv_names_the_file_and_the_problem(pkg):
    path = pkg / "data" / "motives.csv"
    path.write_text("motive_id,rank\nm,1\n", encoding="utf-8")
    with pytest.raises(LibyadataError) as exc:
        parquet.build(pkg, ["motives"])
    assert str(exc.value).startswith(f"{path}: cannot read as table 'motives' with its declared types: ")
    assert "'holder_id'" in str(exc.value)
    edit = csvio.read_rows(datapackage_dir() / "data" / "motives.csv")
    edit[1][0]["rank"] = "first"
    path.write_bytes(csvio.to_csv_bytes(*edit))
    with pytest.raises(LibyadataError, match="motives.csv: .*'first'"):
        parquet.build(pkg, ["motives"])
    assert not (pkg / "parquet" / ".motives.parquet.tmp").exists()
    assert parquet.check(pkg, ["sources"]) == [] or not built_with_this_pyarrow()


def test_an_empty_required_cell_is_named_not_a_crash(pkg):
    path = pkg / "data" / "claims.csv"
    header, rows = csvio.read_rows(path)
    rows[1]["asserted_by"] = ""
    path.write_bytes(csvio.to_csv_bytes(header, rows))
    with pytest.raises(LibyadataError) as exc:
        parquet.build(pkg, ["claims"])
    assert str(exc.value) == f"{path}, row 3, field asserted_by: a required cell is empty (table 'claims')"


def test_unknown_table_is_named():
    with pytest.raises(LibyadataError, match="no table 'evnts'; tables: sources, actors"):
        parquet.path("evnts")


# --- check -----------------------------------------------------------------------------


def test_check_names_the_table_whose_csv_changed(pkg, capsys):
    header, rows = csvio.read_rows(pkg / "data" / "event_actors.csv")
    rows[2]["notes"] = "changed"
    (pkg / "data" / "event_actors.csv").write_bytes(csvio.to_csv_bytes(header, rows))
    (d,) = parquet.check(pkg)
    assert (d.table, d.kind) == ("event_actors", "data")
    key = f"event_id={rows[2]['event_id']!r}, actor_id={rows[2]['actor_id']!r}, role={rows[2]['role']!r}"
    assert f"row 4 ({key}), field notes: " in d.detail and "the CSV 'changed'" in d.detail
    assert main(["build", "--check", str(pkg)]) == 1
    err = capsys.readouterr().err
    assert "differs: event_actors: data of parquet/event_actors.parquet differ from data/event_actors.csv" in err
    assert "run: libyadata build" in err


def test_check_reports_a_row_count_change(pkg):
    header, rows = csvio.read_rows(pkg / "data" / "claims.csv")
    (pkg / "data" / "claims.csv").write_bytes(csvio.to_csv_bytes(header, rows[:-1]))
    (d,) = parquet.check(pkg)
    assert d.kind == "data" and f"{len(rows)} rows, the CSV has {len(rows) - 1}" in d.detail


def test_check_reports_a_schema_change(pkg):
    t = parquet.read("motives", pkg)
    old = t.replace_schema_metadata({**t.schema.metadata, b"libyadata.version": b"0.9.0"})
    (pkg / "parquet" / "motives.parquet").write_bytes(parquet.to_bytes(old))
    kinds = {(d.table, d.kind) for d in parquet.check(pkg)}
    assert kinds == {("motives", "schema"), ("datapackage.json", "descriptor")}
    (d,) = [d for d in parquet.check(pkg) if d.kind == "schema"]
    assert f"'libyadata.version' is '0.9.0', expected '{__version__}'" in d.detail


def test_check_reports_a_pyarrow_upgrade_as_such(pkg, capsys):
    target = pkg / "parquet" / "sources.parquet"
    data = parquet.to_bytes(read_csv_arrow(pkg / "data" / "sources.csv", models.Source))
    created_by = pq.ParquetFile(pa.BufferReader(data)).metadata.created_by.encode()
    other = created_by[: -len(pa.__version__)] + b"9" * len(pa.__version__)  # same length: same layout
    assert data.count(created_by) == 1
    target.write_bytes(data.replace(created_by, other))
    parquet.build(pkg, [])  # the descriptor follows the file; only the Parquet bytes differ
    (d,) = parquet.check(pkg)
    assert (d.table, d.kind, d.is_data_change) == ("sources", "pyarrow", False)
    assert other.decode() in d.detail and "only the bytes differ" in d.detail
    assert main(["build", "--check", str(pkg)]) == 0
    captured = capsys.readouterr()
    assert "note: sources:" in captured.err and "same data" in captured.out
    assert main(["build", "--check", "--exact", str(pkg)]) == 1


def test_check_reports_missing_unreadable_and_stale_descriptor(pkg):
    (pkg / "parquet" / "claims.parquet").unlink()
    (pkg / "parquet" / "motives.parquet").write_bytes(b"PAR1 not really")
    found = {d.table: d for d in parquet.check(pkg)}
    assert found["claims"].kind == "missing" and "parquet/claims.parquet is missing" in found["claims"].detail
    assert found["motives"].kind == "unreadable"
    assert found["datapackage.json"].kind == "descriptor"
    parquet.build(pkg)
    assert parquet.check(pkg) == []


def test_build_cli_writes_then_reports_up_to_date(pkg, capsys):
    edit_csv(pkg, "claims", csvio.read_rows(pkg / "data" / "claims.csv")[1][0]["claim_id"], "notes", "x")
    assert main(["build", str(pkg)]) == 0
    assert "claims.parquet" in capsys.readouterr().out
    assert main(["build", "--check", str(pkg)]) == 0
    assert "up to date" in capsys.readouterr().out


# --- descriptor ------------------------------------------------------------------------


def test_descriptor_describes_every_file_with_its_hash():
    desc = json.loads((COMMITTED / "datapackage.json").read_text(encoding="utf-8"))
    assert desc == parquet.descriptor()
    assert desc["version"] == __version__
    assert [r["name"] for r in desc["resources"]] == [m.table for m in models.MODELS]
    for res, model in zip(desc["resources"], models.MODELS):
        assert res["path"] == f"{model.table}.parquet"
        assert (res["format"], res["mediatype"]) == ("parquet", "application/vnd.apache.parquet")
        assert res["hash"] == schema.file_facts(COMMITTED / res["path"])[1]
        assert "bytes" not in res  # frictionless cannot count Parquet bytes; see parquet.descriptor


def test_parquet_schemas_are_the_csv_schemas_except_where_parquet_differs():
    for model in models.MODELS:
        csv_schema, pq_schema = schema.table_schema(model), parquet.parquet_table_schema(model)
        assert {k: v for k, v in pq_schema.items() if k != "fields"} == {
            k: v for k, v in csv_schema.items() if k != "fields"}
        for c, p in zip(csv_schema["fields"], pq_schema["fields"], strict=True):
            if c.get("constraints", {}).get("pattern") == schema.LIST_PATTERN:
                assert p["type"] == "any" and "list<string>" in p["description"]
            elif c["type"] in ("integer", "number") and not c.get("constraints", {}).get("required"):
                assert p == {**c, "missingValues": ["", "nan"]}
            else:
                assert p == c


def frictionless(descriptor: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", str(descriptor)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_frictionless_accepts_the_parquet_package():
    pytest.importorskip("frictionless")
    result = frictionless(COMMITTED / "datapackage.json")
    report = json.loads(result.stdout)
    assert result.returncode == 0, [e["message"] for t in report["tasks"] for e in t["errors"]][:5]
    assert report["valid"] and len(report["tasks"]) == len(models.MODELS)


@pytest.mark.slow
def test_frictionless_rejects_a_bad_value_in_parquet(pkg):
    # proof that frictionless really reads the cells: a value outside the vocabulary fails
    pytest.importorskip("frictionless")
    edit_csv(pkg, "events", "haftar-visit-russia-2017-08", "event_type", "not-a-type")
    edit_csv(pkg, "projections", csvio.read_rows(pkg / "data" / "projections.csv")[1][0]["projection_id"],
             "rank", "0")
    parquet.build(pkg)
    result = frictionless(pkg / "parquet" / "datapackage.json")
    assert result.returncode == 1
    errors = [(t["name"], e["type"], e.get("fieldName")) for t in json.loads(result.stdout)["tasks"]
              for e in t["errors"]]
    assert sorted(errors) == [("events", "constraint-error", "event_type"),
                              ("projections", "constraint-error", "rank")]


def test_csv_descriptor_does_not_pick_up_the_parquet_folder():
    paths = [r["path"] for r in schema.descriptor(datapackage_dir())["resources"]]
    assert not [p for p in paths if "parquet" in p]


# --- round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("model", models.MODELS, ids=lambda m: m.table)
def test_real_tables_round_trip_exactly(model):
    csv_bytes = (datapackage_dir() / "data" / f"{model.table}.csv").read_bytes()
    assert parquet.to_csv(parquet.read(model.table)) == csv_bytes


SPECIAL = st.sampled_from([",", '"', "\n", "\r", "\r\n", " ", "'", "|", ";", "é", "ж", "ل", "中", "🙂", "\u200b"])
PIECE = st.one_of(SPECIAL, st.characters(blacklist_categories=("Cs",)))
TEXT = st.lists(PIECE, min_size=1, max_size=12).map("".join)
ITEM = st.lists(PIECE.filter(lambda c: vocab.LIST_DELIMITER not in c), min_size=1, max_size=8).map("".join)


def cell_strategy(field: pa.Field) -> st.SearchStrategy[str]:
    """CSV cells (as the models write them) for one Arrow column."""
    if pa.types.is_list(field.type):
        value = st.lists(ITEM, max_size=3).map(vocab.LIST_DELIMITER.join)
    elif pa.types.is_int64(field.type):
        value = st.integers(-(2**63), 2**63 - 1).map(str)
    elif pa.types.is_float64(field.type):
        value = st.floats(allow_nan=False, allow_infinity=False).map(repr)
    elif pa.types.is_date32(field.type):
        value = st.dates(models.MIN_DATE, models.MAX_DATE).map(dt.date.isoformat)
    else:
        value = TEXT
    return st.one_of(st.just(""), value) if field.nullable else value


@st.composite
def tables(draw):
    model = draw(st.sampled_from(models.MODELS))
    target = schema.arrow_schema(model)
    row = st.fixed_dictionaries({f.name: cell_strategy(f) for f in target})
    return model, draw(st.lists(row, min_size=0, max_size=5))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # examples: the suite profile (conftest)
@given(tables())
def test_generated_records_round_trip_exactly(tmp_path, case):
    model, rows = case
    csv_bytes = csvio.to_csv_bytes(model.columns, rows)
    path = tmp_path / f"{model.table}.csv"
    path.write_bytes(csv_bytes)
    data = parquet.csv_to_parquet_bytes(path, model)
    back = pq.ParquetFile(pa.BufferReader(data)).read()
    assert back.schema == schema.arrow_schema(model)
    assert parquet.to_rows(back) == rows
    assert parquet.to_csv(back) == csv_bytes
