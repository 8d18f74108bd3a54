"""libyadata.csvio: the package's one CSV dialect, read by the standard library and by pyarrow alike."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from libyadata import csvio
from libyadata.errors import DataError

CELLS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.lists(st.tuples(CELLS, CELLS), max_size=6))
@example([("a,b", 'say "hi"')])
@example([("two\nlines", "\r")])  # a bare CR is quoted (Python < 3.11.9 wrote it bare)
@example([("", "")])
def test_written_rows_read_back_the_same(pairs):
    rows = [{"id": a, "note": b} for a, b in pairs]
    data = csvio.to_csv_bytes(["id", "note"], rows)
    assert data.split(b"\n", 1)[0] == b"id,note"  # no BOM, LF after the header
    header, back = csvio.parse_rows(io.StringIO(data.decode("utf-8"), newline=""), "x.csv")
    assert header == ["id", "note"] and back == rows


@given(st.lists(st.tuples(CELLS.filter(bool), CELLS.filter(bool)), min_size=1, max_size=6))
@example([("a", "two\nlines")])
def test_the_arrow_reader_reads_what_the_standard_library_reads(tmp_path_factory, pairs):
    rows = [{"id": a, "note": b} for a, b in pairs]
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(csvio.to_csv_bytes(["id", "note"], rows))
    table = csvio.read_arrow(path, columns=["id", "note"])
    assert table.to_pylist() == csvio.read_rows(path)[1]


def test_the_arrow_reader_can_replace_the_header_and_keep_ragged_rows_aside(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"whatever,labels\na,b\nc,d,e\n,\n")
    bad = []
    table = csvio.read_arrow(path, ["c0", "c1"], lambda row: bad.append(row.number) or "skip")
    assert table.to_pylist() == [{"c0": "a", "c1": "b"}, {"c0": None, "c1": None}]  # empty cells are null
    assert bad == [3]


def test_a_ragged_row_is_named():
    with pytest.raises(DataError) as exc:
        csvio.parse_rows(io.StringIO("a,b\n1,2\n3\n", newline=""), "data/x.csv")
    assert exc.value.file == "data/x.csv" and exc.value.row == 3 and "expected 2 cells" in str(exc.value)


@pytest.mark.parametrize("before", [0, 9_000, 70_000])
def test_bytes_that_are_not_utf8_are_reported_at_their_offset_in_the_file(tmp_path, before):
    data = b"id,note\n" + b"a,%s\n" % (b"\xc3\xa9" * (before // 2)) + b"b,caf\xe9\n"
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as err:
        csvio.read_rows(path)
    assert err.value.start == data.index(b"\xe9\n")


def test_atomic_write_replaces_or_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "t.csv"
    csvio.atomic_write(path, b"old\n")
    assert path.read_bytes() == b"old\n"
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        csvio.atomic_write(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in path.parent.iterdir()] == ["t.csv"]  # no temporary file left behind
