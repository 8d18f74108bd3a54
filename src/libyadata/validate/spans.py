"""Evidence spans: every quote exactly at char_start..char_end of its source, with its context.

The arithmetic (start < end, the quote's length equals the span) runs on columns. The
text comparison runs once per distinct (source_id, quote, char_start, char_end,
quote_prefix, quote_suffix) combination, found by an Arrow group-by, so a million rows
that cite the same few hundred spans cost a few hundred string comparisons. Messages
for the faulty combinations come from ``libyadata.evidence.span_problems`` (including
"did you mean char_start=…, char_end=…?") and are given to every row that holds one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evidence import HINTS, occurrences, prefix_at, span_problems, suffix_at
from . import _arrow as A
from .columns import Checked, emit, field_specs, text_codes
from .keys import key_codes, key_column, normalized
from .report import Report
from .structure import RawTable

FIELDS = ("source_id", "quote", "char_start", "char_end", "quote_prefix", "quote_suffix")


def _spec(raw: RawTable, name: str) -> Any:
    return next(s for s in field_specs(raw.model) if s.name == name)


def _field_of(message: str) -> str:
    if message.startswith("quote_prefix"):
        return "quote_prefix"
    if message.startswith("quote_suffix"):
        return "quote_suffix"
    return "char_start" if "did you mean" in message else "quote"


def _at(checked: Checked, name: str, col: Any, rows: np.ndarray) -> pa.Array:
    """Plain values of ``col`` (the field ``name``: its text, normalised for an id, or its integers) at ``rows``."""
    cells = checked.cells.get(name)
    if cells is None or pa.types.is_integer(col.type):
        return A.plain(A.take(col, rows))
    return cells.take(rows, normalized(cells.values) if name == "source_id" else None)


#: Code points of source text searched for "did you mean" hints in one run: past this, faulty spans are
#: still reported, without the hint (a million faulty rows citing a long text would otherwise search it
#: a million times).
HINT_BUDGET = 64 * 2**20


class _Hints:
    """The "did you mean" search, once per (source, quote) and within :data:`HINT_BUDGET`."""

    def __init__(self) -> None:
        self.searched = 0
        self.found: dict[tuple[str, str], list[int]] = {}

    def find(self, sid: str, text: str, quote: str, start: int, end: int) -> list[int] | None:
        if not quote or (0 <= start and end <= len(text) and text[start:end] == quote):
            return []  # the quote is where it says: the hint is not needed
        key = (sid, quote)
        if key not in self.found:
            if self.searched + len(text) > HINT_BUDGET:
                return None
            self.searched += len(text)
            self.found[key] = occurrences(text, quote, HINTS)
        return self.found[key]


def check_spans(report: Report, raw: RawTable, checked: Checked, texts: dict[str, str]) -> None:
    """Check every evidence span of ``raw`` against ``texts`` (normalised source id -> text)."""
    if not all(f in checked.typed for f in FIELDS):
        return
    start, end = checked.typed["char_start"], checked.typed["char_end"]
    quote = raw.table.column("quote")
    usable = checked.clean(*FIELDS)
    usable = A.fill(pc.and_(pc.and_(start.is_valid(), end.is_valid()), quote.is_valid())) if usable is None else \
        pc.and_(usable, A.fill(pc.and_(pc.and_(start.is_valid(), end.is_valid()), quote.is_valid())))
    order = pc.and_(usable, A.fill(pc.greater_equal(start, end)))
    emit(report, raw, order, "evidence-mismatch", _spec(raw, "char_end"),
         lambda _, i: f"char_start ({start[i].as_py()}) must be less than char_end ({end[i].as_py()})",
         column="char_end")
    cells = checked.cells.get("quote")
    length = pc.cast(pc.utf8_length(quote) if cells is None else pc.take(pc.utf8_length(cells.values), cells.codes),
                     pa.int64())
    span = pc.subtract(end, start)
    wrong_length = pc.and_(pc.and_(usable, pc.invert(order)), A.fill(pc.not_equal(length, span)))
    emit(report, raw, wrong_length, "evidence-mismatch", _spec(raw, "quote"),
         lambda _, i: f"quote has {length[i].as_py()} code points but the span char_start..char_end covers "
                      f"{span[i].as_py()}; use `libyadata anchor` to get the cells",
         column="quote")
    todo = pc.and_(usable, pc.invert(pc.or_(order, wrong_length)))
    if not texts or not A.any_true(todo):
        return
    source = key_column(raw, checked, ("source_id",))
    known = A.fill(pc.is_in(source, value_set=A.strings(list(texts))))
    todo = pc.and_(todo, known)
    cols = {"source_id": source, "quote": quote, "char_start": start, "char_end": end,
            "quote_prefix": raw.table.column("quote_prefix"), "quote_suffix": raw.table.column("quote_suffix")}
    # Codes of the whole columns (one hash pass each), then the rows to check: no copy of the text.
    # (source_id: the key checks' codes of the normalised ids.)
    codes = [key_codes(raw, checked, "source_id")] + [text_codes(raw, checked, f) for f in
                                                       ("quote", "quote_prefix", "quote_suffix")] \
        + [A.numpy(pc.fill_null(cols["char_start"], A.scalar(0)))]
    if pc.sum(todo).as_py() == raw.num_rows:
        idx = np.arange(raw.num_rows, dtype=np.int64)  # the usual case
    else:
        idx = A.indices(todo)
        if not len(idx):
            return
        codes = [c[idx] for c in codes]
    # The quote and char_start fix char_end (their lengths already agree), so five codes name a span.
    first, combo = A.group(codes)
    del codes
    pick = idx[first]
    # As plain values: to_pylist of a dictionary-encoded array builds a scalar per value (1.2 s at 1M events).
    values = [_at(checked, f, cols[f], pick).to_pylist() for f in FIELDS]
    faulty: dict[int, list[str]] = {}
    hints = _Hints()
    for k, (sid, q, s, e, pre, suf) in enumerate(zip(*values)):
        text = texts[sid]
        if e <= len(text) and text[s:e] == q and pre == prefix_at(text, s) and suf == suffix_at(text, e):
            continue
        where = hints.find(sid, text, q, s, e)
        faulty[k] = span_problems(text, q, s, e, pre, suf, where=where, hint=where is not None)
    if not faulty:
        return
    hit = np.isin(combo, np.fromiter(faulty, dtype=combo.dtype))
    by_message: dict[str, list[int]] = {}
    for i, k in zip(idx[hit].tolist(), combo[hit].tolist()):
        for message in faulty[k]:
            by_message.setdefault(message, []).append(i)
    for message, rows in by_message.items():
        name = _field_of(message)
        emit(report, raw, None, "evidence-mismatch", _spec(raw, name), message, column=name,
             idx=np.array(sorted(rows), dtype=np.int64))
