"""Bytes and structure of one CSV file: UTF-8, BOM, line ends, header, ragged and blank rows.

The file's bytes were scanned once (``reading.scan``: hash, first CR, UTF-8) and it is
parsed once (``reading.parse``, every column as text); the rows pyarrow could not fit
are reported from its invalid-row handler's list, never found by a Python loop over the
file. Row numbers follow Frictionless: the header is row 1.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import Record
from . import _arrow as A
from . import ragged
from .reading import (
    MAX_BLOCK_SIZE,
    FileScan,
    Parsed,
    bare_quotes,
    encoding_errors,
    header_is_cut,
    parse,
    read_header,
)
from .report import Problem, Report
from .safety import Limits


@dataclass
class RawTable:
    """A table's cells as text, under the schema's field names, with their row numbers in the file."""

    file: str
    model: type[Record]
    table: pa.Table
    #: Record number (header = 1) of each table row; None means row i is record i + 2.
    rownum: np.ndarray | None = None
    fields: list[str] = field(default_factory=list)
    #: Record numbers of the rows that could not be read (ragged rows), ascending: their keys are unknown.
    unreadable: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

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

    def _lines_before(self, multiline: set[str]) -> np.ndarray:
        """Line feeds in the rows before each row (n + 1 values, the last the total)."""
        newlines = np.zeros(self.num_rows, dtype=np.int64)
        for name in multiline & set(self.table.column_names):
            col = self.table.column(name)
            if pa.types.is_dictionary(col.type):  # count once per distinct value
                counts = pa.chunked_array([pc.take(pc.count_substring(c.dictionary, "\n"), c.indices)
                                           for c in col.chunks], type=pa.int32())
            else:
                counts = pc.count_substring(col, "\n")
            newlines += A.numpy(A.fill_zero(counts))
        return np.concatenate([[0], np.cumsum(newlines)])

    def locate(self, report: Report, multiline: set[str]) -> None:
        """Fill the physical line and column of this file's problems (``multiline``: the columns with
        a cell holding a line feed, as the field checks found)."""
        mine = [p for p in report.problems if p.file == self.file and p.row is not None and p.line is None]
        if not mine:
            return
        numbers = self.rows(np.arange(self.num_rows))
        before = self._lines_before(multiline)
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




def check_line_ends(path: Path, rel: str, first_cr: int | None, report: Report) -> str | None:
    """Report CR LF or bare CR line ends (the scan found the first CR at ``first_cr``); return which."""
    if first_cr is None:
        return None
    with open(path, "rb") as f:
        head = f.read(first_cr + 2)
    line = head.count(b"\n", 0, first_cr) + 1
    kind = "CR LF" if head[first_cr + 1:first_cr + 2] == b"\n" else "a bare CR"
    report.add("line-ending", f"line {line} ends with {kind}: the package uses LF line ends only "
               "(convert the file with dos2unix or your editor)", file=rel, line=line)
    return kind


def report_encoding_errors(path: Path, rel: str, report: Report) -> None:
    for offset, line, bad, reason in encoding_errors(path):
        shown = " ".join(f"{b:02X}" for b in bad)
        report.add("encoding-error", f"invalid UTF-8 at byte {offset} (line {line}): the byte(s) {shown} are an "
                   f"{reason}; save the file as UTF-8", file=rel, line=line)


def report_bare_quotes(path: Path, rel: str, report: Report) -> list[Problem]:
    """The quotes not where RFC 4180 puts one (``reading.QuoteScan``), one error per line; returned."""
    added = []
    for line, group in itertools.groupby(bare_quotes(path), key=lambda found: found[1]):
        found = list(group)
        before = len(report.problems)  # a full report keeps no more: what is added is what is returned
        if found[0][4]:  # the count ends odd: a cell left open
            report.add("format-error", f"the quote at byte {found[0][0]} (line {line}) opens a cell that the file never "
                       "closes, so the rest of the file reads as that one cell: close it (write \"\" for a quote "
                       "inside a cell)", file=rel, line=line, cell=found[0][2])
            added.extend(report.problems[before:])
            continue
        opened = found[0][3]
        rest = found[1:] if opened is not None else found
        inside = ", ".join(str(offset) for offset, _, _, _, _ in rest)
        many = len(rest) > 1
        inside = f"the quote{'s' * many} at byte{'s' * many} {inside} (line {line}) {'are' if many else 'is'} inside " \
                 "a cell but not doubled" if rest else ""
        if opened is not None:
            what = (f"the quote at byte {found[0][0]} (line {line}) closes the quoted cell that the quote at byte "
                    f"{opened[0]} (line {opened[1]}) opens, and text follows it{', and ' + inside if inside else ''}: "
                    "one of the two is stray (delete it), or a quote inside that cell is not doubled (write it as "
                    '"")')
        else:
            what = inside + (': put the cell in quotes and write each quote inside it as "" (or, where it ends a cell, '
                             'the quote that opens the cell is missing)')
        report.add("format-error", what + "; as written, CSV readers cut the cell there or refuse the file (RFC 4180)",
                   file=rel, line=line, cell=found[0][2])
        added.extend(report.problems[before:])
    return added


def _lf_in_cells(table: pa.Table) -> pa.Table:
    """``table`` with the CR LF inside its multi-line cells as LF: a file saved with CR LF line ends
    has them there too, and that one fault is its line-ending error, not a control character per cell."""
    for i, name in enumerate(table.column_names):
        col = A.plain(table.column(i))  # a dictionary's values would no longer be distinct once replaced
        if A.any_true(A.fill(pc.match_substring(col, "\r\n"))):
            table = table.set_column(i, name, pc.replace_substring(col, "\r\n", "\n"))
    return table


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


def _stray_quotes(details: list[tuple[int, int, str]], texts: dict[int, str], width: int, last: int,
                  blank: np.ndarray) -> dict[int, tuple[int, int, int, int]]:
    """The rows a stray quote broke, each as (the row with the quote, the row where it closed, the quote's
    offset in the first, how many rows they are without it), from ``ragged.stray_quote``: looked for
    above each row with an odd number of quotes that the end of the file does not end, among the rows
    right above it that did not fit the header or are blank (``blank``: their numbers, ascending; the
    empty lines of a cut cell); ``texts``: the details' texts by row."""
    broken: dict[int, tuple[int, int, int, int]] = {}
    tried = 0
    for number, _, text in details:
        if not text.count('"') % 2 or number == last or number in broken or tried >= ragged.MAX_ROWS:
            continue
        tried += 1
        rows = [number]
        while len(rows) < ragged.STRAY_ROWS * 4 and sum(r in texts for r in rows) < ragged.STRAY_ROWS:
            above = rows[0] - 1
            if above in broken or not (above in texts or _holds(blank, above)):
                break
            rows.insert(0, above)
        found = ragged.stray_quote([texts.get(r, "") for r in rows], width)
        if found is not None:
            k, at, mended = found
            broken.update({r: (rows[k], number, at, mended) for r in rows[k:]})
    return broken


def _row_starts(raw: RawTable, details: list[tuple[int, int, str]]) -> np.ndarray:
    """The line each row starts on (row r at r - 2), from the line feeds in the cells of the rows read and
    in the text of those that were not (a row not detailed counts as one line)."""
    lines = np.ones(raw.num_rows + len(raw.unreadable), dtype=np.int64)
    lines[raw.rows(np.arange(raw.num_rows)) - 2] += np.diff(raw._lines_before(set(raw.table.column_names)))
    for number, _, text in details:
        lines[number - 2] += text.count("\n")
    return 2 + np.cumsum(lines) - lines


def _holds(sorted_values: np.ndarray, value: int) -> bool:
    i = int(np.searchsorted(sorted_values, value))
    return i < len(sorted_values) and int(sorted_values[i]) == value


def read_table(path: Path, rel: str, model: type[Record], scan: FileScan, report: Report,
               limits: Limits, parsed: Parsed | None = None) -> RawTable | None:
    """Parse one CSV file into a RawTable, reporting structural faults; None when unusable.

    ``scan`` is the file's byte scan: its line ends and encoding are judged from it, so
    a file that is not UTF-8 is reported (with the offsets of its bad bytes) and not parsed.
    ``parsed``: the parse already made (``reading.parse_ahead``, on Arrow's threads), used
    when the header has its width; otherwise the file is parsed here, serially.
    """
    fields = model.columns
    if scan.size > limits.csv_bytes:
        report.add("size-limit", f"{rel} has {scan.size} bytes, more than the {limits.csv_bytes} accepted; split "
                   "the contribution", file=rel)
        return None
    crlf = check_line_ends(path, rel, scan.first_cr, report) == "CR LF"
    try:
        labels, bom = read_header(path)
    except csv.Error as exc:  # a header label longer than the csv module's field limit (131072)
        report.add("size-limit", f"the header cannot be read: {str(exc)[:120]}; a label that long is not a "
                   "field name", file=rel, row=1)
        return None
    if bom:
        report.add("encoding-error", "the file starts with a UTF-8 byte order mark (EF BB BF); save it as UTF-8 "
                   "without BOM", file=rel, row=1)
    if not scan.utf8:
        report_encoding_errors(path, rel, report)
        return None
    quote_errors = report_bare_quotes(path, rel, report) if scan.first_bare_quote is not None else []
    if labels is None:
        report.add("missing-label", f"the file is empty; it needs the header {','.join(fields)}", file=rel, row=1)
        return None
    if len(labels) > limits.labels:
        count = f"{len(labels)} labels in its first MB alone (and goes on)" if header_is_cut(path) \
            else f"{len(labels)} labels"
        report.add("size-limit", f"the header has {count}, more than the {limits.labels} accepted; "
                   f"the table has {len(fields)} fields: {','.join(fields)}", file=rel, row=1)
        return None
    header_ok = check_labels(labels, fields, rel, report)
    if not labels:  # an empty first line: the missing labels are the fault, and no cell can be matched
        return None
    try:
        if parsed is not None and parsed.width == len(labels):
            if parsed.error is not None:
                raise parsed.error
            table, bad = parsed.table, parsed.bad
        else:
            table, bad = parse(path, len(labels))
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "straddl" in text or "block" in text:
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
    if not header_ok and width != len(fields):
        # The header is the fault: rows with the schema's cells are not each "missing" or "extra" one.
        report.file_stats(rel, rows=table.num_rows + len(bad), fields=width, bytes=scan.size)
        report.notes.append(f"{rel}: rows and cells not checked because of its header: it has {width} labels, "
                            f"the schema {len(fields)} fields")
        return None
    keep = table.select([f"c{i}" for i in range(min(width, len(fields)))]).rename_columns(present)
    if crlf:
        keep = _lf_in_cells(keep)
    # The serial parse numbers the rows in order: ascending already. A mask, not np.isin (which sorts
    # both arrays): 19M blank lines took 2.5 GB.
    unreadable = np.frombuffer(bad.numbers, dtype=np.int64) if len(bad) else np.empty(0, dtype=np.int64)
    raw = RawTable(rel, model, keep, None, present, unreadable)
    if len(bad):
        readable = np.ones(table.num_rows + len(bad), dtype=bool)
        readable[unreadable - 2] = False
        raw.rownum = np.flatnonzero(readable) + 2
    blank = A.blank_rows(table) if table.num_columns else None
    blank_numbers = raw.rows(A.indices(blank)) if blank is not None and A.any_true(blank) else raw.rows([])
    shown = looked = 0
    last = table.num_rows + len(bad) + 1  # the file's last record (header = 1)
    texts = {number: text for number, _, text in bad.details}
    strays = _stray_quotes(bad.details, texts, width, last, blank_numbers)
    quoted = set()  # rows that the quote errors, reported by line before the parse, explain
    quote_rows = set()  # rows with a quote error
    if quote_errors:
        starts = _row_starts(raw, bad.details)
        cells = {number: actual for number, actual, _ in bad.details}
        for i, p in enumerate(quote_errors):
            p.row = int(np.searchsorted(starts, p.line, side="right")) + 1
            if p.row in strays:  # the stray quote's error says it
                report.problems.remove(p)
                continue
            quote_rows.add(p.row)
            if i == 0:
                # The first quote out of place is where pyarrow's reading goes wrong: the broken and
                # blank rows that follow it from there are its doing (a typo in a paragraph cell
                # left a dozen short and blank rows), not faults of their own.
                number = p.row
                while number in texts or _holds(blank_numbers, number):
                    quoted.add(number)
                    number += 1
                # Above it, the lines of a multi-line cell whose opening quote went missing: blank rows
                # and rows of one cell (a row short of a comma has more, and keeps its error).
                number = p.row - 1
                while cells.get(number, 2) <= 1 or _holds(blank_numbers, number):
                    quoted.add(number)
                    number -= 1
            elif p.row in texts and ragged.doubled_mends(texts[p.row], width):
                quoted.add(p.row)
    for number, actual, text in bad.details:
        if not report.room():
            break  # the rest are counted below: a message per row of millions of short rows costs minutes
        shown += 1
        odd_quotes = text.count('"') % 2
        if number in quoted or (odd_quotes and number in quote_rows):
            pass  # the quote error of this row says it
        elif number in strays:
            first, through, at, mended = strays[number]
            if number == first:
                column = ragged.column_at(text, at)
                name = fields[column] if column < len(fields) else f"column {column + 1}"
                rows = f"{mended} row{'s' * (mended > 1)} of the header's {width} cells"
                joined = (f"opens a cell that a quote in row {through} closes, so rows {first}–{through} were read "
                          f"as {through - first + 1} broken rows (and the rows after them are numbered as read); "
                          f"without it they read as {rows}") if through > first else \
                    f"breaks the row; without it the row reads as the header's {width} cells"
                report.add("format-error", f"a stray quote in this cell (column {column + 1}) {joined}: delete it, "
                           'or put the cell in quotes and write the quote as ""', file=rel, row=number,
                           field=name if column < len(fields) else None, field_number=column + 1, cell=text)
        elif odd_quotes and number == last:
            # pyarrow ran an unclosed quote to the end of the file: every later row is inside that cell.
            report.add("format-error", "a quote opened in this row is never closed, so the rest of the file reads "
                       "as one cell; close the quote (write \"\" for a quote inside a cell)", file=rel, row=number,
                       cell=text)
        elif odd_quotes:
            # Rows follow it: the quotes pair up across rows, from a stray quote in this row or one above.
            report.add("format-error", "this row holds an odd number of quotes: a quote opened here or in a row "
                       "above closes in another row, so rows were joined or split; check the quotes from here up "
                       "(write \"\" for a quote inside a cell)", file=rel, row=number, cell=text)
        elif actual > width:
            report.add("extra-cell", f"the row has {actual} cells but the header has {width}; quote the cells "
                       "that contain commas", file=rel, row=number, field_number=width + 1, cell=text)
        else:
            at = None
            if header_ok and actual == width - 1 and looked < ragged.MAX_ROWS:
                looked += 1
                cells = ragged.cells_of(text)
                at = ragged.gap(model, cells) if cells is not None else None
            if at is not None and at < width - 1:
                report.add("missing-cell", f"the row has {actual} cells but the header has {width}: they fit the "
                           f"fields only if the cell of {fields[at]} (column {at + 1}) is the one missing; is a "
                           "comma left out next to it, or the cell itself?", file=rel, row=number, field=fields[at],
                           field_number=at + 1)
                continue
            missing = ", ".join(fields[j] if j < len(fields) else f"column {j + 1}" for j in range(actual, width))
            name = fields[actual] if actual < len(fields) else ""
            report.add("missing-cell", f"the row has {actual} cells but the header has {width}: {missing} "
                       "is missing (often a comma left out)", file=rel, row=number, field=name,
                       field_number=actual + 1)
    report.count_dropped(len(bad) - shown)
    report.file_stats(rel, rows=table.num_rows + len(bad), fields=width, bytes=scan.size)
    if len(blank_numbers):
        for r in blank_numbers:
            if int(r) not in strays and int(r) not in quoted:  # a line of a cell a quote cut: part of its error
                report.add("blank-row", "the row is blank; delete it", file=rel, row=int(r))
        raw.drop(blank)
    moved = [label for i, label in enumerate(labels) if label in fields and fields[i] != label]
    if not header_ok and moved:
        # A header that names a field in another column (columns reordered): the cells' checks against
        # the fields of the columns they are not in would be a phantom error per cell.
        report.notes.append(f"{rel}: cell checks skipped because of its header: it names "
                            f"{', '.join(map(repr, moved[:3]))} in another column than the schema's (are the "
                            f"columns reordered? they must be {','.join(fields)})")
        return None
    return raw
