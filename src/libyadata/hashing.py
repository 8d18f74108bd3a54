"""Hashes of bytes and files, written once: sha256 (the package's), md5 where a descriptor asks.

>>> digest(b"abc")[:16]
'ba7816bf8f01cfea'
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d, "x.txt"); _ = p.write_bytes(b"abc")
...     file_digest(p) == (3, digest(b"abc"))
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

#: Chunk read at a time (one reused buffer: a new bytes object per chunk faults its pages in again).
CHUNK = 1 << 20


def digest(data: bytes, algorithm: str = "sha256") -> str:
    """Hex digest of ``data``."""
    return hashlib.new(algorithm, data).hexdigest()


def file_digest(path: str | Path, algorithm: str = "sha256",
                each: Callable[[memoryview, int], None] | None = None) -> tuple[int, str]:
    """(size, hex digest) of a file read in chunks; ``each(chunk, offset)`` sees every chunk on the way,
    so that one read can serve other scans of the bytes."""
    h = hashlib.new(algorithm)
    size = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
            if each is not None:
                each(view[:n], size)
            size += n
    return size, h.hexdigest()
