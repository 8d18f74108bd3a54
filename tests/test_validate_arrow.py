"""``libyadata.validate._arrow``: grouping integer codes, arrays from buffers, takes that touch few chunks."""

from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from libyadata.validate import _arrow as A


def _reference(columns):
    """(first row, each row's first row) of the rows' code tuples, by a dict."""
    first = {}
    for i, key in enumerate(zip(*(c.tolist() for c in columns))):
        first.setdefault(key, i)
    rows = [first[key] for key in zip(*(c.tolist() for c in columns))]
    return sorted(first.values()), rows


codes = st.lists(st.integers(-1, 6), min_size=1, max_size=40)


@given(st.lists(codes, min_size=1, max_size=3).filter(lambda cs: len({len(c) for c in cs}) == 1))
@example([[5, 2, 5, 7], [0, 1, 0, 0]])
def test_group_gives_each_row_the_first_row_with_its_codes(columns):
    cols = [np.array(c, dtype=np.int64) for c in columns]
    first, ids = A.group(cols)
    want_first, want_rows = _reference(cols)
    assert sorted(first.tolist()) == want_first
    assert first[ids].tolist() == want_rows
    assert sorted(set(ids.tolist())) == list(range(len(first)))  # dense


def test_group_of_keys_too_wide_to_pack_with_the_row_hashes_them_and_agrees():
    # key * rows + row would overflow int64: the hashed path answers, with the same groups.
    cols = [np.array([2**61, 3, 2**61, 3, 7], dtype=np.int64)]
    first, ids = A.group(cols)
    assert first[ids].tolist() == [0, 1, 0, 1, 4]
    int32 = [np.array([4, 1, 4], dtype=np.int32), np.array([0, 0, 0], dtype=np.int32)]
    first, ids = A.group(int32)  # codes of any integer type: no int32 overflow when combined
    assert first[ids].tolist() == [0, 1, 0]


def test_group_of_no_rows():
    first, ids = A.group([np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)])
    assert first.tolist() == [] and ids.tolist() == []


def test_take_across_chunks_in_any_order_equals_arrows_take():
    col = pa.chunked_array([A.strings(["a", "b"]), A.strings(["c"]), A.strings(["d", "e", "f"])])
    idx = [5, 0, 3, 3, 2]
    assert A.take(col, idx).to_pylist() == col.take(A.int64s(idx)).to_pylist() == ["f", "a", "d", "d", "c"]


def test_arrays_with_nulls_are_built_without_pandas():
    code = ("import sys, numpy as np; from libyadata.validate import _arrow as A; "
            "a = A.int64s(np.array([3, 0]), valid=np.array([True, False])); "
            "print(a.to_pylist(), 'pandas' in sys.modules)")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["[3,", "None]", "False"], out.stderr


def test_any_true_of_a_kernels_mask_whose_null_count_is_not_yet_known():
    # The mask hygiene makes: pyarrow < 16 segfaulted on its true_count (apache/arrow#41016).
    import pyarrow.compute as pc

    for cells, want in ((["a", "b\u200b", "c"], [1]), (["a", "b"], [])):
        col = A.strings(cells)
        mask = pc.and_(pc.invert(pc.ascii_is_printable(col)), col.is_valid())
        assert A.any_true(mask) is bool(want)
        mask = pc.and_(pc.invert(pc.ascii_is_printable(col)), col.is_valid())
        assert A.indices(pa.chunked_array([mask])).tolist() == want


def test_strings_refuses_more_text_than_its_offsets_hold(monkeypatch):
    assert A.strings(["ab", "", "cde"]).to_pylist() == ["ab", "", "cde"]
    monkeypatch.setattr(A, "MAX_STRING_BYTES", 4)
    with pytest.raises(OverflowError, match="5 bytes of text, more than an Arrow string array holds"):
        A.strings(["ab", "", "cde"])
