"""CSV in the project's one dialect: UTF-8 without BOM, LF line ends, one header row.

Two readers of that one dialect: ``read_rows`` with the standard library, so that
``load()`` stays light, and ``read_arrow`` with pyarrow (every column as text, an empty
cell null, quoted line feeds inside cells), for the typed tables and the validator.
Writing is atomic (a temporary file in the same folder, then a rename), so a crash
never leaves half a table behind.

>>> header, rows = parse_rows(io.StringIO('id,note\\na,"two\\nlines"\\n'), "x.csv")
>>> header, rows
(['id', 'note'], [{'id': 'a', 'note': 'two\\nlines'}])
>>> to_csv_bytes(header, rows)
b'id,note\\na,"two\\nlines"\\n'
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def read_rows(path: Path, rel: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file, every cell a string.

    Raises ``DataError`` naming the row when a row has more or fewer cells than the
    header (``rel`` is the file name used in that message), and ``UnicodeDecodeError``
    for bytes that are not UTF-8, its ``start`` their offset in the file.
    """
    # Decoded whole, not as a text stream: a stream's decoder counts offsets from its last chunk.
    text = Path(path).read_bytes().decode("utf-8")
    return parse_rows(io.StringIO(text, newline=""), rel or Path(path).name)


def parse_rows(lines: Iterable[str], rel: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of CSV text (an open file or a ``io.StringIO``); see :func:`read_rows`."""
    from .errors import DataError

    reader = csv.reader(lines)
    header = next(reader, [])
    rows = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise DataError(f"expected {len(header)} cells as in the header, got {len(cells)}",
                            file=rel, row=number)
        rows.append(dict(zip(header, cells)))
    return header, rows


def _arrow_options(names: Sequence[str] | None, on_invalid: Any, block_size: int | None,
                   columns: Sequence[str] | None, threads: bool, dictionary: Sequence[str]) -> dict[str, Any]:
    """pyarrow's read, parse and convert options for the package's dialect (see ``read_arrow``)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read = {"use_threads": threads, "encoding": "utf8"}
    if names is not None:
        # skip_rows_after_names skips the header as a CSV record; skip_rows skips a line, and a header
        # label with a quoted line feed would leave its rest to be read as a row.
        read.update(column_names=list(names), skip_rows_after_names=1)
    if block_size is not None:
        read["block_size"] = block_size
    convert: dict[str, Any] = {"null_values": [""], "strings_can_be_null": True, "quoted_strings_can_be_null": True}
    typed = names if names is not None else columns
    if typed is not None:
        convert["column_types"] = {n: pa.dictionary(pa.int32(), pa.string()) if n in dictionary else pa.string()
                                   for n in typed}
    if columns is not None:
        convert["include_columns"] = list(columns)
    return {"read_options": pacsv.ReadOptions(**read),
            "parse_options": pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                                invalid_row_handler=on_invalid),
            "convert_options": pacsv.ConvertOptions(**convert)}


def read_arrow(source: Any, names: Sequence[str] | None = None, on_invalid: Any = None,
               block_size: int | None = None, columns: Sequence[str] | None = None, threads: bool = False,
               dictionary: Sequence[str] = ()) -> pa.Table:
    """A CSV file (path or Arrow stream) read by pyarrow in the package's dialect, every column as text.

    ``names`` replaces the header row (which is then skipped) so that any header can be
    read; else ``columns`` picks columns by their labels. ``on_invalid`` is pyarrow's
    invalid-row handler (None: a ragged row is an error; with ``threads`` pyarrow gives
    the handler no row numbers). ``threads`` parses blocks on Arrow's thread pool.
    ``dictionary`` names columns read dictionary-encoded, with one dictionary for the
    whole column (each distinct value held once).

    >>> t = read_arrow(io.BytesIO(b"a,b\\nx,1\\nx,\\n"), ["a", "b"], dictionary=["a"])
    >>> t.column("a").type, t.column("a").to_pylist(), t.column("b").to_pylist()
    (DictionaryType(dictionary<values=string, indices=int32, ordered=0>), ['x', 'x'], ['1', None])
    """
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(source, **_arrow_options(names, on_invalid, block_size, columns, threads, dictionary))
    # Each block of a dictionary column has a dictionary of its own: one for all of them.
    return table.unify_dictionaries() if dictionary else table


def head_arrow(source: Any, names: Sequence[str], rows: int, block_size: int | None = None) -> pa.Table:
    """At least the first ``rows`` rows of a CSV file (all of them when it has fewer), read block by
    block as ``read_arrow`` reads the file; raises ``pyarrow.ArrowInvalid`` where ``read_arrow``
    would, and at a ragged row (a handler called for each of millions of them would take minutes)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    batches = []
    with pacsv.open_csv(source, **_arrow_options(names, None, block_size, None, False, ())) as reader:
        seen = 0
        for batch in reader:
            batches.append(batch)
            seen += batch.num_rows
            if seen >= rows:
                break
        return pa.Table.from_batches(batches, schema=reader.schema)


def to_csv_bytes(header: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    """Serialise rows to the project's CSV dialect."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # QUOTE_MINIMAL leaves a bare CR unquoted on Python < 3.11.9, which corrupts the row.
    cr_safe = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        cells = [row[c] for c in header]
        (cr_safe if any("\r" in c for c in cells) else writer).writerow(cells)
    return buf.getvalue().encode("utf-8")


def stale_files(files: dict[Path, bytes]) -> list[Path]:
    """The paths of ``files`` (path -> wanted bytes) whose content on disk differs or is missing."""
    return [p for p, data in files.items() if not p.is_file() or p.read_bytes() != data]


def write_changed(files: dict[Path, bytes]) -> list[Path]:
    """Write each of ``files`` (path -> bytes) that differs on disk, atomically; return those written."""
    written = stale_files(files)
    for path in written:
        atomic_write(path, files[path])
    return written


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    import tempfile  # only writers pay for it

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; give the file the mode a plain open() would have
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
