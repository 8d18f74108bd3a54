"""Primary keys (composite too), unique fields and foreign keys, after Unicode normalisation.

Ids are compared as NFKC with format characters (zero-width, bidi controls) removed
and case folded, so that ``abc`` and ``abc`` + ZERO WIDTH SPACE are the same id: a
duplicate cannot hide behind an invisible character, and a reference is judged by what
a reader sees. Grouping and membership run in Arrow; rows are named only for the
duplicates and dangling references found. A column whose values repeat (``Checked.cells``)
is normalised and looked up once per distinct value.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import ForeignKey
from . import _arrow as A
from .columns import Checked, FieldSpec, emit, field_specs
from .report import Report
from .structure import RawTable

SEPARATOR = "\x1f"


def normalized(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The comparable form of an id column.

    >>> from libyadata.validate._arrow import strings
    >>> normalized(strings(["abc\\u200b", "ABC", "ﬁ"])).to_pylist()
    ['abc', 'abc', 'fi']
    """
    col = A.plain(col)
    case = _ascii_case(col)
    if case == "lower":  # most ids: already their comparable form, no copy
        return col
    if case == "ascii":
        return pc.ascii_lower(col)
    if isinstance(col, pa.ChunkedArray):
        return pa.chunked_array([_comparable(c) for c in col.chunks], type=col.type)
    return _comparable(col)


#: An id longer than this (format characters removed) is compared without NFKC: the models allow
#: 100 characters, so it is a length error already, and NFKC costs per byte.
MAX_ID_CHARS = 1_000
#: How much longer NFKC and lower case may make an id that is still compared in that form: a letter
#: that looks like ASCII grows at most this much (U+2177 SMALL ROMAN NUMERAL EIGHT is viii, 3 bytes
#: to 4), while U+FDFA is 18 letters (3 bytes to 33): unbounded, a column of it overflowed Arrow's
#: 2 GB of string offsets (a 189 MB file; silently under pyarrow 26).
GROWTH = 4 / 3


@lru_cache(maxsize=1)
def _format_characters() -> dict[int, None]:
    """The Cf characters of Python's Unicode tables, as a ``str.translate`` table that deletes them."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}


def _without_format(text: str) -> str:
    # Cf characters are not printable: most ids skip the table.
    return text if text.isprintable() else text.translate(_format_characters())


def comparable_id(text: str) -> str:
    """An id as compared: format characters (Cf) removed, then NFKC and lower case unless that makes
    it more than ``GROWTH`` times longer or it is longer than ``MAX_ID_CHARS``.

    Ids are ASCII (anything else is a pattern error already); this catches a duplicate or a
    reference hidden behind invisible characters, full-width letters, ligatures or capitals.
    Decided with Python's ``unicodedata``, as the hygiene checks are, so that pyarrow's version
    does not change a verdict (pyarrow 14 leaves U+212B ANGSTROM SIGN decomposed).

    >>> comparable_id("\uff21\u200bB"), comparable_id("chapter-\u2177"), comparable_id("\u0130\u200b")
    ('ab', 'chapter-viii', 'i')
    >>> comparable_id("\ufdfa\u200b")
    '\ufdfa'
    """
    out = _without_format(text)
    if len(out) > MAX_ID_CHARS:
        return out
    # U+0130 (I with a dot) lowers to i, as Arrow lowers it: Python's lower() adds a combining dot.
    folded = _without_format(unicodedata.normalize("NFKC", out)).replace("\u0130", "I").lower()
    return out if len(folded.encode("utf-8")) > GROWTH * len(out.encode("utf-8")) else folded


def _comparable(arr: pa.Array) -> pa.Array:
    """``comparable_id`` of each value: the ASCII ones in Arrow, the others in Python."""
    other = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))  # an empty cell is no other
    out = pc.ascii_lower(arr)
    at = A.indices(other)
    if not len(at):
        return out
    written = A.take(arr, at).to_pylist()
    mapped = [comparable_id(v) for v in written]
    grown = sum(len(v.encode("utf-8")) for v in mapped) - sum(len(v.encode("utf-8")) for v in written)
    if grown > 0 and int(pc.sum(pc.binary_length(arr)).as_py() or 0) + grown > A.MAX_STRING_BYTES:
        mapped = [_without_format(v) for v in written]  # a column that would outgrow Arrow's offsets
    return pc.replace_with_mask(out, other, A.strings(mapped))


def _ascii_case(col: pa.ChunkedArray | pa.Array) -> str:
    """"lower" when every cell is ASCII without capitals, "ascii" when ASCII with some, else "other".

    Read from the string buffers in one pass (a copy of a million ids by ``ascii_lower``
    cost more than looking).
    """
    if col.type != pa.string():  # pragma: no cover - key columns are read as string
        return "other"
    upper = False
    for _, offsets, data in A.string_chunks(col):
        text = data[offsets[0]:offsets[-1]]
        if (text >= 0x80).any():
            return "other"
        upper = upper or bool(((text - np.uint8(65)) < 26).any())
    return "ascii" if upper else "lower"


def _spread(per_value: np.ndarray, rows: np.ndarray, empty: Any = -1) -> np.ndarray:
    """Per-value results as per-row results (``rows``: each row's value, -1 for an empty cell)."""
    if not len(per_value):
        return np.full(len(rows), empty, dtype=per_value.dtype)
    return np.where(rows >= 0, per_value[rows], empty)


def key_column(raw: RawTable, checked: Checked, fields: tuple[str, ...]) -> pa.ChunkedArray | pa.Array:
    """One comparable column for a (possibly composite) key; null when any part is null.

    A single field whose values repeat comes back dictionary-encoded: each distinct value
    is normalised once. (Its dictionary may then hold equal keys: take codes from
    ``key_codes``, not from the dictionary.)
    """
    c = checked.cells.get(fields[0]) if len(fields) == 1 else None
    if c is not None:
        return A.dictionary(c.codes, normalized(c.values))
    parts = [normalized(raw.table.column(f)) for f in fields]
    return parts[0] if len(parts) == 1 else \
        pc.binary_join_element_wise(*parts, A.scalar(SEPARATOR), null_handling="emit_null")


def key_codes(raw: RawTable, checked: Checked, name: str) -> np.ndarray:
    """Integer codes of a normalised key field: equal ids, equal codes; -1 for an empty cell.

    A number or date field is coded by its typed values: ``0723`` and ``723`` are one ``char_start``.
    """
    spec = _spec(raw, name)
    if spec is not None and spec.type != "string" and name in checked.typed:
        return A.codes(checked.typed[name])
    c = checked.cells.get(name)
    if c is None:
        return A.codes(key_column(raw, checked, (name,)))
    return _spread(A.codes(normalized(c.values)), c.row)  # values that normalise alike share a code


def _type_ok(checked: Checked, fields: tuple[str, ...]) -> Any:
    """Rows where no key cell has a type error (reported there; its row is not also a key error)."""
    out = None
    for f in fields:
        t = checked.typed.get(f)
        if t is not None:
            out = t.is_valid() if out is None else pc.and_(out, t.is_valid())
    return None if out is None else A.fill(out)


def _judged(raw: RawTable, checked: Checked, fields: tuple[str, ...]) -> Any:
    """Rows whose key is judged: every cell of it filled, none a type error. Read from the cells, not
    the normalised key, which is empty exactly where a cell of it is (no normalisation for this)."""
    ok = None
    for f in fields:
        valid = raw.table.column(f).is_valid()
        ok = valid if ok is None else pc.and_(ok, valid)
    type_ok = _type_ok(checked, fields)
    return A.fill(ok if type_ok is None else pc.and_(ok, type_ok))


def _spec(raw: RawTable, name: str) -> FieldSpec | None:
    return next((s for s in field_specs(raw.model) if s.name == name), None)


def check_unique(report: Report, raw: RawTable, checked: Checked, fields: tuple[str, ...], kind: str,
                 known: dict[str, np.ndarray] | None = None) -> None:
    """Report every row whose key repeats an earlier row's (``kind``: primary-key or unique-error).

    Each key field becomes integer codes (one hash pass, or ``known``: codes of a field
    that a foreign-key lookup already made, see ``reference_codes``); the codes of a
    composite key are combined and grouped in NumPy, so no key string is built per row.
    """
    rows = A.indices(_judged(raw, checked, fields))
    if len(rows) < 2:
        return
    known = known or {}
    codes = [(known[f] if f in known else key_codes(raw, checked, f))[rows] for f in fields]
    first, group = A.group(codes)
    if len(first) == len(rows):
        return
    earliest = first[group]
    later = np.nonzero(earliest != np.arange(len(rows)))[0]
    idx = rows[later]
    before = dict(zip(idx.tolist(), raw.rows(rows[earliest[later]]).tolist()))
    label = ", ".join(fields)
    spec = _spec(raw, fields[0])
    what = "the key" if kind == "primary-key" else "the value"

    def message(_: Any, i: int) -> str:
        values = ", ".join(repr(raw.table.column(f)[i].as_py()) for f in fields)
        return (f"{what} ({label}) = ({values}) is already used in row {before[i]} (compared after Unicode "
                "normalisation); give the record a new id")

    emit(report, raw, None, kind, spec, message, column=fields[0], idx=idx)


@dataclass
class KeySet:
    """The distinct normalised keys of a table, for the tables that refer to it."""

    values: pa.Array
    file: str
    #: Record numbers of the parent's rows that could not be read: a reference to them cannot be judged.
    unreadable: Sequence[int] | np.ndarray = ()


def key_set(raw: RawTable, checked: Checked, fields: tuple[str, ...]) -> KeySet:
    """The keys ``fields`` of a table as a lookup set (duplicates do no harm: they are primary-key errors)."""
    c = checked.cells.get(fields[0]) if len(fields) == 1 else None
    col = normalized(c.values) if c is not None else key_column(raw, checked, fields)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks else pa.nulls(0, col.type)
    return KeySet(col.drop_null(), raw.file, raw.unreadable)


def not_checked(where: str, n: int, parent: KeySet) -> str:
    """The note for ``n`` references not found in a parent some of whose rows could not be read."""
    rows = ", ".join(str(int(n)) for n in parent.unreadable[:5]) + (" …" if len(parent.unreadable) > 5 else "")
    return f"{where}: {n} reference(s) not found were not checked because row(s) {rows} of {parent.file} could not be read"


def positions(values: pa.Array | pa.ChunkedArray, parent: pa.Array) -> np.ndarray:
    """Each of ``values``' position in ``parent`` (equal values, equal positions), -1 when not there or null.

    When the parent is much larger, its keys are first narrowed to those referred to, so
    that the hash table is built over the few references, not the many keys.
    """
    if len(parent) > 4 * len(values):
        wanted = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        parent = parent.filter(A.fill(pc.is_in(parent, value_set=wanted.drop_null())))
    return A.numpy(pc.fill_null(pc.index_in(values, value_set=parent).cast(pa.int64()), A.scalar(-1)))


def reference_codes(raw: RawTable, checked: Checked, fk: ForeignKey, parent: KeySet) -> np.ndarray:
    """Codes of a foreign key's cells from its one lookup in the parent: -1 for an empty cell,
    a position in the parent's keys for a key found there, and above those for one that is not.

    They are ``key_codes`` codes (equal keys, equal codes), so a primary key that includes
    the reference is grouped with them instead of hashing the column again (a million
    participants: one hash pass of 0.45 s).
    """
    c = checked.cells.get(fk.fields[0]) if len(fk.fields) == 1 else None
    column = normalized(c.values) if c is not None else key_column(raw, checked, fk.fields)
    codes = positions(column, parent.values)
    lost = np.flatnonzero(codes < 0)
    if len(lost):  # not in the parent (or empty): coded among themselves, after the parent's positions
        codes[lost] = np.where((other := A.codes(A.take(column, lost))) >= 0, other + len(parent.values), -1)
    return codes if c is None else _spread(codes, c.row)


def check_foreign_key(report: Report, raw: RawTable, checked: Checked, fk: ForeignKey,
                      parent: KeySet | None, codes: np.ndarray | None = None) -> None:
    """Report rows whose reference is not a key of the parent (None: the parent could not be read).

    ``codes``: the cells' ``reference_codes`` in this parent, when already made.
    """
    where = f"{raw.file}: foreign key {', '.join(fk.fields)} -> {fk.resource}"
    if parent is None:
        report.notes.append(f"{where} not checked because {fk.resource} could not be read")
        return
    ok = _judged(raw, checked, fk.fields)
    if codes is None:
        codes = reference_codes(raw, checked, fk, parent)
    found = (codes >= 0) & (codes < len(parent.values))
    dangling = pc.and_(ok, pc.invert(A.bools(found)))
    if fk.allow:  # values that are not references (asserted_by 'article')
        dangling = pc.and_(dangling, pc.invert(A.fill(pc.is_in(key_column(raw, checked, fk.fields),
                                                                  value_set=A.strings(list(fk.allow))))))
    if not A.any_true(dangling):
        return
    if len(parent.unreadable):
        report.notes.append(not_checked(where, int(pc.sum(dangling).as_py()), parent))
        return
    spec = _spec(raw, fk.fields[0])
    ref = ", ".join(fk.reference)
    emit(report, raw, dangling, "foreign-key", spec,
         lambda cell, _: f"{', '.join(fk.fields)} {cell!r} is not an existing {ref} in {fk.resource}; use an existing id "
                         f"or add the {fk.resource} record first"
                         + (f" (or {' or '.join(map(repr, fk.allow))})" if fk.allow else ""),
         column=fk.fields[0])
