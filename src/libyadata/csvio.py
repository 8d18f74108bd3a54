"""CSV in the project's one dialect: UTF-8 without BOM, LF line ends, one header row.

Reading uses only the standard library so that ``load()`` stays light; writing is
atomic (a temporary file in the same folder, then a rename), so a crash never
leaves half a table behind.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path


def read_rows(path: Path, rel: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file, every cell a string.

    Raises ``DataError`` naming the row when a row has more or fewer cells than the
    header (``rel`` is the file name used in that message).
    """
    with open(path, encoding="utf-8", newline="") as f:
        return parse_rows(f, rel or Path(path).name)


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
