"""Primary keys (composite too), unique fields and foreign keys, after Unicode normalisation.

Ids are compared as NFKC with format characters (zero-width, bidi controls) removed
and case folded, so that ``abc`` and ``abc`` + ZERO WIDTH SPACE are the same id: a
duplicate cannot hide behind an invisible character, and a reference is judged by what
a reader sees. Grouping and membership run in Arrow; rows are named only for the
duplicates and dangling references found.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import ForeignKey
from . import _arrow as A
from .columns import Checked, emit, field_specs
from .report import Report
from .structure import RawTable

SEPARATOR = "\x1f"


def normalized(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The comparable form of an id column.

    >>> from libyadata.validate._arrow import strings
    >>> normalized(strings(["abc\\u200b", "ABC", "ﬁ"])).to_pylist()
    ['abc', 'abc', 'fi']
    """
    if not A.any_true(pc.invert(A.fill(pc.string_is_ascii(col)))):
        return pc.utf8_lower(col)
    col = pc.utf8_normalize(col, "NFKC")
    col = pc.replace_substring_regex(col, r"\p{Cf}", "")
    return pc.utf8_lower(col)


def key_column(raw: RawTable, fields: tuple[str, ...]) -> pa.ChunkedArray | pa.Array:
    """One comparable column for a (possibly composite) key; null when any part is null."""
    parts = [normalized(raw.table.column(f)) for f in fields]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, A.scalar(SEPARATOR), null_handling="emit_null")


def _valid(raw: RawTable, checked: Checked, fields: tuple[str, ...], key: Any) -> Any:
    # A key cell with a type error is reported there; its row is not also a key error.
    type_ok = _type_ok(checked, fields)
    ok = A.fill(key.is_valid())
    return ok if type_ok is None else pc.and_(ok, type_ok)


def _type_ok(checked: Checked, fields: tuple[str, ...]) -> Any:
    out = None
    for f in fields:
        t = checked.typed.get(f)
        if t is not None:
            out = t.is_valid() if out is None else pc.and_(out, t.is_valid())
    return None if out is None else A.fill(out)


def check_unique(report: Report, raw: RawTable, checked: Checked, fields: tuple[str, ...],
                 kind: str) -> None:
    """Report every row whose key repeats an earlier row's (``kind``: primary-key or unique-error)."""
    key = key_column(raw, fields)
    ok = _valid(raw, checked, fields, key)
    key = pc.if_else(ok, key, pa.nulls(1, pa.string())[0])
    counts = pc.value_counts(key)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), A.scalar(1)))
    repeated = repeated.drop_null()
    if not len(repeated):
        return
    idx = A.indices(A.fill(pc.is_in(key, value_set=repeated)))
    values = key.take(pc.indices_nonzero(A.fill(pc.is_in(key, value_set=repeated)))).to_pylist()
    rows = raw.rows(idx).tolist()
    first: dict[str, int] = {}
    later, earlier = [], {}
    for i, value, row in zip(idx.tolist(), values, rows):
        if value in first:
            later.append(i)
            earlier[i] = first[value]
        else:
            first[value] = row
    label = ", ".join(fields)
    spec = next((s for s in field_specs(raw.model) if s.name == fields[0]), None)
    what = "key" if kind == "primary-key" else "value"
    emit(report, raw, None, kind, spec,
         lambda cell, i: f"{what} ({label}) = ({', '.join(repr(raw.table.column(f)[i].as_py()) for f in fields)}) "
                         f"already used in row {earlier[i]} (compared after Unicode normalisation); "
                         "give the record a new id",
         column=fields[0], idx=np.array(later, dtype=np.int64))


def check_foreign_key(report: Report, raw: RawTable, checked: Checked, fk: ForeignKey,
                      parent_keys: pa.Array | None) -> None:
    """Report rows whose reference is not a key of the parent (``parent_keys``: its normalised keys)."""
    if parent_keys is None:
        report.notes.append(f"{raw.file}: foreign key {', '.join(fk.fields)} -> {fk.resource} not checked "
                            f"because {fk.resource} could not be read")
        return
    key = key_column(raw, fk.fields)
    ok = _valid(raw, checked, fk.fields, key)
    dangling = pc.and_(ok, pc.invert(A.fill(pc.is_in(key, value_set=parent_keys))))
    if not A.any_true(dangling):
        return
    spec = next((s for s in field_specs(raw.model) if s.name == fk.fields[0]), None)
    ref = ", ".join(fk.reference)
    emit(report, raw, dangling, "foreign-key", spec,
         lambda cell, _: f"{', '.join(fk.fields)} {cell!r} is not an existing {ref} in {fk.resource}; use an existing id "
                         f"or add the {fk.resource} record first",
         column=fk.fields[0])


def key_set(raw: RawTable, fields: tuple[str, ...]) -> pa.Array:
    """The distinct normalised keys of a table, kept for the tables that refer to it."""
    col = key_column(raw, fields)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks else pa.nulls(0, pa.string())
    return pc.unique(col.drop_null())
