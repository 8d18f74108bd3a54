"""The Parquet files answer queries exactly as the typed records do (DuckDB, polars, pandas, Spark)."""

from __future__ import annotations

import pytest

import libyadata
from libyadata import models, parquet, tables

FOLDER = parquet.parquet_dir()


def expected_participation(data):
    """(event, date, actor, actor name, role) for every participation, from the typed records."""
    return sorted(
        (ea.event_id, data.event(ea.event_id).date_start, ea.actor_id, data.actor(ea.actor_id).name, ea.role)
        for ea in data.event_actors
    )


def test_duckdb_join_of_events_event_actors_and_actors_matches_the_records(data):
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(f"""
        SELECT e.event_id, e.date_start, a.actor_id, a.name, ea.role
        FROM '{FOLDER}/events.parquet' e
        JOIN '{FOLDER}/event_actors.parquet' ea USING (event_id)
        JOIN '{FOLDER}/actors.parquet' a USING (actor_id)
    """).fetchall()
    assert sorted(rows, key=repr) == sorted(expected_participation(data), key=repr)
    assert len(rows) == len(data.event_actors)


def test_duckdb_sees_declared_types_and_lists(data):
    duckdb = pytest.importorskip("duckdb")
    types = {r[0]: r[1] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{FOLDER}/actors.parquet'").fetchall()}
    assert types["aliases"] == "VARCHAR[]" and types["char_start"] == "BIGINT"
    ((n,),) = duckdb.sql(f"SELECT len(aliases) FROM '{FOLDER}/actors.parquet' WHERE actor_id = 'khalifa-haftar'"
                         ).fetchall()
    assert n == len(data.actor("khalifa-haftar").aliases)
    haftar_events = duckdb.sql(f"""
        SELECT DISTINCT event_id FROM '{FOLDER}/event_actors.parquet' WHERE actor_id = 'khalifa-haftar'
    """).fetchall()
    assert {r[0] for r in haftar_events} == {e.event_id for e in data.events_of("khalifa-haftar")}


def test_each_file_equals_the_arrow_table_from_csv():
    for model in models.MODELS:
        assert parquet.read(model.table).equals(tables.arrow(model.table)), model.table


@pytest.mark.parametrize("name", list(models.TABLES))
def test_polars_reads_every_file(name):
    pl = pytest.importorskip("polars")
    df = pl.read_parquet(FOLDER / f"{name}.parquet")
    assert df.columns == list(models.TABLES[name].columns)
    ours = libyadata.polars(name)  # coded columns are Enums there; the same values
    assert df.equals(ours.with_columns(pl.col(c).cast(pl.String) for c, t in ours.schema.items() if t == pl.Enum))


@pytest.mark.parametrize("name", list(models.TABLES))
def test_pandas_reads_every_file(name):
    pd = pytest.importorskip("pandas")
    df = pd.read_parquet(FOLDER / f"{name}.parquet")
    assert list(df.columns) == list(models.TABLES[name].columns)
    ours = libyadata.pandas(name)  # dates as datetime64 and coded columns as categories there
    pd.testing.assert_frame_equal(df.astype(ours.dtypes.to_dict()), ours)


def test_spark_reads_the_files(data):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").appName("libyadata-test").getOrCreate()
    try:
        events = spark.read.parquet(str(FOLDER / "events.parquet"))
        assert events.count() == len(data.events)
        assert events.columns == list(models.Event.columns)
    finally:
        spark.stop()
