"""A package file's bytes, read once: size, hash, first CR, strict UTF-8; and its parse as text columns.

``scan`` reads every byte of a file once (``libyadata.hashing``) and on the way finds
its first CR byte and whether it is strict UTF-8 (Python's decoder, chunk by chunk),
so that an encoding fault anywhere, the first bytes included, is found before the CSV
parse; ``encoding_errors`` then names the bad bytes. ``parse`` reads the CSV with the
package's dialect (``libyadata.csvio.read_arrow``), every column as text, those whose
values repeat (``repeating``) as distinct values and row codes.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import sys
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..csvio import head_arrow, read_arrow
from ..hashing import file_digest
from ._arrow import any_true, blank_rows
from .report import HARD_LIMIT

BOM = b"\xef\xbb\xbf"
#: Each block becomes one chunk of every column: 256 KB blocks used 20% less memory to parse
#: but made four times the chunks, and the checks of 1M rows took 0.3 s longer.
BLOCK_SIZE = 2**20
#: A row must fit in one block: a file with a longer row is read again with blocks this large,
#: and rows longer than this are refused.
MAX_BLOCK_SIZE = 16 * 2**20
#: Bytes given to the UTF-8 decoder at once by ``scan``.
DECODE_BYTES = 2**18
#: Rows that do not fit the header whose cells and text are kept: no more are reported (``report.HARD_LIMIT``).
DETAILED = HARD_LIMIT
#: At most this many bad byte sequences, or quotes not doubled, are listed per file.
MAX_ENCODING_ERRORS = 20
#: Rows sampled to decide whether a column is held, and tested, per distinct value (``repeats``).
SAMPLE_ROWS = 16384


@dataclass(frozen=True)
class FileScan:
    """What one read of a file's bytes found."""

    size: int
    #: Hex digest with the algorithm asked for (sha256 unless a descriptor says md5).
    digest: str
    #: Offset of the first CR byte, None when there is none.
    first_cr: int | None
    utf8: bool
    #: Offset of the first quote not where RFC 4180 puts one (QuoteScan).
    first_bare_quote: int | None = None


_QUOTE = ord('"')
_BOM = b"\xef\xbb\xbf"
#: The bytes next to which a quote opens or closes a cell, or is one of a doubled pair.
_QUOTE_NEIGHBOURS = np.zeros(256, dtype=bool)
_QUOTE_NEIGHBOURS[[_QUOTE, ord(","), ord("\n"), ord("\r")]] = True


class QuoteScan:
    """The quotes of a CSV file that are not where RFC 4180 puts one, fed chunk by chunk.

    In a file that follows RFC 4180 every quote opens a quoted cell, closes it, or is one of a
    doubled pair inside it, so the quotes alternate: an even one (counting from 0) enters the
    quoted state and has a comma, a line end, a quote or the start of the file before it; an odd
    one leaves it and has a comma, a line end, a quote or the end of the file after it. The first
    quote that breaks this is found (``opened``: for an odd one, the quote that opened its cell,
    where a stray quote may sit); after it the count can no longer be trusted, and only quotes with
    text on both sides (``"say "no" now"``, ``x"y``: not doubled wherever they are) are found.
    pyarrow and Python's csv read such cells cut or joined without a word; a strict reader refuses
    the file. A UTF-8 byte order mark does not count as text.

    >>> q = QuoteScan(limit=5)
    >>> q.feed(memoryview(b'a,"say "no'), 0); q.feed(memoryview(b'" now",b\\n'), 10)
    >>> q.found  # the cell that opens at 2 closes at 7, and a quote with text on both sides at 10
    [(7, 2), (10, None)]
    >>> q = QuoteScan(limit=5)  # a quote typed before x: the quote that opens "y,z" closes its cell
    >>> q.feed(memoryview(b'"x,"y,z",w\\n'), 0)
    >>> q.found[0]
    (3, 0)
    >>> q = QuoteScan(limit=5)  # a quote at the file's end: judged by finish(), as a quote left open is
    >>> q.feed(memoryview(b'a,"x\\n'), 0); q.finish()
    >>> q.found, q.unclosed
    ([], 2)
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        #: (offset, the offset of the quote that opened the cell this one closes too early, or None).
        self.found: list[tuple[int, int | None]] = []
        self._count = 0  # quotes before this chunk
        self._last = ord("\n")  # the byte before this chunk: the file's start is a line start
        self._previous_quote: int | None = None
        #: The last chunk's last byte was a quote: (its offset, its index, a neighbour before it, the quote before).
        self._pending: tuple[int, int, bool, int] | None = None
        #: After ``finish``: the quote that opens a cell the file never closes (an odd count, nothing found before).
        self.unclosed: int | None = None

    def _judge(self, at: np.ndarray, index: np.ndarray, before_ok: np.ndarray, after_ok: np.ndarray,
               opened: np.ndarray) -> None:
        bad = ~before_ok & ~after_ok
        if not self.found:  # the count is still right: the alternation is checked too
            wrong = np.where(index % 2 == 0, ~before_ok, ~after_ok)
            if wrong.any():
                i = int(np.argmax(wrong))
                self.found.append((int(at[i]), int(opened[i]) if index[i] % 2 and opened[i] >= 0 else None))
                bad[:i + 1] = False
        for i in np.flatnonzero(bad)[:self.limit - len(self.found)]:
            self.found.append((int(at[i]), None))

    def _judge_pending(self, after_ok: bool) -> None:
        """The last chunk's last quote, now that the byte after it (or the file's end) is known."""
        if self._pending is not None:
            at, index, before_ok, opened = self._pending
            self._judge(np.array([at]), np.array([index]), np.array([before_ok]), np.array([after_ok]),
                        np.array([opened]))
            self._pending = None

    def finish(self) -> None:
        """The end of the file: the end after its last byte, and the count's last word."""
        self._judge_pending(True)
        if not self.found and self._count % 2:
            self.unclosed = self._previous_quote  # the last quote, an even one: it opened a cell

    def feed(self, chunk: memoryview, offset: int) -> None:
        a = np.frombuffer(chunk, dtype=np.uint8)
        if not len(a) or len(self.found) >= self.limit:
            return
        while offset < len(_BOM) and len(a) and a[0] == _BOM[offset] and self._count == 0:
            a, offset = a[1:], offset + 1  # a byte order mark (the file's encoding error) is no text before a quote
        if not len(a):
            return
        self._judge_pending(bool(_QUOTE_NEIGHBOURS[a[0]]))
        q = np.flatnonzero(a == _QUOTE)
        if len(q):
            before_ok = _QUOTE_NEIGHBOURS[np.where(q > 0, a[q - 1], self._last)]
            index = self._count + np.arange(len(q))
            at = offset + q
            opened = np.concatenate([[self._previous_quote if self._previous_quote is not None else -1], at[:-1]])
            last_byte = q[-1] == len(a) - 1
            judged = len(q) - 1 if last_byte else len(q)
            # The byte after the chunk's last one is not read yet: that quote is judged with the next chunk.
            after_ok = _QUOTE_NEIGHBOURS[a[np.minimum(q[:judged] + 1, len(a) - 1)]]
            self._judge(at[:judged], index[:judged], before_ok[:judged], after_ok, opened[:judged])
            if last_byte:
                self._pending = (int(at[-1]), int(index[-1]), bool(before_ok[-1]), int(opened[-1]))
            self._count += len(q)
            self._previous_quote = int(at[-1])
        self._last = int(a[-1])


def scan(path: Path, algorithm: str = "sha256") -> FileScan:
    """Size, digest, first CR, UTF-8 validity and first quote not doubled of a file, from one read.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d, "t.csv"); _ = p.write_bytes(b"a,b\\r\\n\\x80")
    ...     s = scan(p)
    >>> s.size, s.first_cr, s.utf8, s.first_bare_quote
    (6, 3, False, None)
    """
    first_cr: int | None = None
    valid = True
    quotes = QuoteScan(limit=1)
    # The incremental decoder keeps a character cut at a chunk's end for the next chunk.
    decoder = codecs.getincrementaldecoder("utf-8")()

    def each(chunk: memoryview, offset: int) -> None:
        nonlocal first_cr, valid
        if first_cr is None and (i := chunk.obj.find(b"\r", 0, len(chunk))) >= 0:
            first_cr = offset + i
        quotes.feed(chunk, offset)
        # Decoded a quarter of a chunk at a time: the text made (and dropped) stays small enough to
        # be reused rather than mapped afresh (1 MB at a time took 30% longer, in page faults).
        for at in range(0, len(chunk), DECODE_BYTES):
            if not valid:
                break
            try:
                decoder.decode(chunk[at:at + DECODE_BYTES])
            except UnicodeDecodeError:
                valid = False

    size, digest = file_digest(path, algorithm, each)
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    quotes.finish()
    return FileScan(size, digest, first_cr, valid, quotes.found[0][0] if quotes.found else quotes.unclosed)


def bare_quotes(path: Path) -> list[tuple[int, int, str, tuple[int, int] | None, bool]]:
    """(byte offset, line, the text around it, the offset and line of the quote that opened the cell it
    closes if it closes one, whether it opens a cell the file never closes) of the first
    MAX_ENCODING_ERRORS quotes found by ``QuoteScan``."""
    quotes = QuoteScan(limit=MAX_ENCODING_ERRORS)
    with open(path, "rb") as f:
        offset = 0
        while len(quotes.found) < quotes.limit:
            if not (data := f.read(1 << 20)):
                quotes.finish()
                break
            quotes.feed(memoryview(data), offset)
            offset += len(data)
    places = _places(path, [at for at, _ in quotes.found] + [o for _, o in quotes.found if o is not None]
                     + ([quotes.unclosed] if quotes.unclosed is not None else []))
    found = [(at, *places[at], None if opened is None else (opened, places[opened][0]), False)
             for at, opened in quotes.found]
    if quotes.unclosed is not None:
        found.append((quotes.unclosed, *places[quotes.unclosed], None, True))
    return found


def _places(path: Path, offsets: list[int]) -> dict[int, tuple[int, str]]:
    """The line of each byte offset and the text around it, from one read of the file."""
    out: dict[int, tuple[int, str]] = {}
    wanted = sorted(set(offsets))
    with open(path, "rb") as f:
        start = lines = 0
        tail = b""  # the end of the chunk before, for the text around an offset at a chunk's start
        while wanted and (data := f.read(1 << 20)):
            while wanted and wanted[0] < start + len(data):
                at = wanted.pop(0)
                around = tail + data
                i = at - start + len(tail)
                text = around[max(0, i - 24):i + 25].decode("utf-8", "replace").strip("\ufffd")
                out[at] = (lines + 1 + data.count(b"\n", 0, at - start), text)
            lines += data.count(b"\n")
            start += len(data)
            tail = data[-24:]
    return out


def encoding_errors(path: Path) -> list[tuple[int, int, bytes, str]]:
    """(byte offset, line, bad bytes, reason) of the first MAX_ENCODING_ERRORS invalid UTF-8 sequences,
    read in chunks (the file may be large)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    found: list[tuple[int, int, bytes, str]] = []
    offset, line = 0, 1
    with open(path, "rb") as f:
        while len(found) < MAX_ENCODING_ERRORS:
            chunk = f.read(1 << 20)
            final = not chunk
            pos = 0
            while len(found) < MAX_ENCODING_ERRORS:
                try:
                    decoder.decode(chunk[pos:], final)
                    break
                except UnicodeDecodeError as exc:
                    # exc.start counts from the decoder's buffered bytes plus this slice.
                    buffered = len(exc.object) - len(chunk[pos:])
                    at = pos + exc.start - buffered
                    found.append((offset + at, line + chunk.count(b"\n", 0, max(0, at)),
                                  exc.object[exc.start:exc.end], exc.reason))
                    decoder.reset()
                    pos = max(pos + exc.end - buffered, pos + 1)
            if final:
                break
            line += chunk.count(b"\n")
            offset += len(chunk)
    return found


#: Bytes of a file read for its header: a header longer than this is cut (its labels are then more).
HEADER_BYTES = 1 << 20


def read_header(path: Path) -> tuple[list[str] | None, bool]:
    """(labels, has_bom) from the first record; labels None for an empty file.

    Only the first ``HEADER_BYTES`` are read: a longer header gives the labels found in them
    (see :func:`header_is_cut`).
    """
    with open(path, "rb") as f:
        head = f.read(HEADER_BYTES)
    bom = head.startswith(BOM)
    if bom:
        head = head[len(BOM):]
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head)
    if not text:
        return None, bom
    return next(csv.reader(io.StringIO(text, newline="")), None), bom


def header_is_cut(path: Path) -> bool:
    """Whether the file's first ``HEADER_BYTES`` hold no line end: its header goes on beyond them."""
    with open(path, "rb") as f:
        head = f.read(HEADER_BYTES + 1)
    return len(head) > HEADER_BYTES and b"\n" not in head[:HEADER_BYTES]


class BadRows:
    """The rows that do not fit the header, as pyarrow's invalid-row handler meets them (it is one).

    Every row's number is kept, in an array (a file of millions of short rows stays small); the
    cells count and text only of the first ``DETAILED``, as many as a report keeps problems.

    >>> bad = BadRows()
    >>> bad.numbers.append(7); len(bad), bool(bad)
    (1, True)
    """

    def __init__(self) -> None:
        self.numbers = array("q")
        #: (row number, cells, text) of the first DETAILED rows.
        self.details: list[tuple[int, int, str]] = []

    def __call__(self, row: object) -> str:
        self.numbers.append(row.number)  # type: ignore[attr-defined]
        if len(self.details) < DETAILED:
            self.details.append((row.number, row.actual_columns, row.text))  # type: ignore[attr-defined]
        return "skip"

    def __len__(self) -> int:
        return len(self.numbers)

    def clear(self) -> None:
        self.numbers = array("q")
        self.details.clear()


def repeats(sample: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a column's sample holds at most a quarter as many distinct values as cells.

    >>> repeats(pa.array(["a", "b"] * (SAMPLE_ROWS // 2))), repeats(pa.array(map(str, range(SAMPLE_ROWS))))
    (True, False)
    """
    return pc.count_distinct(sample, mode="only_valid").as_py() * 4 <= len(sample)


def repeating(path: Path, names: list[str]) -> list[str]:
    """The columns whose first ``SAMPLE_ROWS`` cells repeat, in a file whose first block holds that
    many rows that are not blank (the rows the field checks' own sample would see).

    They are parsed dictionary-encoded: about 0.5 s less at 1M events than encoding their text
    once parsed, and their text is never held whole. A file the sample cannot read has none, nor
    one whose first rows are blank: blank rows hold no value, so every column would look repeating.
    """
    rows = SAMPLE_ROWS
    if os.stat(path).st_size < rows * len(names):  # a row has a byte per cell at least (its comma or LF)
        return []
    try:
        head = head_arrow(path, names, rows, BLOCK_SIZE)
    except pa.ArrowException:
        return []
    blank = blank_rows(head)
    if blank is not None and any_true(blank):
        head = head.filter(pc.invert(blank))
    if head.num_rows < rows:
        return []
    head = head.slice(0, rows)
    return [n for n in names if repeats(head.column(n))]


def parse(path: Path, width: int, threads: bool = False) -> tuple[pa.Table, BadRows]:
    """The file's rows (header skipped) as ``width`` text columns, and the rows that did not fit.

    ``threads`` parses on Arrow's thread pool; a file that has a row that does not fit, or
    that the threaded read refuses, is read again serially, the one read that numbers rows.
    The columns whose values repeat (``repeating``) are dictionary-encoded.
    """
    bad = BadRows()
    names = [f"c{i}" for i in range(width)]
    dictionary = repeating(path, names)
    size = os.stat(path).st_size
    if threads:
        try:
            # The first row that does not fit stops the threaded read (the serial one numbers them): a
            # handler called from Arrow's threads for millions of short rows took minutes.
            return read_arrow(path, names, lambda row: "error", BLOCK_SIZE, threads=True, dictionary=dictionary), bad
        except pa.ArrowInvalid:
            pass
    try:
        # A file within one block is read from its bytes: from a path pyarrow reads on a thread of its
        # own. The shipped package's first validation: median 130 ms against 148 ms (25 alternated runs).
        source = pa.BufferReader(Path(path).read_bytes()) if size < BLOCK_SIZE else path
        return read_arrow(source, names, bad, BLOCK_SIZE, dictionary=dictionary), bad
    except pa.ArrowInvalid as exc:
        if size < MAX_BLOCK_SIZE and _ends_without_lf(path):
            # pyarrow cannot skip a header that is the whole file, with no line end after it: one is added.
            bad.clear()
            return read_arrow(pa.BufferReader(Path(path).read_bytes() + b"\n"), names, bad,
                              BLOCK_SIZE if size < BLOCK_SIZE else MAX_BLOCK_SIZE, dictionary=dictionary), bad
        if "straddl" not in str(exc):
            raise
        bad.clear()
        return read_arrow(path, names, bad, MAX_BLOCK_SIZE, dictionary=dictionary), bad


def _ends_without_lf(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        if not f.tell():
            return False
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


@dataclass(frozen=True)
class Parsed:
    """A file parsed before its bytes were judged (``parse_ahead``): the table and the rows that
    did not fit, or the error pyarrow raised, for a header of ``width`` labels."""

    width: int
    table: pa.Table | None
    bad: BadRows
    error: pa.ArrowInvalid | None = None


def parse_ahead(path: Path, max_bytes: int, max_labels: int) -> Parsed | None:
    """Parse a CSV file as ``structure.read_table`` would, on Arrow's threads, before its scan is
    known; None when its size or header rule a parse out (``read_table`` reports why).

    A file that turns out not to be UTF-8 is parsed for nothing (pyarrow refuses it, or the
    scan's verdict discards the table), within the size limit.
    """
    if os.lstat(path).st_size > max_bytes:
        return None
    try:
        labels, _ = read_header(path)
    except csv.Error:
        return None
    if not labels or len(labels) > max_labels:
        return None
    try:
        table, bad = parse(path, len(labels), threads=True)
    except pa.ArrowInvalid as exc:
        return Parsed(len(labels), None, BadRows(), exc)
    return Parsed(len(labels), table, bad)


@contextmanager
def quiet_unraisable() -> Iterator[None]:
    """Keep pyarrow's print of an undecodable ragged row off the user's terminal.

    pyarrow decodes a ragged row's text before calling the handler; when that text is
    not UTF-8 it prints the UnicodeDecodeError through ``sys.unraisablehook``. (The scan
    finds such a file first; this keeps a surprise quiet.)
    """
    previous, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        yield
    finally:
        sys.unraisablehook = previous
