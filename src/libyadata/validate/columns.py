"""Field checks on whole columns: types, constraints, vocabularies and text hygiene.

Every rule comes from the models through ``libyadata.schema.table_fields`` (type,
required, enum, pattern, lengths, minimum/maximum) and the model's JSON Schema (list
items); nothing is restated here. ``check_field`` is a function of one column and its
rules: it reports the faulty cells and returns the typed column (bad cells null), the
mask of faulty rows and, for a column whose values repeat, its distinct values and row
codes, which the row and key checks reuse. Text columns are cast without raising: the
cells that would fail are located by a mask first, so every bad cell is reported, and
Python touches only those cells to word the message.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import vocab
from ..evidence import FORMULA_TRIGGERS
from ..hygiene import cell_fault
from ..models import Record
from ..schema import LIST_PATTERN, cached_json_schema, table_fields
from . import _arrow as A
from . import reading
from .report import Report
from .safety import Limits
from .structure import RawTable

INTEGER_RE = r"^[+-]?[0-9]{1,18}$"
NUMBER_RE = r"^[+-]?(?:[0-9]{1,300}(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: A cell that starts with a formula trigger (``evidence.FORMULA_TRIGGERS``) is run by a spreadsheet
#: as a formula (CWE-1236), except one that starts with "-" and a digit or point and holds no "(" nor
#: "|": a negative number, or text that quotes the article ("-2017 he said", a span's suffix), which can
#: call no function and no other program. ``-2+3+cmd|' /C calc'!A0`` and ``-0+HYPERLINK(…)`` can.
HARMLESS_MINUS_RE = r"^-[0-9.][^(|]*$"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    number: int
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    vocabulary: str | None = None
    #: The field's other Table Schema constraints (pattern, lengths, bounds ...), in the order they
    #: are checked (``CONSTRAINTS``): each has its one function there.
    constraints: tuple[tuple[str, Any], ...] = ()
    unique: bool = False
    items: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=None)
def field_specs(model: type[Record]) -> tuple[FieldSpec, ...]:
    """The checkable form of a model's Table Schema fields."""
    props = cached_json_schema(model)["properties"]
    out = []
    for number, f in enumerate(table_fields(model), start=1):
        c = f.get("constraints", {})
        enum = tuple(c["enum"]) if "enum" in c else None
        vocabulary = None
        if enum is not None:
            vocabulary = next((name for name, terms in vocab.VOCABULARIES.items() if tuple(terms) == enum), None)
        items = {}
        if c.get("pattern") == LIST_PATTERN:
            items = {k: v for k, v in props[f["name"]].get("items", {}).items() if k != "type"}
        unchecked = set(c) - set(CONSTRAINTS) - {"required", "enum", "unique"}
        if unchecked:  # a constraint kind the models use with no function here
            raise TypeError(f"{model.__name__}.{f['name']}: no check for the constraint(s) {sorted(unchecked)}; "
                            "add one to libyadata.validate.columns.CONSTRAINTS")
        out.append(FieldSpec(f["name"], number, f["type"], bool(c.get("required")), enum, vocabulary,
                             tuple((k, c[k]) for k in CONSTRAINTS if k in c), bool(c.get("unique")), items))
    return tuple(out)


@dataclass
class Checked:
    """What the field checks of a table give the row and key checks."""

    #: Typed columns, bad cells null.
    typed: dict[str, pa.ChunkedArray] = field(default_factory=dict)
    #: Rows with a fault, for the fields that have one.
    bad: dict[str, pa.ChunkedArray] = field(default_factory=dict)
    #: The columns whose values repeat, as distinct values and row codes (see Cells).
    cells: dict[str, Cells] = field(default_factory=dict)
    #: Columns with a cell holding a line feed (line numbers count them).
    multiline: set[str] = field(default_factory=set)

    def clean(self, *names: str) -> pa.ChunkedArray | None:
        """Rows where none of ``names`` has a fault (None when all are clean everywhere)."""
        out = None
        for n in names:
            if n in self.bad:
                ok = pc.invert(self.bad[n])
                out = ok if out is None else pc.and_(out, ok)
        return out

    def update(self, other: Checked) -> None:
        self.typed.update(other.typed)
        self.bad.update(other.bad)
        self.cells.update(other.cells)
        self.multiline |= other.multiline


def emit(report: Report, raw: RawTable, mask: Any, type: str, spec: FieldSpec | None,
         message: Callable[[Any, int], str] | str, column: str | None = None,
         idx: np.ndarray | None = None) -> int:
    """Report every row of ``mask`` (up to the report's room); returns how many there were."""
    if idx is None:
        idx = A.indices(mask)
    n = len(idx)
    if not n:
        return 0
    room = report.room()
    shown = idx if room is None else idx[:room]
    if len(shown) < n:
        report.count_dropped(n - len(shown))
    name = column or (spec.name if spec else None)
    col = raw.table.column(name) if name in raw.table.column_names else None
    rows = raw.rows(shown)
    for i, r in zip(shown.tolist(), rows.tolist()):
        cell = col[i].as_py() if col is not None else None
        text = message if isinstance(message, str) else message(cell, i)
        report.add(type, text, file=raw.file, row=int(r), field=name, cell=cell,
                   field_number=spec.number if spec else None)
    return n


def _null(t: pa.DataType) -> pa.Scalar:
    return pa.nulls(1, t)[0]


def cast(col: pa.ChunkedArray, spec: FieldSpec) -> tuple[pa.ChunkedArray, pa.ChunkedArray | None]:
    """(typed column, mask of cells that are not of the type) without raising."""
    if spec.type == "string":
        return col, None
    if spec.type == "integer":
        ok = pc.match_substring_regex(col, INTEGER_RE)
        # Arrow's cast refuses the leading "+" that Table Schema allows (and raises): it is dropped first.
        typed = pc.cast(pc.utf8_ltrim(pc.if_else(ok, col, _null(pa.string())), "+"), pa.int64())
    elif spec.type == "number":
        ok = pc.match_substring_regex(col, NUMBER_RE)
        typed = pc.cast(pc.if_else(ok, col, _null(pa.string())), pa.float64())
        finite = pc.is_finite(typed)
        ok = pc.and_(ok, finite)
        typed = pc.if_else(finite, typed, _null(pa.float64()))
    elif spec.type == "date":
        ok = pc.match_substring_regex(col, DATE_RE)
        stamp = pc.strptime(pc.if_else(ok, col, _null(pa.string())), format="%Y-%m-%d", unit="s",
                            error_is_null=True)
        typed = pc.cast(stamp, pa.date32())
        # strptime rolls 2017-02-30 over to March: a date is valid only if it prints back the same.
        ok = A.fill(pc.equal(pc.cast(typed, pa.string()), col))
        typed = pc.if_else(ok, typed, _null(pa.date32()))
    else:  # pragma: no cover - schema.table_fields has no other type
        raise TypeError(spec.type)
    bad = pc.and_(col.is_valid(), pc.invert(A.fill(ok)))
    return typed, bad


def _formula_message(cell: Any, _: int) -> str:
    return (f"cell starts with {cell[:1]!r}: a spreadsheet would run it as a formula; reword it so it does not "
            "start with =, +, -, @, tab or CR")


#: First bytes a formula can start with: all ASCII, so the first byte is the first character.
_FORMULA_FIRST = np.zeros(256, dtype=bool)
_FORMULA_FIRST[[ord(c) for c in FORMULA_TRIGGERS]] = True


def _first_byte_rows(col: pa.ChunkedArray | pa.Array, table: np.ndarray) -> np.ndarray | None:
    """Rows of non-empty string cells whose first byte is marked in ``table`` (from the buffers).

    None when the column's layout is not plain ``string`` (the caller then uses Arrow kernels).
    """
    if col.type != pa.string():
        return None
    out = []
    for base, offsets, data in A.string_chunks(col):
        if data.size:
            starts = offsets[:-1]
            hit = np.flatnonzero(table[data[np.minimum(starts, data.size - 1)]] & (offsets[1:] > starts))
            if len(hit):
                out.append(hit + base)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def _mask(rows: np.ndarray, n: int) -> pa.Array:
    full = np.zeros(n, dtype=bool)
    full[rows] = True
    return A.bools(full)


@dataclass
class Cells:
    """The values a field's tests run on, and how they map to the table's rows.

    A column with few distinct values is tested once per distinct value (its dictionary)
    and the masks are spread back to the rows; otherwise the values are the rows. Every
    cell test is a function of the cell's value alone, so both give the same masks.
    """

    values: pa.Array | pa.ChunkedArray
    #: Row -> index into ``values`` (null for an empty cell); None when the values are the rows.
    codes: pa.ChunkedArray | None = None
    #: Each row's index into ``values`` as NumPy (int32), -1 for an empty cell; None when the values
    #: are the rows. Made once here, where the row checks (dates, spans, keys, repeated assertions)
    #: each made it again.
    row: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.codes is not None and self.row is None:
            self.row = A.numpy(pc.fill_null(self.codes, A.scalar(-1, self.codes.type)))

    def rows(self, mask: Any) -> Any:
        """A mask over the values as a mask over the rows (nulls false)."""
        if self.codes is None:
            return mask
        return A.fill(pc.take(mask, self.codes))

    def emit_mask(self, mask: Any) -> Any:
        """The row mask to report for a value mask (None, meaning nothing, when it holds no row)."""
        if self.codes is None:
            return mask
        return self.rows(mask) if A.any_true(mask) else None

    def take(self, rows: np.ndarray, values: pa.Array | None = None) -> pa.Array:
        """The values of table rows ``rows`` (null for an empty cell), or of ``values``: one
        array in step with ``values`` (such as its normalised form)."""
        values = self.values if values is None else values
        if self.row is None:
            return A.plain(A.take(values, rows))
        at = self.row[rows]
        return A.plain(values).take(A.int64s(at, valid=at >= 0))

    def row_indices(self, value_idx: np.ndarray) -> np.ndarray:
        if self.codes is None or not len(value_idx):
            return value_idx
        return A.indices(self.rows(_mask(value_idx, len(self.values))))


def text_codes(raw: RawTable, checked: Checked, name: str) -> np.ndarray:
    """Codes of a column's cells as written (equal text, equal codes; -1 for empty): the field
    checks' when they made them, else one hash pass."""
    c = checked.cells.get(name)
    return c.row if c is not None and c.row is not None else A.codes(A.plain(raw.table.column(name)))


def cells(col: pa.ChunkedArray) -> Cells:
    """Test ``col`` per distinct value when it was parsed dictionary-encoded (``reading.repeating``)
    or a sample of it repeats (dictionary encoding is one hash pass)."""
    if pa.types.is_dictionary(col.type) and col.num_chunks:
        # Its chunks share one dictionary (``csvio.read_arrow`` unifies them).
        return Cells(col.chunk(col.num_chunks - 1).dictionary,
                     pa.chunked_array([c.indices for c in col.chunks], type=col.type.index_type))
    col = A.plain(col)
    n = len(col)
    sample = reading.SAMPLE_ROWS
    if n < 2 * sample or not isinstance(col, pa.ChunkedArray) or not reading.repeats(col.slice(0, sample)):
        return Cells(col)
    enc = pc.dictionary_encode(col)
    if not enc.num_chunks:  # pragma: no cover - n > 0
        return Cells(col)
    # The chunks of a dictionary-encoded column share one dictionary (the last is the fullest).
    values = enc.chunk(enc.num_chunks - 1).dictionary
    return Cells(values, pa.chunked_array([c.indices for c in enc.chunks], type=enc.type.index_type))


def _emit(report: Report, raw: RawTable, cells: Cells, mask: Any, type: str, spec: FieldSpec,
          message: Callable[[Any, int], str] | str) -> int:
    rows = cells.emit_mask(mask)
    return 0 if rows is None else emit(report, raw, rows, type, spec, message)


def hygiene(report: Report, raw: RawTable, spec: FieldSpec, col: pa.ChunkedArray,
            cells: Cells | None = None) -> tuple[Any, bool]:
    """Formula triggers, refused characters and NFC (``libyadata.hygiene``); returns the mask of
    faulty values and whether a value holds a line feed.

    Cheap whole-column tests (first byte, printable ASCII) pick the few values that can be
    faulty; the regular expressions and the normaliser run once per distinct value of those.
    ``col`` holds the values tested (``cells.values``; the rows when ``cells`` is None).
    """
    cells = cells or Cells(col)
    n = len(col)
    cand = _first_byte_rows(col, _FORMULA_FIRST)
    if cand is None:  # pragma: no cover - columns are always read as string
        raise TypeError(f"expected a string column, not {col.type}")
    rows = cand[A.indices(pc.invert(A.fill(pc.match_substring_regex(A.take(col, cand), HARMLESS_MINUS_RE))))] \
        if len(cand) else cand
    bad = _mask(rows, n)
    _emit(report, raw, cells, bad, "formula-injection", spec, _formula_message)
    # Printable ASCII is ASCII: every other valid cell is unusual (control, format or non-ASCII).
    unusual = pc.and_(pc.invert(A.fill(pc.ascii_is_printable(col))), A.fill(col.is_valid()))
    idx = A.indices(unusual)
    if len(idx):
        sub = A.take(col, idx)
        # Each test runs on the distinct values (quotes repeat), then is spread back to the cells.
        enc = pc.dictionary_encode(sub)
        values, codes = enc.dictionary, enc.indices

        def spread(test: Any) -> np.ndarray:
            return idx[A.indices(pc.take(A.fill(test), codes))]

        multiline = A.any_true(A.fill(pc.match_substring(values, "\n")))
        # Decided in Python on the distinct values (see libyadata.hygiene: the Arrow kernels' Unicode
        # tables follow the pyarrow version, and pyarrow 25's NFC is wrong on U+0623).
        faulty = np.array([cell_fault(v) is not None for v in values.to_pylist()], dtype=bool)
        rows = spread(A.bools(faulty))
        if len(rows):
            emit(report, raw, None, "unicode-error", spec, lambda cell, _: cell_fault(cell),
                 idx=cells.row_indices(rows))
            bad = pc.or_(bad, _mask(rows, n))
        return bad, multiline
    return bad, False


def _vocabulary_message(spec: FieldSpec) -> Callable[[Any, int], str]:
    allowed = spec.enum or ()

    def message(cell: Any, _: int) -> str:
        close = difflib.get_close_matches(str(cell), allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        name = f"the vocabulary {spec.vocabulary}" if spec.vocabulary else f"the values of {spec.name}"
        return f"{cell!r} is not in {name}; {hint}allowed: {', '.join(allowed)}"
    return message


def date_problem(cell: str) -> str:
    """Why a cell is not a date, as a sentence.

    >>> date_problem("2017-02-30")
    '2017-02-30 is not a real date: February 2017 has 28 days'
    >>> date_problem("14 August 2017")
    "'14 August 2017' is not a date: write dates as YYYY-MM-DD, such as 2017-08-14"
    """
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", cell)
    if m is None:
        return f"{cell!r} is not a date: write dates as YYYY-MM-DD, such as 2017-08-14"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"{cell} is not a real date: there is no month {month}"
    if day < 1:
        return f"{cell} is not a real date: there is no day 0"
    days = ((dt.date(year + month // 12, month % 12 + 1, 1) - dt.date(year, month, 1)).days if year >= 1
            else 31)
    return f"{cell} is not a real date: {MONTHS[month - 1]} {year} has {days} days"


def type_message(spec: FieldSpec) -> Callable[[Any, int], str]:
    """The message for a cell that is not of its field's type."""
    def message(cell: Any, _: int) -> str:
        if spec.type == "date":
            return date_problem(cell)
        if spec.type == "integer":
            if re.fullmatch(r"[+-]?[0-9]+", cell):
                digits = len(cell.lstrip("+-"))
                return f"{cell!r} has {digits} digits, more than the 18 a whole number may have here"
            return f"{cell!r} is not a whole number: write it with digits only, such as 3"
        if re.fullmatch(NUMBER_RE, cell):  # of the form, so refused as not finite
            return f"{cell!r} is too large a number (beyond about 1.8e308, the largest a 64-bit float holds)"
        return f"{cell!r} is not a number: write it with digits and a point, such as 0.55"
    return message


Message = Callable[[Any, int], str]


def _pattern(col: Any, typed: Any, pattern: str) -> tuple[Any, Message]:
    return (pc.invert(pc.match_substring_regex(col, pattern)),
            lambda cell, _: f"{cell!r} does not match the pattern {pattern}")


def _min_length(col: Any, typed: Any, n: int) -> tuple[Any, Message]:
    length = pc.utf8_length(col)
    return (pc.less(length, A.scalar(n, length.type)),
            lambda cell, _: f"the cell has {len(cell)} characters, fewer than the {n} required")


def _max_length(col: Any, typed: Any, n: int) -> tuple[Any, Message]:
    length = pc.utf8_length(col)
    return (pc.greater(length, A.scalar(n, length.type)),
            lambda cell, _: f"the cell has {len(cell)} characters, more than the {n} allowed")


def _minimum(col: Any, typed: Any, bound: float) -> tuple[Any, Message]:
    return pc.less(typed, A.scalar(bound, typed.type)), lambda cell, _: f"{cell} is below the minimum of {bound}"


def _maximum(col: Any, typed: Any, bound: float) -> tuple[Any, Message]:
    return (pc.greater(typed, A.scalar(bound, typed.type)),
            lambda cell, _: f"{cell} is above the maximum of {bound}")


#: Table Schema constraint -> the one function that checks it: (the column's text values, its typed
#: values, the constraint's value) -> (mask of the values that break it, the message for one of
#: them). A cell gets one constraint error, for the first constraint it breaks in this order (as
#: Frictionless). A constraint kind the models start to use needs a function here (``field_specs``
#: refuses a constraint that has none) and a case in tests/fixtures/make_invalid.py.
CONSTRAINTS: dict[str, Callable[[Any, Any, Any], tuple[Any, Message]]] = {
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minimum": _minimum,
    "maximum": _maximum,
}


def check_field(report: Report, raw: RawTable, spec: FieldSpec, limits: Limits | None = None) -> Checked:
    """Check one column against its field's rules (see the module docstring for what is returned)."""
    out = Checked()
    column = raw.table.column(spec.name)
    c = cells(column)
    col = c.values  # every test below runs on these values; c.rows() maps a mask to the table's rows
    cap = (limits or Limits()).cell_bytes
    huge = A.fill(pc.greater(pc.binary_length(col), A.scalar(cap, pa.int32())))
    blanked = A.any_true(huge)
    if blanked:
        _emit(report, raw, c, huge, "size-limit", spec,
              lambda cell, _: f"the cell has {len(cell.encode())} bytes, more than the {cap} accepted")
        # Nothing else is said about a cell that large; it is blanked for the other checks (its line
        # feeds still count in the line numbers of the problems after it).
        if A.any_true(A.fill(pc.match_substring(col.filter(huge), "\n"))):
            out.multiline.add(spec.name)
        col = pc.if_else(huge, pa.nulls(1, pa.string())[0], col)
        if c.codes is not None:
            column = pc.if_else(c.rows(huge), pa.nulls(1, pa.string())[0], A.plain(column))
    faulty, multiline = hygiene(report, raw, spec, col, c)
    bad = pc.or_(faulty, huge)
    if multiline:
        out.multiline.add(spec.name)
    missing_rows = None
    if spec.required:
        # An empty cell has no value: this mask is over the rows (the blanked large cells are not empty).
        missing_rows = raw.table.column(spec.name).is_null()
        emit(report, raw, missing_rows, "constraint-error", spec,
             f"{spec.name} is required but the cell is empty")
    typed, type_bad = cast(col, spec)
    if type_bad is not None:
        # A cell refused for its characters (a NUL, a formula's `=`) is that error only: one fault, one
        # error. Its type is checked once those characters are gone.
        _emit(report, raw, c, pc.and_(type_bad, pc.invert(faulty)), "type-error", spec, type_message(spec))
        bad = pc.or_(bad, type_bad)
    ok = pc.and_(typed.is_valid(), pc.invert(type_bad) if type_bad is not None else typed.is_valid())
    ok = A.fill(ok)

    failed = None  # one constraint error per cell, as Frictionless: the first constraint it breaks

    def constraint(mask: Any, kind: str, message: Callable[[Any, int], str] | str) -> None:
        nonlocal bad, failed
        mask = pc.and_(ok, A.fill(mask))
        if failed is not None:
            mask = pc.and_(mask, pc.invert(failed))
        if _emit(report, raw, c, mask, kind, spec, message):
            bad = pc.or_(bad, mask)
            failed = mask if failed is None else pc.or_(failed, mask)

    if spec.enum is not None:
        constraint(pc.invert(pc.is_in(col, value_set=A.strings(list(spec.enum)))), "vocabulary-error",
                   _vocabulary_message(spec))
    for kind, value in spec.constraints:
        mask, message = CONSTRAINTS[kind](col, typed, value)
        constraint(mask, "constraint-error", message)
    if spec.items:
        _check_items(report, raw, spec, col, ok, constraint)
    if c.codes is not None:
        out.cells[spec.name] = c  # the row rules, spans and keys work per distinct value through these
    if c.codes is None:
        out.typed[spec.name] = typed
    elif spec.type != "string":
        out.typed[spec.name] = pc.take(typed, c.codes)
    else:  # the same cells as the table's column once run.py has encoded it (see there)
        out.typed[spec.name] = column if blanked else A.dictionary(c.codes, c.values)
    # A field with no fault anywhere has no mask (Checked.clean): most fields, at no cost per row.
    bad = A.fill(bad)
    if A.any_true(bad):
        bad = c.rows(bad)
        out.bad[spec.name] = bad if missing_rows is None else pc.or_(bad, missing_rows)
    elif missing_rows is not None and A.any_true(missing_rows):
        out.bad[spec.name] = missing_rows
    return out


def _check_items(report: Report, raw: RawTable, spec: FieldSpec, col: pa.ChunkedArray, ok: Any,
                 constraint: Callable[..., None]) -> None:
    """Constraints of each value of a '|'-joined list cell (e.g. one alias at most 200 characters)."""
    parts = pc.split_pattern(col, vocab.LIST_DELIMITER)
    flat = pc.list_flatten(parts)
    parent = pc.list_parent_indices(parts)
    item_bad = None
    length = pc.utf8_length(flat)
    if "maxLength" in spec.items:
        item_bad = pc.greater(length, A.scalar(spec.items["maxLength"], length.type))
    if "pattern" in spec.items:
        m = pc.invert(pc.match_substring_regex(flat, spec.items["pattern"]))
        item_bad = m if item_bad is None else pc.or_(item_bad, m)
    if item_bad is None or not A.any_true(item_bad):
        return
    mask = np.zeros(len(col), dtype=bool)
    mask[A.numpy(parent)[A.indices(item_bad)]] = True
    limit = spec.items.get("maxLength")
    constraint(A.bools(mask), "constraint-error",
               f"a value of the list is longer than {limit} characters or empty" if limit else
               "a value of the list breaks its constraint")
