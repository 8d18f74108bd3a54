"""Rules across the fields of one row, as the models' validators state them, run on columns.

Dates follow ``models.check_interval`` (precision day/month/year/unknown, basis
'undated' exactly when unknown, 1900..2100, start <= end), plus: a dated record may not
begin after its source's publication unless it is a projection. The columnar masks
find the faulty rows; ``check_interval`` itself words the message for each, so the
validator and the models cannot disagree on what a message says. The other rules
(``ROW_RULES``: Wikidata citation, self-affiliation, likelihood band) are the models'
functions themselves, run once per distinct combination of their cells.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..models import (MAX_DATE, MIN_DATE, Actor, Projection, Record, Relationship, check_affiliation,
                      check_holder, check_interval, check_likelihood, check_wikidata, has_dates)
from . import _arrow as A
from .columns import Checked, emit, field_specs
from .keys import key_column, normalized
from .report import Report
from .structure import RawTable


def _spec(model: type[Record], name: str) -> Any:
    return next(s for s in field_specs(model) if s.name == name)


def _eq(col: Any, value: Any) -> Any:
    return A.fill(pc.equal(A.plain(col), A.scalar(value)))


def interval_mask(start: Any, end: Any, precision: Any, basis: Any) -> Any:
    """Rows whose interval ``check_interval`` would reject (all four cells well typed)."""
    unknown, undated = _eq(precision, "unknown"), _eq(basis, "undated")
    some_date = pc.or_(start.is_valid(), end.is_valid())
    bad = pc.xor(unknown, undated)
    bad = pc.or_(bad, pc.and_(pc.or_(unknown, undated), some_date))
    dated = pc.invert(pc.or_(unknown, undated))
    both = pc.and_(start.is_valid(), end.is_valid())
    bad = pc.or_(bad, pc.and_(dated, pc.invert(both)))
    lo, hi = A.scalar(MIN_DATE), A.scalar(MAX_DATE)
    out_of_range = pc.or_(pc.or_(pc.less(start, lo), pc.greater(start, hi)),
                          pc.or_(pc.less(end, lo), pc.greater(end, hi)))
    wrong = pc.or_(A.fill(out_of_range), A.fill(pc.greater(start, end)))
    y0, m0, d0 = pc.year(start), pc.month(start), pc.day(start)
    y1, m1, d1 = pc.year(end), pc.month(end), pc.day(end)
    last = pc.take(A.int64s([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]), m0)
    last = pc.add(last, pc.cast(pc.and_(pc.is_leap_year(start), pc.equal(m0, A.scalar(2))), pa.int64()))
    day = pc.and_(_eq(precision, "day"), A.fill(pc.not_equal(start, end)))
    month = pc.and_(_eq(precision, "month"), A.fill(pc.or_(
        pc.or_(pc.not_equal(d0, A.scalar(1)), pc.not_equal(y1, y0)),
        pc.or_(pc.not_equal(m1, m0), pc.not_equal(d1, last)))))
    year = pc.and_(_eq(precision, "year"), A.fill(pc.or_(
        pc.or_(pc.not_equal(m0, A.scalar(1)), pc.not_equal(d0, A.scalar(1))),
        pc.or_(pc.not_equal(y1, y0), pc.or_(pc.not_equal(m1, A.scalar(12)), pc.not_equal(d1, A.scalar(31)))))))
    wrong = pc.or_(wrong, pc.or_(day, pc.or_(month, year)))
    return pc.or_(A.fill(bad), pc.and_(pc.and_(dated, A.fill(both)), A.fill(wrong)))


def check_dates(report: Report, raw: RawTable, checked: Checked,
                published: tuple[pa.Array, pa.Array] | None) -> None:
    """Interval rules, and no start after the source's publication (``published``: ids, dates)."""
    names = ("date_start", "date_end", "date_precision", "date_basis")
    if not all(n in checked.typed for n in names):
        return
    start, end, precision, basis = (checked.typed[n] for n in names)
    clean = checked.clean(*names)
    table = raw.table
    with_source = (published is not None and not issubclass(raw.model, Projection)
                   and "source_id" in table.column_names)
    # Every rule here is a function of these cells, so it runs once per distinct combination of them.
    first, ids = _combinations(checked, names + (("source_id",) if with_source else ()))
    if first is None:
        bad = interval_mask(start, end, precision, basis)
    else:
        bad = A.take_rows(interval_mask(*(A.take(c, first) for c in (start, end, precision, basis))), ids)
    if clean is not None:
        bad = pc.and_(bad, clean)

    def message(_: Any, i: int) -> str:
        s, e = start[i].as_py(), end[i].as_py()
        try:
            check_interval(s, e, precision[i].as_py(), basis[i].as_py())
        except ValueError as exc:
            return str(exc)
        return f"the interval {s}..{e} does not fit precision {precision[i].as_py()!r}"  # pragma: no cover

    emit(report, raw, bad, "date-error", _spec(raw.model, "date_start"), message)
    if not with_source:
        return
    source_ids, dates = published
    if first is None:
        sources = key_column(raw, checked, ("source_id",))
    else:
        sources = normalized(A.take(table.column("source_id"), first))
    pub = pc.take(dates, pc.index_in(sources, value_set=source_ids))
    if first is not None:
        pub = A.take_rows(pub, ids)
    late = A.fill(pc.greater(start, pub))
    late = pc.and_(late, pc.invert(bad))
    if clean is not None:
        late = pc.and_(late, clean)
    emit(report, raw, late, "date-error", _spec(raw.model, "date_start"),
         lambda _, i: f"date_start {start[i].as_py()} is after the source's publication ({pub[i].as_py()}); "
                      "only a projection may speak of the future")


def _combinations(checked: Checked, names: tuple[str, ...]) -> tuple[Any, Any]:
    """(first row of each distinct combination of the cells, combination of each row), from the
    field checks' codes; (None, None) when a column has no codes (it seldom repeats)."""
    codes = []
    for name in names:
        cells = checked.cells.get(name)
        if cells is None:
            return None, None
        codes.append(cells.row)
    return A.group(codes)


def check_rule(report: Report, raw: RawTable, checked: Checked, names: tuple[str, ...],
               rule: Callable[..., None], field: str) -> None:
    """Run a model's cross-field rule (a function of these cells that raises ValueError with its
    message) once per distinct combination of the cells, and report the rows of each that fails.

    The rule is the models' own (``models.check_wikidata`` …): the verdict and the message
    cannot differ from what the models say. Rows with a fault in one of the cells are
    reported there and skipped here.
    """
    columns = [checked.typed.get(n, raw.table.column(n)) for n in names]
    codes = []
    for name, col in zip(names, columns):
        cells = checked.cells.get(name)
        codes.append(cells.row if cells is not None else A.codes(col))
    first, ids = A.group(codes)
    values = [A.plain(A.take(col, first)).to_pylist() for col in columns]
    failed: dict[int, str] = {}
    for k, combination in enumerate(zip(*values)):
        try:
            rule(*combination)
        except ValueError as exc:
            failed[k] = str(exc)
    if not failed:
        return
    mask = np.isin(ids, np.fromiter(failed, dtype=ids.dtype))
    clean = checked.clean(*names)
    rows = np.flatnonzero(mask) if clean is None else np.flatnonzero(mask & A.numpy(pc.cast(clean, pa.int8())) == 1)
    emit(report, raw, None, "consistency-error", _spec(raw.model, field), lambda _, i: failed[int(ids[i])],
         column=field, idx=rows)


#: The models' cross-field rules checked here, per table: (the cells it reads, the rule, the field to report).
ROW_RULES: dict[type[Record], tuple[tuple[tuple[str, ...], Callable[..., None], str], ...]] = {
    Actor: ((("wikidata_id", "wikidata_ref"), check_wikidata, "wikidata_ref"),
            (("actor_id", "affiliation_id"), check_affiliation, "affiliation_id")),
    Projection: ((("likelihood_text", "likelihood_low", "likelihood_high"), check_likelihood, "likelihood_low"),),
    Relationship: ((("modality", "holder"), check_holder, "holder"),),
}


def check_rows(report: Report, raw: RawTable, checked: Checked,
               published: tuple[pa.Array, pa.Array] | None) -> None:
    """Every cross-field rule the model declares."""
    cols = set(raw.table.column_names)
    if has_dates(raw.model):
        check_dates(report, raw, checked, published)
    for model, rules in ROW_RULES.items():
        if issubclass(raw.model, model):
            for names, rule, field in rules:
                if set(names) <= cols:
                    check_rule(report, raw, checked, names, rule, field)


def publication_dates(raw: RawTable, checked: Checked) -> tuple[pa.Array, pa.Array] | None:
    """(normalised source ids, publication dates) of the sources table."""
    if "published" not in checked.typed:
        return None
    ids = normalized(raw.table.column("source_id"))
    table = pa.Table.from_arrays([ids, checked.typed["published"]], names=["id", "published"])
    table = table.filter(pc.and_(A.fill(table.column("id").is_valid()), A.fill(table.column("published").is_valid())))
    if not table.num_rows:
        return A.strings([]), A.dates([])
    return table.column("id").combine_chunks(), table.column("published").combine_chunks()

