"""Parsing CSV files with ``pyarrow.csv``, ahead of the checks when asked.

Every column is read as text (no type guessing, empty cell = null, blank lines kept as
rows so numbering matches the file); rows pyarrow cannot fit are collected by its
invalid-row handler, never by a Python loop over the file. This module needs only
pyarrow, so that parsing can start while the models and the checks are still being
imported.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

BOM = b"\xef\xbb\xbf"
#: Each block becomes one chunk of every column: 256 KB blocks used 20% less memory to parse
#: but made four times the chunks, and the checks of 1M rows took 0.3 s longer.
BLOCK_SIZE = 2**20
#: A row must fit in one block: a file with a longer row is read again with blocks this large,
#: and rows longer than this are refused.
MAX_BLOCK_SIZE = 16 * 2**20


def read_header(path: Path) -> tuple[list[str] | None, bool, int]:
    """(labels, has_bom, header_bytes) from the first record; labels None for an empty file."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    bom = head.startswith(BOM)
    if bom:
        head = head[len(BOM):]
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head)
    if not text:
        return None, bom, 0
    reader = csv.reader(io.StringIO(text, newline=""))
    labels = next(reader, None)
    return labels, bom, len(head)


#: A file larger than this is parsed as two halves on two threads when ``parse`` may use threads.
SPLIT_FILE = 16 * 2**20


def parse(path: Path, width: int, threads: bool) -> tuple[pa.Table, list]:
    """The file's rows (header skipped) as ``width`` text columns, and the rows that did not fit.

    Each parse is single-threaded: on 271 MB, Arrow's threaded reader took 0.25 s more CPU
    than a serial read (0.60 s against 0.35 s) to finish 0.06 s sooner. With ``threads``, a
    large file is instead cut in two at a line end and the halves parsed side by side; the cut
    stands only if the first half parses cleanly, which proves that it fell between records
    (a cut inside a quoted cell leaves that half with an unclosed quote). A half with any
    fault, and the file's size or cores not worth a cut, fall back to one serial parse, so
    that faults are reported exactly as that parse finds them.
    """
    if threads and (os.cpu_count() or 1) > 1 and path.stat().st_size > SPLIT_FILE:
        halves = _parse_halves(path, width)
        if halves is not None:
            return halves
    try:
        return _read_blocks(path, width, BLOCK_SIZE)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):
            raise
        return _read_blocks(path, width, MAX_BLOCK_SIZE)


def _parse_halves(path: Path, width: int) -> tuple[pa.Table, list] | None:
    from concurrent.futures import ThreadPoolExecutor

    with pa.memory_map(str(path)) as f:
        data = f.read_buffer()
    view = memoryview(data)
    cut = None
    limit = min(data.size, data.size // 2 + MAX_BLOCK_SIZE)
    for start in range(data.size // 2, limit, 1 << 16):
        end = view[start:min(start + (1 << 16), limit)].tobytes().find(b"\n")
        if end >= 0:
            cut = start + end + 1
            break
    if cut is None:  # no line end near the middle: one long row
        return None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="libyadata-read") as other:
        second = other.submit(_read_blocks, pa.BufferReader(data.slice(cut)), width, BLOCK_SIZE, header=False)
        try:
            first = _read_blocks(pa.BufferReader(data.slice(0, cut)), width, BLOCK_SIZE)
        except pa.ArrowInvalid:
            first = None
        try:
            rest = second.result()
        except pa.ArrowInvalid:
            rest = None
    if first is None or rest is None or first[1] or rest[1]:
        return None
    return pa.concat_tables([first[0], rest[0]]), []


def _read_blocks(source: Path | pa.NativeFile, width: int, block_size: int,
                 header: bool = True) -> tuple[pa.Table, list]:
    bad: list = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.actual_columns, row.text))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    table = pacsv.read_csv(
        source,
        # An empty header (a file starting with a line end) gives no names: pyarrow would then take the next
        # row's raw bytes as names, which need not be UTF-8.
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if header else 0, use_threads=False,
                                       block_size=block_size, encoding="utf8", autogenerate_column_names=not names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                         invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                             strings_can_be_null=True, quoted_strings_can_be_null=True,
                                             check_utf8=True),
    )
    return table, bad


@contextmanager
def quiet_unraisable() -> Iterator[None]:
    """Keep pyarrow's print of an undecodable ragged row off the user's terminal.

    pyarrow decodes a ragged row's text before calling the handler; when that text is
    not UTF-8 it prints the UnicodeDecodeError through ``sys.unraisablehook`` and fails
    the read, which ``read_table`` then reports as an encoding error. Set once around a
    whole validation, since reads run on more than one thread.
    """
    previous, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        yield
    finally:
        sys.unraisablehook = previous


#: Files larger than this are parsed ahead one at a time (smaller ones freely).
LARGE_FILE = 8 * 2**20


class Prefetch:
    """Parses the package's CSV files on a background thread, ahead of the checks.

    Small files are parsed first, then the large ones in the given order, while the main
    thread imports, checks the descriptor and checks the small tables. The first large
    file is parsed at once; each later one waits for ``allow_another``, which the checks
    call once they have freed most of the large table before it, so that two large
    tables are never in memory in full. ``take`` hands over a parse (re-raising its
    error) or None, and the caller then parses the file itself, so a file is never
    parsed on two threads. Only files the caller listed are read, and a prefetch is only
    ever a head start on a read the checks make anyway.
    """

    def __init__(self, files: list[tuple[str, Path]]) -> None:
        self._files = files
        self._state: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._closed = False
        self._allowed = 1  # large files that may be parsed ahead so far
        self._thread = threading.Thread(target=self._run, name="libyadata-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        large = 0
        try:
            sized = [(rel, path, path.stat().st_size) for rel, path in self._files]
            for rel, path, size in sorted(sized, key=lambda f: f[2] > LARGE_FILE):
                with self._cond:
                    while size > LARGE_FILE and large >= self._allowed and rel not in self._state \
                            and not self._closed:
                        self._cond.wait()
                    if self._closed:
                        return
                    if rel in self._state:
                        continue  # the checks got there first and read it themselves
                    self._state[rel] = "running"
                width, result, error = None, None, None
                try:
                    labels, _, _ = read_header(path)
                    width = len(labels) if labels is not None else None
                    result = parse(path, width, threads=True) if width else None
                except Exception as exc:  # handed to the reader of the file, who reports it
                    error = exc
                with self._cond:
                    self._state[rel] = (size, width, result, error)
                    self._cond.notify_all()
                large += size > LARGE_FILE
        except OSError:  # the checks read the file themselves and report what is wrong
            return

    def allow_another(self) -> None:
        """Let the next large file be parsed ahead (most of the large table before it is freed)."""
        with self._cond:
            self._allowed += 1
            self._cond.notify_all()

    def take(self, rel: str, width: int) -> tuple[pa.Table, list] | None:
        """The parse of ``rel`` with ``width`` columns, or None when the caller must parse it."""
        with self._cond:
            while self._state.get(rel) == "running":
                self._cond.wait()
            outcome = self._state.get(rel)
            self._state[rel] = "taken"
            self._cond.notify_all()
        if not isinstance(outcome, tuple) or outcome[1] != width:
            return None
        _, _, result, error = outcome
        if error is not None:
            raise error
        return result

    def close(self) -> None:
        """Stop parsing ahead and wait for a parse under way."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join()
