"""``libyadata.tables``: Arrow tables hold the CSV cells, typed as the descriptor declares; errors name the fault.

Expected values are the CSV cells read with the standard ``csv`` module and converted
by the Table Schema types of the shipped ``datapackage.json``. pandas is never imported:
its view is checked only for the error it gives when missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

import pyarrow as pa
import pytest

from libyadata import models, tables
from libyadata.errors import DataError, LibyadataError, MissingDependency
from libyadata.resources import datapackage_dir
from libyadata.schema import LIST_PATTERN, arrow_schema

PACKAGE = datapackage_dir()
DESCRIPTOR = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"] if "schema" in r}
ACTOR_COLUMNS = list(models.Actor.columns)


def csv_header_and_rows(path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def typed(cell: str, field: dict):
    """A CSV cell as the Table Schema field declares it (the list form by its cell pattern)."""
    if field.get("constraints", {}).get("pattern") == LIST_PATTERN:
        return cell.split("|") if cell else []
    if cell == "":
        return None
    return {"integer": int, "number": float, "date": dt.date.fromisoformat}.get(field["type"], str)(cell)


def write_csv(path, header, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def actor_row(**cells) -> list[str]:
    row = {c: "" for c in ACTOR_COLUMNS}
    row.update(actor_id="a", name="A", kind="person", source_id="s", quote="q", char_start="0", char_end="1")
    row.update(cells)
    return [row[c] for c in ACTOR_COLUMNS]


def test_every_table_holds_its_csv_cells_typed_as_the_descriptor_declares():
    for name, resource in RESOURCES.items():
        header, rows = csv_header_and_rows(PACKAGE / resource["path"])
        table = tables.arrow(name)
        assert table.column_names == header and table.num_rows == len(rows), name
        for field in resource["schema"]["fields"]:
            expected = [typed(row[field["name"]], field) for row in rows]
            assert table.column(field["name"]).to_pylist() == expected, (name, field["name"])


def test_the_schema_is_the_declared_one_with_its_nullability_and_metadata():
    for name, resource in RESOURCES.items():
        schema = tables.arrow(name).schema
        assert schema.equals(arrow_schema(models.TABLES[name]), check_metadata=True), name
        for field in resource["schema"]["fields"]:
            arrow_field = schema.field(field["name"])
            required = field.get("constraints", {}).get("required", False)
            is_list = field.get("constraints", {}).get("pattern") == LIST_PATTERN
            assert arrow_field.nullable == (not required and not is_list), (name, field["name"])
            assert arrow_field.metadata[b"description"].decode("utf-8") == field["description"]
        meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
        assert meta["libyadata.table"] == name and meta["libyadata.version"] == DESCRIPTOR["version"]
        assert json.loads(meta["libyadata.columns"]) == [f["name"] for f in resource["schema"]["fields"]]
        assert json.loads(meta["libyadata.primary_key"]) == resource["schema"]["primaryKey"]


def test_cells_keep_their_text_empty_cells_are_null_and_empty_lists_are_empty(tmp_path):
    write_csv(tmp_path / "data" / "actors.csv", ACTOR_COLUMNS, [
        actor_row(actor_id="007", aliases="", char_start="0012", notes='a, "quoted"\nsecond line'),
        actor_row(actor_id="b", aliases="x|y y|z", country=""),
        actor_row(actor_id="c", aliases="only"),
    ])
    t = tables.arrow("actors", tmp_path)
    assert t.column("actor_id").to_pylist() == ["007", "b", "c"]  # not guessed to be a number
    assert t.column("aliases").to_pylist() == [[], ["x", "y y", "z"], ["only"]]
    assert t.column("aliases").null_count == 0
    assert t.column("char_start").to_pylist() == [12, 0, 0]
    assert t.column("notes").to_pylist() == ['a, "quoted"\nsecond line', None, None]
    assert t.column("country").to_pylist() == [None, None, None]


def test_columns_are_picked_by_name_in_the_models_order_and_extra_ones_dropped(tmp_path):
    shuffled = ACTOR_COLUMNS[::-1] + ["extra"]
    row = dict(zip(ACTOR_COLUMNS, actor_row(actor_id="z", aliases="p|q")))
    row["extra"] = "ignored"
    write_csv(tmp_path / "data" / "actors.csv", shuffled, [[row[c] for c in shuffled]])
    t = tables.arrow("actors", tmp_path)
    assert t.column_names == ACTOR_COLUMNS
    assert t.column("actor_id").to_pylist() == ["z"] and t.column("aliases").to_pylist() == [["p", "q"]]


def test_a_header_only_table_is_empty_with_the_declared_schema(tmp_path):
    write_csv(tmp_path / "data" / "events.csv", list(models.Event.columns), [])
    t = tables.arrow("events", tmp_path)
    assert t.num_rows == 0 and t.schema.equals(arrow_schema(models.Event), check_metadata=True)


def test_a_path_may_be_given_as_text_and_read_csv_arrow_reads_any_file(tmp_path):
    source = PACKAGE / "data" / "relationships.csv"
    assert tables.arrow("relationships", str(PACKAGE)).equals(tables.arrow("relationships"), check_metadata=True)
    elsewhere = tmp_path / "renamed.csv"
    elsewhere.write_bytes(source.read_bytes())
    assert tables.read_csv_arrow(elsewhere, models.Relationship).equals(tables.arrow("relationships"))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"data/claims\.csv"):
        tables.arrow("claims", tmp_path)


def test_a_missing_column_is_named(tmp_path):
    write_csv(tmp_path / "data" / "actors.csv", [c for c in ACTOR_COLUMNS if c != "char_end"],
              [[v for c, v in zip(ACTOR_COLUMNS, actor_row()) if c != "char_end"]])
    with pytest.raises(DataError) as err:
        tables.arrow("actors", tmp_path)
    assert str(err.value) == (f"{tmp_path / 'data' / 'actors.csv'}: cannot read as table 'actors' with its declared "
                              "types: Column 'char_end' in include_columns does not exist in CSV file")


@pytest.mark.parametrize(("column", "cell"), [("char_start", "12x"), ("char_end", "1.5")])
def test_a_cell_that_is_not_its_columns_type_is_named(tmp_path, column, cell):
    write_csv(tmp_path / "data" / "actors.csv", ACTOR_COLUMNS, [actor_row(**{column: cell})])
    with pytest.raises(DataError, match=f"^{tmp_path}/data/actors.csv: cannot read as table 'actors' .*'{cell}'.*int64"):
        tables.arrow("actors", tmp_path)


@pytest.mark.parametrize("column", [f.name for f in arrow_schema(models.Actor)
                                    if not f.nullable and not pa.types.is_list(f.type)])  # a list's empty cell is []
def test_an_empty_required_cell_is_refused_not_returned_as_a_null(tmp_path, column):
    # Arrow keeps a null in a column declared not null; a reader (and Parquet) would trust the declaration.
    write_csv(tmp_path / "data" / "actors.csv", ACTOR_COLUMNS, [actor_row(), actor_row(**{"actor_id": "b", column: ""})])
    with pytest.raises(DataError) as err:
        tables.arrow("actors", tmp_path)
    assert (err.value.row, err.value.field) == (3, column)
    assert str(err.value).endswith("a required cell is empty (table 'actors')")


def test_an_impossible_date_is_named(tmp_path):
    header, rows = csv_header_and_rows(PACKAGE / "data" / "events.csv")
    rows[0]["date_start"] = "2017-02-30"
    write_csv(tmp_path / "data" / "events.csv", header, [[r[c] for c in header] for r in rows[:1]])
    with pytest.raises(DataError, match="events.csv: cannot read as table 'events' .*'2017-02-30'"):
        tables.arrow("events", tmp_path)


def test_an_unknown_table_lists_the_tables():
    with pytest.raises(LibyadataError, match="^no table 'event'; tables: " + ", ".join(RESOURCES) + "$"):
        tables.arrow("event")


@pytest.mark.parametrize("view", ["pandas", "polars"])
def test_a_missing_dataframe_library_says_which_extra_to_install(monkeypatch, view):
    monkeypatch.setitem(sys.modules, view, None)  # import now fails, as when it is not installed
    message = f"^this needs the '{view}' package: pip install 'libyadata\\[{view}\\]'$"
    with pytest.raises(MissingDependency, match=message) as info:
        getattr(tables, view)("events")
    assert (info.value.module, info.value.extra) == (view, view)
    assert isinstance(info.value, LibyadataError)  # the command line prints it without a traceback
