"""Arrow arrays and scalars built from buffers.

``pa.array(list)`` and ``pa.scalar(x)`` import pandas when it is installed (0.3-0.9 s);
building from buffers does not, so the validator never pays for pandas.

>>> strings(["a", "bc"]).to_pylist()
['a', 'bc']
>>> int64s([1, 2]).to_pylist()
[1, 2]
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: The bytes an Arrow ``string`` array can hold (32-bit offsets).
MAX_STRING_BYTES = 2**31 - 1


def strings(values: Sequence[str]) -> pa.Array:
    """A ``string`` Arrow array of Python strings (``pa.array`` of them imports pandas); raises
    OverflowError beyond ``MAX_STRING_BYTES`` instead of wrapping the offsets."""
    encoded = [v.encode("utf-8") for v in values]
    sizes = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    if int(sizes.sum()) > MAX_STRING_BYTES:
        raise OverflowError(f"{int(sizes.sum())} bytes of text, more than an Arrow string array holds")
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def int64s(values: Sequence[int] | np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An int64 Arrow array, null where ``valid`` is false (``pa.array`` of NumPy values imports pandas).

    >>> int64s(np.array([4, -1]), valid=np.array([True, False])).to_pylist()
    [4, None]
    """
    arr = np.ascontiguousarray(values, dtype=np.int64)
    bitmap = None if valid is None else pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little"))
    return pa.Array.from_buffers(pa.int64(), len(arr), [bitmap, pa.py_buffer(arr)])


def float64s(values: Sequence[float] | np.ndarray) -> pa.Array:
    arr = np.ascontiguousarray(values, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), len(arr), [None, pa.py_buffer(arr)])


def dates(values: Sequence[dt.date]) -> pa.Array:
    days = np.array([(d - dt.date(1970, 1, 1)).days for d in values], dtype=np.int32)
    return pa.Array.from_buffers(pa.date32(), len(days), [None, pa.py_buffer(days)])


def bools(mask: np.ndarray) -> pa.Array:
    """A boolean Arrow array from a NumPy boolean array."""
    mask = np.ascontiguousarray(mask, dtype=bool)
    bits = np.packbits(mask, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def scalar(value: Any, type: pa.DataType | None = None) -> pa.Scalar:
    """A typed Arrow scalar for str, bool, int, float or date (``type``: cast to it).

    Scalars are immutable, so each is made once: the field checks ask for the same few
    (False, 0, a bound) thousands of times, and making them took 70 ms of the 270 ms the
    field checks of the shipped package took (pyinstrument, one process).

    >>> scalar(3, pa.int32()).type
    DataType(int32)
    """
    return _scalar(builtins.type(value), value, type)  # the type keys the cache too: True == 1 == 1.0


@lru_cache(maxsize=1024)
def _scalar(kind: type, value: Any, to: pa.DataType | None) -> pa.Scalar:
    if to is not None:
        return _scalar(kind, value, None).cast(to)
    if isinstance(value, str):
        return strings([value])[0]
    if isinstance(value, bool):
        return pc.equal(int64s([int(value)]), int64s([1]))[0]
    if isinstance(value, int):
        return int64s([value])[0]
    if isinstance(value, float):
        return float64s([value])[0]
    if isinstance(value, dt.date):
        return dates([value])[0]
    raise TypeError(f"no Arrow scalar for {type(value).__name__}")


def plain(arr: Any) -> Any:
    """A dictionary-encoded column as its values (others unchanged): string kernels take no dictionaries.

    >>> plain(pa.DictionaryArray.from_arrays(int64s([1, 0, 1]), strings(["a", "b"]))).to_pylist()
    ['b', 'a', 'b']
    """
    return arr.cast(arr.type.value_type) if pa.types.is_dictionary(arr.type) else arr


def dictionary(codes: pa.ChunkedArray, values: pa.Array) -> pa.ChunkedArray:
    """The column whose row i is ``values[codes[i]]`` (null where the code is), sharing both buffers."""
    return pa.chunked_array([pa.DictionaryArray.from_arrays(c, values, safe=False) for c in codes.chunks],
                            type=pa.dictionary(codes.type, values.type))


def string_chunks(col: pa.Array | pa.ChunkedArray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(first row, offsets, bytes) of each non-empty chunk of a ``string`` column: NumPy views of its buffers.

    ``offsets`` holds the chunk's n + 1 offsets into ``bytes``, the whole data buffer
    (which may hold text outside the chunk: a slice shares its parent's buffer). An empty
    or null cell has equal offsets.

    >>> [(row, o.tolist(), bytes(b)) for row, o, b in string_chunks(pa.chunked_array([["ab", None], [], ["c"]]))]
    [(0, [0, 2, 2], b'ab'), (2, [0, 1], b'c')]
    """
    if col.type != pa.string():
        raise TypeError(f"expected a string column, not {col.type}")
    row = 0
    for chunk in (col.chunks if isinstance(col, pa.ChunkedArray) else [col]):
        n = len(chunk)
        if n:
            _, offsets, data = chunk.buffers()
            offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset:chunk.offset + n + 1] \
                if offsets is not None else np.zeros(n + 1, dtype=np.int32)
            yield row, offsets, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8))
        row += n


def numpy(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A NumPy view of a null-free integer column, read from its buffer.

    ``to_numpy`` would import pandas (pyarrow checks for it on first use).
    """
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    dtype = np.dtype(f"{'u' if pa.types.is_unsigned_integer(arr.type) else 'i'}{arr.type.bit_width // 8}")
    parts = []
    for c in chunks:
        if c.null_count:  # pragma: no cover - callers fill nulls first
            raise ValueError("column has nulls")
        parts.append(np.frombuffer(c.buffers()[1], dtype=dtype)[c.offset:c.offset + len(c)])
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def take(col: pa.Array | pa.ChunkedArray, idx: Sequence[int] | np.ndarray) -> pa.Array:
    """``col.take(idx)`` touching only the chunks that hold the rows.

    ``ChunkedArray.take`` concatenates every chunk first: a copy of the whole column
    to pick a few rows.
    """
    idx = np.asarray(idx, dtype=np.int64)
    if not isinstance(col, pa.ChunkedArray):
        return col.take(int64s(idx))
    if not len(idx) or not col.num_chunks:
        return pa.nulls(0, col.type) if not col.num_chunks else col.chunk(0).slice(0, 0).take(int64s(idx))
    if col.num_chunks == 1:  # every table of the shipped package
        return col.chunk(0).take(int64s(idx))
    bounds = np.cumsum([0] + [len(c) for c in col.chunks])
    order = np.argsort(idx, kind="stable")
    ordered = idx[order]
    which = np.searchsorted(bounds, ordered, side="right") - 1
    parts = []
    # ``which`` is sorted: its distinct values start where it changes (np.unique imports numpy.ma, 60 ms).
    for k in which[np.flatnonzero(np.diff(which, prepend=-1))].tolist():
        lo, hi = np.searchsorted(which, [k, k + 1])
        parts.append(col.chunk(k).take(int64s(ordered[lo:hi] - bounds[k])))
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pa.concat_arrays(parts).take(int64s(inverse))


def take_rows(values: pa.Array | pa.ChunkedArray, ids: np.ndarray) -> pa.Array:
    """Spread per-combination ``values`` back to the rows (``ids``: each row's combination)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.take(int64s(ids))


def indices(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions where ``mask`` is true (nulls count as false).

    A column with no rows often comes out of a kernel as a ChunkedArray of no chunks, on
    which ``indices_nonzero`` of pyarrow <= 25 segfaults (apache/arrow#51018): never passed.

    >>> indices(pa.chunked_array([], pa.bool_())).tolist()
    []
    """
    if not any_true(mask):  # also a ChunkedArray of no chunks
        return np.empty(0, dtype=np.int64)
    return numpy(pc.indices_nonzero(mask)).astype(np.int64)


def fill(mask: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A boolean mask with nulls as false."""
    return pc.fill_null(mask, scalar(False)) if mask.null_count else mask


def fill_zero(counts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Integer counts as int64 with nulls as 0."""
    return pc.fill_null(counts.cast(pa.int64()), scalar(0))


def blank_rows(table: pa.Table) -> pa.ChunkedArray | None:
    """The rows of ``table`` whose every cell is empty (None for a table without columns).

    >>> blank_rows(pa.table({"a": ["x", None], "b": [None, None]})).to_pylist()
    [False, True]
    """
    blank = None
    for col in table.columns:
        blank = col.is_null() if blank is None else pc.and_(blank, col.is_null())
    return blank


def any_true(mask: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a boolean mask holds a true value (nulls are not), counted from its bitmaps.

    >>> any_true(pa.chunked_array([[False, None], [None]], pa.bool_())), any_true(pa.chunked_array([[None], [True]], pa.bool_()))
    (False, True)
    """
    if mask.type != pa.bool_():  # pragma: no cover - masks are boolean
        return bool(pc.any(mask).as_py())
    for chunk in mask.chunks if isinstance(mask, pa.ChunkedArray) else [mask]:
        # true_count of pyarrow < 16 reads the validity buffer of an array whose null count is not
        # yet known even when it has none, and segfaults (apache/arrow#41016): counting nulls first
        # makes the count known.
        if chunk.null_count < len(chunk) and chunk.true_count:
            return True
    return False


def codes(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Dense int64 codes of a column's values (equal values, equal codes; null is -1).

    One hash pass (``dictionary_encode``; its chunks share one dictionary).
    """
    encoded = pc.dictionary_encode(col)
    if isinstance(encoded, pa.ChunkedArray):
        if not encoded.num_chunks:
            return np.empty(0, dtype=np.int64)
        idx = pa.chunked_array([c.indices for c in encoded.chunks], type=encoded.type.index_type)
    else:
        idx = encoded.indices
    # One cast and one fill for the whole column (not one per chunk).
    return numpy(pc.fill_null(idx.cast(pa.int64()), scalar(-1)))


def group(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct combination, combination id of each row) of int64 code columns.

    Codes are ``codes()`` output (dense, null -1; any integer type). Ids are dense and need not follow
    any order; ``first[ids]`` is each row's first row with the same codes.

    >>> first, ids = group([np.array([5, 2, 5, 7]), np.array([0, 1, 0, 0])])
    >>> first[ids].tolist(), len(first)
    ([0, 1, 0, 3], 3)
    """
    n = len(columns[0])
    if len(columns) == 1 and n and columns[0].min() >= 0 and columns[0].max() < 2 * n:
        return _first_of(columns[0])
    acc = columns[0].astype(np.int64) + 1
    size = int(acc.max(initial=0)) + 1
    for col in columns[1:]:
        col = col.astype(np.int64) + 1
        width = int(col.max(initial=0)) + 1
        if size * width >= 2**62:
            # Re-densify before the product could overflow int64.
            _, acc = group([acc])
            size = int(acc.max(initial=0)) + 1
        acc = acc * width + col
        size *= width
    if not n:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    if size * n < 2**63:
        return _sorted_groups(acc, n)
    # Hashing gives ids in order of first appearance: a row is a first occurrence when its id
    # exceeds every id before it.
    ids = numpy(pc.dictionary_encode(int64s(acc)).indices).astype(np.int64)
    seen = np.maximum.accumulate(ids)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.greater(ids[1:], seen[:-1], out=new[1:])
    return np.flatnonzero(new), ids


def _sorted_groups(acc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``group`` of one column of non-negative keys small enough that key * n + row fits in int64.

    One sort of those packed integers orders the rows by key and, within a key, by row:
    a million keys in 0.04 s against 0.18 s for Arrow's hash (``dictionary_encode``),
    and 0.15 s for NumPy's stable argsort.
    """
    packed = np.sort(acc * n + np.arange(n, dtype=np.int64))
    keys, order = np.divmod(packed, n)
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(keys[1:], keys[:-1], out=start[1:])
    ids = np.empty(n, dtype=np.int64)
    ids[order] = np.cumsum(start) - 1
    return order[start], ids


def _first_of(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``group`` of one column of small non-negative codes: the first row per code, codes made dense."""
    n = len(codes)
    first = np.full(int(codes.max()) + 1, n, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(n, dtype=np.int64))
    used = first < n
    if used.all():
        return first, codes
    dense = np.cumsum(used) - 1
    return first[used], dense[codes]
