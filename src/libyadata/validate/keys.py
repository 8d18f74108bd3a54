"""Primary keys (composite too), unique fields and foreign keys, after Unicode normalisation.

Ids are compared as NFKC with format characters (zero-width, bidi controls) removed
and case folded, so that ``abc`` and ``abc`` + ZERO WIDTH SPACE are the same id: a
duplicate cannot hide behind an invisible character, and a reference is judged by what
a reader sees. Grouping and membership run in Arrow; rows are named only for the
duplicates and dangling references found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import ForeignKey
from . import _arrow as A
from .columns import WORKERS, Cells, Checked, column_cells, emit, field_specs
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
    col = pc.utf8_normalize(col, "NFKC")
    col = pc.replace_substring_regex(col, r"\p{Cf}", "")
    return pc.utf8_lower(col)


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


def _repeating(raw: RawTable, field: str) -> Cells | None:
    """The field's distinct values and row codes when they repeat (else None: the rows are the values)."""
    if field not in raw.table.column_names:
        return None
    c = column_cells(raw, field)
    return c if c.codes is not None else None


def _spread(per_value: np.ndarray, rows: np.ndarray, empty: Any = -1) -> np.ndarray:
    """Per-value results as per-row results (``rows``: each row's value, -1 for an empty cell)."""
    if not len(per_value):
        return np.full(len(rows), empty, dtype=per_value.dtype)
    return np.where(rows >= 0, per_value[rows], empty)


def key_column(raw: RawTable, fields: tuple[str, ...]) -> pa.ChunkedArray | pa.Array:
    """One comparable column for a (possibly composite) key; null when any part is null.

    A single field whose values repeat comes back dictionary-encoded: each distinct value
    is normalised once. (Its dictionary may then hold equal keys: take codes from
    ``key_codes``, not from the dictionary.)
    """
    if fields not in raw.keys:
        c = _repeating(raw, fields[0]) if len(fields) == 1 else None
        if c is not None:
            raw.keys[fields] = A.dictionary(c.codes, normalized(c.values))
        else:
            parts = [normalized(raw.table.column(f)) for f in fields]
            raw.keys[fields] = parts[0] if len(parts) == 1 else \
                pc.binary_join_element_wise(*parts, A.scalar(SEPARATOR), null_handling="emit_null")
    return raw.keys[fields]


def _valid(raw: RawTable, checked: Checked | None, fields: tuple[str, ...], key: Any) -> Any:
    # A key cell with a type error is reported there; its row is not also a key error.
    type_ok = _type_ok(raw, checked, fields)
    ok = A.fill(key.is_valid())
    return ok if type_ok is None else pc.and_(ok, type_ok)


def text_keys(model: type[Any], fields: tuple[str, ...]) -> bool:
    """Whether every field of a key is text, so its checks need no typed column (and can start early)."""
    types = {s.name: s.type for s in field_specs(model)}
    return all(types.get(f) == "string" for f in fields)


def _type_ok(raw: RawTable, checked: Checked | None, fields: tuple[str, ...]) -> Any:
    if checked is None:  # text keys: a cell is its own typed value
        if not text_keys(raw.model, fields):  # pragma: no cover - a programming error
            raise ValueError(f"{fields} need the typed columns")
        return None
    out = None
    for f in fields:
        t = checked.typed.get(f)
        if t is not None:
            out = t.is_valid() if out is None else pc.and_(out, t.is_valid())
    return None if out is None else A.fill(out)


def key_codes(raw: RawTable, field: str) -> np.ndarray:
    """Integer codes of a normalised key field (one hash pass, or the foreign key check's)."""
    if field not in raw.key_codes:
        c = _repeating(raw, field)
        if c is None:
            raw.key_codes[field] = A.codes(key_column(raw, (field,)))
        else:  # values that normalise alike share a code
            raw.key_codes[field] = _spread(A.codes(normalized(c.values)), c.row_codes())
    return raw.key_codes[field]


def check_unique(report: Report, raw: RawTable, checked: Checked | None, fields: tuple[str, ...],
                 kind: str) -> None:
    """Report every row whose key repeats an earlier row's (``kind``: primary-key or unique-error).

    Each key field becomes integer codes (one hash pass); the codes of a composite key
    are combined and grouped in NumPy, so no key string is built per row. ``checked``
    may be None for a key of text fields.
    """
    ok = None
    for f in fields:  # a normalised key is empty exactly where its cell is
        valid = raw.table.column(f).is_valid()
        ok = valid if ok is None else pc.and_(ok, valid)
    type_ok = _type_ok(raw, checked, fields)
    if type_ok is not None:
        ok = pc.and_(ok, type_ok)
    rows = A.indices(A.fill(ok))
    if len(rows) < 2:
        return
    codes = [key_codes(raw, f)[rows] for f in fields]
    if len(codes) > 1:
        # Only rows whose most varied field repeats can repeat the whole key: group just those.
        pivot = max(codes, key=lambda c: int(c.max(initial=0)))
        repeats = np.bincount(pivot)[pivot] > 1
        if not repeats.any():
            return
        rows, codes = rows[repeats], [c[repeats] for c in codes]
    first, group = A.group(codes)
    if len(first) == len(rows):
        return
    earliest = first[group]
    later = np.nonzero(earliest != np.arange(len(rows)))[0]
    idx = rows[later]
    before = dict(zip(idx.tolist(), raw.rows(rows[earliest[later]]).tolist()))
    label = ", ".join(fields)
    spec = next((s for s in field_specs(raw.model) if s.name == fields[0]), None)
    what = "key" if kind == "primary-key" else "value"
    emit(report, raw, None, kind, spec,
         lambda cell, i: f"{what} ({label}) = ({', '.join(repr(raw.table.column(f)[i].as_py()) for f in fields)}) "
                         f"already used in row {before[i]} (compared after Unicode normalisation); "
                         "give the record a new id",
         column=fields[0], idx=idx)


@dataclass
class ParentKeys:
    """A table's single-field primary key, kept for a table that refers to it, its own check still to do.

    The first foreign key check into the table hashes the table's keys and the references
    together: one pass answers both that check and the table's primary key check (at 1M
    events and 1M participants, one pass over a million ids less: ~0.1 s).
    """

    #: The table reduced to the key's columns (RawTable.slim), to word and locate duplicates.
    raw: RawTable
    field: str
    #: The normalised keys, one per row, null where the cell is empty.
    key: pa.ChunkedArray | pa.Array
    checked: bool = False

    @classmethod
    def of(cls, raw: RawTable, field: str) -> ParentKeys:
        key = key_column(raw, (field,))
        slim = raw.slim((field,))
        slim.keys[(field,)] = key
        return cls(slim, field, key)

    def keys(self) -> pa.Array:
        """The normalised keys as a lookup set."""
        return _lookup_set(self.key)

    def check(self, report: Report, codes: np.ndarray | None = None) -> None:
        """The primary key check, once (``codes``: the keys' codes when a lookup has made them)."""
        if self.checked:
            return
        self.checked = True
        if codes is not None:
            self.raw.key_codes[self.field] = codes
        check_unique(report, raw=self.raw, checked=None, fields=(self.field,), kind="primary-key")
        self.raw.locate(report)


def deferrable(raw: RawTable, field: str) -> bool:
    """Whether a primary key field can be checked with the first foreign key into it (see ParentKeys)."""
    return text_keys(raw.model, (field,)) and _repeating(raw, field) is None


def check_foreign_key(report: Report, raw: RawTable, checked: Checked, fk: ForeignKey,
                      parent_keys: pa.Array | ParentKeys | None) -> None:
    """Report rows whose reference is not a key of the parent (``parent_keys``: its normalised keys,
    or its ParentKeys whose primary key check this does on the way)."""
    if parent_keys is None:
        report.notes.append(f"{raw.file}: foreign key {', '.join(fk.fields)} -> {fk.resource} not checked "
                            f"because {fk.resource} could not be read")
        return
    key = key_column(raw, fk.fields)
    ok = _valid(raw, checked, fk.fields, key)
    repeating = _repeating(raw, fk.fields[0]) if len(fk.fields) == 1 else None
    deferred = parent_keys if isinstance(parent_keys, ParentKeys) else None
    if deferred is not None and (deferred.checked or repeating is not None or len(fk.fields) > 1
                                 or len(deferred.key) > 4 * raw.num_rows):
        deferred.check(report)  # on its own: this lookup takes another way
        parent_keys, deferred = deferred.keys(), None
    if deferred is not None:
        parent_codes, codes, found = lookup(deferred.key, key)
        deferred.check(report, parent_codes)
        raw.key_codes.setdefault(fk.fields[0], codes)
        known = A.bools(found)
    else:
        # References that repeat are looked up once per distinct value.
        values = normalized(repeating.values) if repeating is not None else key
        codes = None
        if len(parent_keys) > 4 * len(values):
            # A few references into a large table: hash the few, scan the large one once.
            present = parent_keys.filter(A.fill(pc.is_in(parent_keys, value_set=_lookup_set(values))))
            found = np.zeros(len(values), dtype=bool)
            found[A.indices(A.fill(pc.is_in(values, value_set=present)))] = True
        elif len(fk.fields) == 1:
            # One hash pass over the parent's keys and then the references gives both the lookup and
            # codes of the references, which this table's own key check reuses (no second pass).
            _, codes, found = lookup(parent_keys, values)
        else:
            found = np.zeros(len(values), dtype=bool)
            found[A.indices(A.fill(pc.is_in(values, value_set=parent_keys)))] = True
        if repeating is not None:
            rows = repeating.row_codes()
            codes = _spread(codes, rows) if codes is not None else None
            found = _spread(found, rows, False)
        if codes is not None:
            raw.key_codes.setdefault(fk.fields[0], codes)
        known = A.bools(found)
    dangling = pc.and_(ok, pc.invert(known))
    if fk.allow:  # values that are not references (asserted_by 'article')
        dangling = pc.and_(dangling, pc.invert(A.fill(pc.is_in(key, value_set=A.strings(list(fk.allow))))))
    if not A.any_true(dangling):
        return
    spec = next((s for s in field_specs(raw.model) if s.name == fk.fields[0]), None)
    ref = ", ".join(fk.reference)
    emit(report, raw, dangling, "foreign-key", spec,
         lambda cell, _: f"{', '.join(fk.fields)} {cell!r} is not an existing {ref} in {fk.resource}; use an existing id "
                         f"or add the {fk.resource} record first"
                         + (f" (or {' or '.join(map(repr, fk.allow))})" if fk.allow else ""),
         column=fk.fields[0])


def _joint_codes(parent: pa.Array | pa.ChunkedArray,
                 key: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, int]:
    """(codes of ``parent``, codes of ``key``, how many distinct parent keys), from one hash pass
    over both: a key's code below that number is a parent key; -1 is an empty cell."""
    chunks = [chunk for c in (parent, key) for chunk in (c.chunks if isinstance(c, pa.ChunkedArray) else [c])]
    codes = A.codes(pa.chunked_array(chunks, type=parent.type))
    # Codes follow first appearance, so the parent's distinct keys hold 0 .. size - 1.
    n = len(parent)
    return codes[:n], codes[n:], int(codes[:n].max(initial=-1)) + 1


#: From this many parent keys and references on, the lookup is split in two halves hashed on two threads.
SPLIT_AT = 400_000


def lookup(parent: pa.Array | pa.ChunkedArray,
           key: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes of ``parent``, codes of ``key``, whether each key is a parent key), from one hash pass:
    equal keys get equal codes across both, -1 is an empty cell.

    A large lookup is split by a bit of each key's bytes, so that equal keys fall in the
    same half, and the halves are hashed on two threads; the second half's codes are
    shifted past the first's, so codes stay equal exactly when keys are.

    >>> parent_codes, codes, found = lookup(pa.array(["a", "b", "a"]), pa.array(["b", "c", None, "b"]))
    >>> parent_codes.tolist(), codes.tolist(), found.tolist()
    ([0, 1, 0], [1, 2, -1, 1], [True, False, False, True])
    """
    if WORKERS < 2 or len(parent) + len(key) < SPLIT_AT or not parent.type == key.type == pa.string():
        parent_codes, codes, size = _joint_codes(parent, key)
        return parent_codes, codes, (codes >= 0) & (codes < size)
    from concurrent.futures import ThreadPoolExecutor

    parent_side, key_side = _side(parent), _side(key)
    halves = [(parent.filter(A.bools(parent_side == s)), key.filter(A.bools(key_side == s))) for s in (False, True)]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="libyadata-lookup") as other:
        second = other.submit(_joint_codes, *halves[1])
        first = _joint_codes(*halves[0])
        parts = [first, second.result()]
    shift = max(int(first[0].max(initial=-1)), int(first[1].max(initial=-1)), first[2] - 1) + 1
    parent_codes = np.empty(len(parent), dtype=np.int64)
    codes = np.empty(len(key), dtype=np.int64)
    found = np.empty(len(key), dtype=bool)
    for s, (pcodes, kcodes, size), offset in zip((False, True), parts, (0, shift)):
        rows = np.flatnonzero(parent_side == s)
        parent_codes[rows] = np.where(pcodes >= 0, pcodes + offset, -1)
        rows = np.flatnonzero(key_side == s)
        codes[rows] = np.where(kcodes >= 0, kcodes + offset, -1)
        found[rows] = (kcodes >= 0) & (kcodes < size)
    return parent_codes, codes, found


def _side(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A bit of each string's last byte and length, read from the buffers: equal strings, equal bits."""
    out = []
    for _, offsets, data in A.string_chunks(col):
        lengths = np.diff(offsets)
        last = data[np.clip(offsets[1:] - 1, 0, data.size - 1)] if data.size else np.zeros(len(lengths), np.uint8)
        out.append((((last ^ lengths) & 1) == 1) & (lengths > 0))
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)


def key_set(raw: RawTable, fields: tuple[str, ...]) -> pa.Array:
    """The distinct normalised keys of a table, kept for the tables that refer to it."""
    c = _repeating(raw, fields[0]) if len(fields) == 1 else None
    return normalized(c.values) if c is not None else _lookup_set(key_column(raw, fields))


def _lookup_set(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A key column as one array without nulls, for lookups. Duplicates do no harm there (they
    are reported as primary-key errors already)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks else pa.nulls(0, col.type)
    return col.drop_null()
