"""``libyadata.errors``: what each error says, what it keeps, what catches it, and how the CLI shows it.

A DataError's text names the file, row and field it has (row 0 included), in that order, before
what was expected; UnknownTable reads as its message though it is a KeyError; MissingDependency
names the package and the extra to install. The CLI prints any of them as one inert line with
exit status 2, and anything else as an internal error that asks for a report.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import pytest

import libyadata.commands.info
from libyadata import cli, models, plot, tables
from libyadata.downloads import DownloadError
from libyadata.errors import DataError, GitMissing, LibyadataError, MissingDependency, UnknownTable
from libyadata.versions import BumpRefused


@pytest.mark.parametrize("where, shown", [
    ({}, "must be a slug"),
    ({"file": "data/actors.csv"}, "data/actors.csv: must be a slug"),
    ({"row": 3}, "row 3: must be a slug"),
    ({"row": 0}, "row 0: must be a slug"),  # row 0 is a row, not a missing one
    ({"field": "actor_id"}, "field actor_id: must be a slug"),
    ({"file": "data/actors.csv", "row": 1}, "data/actors.csv, row 1: must be a slug"),
    ({"file": "data/actors.csv", "field": "actor_id"}, "data/actors.csv, field actor_id: must be a slug"),
    ({"row": 7, "field": "actor_id"}, "row 7, field actor_id: must be a slug"),
    ({"file": "", "row": None, "field": ""}, "must be a slug"),  # empty parts are left out, not shown as ", "
])
def test_a_data_error_names_the_parts_it_has_in_order(where, shown):
    err = DataError("must be a slug", **where)
    assert str(err) == shown and err.args == (shown,)


def test_a_data_error_keeps_its_parts_apart_from_its_text():
    err = DataError("expected one of person, organisation", file="data/actors.csv", row=2, field="kind")
    assert (err.message, err.file, err.row, err.field) == (
        "expected one of person, organisation", "data/actors.csv", 2, "kind")


def test_where_parts_are_keyword_only():
    # A positional file would be silently taken for something else: the signature forbids it.
    with pytest.raises(TypeError):
        DataError("must be a slug", "data/actors.csv")  # type: ignore[misc]


def test_every_error_is_caught_as_a_libyadata_error():
    for err in (DataError("x"), UnknownTable("x"), MissingDependency("polars", "polars")):
        with pytest.raises(LibyadataError):
            raise err
    assert issubclass(UnknownTable, KeyError)  # code that catches KeyError for a mapping still works


@pytest.mark.parametrize("err", [
    DataError("must be a slug", file="data/actors.csv", row=3, field="actor_id"),
    DataError("x"),
    UnknownTable("no table 'evnts'"),
    MissingDependency("polars", "polars"),
    DownloadError("events.parquet", "http://127.0.0.1/x", "HTTP 404"),
    BumpRefused("a patch is not enough", ["rows removed"]),
    GitMissing("git is not installed"),
], ids=lambda e: type(e).__name__)
def test_an_error_survives_pickling_with_its_text_and_its_parts(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err) and back.args == err.args
    assert vars(back) == vars(err)


def test_an_unknown_table_reads_as_its_message_not_as_a_key():
    with pytest.raises(KeyError) as err:
        models.model_of("evnts")
    assert isinstance(err.value, UnknownTable)
    # KeyError's own str() would quote the whole message: "\"no table 'evnts'; ...\""
    assert str(err.value) == f"no table 'evnts'; tables: {', '.join(models.TABLES)}"
    assert str(KeyError("no table")) == "'no table'"


@pytest.mark.parametrize("module, extra, needs", [
    ("polars", "polars", lambda: tables.polars("events")),
    ("pandas", "pandas", lambda: tables.pandas("events")),
    ("matplotlib", "plot", plot._matplotlib),  # an extra named apart from its package
])
def test_a_missing_extra_names_the_package_and_the_install_line(monkeypatch, module, extra, needs):
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError; nothing is imported
    with pytest.raises(MissingDependency) as err:
        needs()
    assert (err.value.module, err.value.extra) == (module, extra)
    assert str(err.value) == f"this needs the '{module}' package: pip install 'libyadata[{extra}]'"


# --- how the CLI shows them --------------------------------------------------------------


def _package(root: Path, lines: str) -> Path:
    (root / "data").mkdir(parents=True)
    desc = {"name": "p", "version": "1.0.0", "resources": [{
        "name": "items", "path": "data/items.csv",
        "schema": {"fields": [{"name": "id", "type": "string"}, {"name": "size", "type": "integer"}],
                   "primaryKey": "id"}}]}
    (root / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    (root / "data" / "items.csv").write_text("id,size\n" + lines, encoding="utf-8")
    return root


def test_a_real_data_error_is_one_line_with_file_row_and_field(tmp_path, capsys):
    old = _package(tmp_path / "old", "a,1\nb,2\n")
    new = _package(tmp_path / "new", "a,1\nb,2\nb,02\n")
    assert cli.main(["diff", str(old), str(new)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "libyadata diff: error: data/items.csv, row 4, field id: duplicate primary key b\n"


@pytest.mark.parametrize("error, line", [
    (DataError("must be a slug", file="data/actors.csv", row=3, field="actor_id"),
     "libyadata info: error: data/actors.csv, row 3, field actor_id: must be a slug"),
    (UnknownTable("no table 'x'; tables: sources"), "libyadata info: error: no table 'x'; tables: sources"),
    (MissingDependency("polars", "polars"),
     "libyadata info: error: this needs the 'polars' package: pip install 'libyadata[polars]'"),
    # A contributed field name cannot start a workflow command or recolour the terminal.
    (DataError("bad", file="data/x.csv", field="id\n::error::forged\x1b[2J"),
     "libyadata info: error: data/x.csv, field id\\x0a::error::forged\\x1b[2J: bad"),
    (LibyadataError("plain"), "libyadata info: error: plain"),
])
def test_the_cli_shows_each_error_as_one_inert_line(monkeypatch, capsys, error, line):
    def run(args):
        raise error

    monkeypatch.setattr(libyadata.commands.info, "run", run)
    monkeypatch.delenv("LIBYADATA_DEBUG", raising=False)
    assert cli.main(["info"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", line + "\n")


def test_any_other_exception_is_an_internal_error_that_asks_for_a_report(monkeypatch, capsys):
    def run(args):
        raise ValueError("boom\nline two")

    monkeypatch.setattr(libyadata.commands.info, "run", run)
    monkeypatch.delenv("LIBYADATA_DEBUG", raising=False)
    assert cli.main(["info"]) == 2
    assert capsys.readouterr().err == (
        "libyadata info: internal error: ValueError: boom\\x0aline two\n"
        "This is a bug in libyadata; rerun with LIBYADATA_DEBUG=1 to see the traceback and report it.\n")
    monkeypatch.setenv("LIBYADATA_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):  # the traceback it promises
        cli.main(["info"])
