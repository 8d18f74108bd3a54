"""Bytes and structure of one CSV file: UTF-8, BOM, line ends, header, ragged and blank rows.

The file is parsed once (``reading.parse``, every column as text); the rows pyarrow
could not fit are reported from its invalid-row handler's list, never found by a
Python loop over the file. Row numbers follow Frictionless: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import Record
from . import _arrow as A
from .reading import MAX_BLOCK_SIZE, Prefetch, parse, read_header
from .report import Report
from .safety import Limits

#: At most this many bad byte sequences are listed per file.
MAX_ENCODING_ERRORS = 20


@dataclass
class RawTable:
    """A table's cells as text, under the schema's field names, with their row numbers in the file."""

    file: str
    model: type[Record]
    table: pa.Table
    #: Record number (header = 1) of each table row; None means row i is record i + 2.
    rownum: np.ndarray | None = None
    fields: list[str] = field(default_factory=list)
    #: Columns with a cell holding a line feed (found by the hygiene checks).
    multiline: set[str] = field(default_factory=set)
    #: Normalised key columns, computed once (see keys.normalized).
    keys: dict[tuple[str, ...], Any] = field(default_factory=dict)
    #: Repetitive columns as distinct values and row codes (columns.Cells, from the field checks).
    cells: dict[str, Any] = field(default_factory=dict)
    #: Integer codes of normalised key fields (equal ids, equal codes; -1 empty), computed once.
    key_codes: dict[str, np.ndarray] = field(default_factory=dict)
    #: Each column's columns.Cells (repetitive or not) as a Future, made once by the first check that asks.
    distinct: dict[str, Any] = field(default_factory=dict)
    #: Line feeds in the rows before each row (n + 1 values, the last the total), once computed.
    lines_before: np.ndarray | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    def rows(self, idx: np.ndarray) -> np.ndarray:
        """Record numbers (as in the file, header = 1) of table rows ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        return self.rownum[idx] if self.rownum is not None else idx + 2

    def drop(self, mask: pa.ChunkedArray | pa.Array) -> None:
        """Remove rows already reported as a whole (blank rows), keeping numbering."""
        keep = pc.invert(mask)
        numbers = self.rows(np.arange(self.num_rows))
        self.rownum = numbers[A.indices(keep)]
        self.table = self.table.filter(keep)

    def slim(self, fields: tuple[str, ...]) -> RawTable:
        """This table reduced to its columns up to the last of ``fields``: enough to word and locate
        problems of those fields found after the rest of the table is freed."""
        last = max(self.fields.index(f) for f in fields)
        keep = self.fields[:last + 1]
        out = RawTable(self.file, self.model, self.table.select(keep), self.rownum, list(keep))
        out.lines_before = self._lines_before()
        out.multiline = self.multiline & set(keep)
        out.cells = {k: v for k, v in self.cells.items() if k in keep}
        return out

    def _lines_before(self) -> np.ndarray:
        """Line feeds before each row (computed once: only after the checks, which find the multi-line columns)."""
        if self.lines_before is not None:
            return self.lines_before
        newlines = np.zeros(self.num_rows, dtype=np.int64)
        for name in self.multiline & set(self.table.column_names):
            cells = self.cells.get(name)
            if cells is not None:  # count once per distinct value
                counts = pc.take(pc.count_substring(cells.values, "\n"), cells.codes)
            else:
                counts = pc.count_substring(self.table.column(name), "\n")
            newlines += A.numpy(A.fill_zero(counts))
        self.lines_before = np.concatenate([[0], np.cumsum(newlines)])
        return self.lines_before

    def locate(self, report: Report) -> None:
        """Fill the physical line and column of this file's problems (cells may span lines)."""
        mine = [p for p in report.problems if p.file == self.file and p.row is not None and p.line is None]
        if not mine:
            return
        numbers = self.rows(np.arange(self.num_rows))
        before = self._lines_before()
        for p in mine:
            i = int(np.searchsorted(numbers, p.row))
            if i >= len(numbers) or numbers[i] != p.row:
                p.line = p.row + int(before[i])
                continue
            line, col = p.row + int(before[i]), 1
            if p.field in self.fields:
                j = self.fields.index(p.field)
                for k in range(j):
                    cell = self.table.column(k)[i].as_py() or ""
                    text = _quoted(cell) + ","
                    if "\n" in text:
                        line += text.count("\n")
                        col = len(text) - text.rfind("\n")
                    else:
                        col += len(text)
            p.line, p.col = line, col


def _quoted(cell: str) -> str:
    if any(c in cell for c in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def first_cr(path: Path) -> int | None:
    """Offset of the first CR byte, scanning with memchr through one reused 1 MB buffer.

    (A new bytes object per chunk costs page faults: twice the time at 270 MB.)
    """
    offset = 0
    buf = bytearray(1 << 20)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            i = buf.find(b"\r", 0, n)
            if i >= 0:
                return offset + i
            offset += n
    return None


def check_line_ends(path: Path, rel: str, first_cr: int | None, report: Report) -> None:
    """Report CR LF or bare CR line ends (found by the byte scan at ``first_cr``)."""
    if first_cr is None:
        return
    with open(path, "rb") as f:
        head = f.read(first_cr + 2)
    line = head.count(b"\n", 0, first_cr) + 1
    kind = "CR LF" if head[first_cr + 1:first_cr + 2] == b"\n" else "a bare CR"
    report.add("line-ending", f"line {line} ends with {kind}: the package uses LF line ends only "
               "(convert the file with dos2unix or your editor)", file=rel)


def encoding_errors(path: Path, rel: str, report: Report) -> int:
    """Report the byte offsets of invalid UTF-8 in a file that failed to parse; returns how many."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line, found = 0, 1, 0
    with open(path, "rb") as f:
        while found < MAX_ENCODING_ERRORS:
            chunk = f.read(1 << 20)
            final = not chunk
            pos = 0
            while True:
                try:
                    decoder.decode(chunk[pos:], final)
                    break
                except UnicodeDecodeError as exc:
                    # exc.start counts from the decoder's buffered bytes plus this slice.
                    buffered = len(exc.object) - len(chunk[pos:])
                    bad = offset + pos + exc.start - buffered
                    line_at = line + chunk.count(b"\n", 0, max(0, pos + exc.start - buffered))
                    report.add("encoding-error", f"invalid UTF-8 at byte {bad} (line {line_at}): "
                               f"{exc.object[exc.start:exc.end]!r} {exc.reason}; save the file as UTF-8",
                               file=rel)
                    found += 1
                    decoder.reset()
                    pos = max(pos + exc.end - buffered, pos + 1)
                    if found >= MAX_ENCODING_ERRORS:
                        break
            if final:
                break
            line += chunk.count(b"\n")
            offset += len(chunk)
    return found


def check_labels(labels: list[str], fields: tuple[str, ...], rel: str, report: Report) -> bool:
    """Frictionless' label checks; True when the header is exactly the schema's fields."""
    ok = True
    for i, label in enumerate(labels):
        if i >= len(fields):
            report.add("extra-label", f"column {i + 1} {label!r} is not a field of the schema; the header must be "
                       f"{','.join(fields)}", file=rel, row=1, field=label or None, field_number=i + 1)
            ok = False
        elif label != fields[i]:
            ok = False
            if label in labels[:i]:
                report.add("duplicate-label", f"label {label!r} in column {i + 1} repeats column "
                           f"{labels.index(label) + 1}; the schema's field there is {fields[i]!r}",
                           file=rel, row=1, field=fields[i], field_number=i + 1)
            else:
                report.add("incorrect-label", f"column {i + 1} is labelled {label!r} but the schema's field there "
                           f"is {fields[i]!r}", file=rel, row=1, field=fields[i], field_number=i + 1)
    for i in range(len(labels), len(fields)):
        report.add("missing-label", f"the header lacks field {fields[i]!r} (column {i + 1}); it must be "
                   f"{','.join(fields)}", file=rel, row=1, field=fields[i], field_number=i + 1)
        ok = False
    return ok


def read_table(path: Path, rel: str, model: type[Record], report: Report, limits: Limits,
               prefetch: Prefetch | None = None, line_ends: bool = True) -> RawTable | None:
    """Parse one CSV file into a RawTable, reporting structural faults; None when unusable.

    ``prefetch`` may hold the file's parse already (see Prefetch). ``line_ends=False``
    leaves the line-end check to the caller, whose hashing pass finds the CR bytes.
    """
    fields = model.columns
    size = os.path.getsize(path)
    if size > limits.csv_bytes:
        report.add("size-limit", f"{rel} has {size} bytes, more than the {limits.csv_bytes} accepted; split the "
                   "contribution", file=rel)
        return None
    if line_ends:
        check_line_ends(path, rel, first_cr(path), report)
    try:
        labels, bom, _ = read_header(path)
    except csv.Error as exc:  # a header label longer than the csv module's field limit (131072)
        report.add("size-limit", f"the header cannot be read: {str(exc)[:120]}; a label that long is not a "
                   "field name", file=rel, row=1)
        return None
    if bom:
        report.add("encoding-error", "the file starts with a UTF-8 byte order mark (EF BB BF); save it as UTF-8 "
                   "without BOM", file=rel, row=1)
    if labels is None:
        report.add("missing-label", f"the file is empty; it needs the header {','.join(fields)}", file=rel, row=1)
        return None
    if len(labels) > limits.labels:
        report.add("size-limit", f"the header has {len(labels)} labels, more than the {limits.labels} accepted; "
                   f"the table has {len(fields)} fields: {','.join(fields)}", file=rel, row=1)
        return None
    header_ok = check_labels(labels, fields, rel, report)
    try:
        ahead = prefetch.take(rel, len(labels)) if prefetch is not None else None
        table, bad = ahead if ahead is not None else parse(path, len(labels), threads=True)
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if encoding_errors(path, rel, report):
            pass
        elif "straddl" in text or "block" in text:
            report.add("size-limit", f"a row is longer than {MAX_BLOCK_SIZE} bytes; refused", file=rel)
        else:
            report.add("format-error", f"the file cannot be parsed as CSV: {text}", file=rel)
        return None
    if table.num_rows + len(bad) > limits.rows:
        report.add("size-limit", f"{rel} has {table.num_rows + len(bad)} rows, more than the {limits.rows} "
                   "accepted; split the contribution", file=rel)
        return None
    width = len(labels)
    present = list(fields[:width])
    for number, actual, text in bad:
        if text.count('"') % 2:
            # pyarrow ran an unclosed quote to the end of the file: every later row is inside that cell.
            report.add("format-error", "a quote opened in this row is never closed, so the rest of the file reads "
                       "as one cell; close the quote (write \"\" for a quote inside a cell)", file=rel, row=number,
                       cell=text)
        elif actual > width:
            for j in range(width, actual):
                report.add("extra-cell", f"row has {actual} cells but the header has {width}; quote cells that "
                           "contain commas", file=rel, row=number, field_number=j + 1,
                           cell=text)
        else:
            for j in range(actual, width):
                name = fields[j] if j < len(fields) else ""
                report.add("missing-cell", f"row has {actual} cells but the header has {width}; "
                           f"missing: {name or f'column {j + 1}'}", file=rel, row=number, field=name,
                           field_number=j + 1)
    keep = table.select([f"c{i}" for i in range(min(width, len(fields)))]).rename_columns(present)
    raw = RawTable(rel, model, keep, None, present)
    if bad:
        skipped = np.array(sorted(n for n, _, _ in bad), dtype=np.int64)
        numbers = np.arange(2, table.num_rows + len(bad) + 2, dtype=np.int64)
        raw.rownum = numbers[~np.isin(numbers, skipped)]
    report.file_stats(rel, rows=table.num_rows + len(bad), fields=width, bytes=size)
    if table.num_columns:
        blank = None
        for col in table.columns:
            blank = col.is_null() if blank is None else pc.and_(blank, col.is_null())
        if A.any_true(blank):
            for r in raw.rows(A.indices(blank)):
                report.add("blank-row", "row is blank; delete it", file=rel, row=int(r))
            raw.drop(blank)
    if not header_ok and width != len(fields):
        # Cells cannot be matched to fields when the header has another width.
        report.notes.append(f"{rel}: cell checks skipped because the header does not match the schema")
        return None
    return raw
