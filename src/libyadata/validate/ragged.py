"""Why a row does not fit the header: which field a row one cell short lacks, which stray quote joined rows.

Which field: its cells are tried against the fields, shifted at each place.

A comma left out (or a cell left out) moves every later cell one field to the left, where most
of them break their field's type, vocabulary or pattern. Placing the gap at each column in turn
and checking the cells with the field checks themselves (``columns.check_field``, the one
definition of each rule) finds the one place after which every cell fits, when there is one.

>>> import csv
>>> from libyadata import models
>>> from libyadata.resources import datapackage_dir
>>> with open(datapackage_dir() / "data" / "events.csv", encoding="utf-8", newline="") as f:
...     header, row = list(csv.reader(f))[:2]
>>> short = row[:4] + row[5:]  # the cell of the fifth field, country, left out
>>> header[gap(models.Event, short)]
'country'
"""

from __future__ import annotations

import csv
import io

import pyarrow as pa

from ..csvio import parse_rows
from ..models import Record
from .reading import QuoteScan

#: Rows of a table whose gap is looked for (each costs one check of every field over a few rows).
MAX_ROWS = 20
#: A stray quote is looked for in at most this many broken rows above the row where it closes, ...
STRAY_ROWS = 4
#: ... among at most this many quotes (the latest first), in at most this many characters of rows.
STRAY_QUOTES = 40
STRAY_CHARS = 65536


def gap(model: type[Record], cells: list[str]) -> int | None:
    """The position of the one field whose cell ``cells`` (one fewer than the fields) lacks, if only
    one placing of the gap lets every other cell pass its field's checks; else None."""
    from .columns import check_field, field_specs
    from .report import Report
    from .structure import RawTable

    fields = list(model.columns)
    if len(cells) != len(fields) - 1:
        return None
    # Candidate j: the cell of field j is missing; cells[:j] are fields[:j], cells[j:] are fields[j + 1:].
    rows = [cells[:j] + [None] + cells[j:] for j in range(len(fields))]
    table = pa.table({f: pa.array([r[i] if r[i] != "" else None for r in rows], pa.string())
                      for i, f in enumerate(fields)})
    raw = RawTable("gap", model, table, None, fields)
    report = Report("gap")
    for spec in field_specs(model):
        check_field(report, raw, spec)
    faulty = {p.row - 2 for p in report.problems if p.row is not None and p.field != fields[p.row - 2]}
    fits = [j for j in range(len(fields)) if j not in faulty]
    return fits[0] if len(fits) == 1 else None


def cells_of(text: str) -> list[str] | None:
    """The cells of one CSV record as written (None when it is not one record)."""
    from ..errors import DataError

    try:
        cells, more = parse_rows(io.StringIO(text, newline=""), "row")
    except (csv.Error, DataError):  # a cell over the csv module's field limit (131072); rows of other widths
        return None
    return cells if cells and not more else None


def stray_quote(texts: list[str], width: int) -> tuple[int, int, int] | None:
    """The quote at the start of a cell whose removal makes ``texts`` (consecutive rows as written, the
    last one holding an odd number of quotes) read as rows of ``width`` cells: (which row, offset in
    it, how many rows they then are), the latest row first.

    A stray quote opens a cell that a quote rows below closes: the rows between are joined and split.

    >>> # x,"y<LF>z",w with a quote typed before x: read as '"x,"y' (1 cell) and 'z",w' (2 cells)
    >>> stray_quote(['"x,"y', 'z",w'], 3)
    (0, 0, 1)
    >>> stray_quote(['x,y', 'z",w'], 3) is None  # no quote to blame: a cell is missing above
    True
    """
    if sum(map(len, texts)) > STRAY_CHARS:
        return None
    tried = 0
    for k in range(len(texts) - 1, -1, -1):
        row = texts[k]
        # Only a quote at the start of a cell opens one: a quote removed elsewhere can mend the rows only
        # by making up for another fault (a comma left out below), and would be blamed wrongly.
        for i in (i for i, c in enumerate(row) if c == '"' and (i == 0 or row[i - 1] in ",\n")):
            if tried == STRAY_QUOTES:
                return None
            tried += 1
            try:
                records = list(csv.reader(io.StringIO("\n".join([row[:i] + row[i + 1:], *texts[k + 1:]]), newline="")))
            except csv.Error:
                continue
            if records and all(len(r) == width for r in records):
                return k, i, len(records)
    return None


def column_at(text: str, offset: int) -> int:
    """The column (0-based) of the cell of one row as written, ``text``, that character ``offset`` is in.

    >>> column_at('a,"b,c",d', 8)
    2
    """
    try:
        records = list(csv.reader(io.StringIO(text[:offset], newline="")))
    except csv.Error:
        return 0
    return len(records[-1]) - 1 if records else 0


def doubled_mends(text: str, width: int) -> bool:
    """Whether one row as written, ``text``, reads as ``width`` cells once the quotes ``QuoteScan`` finds
    in it are doubled: then those quotes alone made it short or long.

    >>> doubled_mends('a,"say "no, thanks" now"', 2), doubled_mends('a"b,"say "no" now"', 3)
    (True, False)
    """
    data = text.encode("utf-8")
    quotes = QuoteScan(limit=STRAY_QUOTES)
    quotes.feed(memoryview(data), 0)
    for at, _ in reversed(quotes.found):
        data = data[:at] + b'"' + data[at:]
    return (cells := cells_of(data.decode("utf-8"))) is not None and len(cells) == width
