"""Two records of one table that assert the same thing (``duplicate-assertion``), and mentions
that point to no record (``foreign-key``).

A model names in ``same_assertion`` the fields whose equality means that two of its rows
assert one fact (relationships: subject, predicate, object, modality and holder; the other tables
in ``libyadata.models``). Rows are grouped by those cells, ids compared as the key checks
compare them (Unicode-normalised, case-folded), numbers and dates by value (``1`` and ``01``
are one rank), other text as written; every row after the first of a group is
reported with the row it repeats. One fact is one record: the other sentence belongs in
``mentions.csv``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow.compute as pc

from .. import models, vocab
from . import _arrow as A
from .columns import Checked, cast, emit, field_specs, text_codes
from .keys import key_codes, normalized, not_checked, positions
from .report import Report
from .structure import RawTable


def check_duplicates(report: Report, raw: RawTable, checked: Checked | None = None) -> None:
    """Report the rows of ``raw`` that repeat an earlier row's ``same_assertion`` cells."""
    fields = raw.model.same_assertion
    if not fields or not set(fields) <= set(raw.table.column_names) or raw.num_rows < 2:
        return
    specs = {s.name: s for s in field_specs(raw.model)}
    checked = checked or Checked()
    first, ids = A.group([_codes(raw, checked, specs[f]) for f in fields])
    earlier = first[ids]
    repeat = np.nonzero(earlier != np.arange(raw.num_rows))[0].astype(np.int64)
    if not len(repeat):
        return
    rows = raw.rows(np.arange(raw.num_rows, dtype=np.int64))
    names = ", ".join(fields)

    def message(_: Any, i: int) -> str:
        return (f"asserts the same as row {int(rows[earlier[i]])} (equal {names}): one fact is one record; "
                "delete this row and add its quote to mentions.csv as a mention of the other")

    emit(report, raw, None, "duplicate-assertion", specs[fields[0]], message, column=fields[0], idx=repeat)


def _codes(raw: RawTable, checked: Checked, spec: Any) -> np.ndarray:
    """Codes of one ``same_assertion`` column: equal facts, equal codes."""
    if spec.name.endswith("_id") or spec.name in ("asserted_by", "holder"):
        return key_codes(raw, checked, spec.name)  # ids (slugs) normalised as the key checks do
    if spec.type == "string":
        return text_codes(raw, checked, spec.name)
    column = A.plain(raw.table.column(spec.name))
    typed = checked.typed.get(spec.name)
    if typed is None:
        typed = cast(column, spec)[0]
    value = A.codes(typed)
    if typed.null_count == column.null_count:
        return value
    # A cell that is not of its type (reported by the field checks) keeps its text's code, apart
    # from every value's, so that it is not taken for an empty cell.
    text = text_codes(raw, checked, spec.name)
    return np.where(value >= 0, value, np.where(text >= 0, text + int(value.max(initial=-1)) + 1, -1))


def check_record_references(report: Report, raw: RawTable, checked: Checked | None,
                            key_sets: dict[tuple[str, tuple[str, ...]], Any]) -> None:
    """Rows whose (record_table, record_id) names no record (``key_sets``: the tables' key sets)."""
    ref = raw.model.record_reference
    if ref is None or not set(ref) <= set(raw.table.column_names):
        return
    tables = A.plain(raw.table.column(ref[0]))
    ids = normalized(A.plain(raw.table.column(ref[1])))
    dangling = np.zeros(raw.num_rows, dtype=bool)
    for name in vocab.RECORD_TABLES:
        parent = key_sets.get((name, models.TABLES[name].primary_key))
        here = A.fill(pc.equal(tables, A.scalar(name)))
        if not A.any_true(here):
            continue
        if parent is None:
            report.notes.append(f"{raw.file}: {ref[1]} -> {name} not checked because {name} could not be read")
            continue
        keys = getattr(parent, "values", parent)
        found = A.bools(positions(ids, keys) >= 0)
        missing = A.indices(pc.and_(pc.and_(here, A.fill(ids.is_valid())), pc.invert(found)))
        if len(missing) and len(getattr(parent, "unreadable", ())):  # they may be the rows that could not be read
            report.notes.append(not_checked(f"{raw.file}: {ref[1]} -> {name}", len(missing), parent))
            continue
        dangling[missing] = True
    idx = np.nonzero(dangling)[0].astype(np.int64)
    spec = next(s for s in field_specs(raw.model) if s.name == ref[1])
    emit(report, raw, None, "foreign-key", spec,
         lambda cell, i: f"{ref[1]} {cell!r} is not an existing "
                         f"{models.TABLES[tables[i].as_py()].primary_key[0]} in {tables[i].as_py()}; use an existing id",
         column=ref[1], idx=idx)
