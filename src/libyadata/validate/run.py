"""The order of the checks, and the one place that decides what runs at once.

1. the package: its files (``safety.walk``), descriptor (``package.check_descriptor``)
   and which files belong (``package.check_files``);
2. every declared or table file's bytes, read once (``reading.scan``): size and hash
   against the descriptor, first CR, strict UTF-8;
3. each table in the models' order (parents before the tables that refer to them):
   structure (``structure.read_table``, a large file parsed on Arrow's threads), fields
   (``columns.check_field``, one per column), then the key sets later tables refer to,
   then its rows (``row_checks``: cross-field rules, evidence spans, repeated assertions,
   keys and record references). A large table's field checks run at once, as do its row
   checks (``_at_once``: Arrow's kernels release the GIL). A table is freed before the
   next is read, so memory holds one table at a time.

Every check is a function of a column or a table and its rules that adds problems to
a report; none starts a thread or keeps anything between calls.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import package, safety
from .report import Report
from .safety import GENERATED_DIR, Limits

if TYPE_CHECKING:  # pragma: no cover
    from .columns import Checked
    from .keys import KeySet
    from .reading import FileScan
    from .structure import RawTable

#: Threads for the field checks of a large table (LIBYADATA_THREADS=1 runs them one after another, to compare).
WORKERS = max(1, min(4, int(os.environ.get("LIBYADATA_THREADS", 0)) or os.cpu_count() or 1))
#: Smaller tables are checked on one thread: on the shipped package (a few hundred rows a table),
#: starting threads and handing the GIL over cost more than they saved (0.98 s against 0.43 s).
THREADED_ROWS = 100_000
#: A file this large is parsed on Arrow's thread pool: the 294 MB events.csv of the 1M benchmark in
#: 0.85-1.07 s against 1.24-1.94 s serially (below a few MB the two are within the noise).
THREADED_BYTES = 8 * 2**20


def validate_package(path: str | Path | None = None, max_errors: int | None = None,
                     limits: Limits | None = None, base: str | Path | None = None) -> Report:
    """Validate the data package directory ``path`` and return the report (never raises on bad data).

    ``path`` defaults to the package shipped with libyadata; ``max_errors`` bounds the
    problems kept (the rest are counted); ``limits`` overrides the size caps; ``base``
    is a trusted package whose generated files (``parquet/``) the contribution must
    leave unchanged.

    >>> report = validate_package()
    >>> report.valid, report.exit_code
    (True, 0)
    """
    from ..resources import datapackage_dir

    root = Path(path) if path is not None else datapackage_dir()
    report = Report(str(path) if path is not None else str(root), max_errors)
    started = time.perf_counter()
    try:
        _validate(root, report, limits or Limits(), Path(base) if base is not None else None)
    except OSError as exc:
        report.add("source-error", f"cannot read {exc.filename or root}: {exc.strerror or exc}")
    report.seconds = time.perf_counter() - started
    report.sort()
    return report


def _validate(root: Path, report: Report, limits: Limits, base: Path | None) -> None:
    if not os.path.lexists(root):
        report.add("source-error", f"the path {str(root)!r} does not exist")
        return
    from .. import paths

    problem = paths.root_problem(root)
    if problem and "symbolic link" in problem:
        # A package folder that is a link (to the base package, or anywhere): never followed.
        report.add("unsafe-path", f"the package folder: {problem}")
        return
    if not root.is_dir():
        report.add("source-error", f"the path {str(root)!r} is not a directory; pass the folder that holds "
                   "datapackage.json")
        return
    files = safety.walk(root, report, limits)
    desc = safety.read_descriptor(root, report, limits)
    declared = package.descriptor_checks(desc, files, report)
    readable = package.check_files(root, files, declared, report, base)
    declared = declared or {}
    scans = _scan_files(files, readable, declared, desc, report)
    check_tables(root, files, readable, declared, scans, report, limits)
    if base is not None:
        from .sources import check_against_base

        check_against_base(root, base, report, limits.text_bytes)


def _scan_files(files: dict[str, Path], readable: set[str], declared: dict[str, dict[str, Any]],
                desc: dict[str, Any] | None, report: Report) -> dict[str, FileScan]:
    """Read each readable file's bytes once; compare the declared ones' bytes and hash with the descriptor."""
    from .reading import scan

    resources = desc.get("resources") if isinstance(desc, dict) else None
    index = {id(r): i for i, r in enumerate(resources)} if isinstance(resources, list) else {}
    out = {}
    for rel in sorted(readable):
        try:
            out[rel] = found = scan(files[rel])
        except OSError as exc:
            report.add("source-error", f"cannot read {rel}: {exc.strerror or exc}", file=rel)
            continue
        resource = declared.get(rel)
        if resource is not None:
            package.check_bytes_and_hash(rel, resource, index.get(id(resource), 0), found.size, found.digest, report)
    return out


def check_tables(root: Path, files: dict[str, Path], readable: set[str], declared: dict[str, dict[str, Any]],
                 scans: dict[str, FileScan], report: Report, limits: Limits) -> None:
    """Check the readable tables in the models' order, each against the key sets of those before it."""
    from .. import models, vocab
    from . import reading, rules, structure

    wanted = {(fk.resource, fk.reference) for m in models.MODELS for fk in m.foreign_keys}
    wanted |= {(t, models.TABLES[t].primary_key) for m in models.MODELS if m.record_reference
               for t in vocab.RECORD_TABLES}
    key_sets: dict[tuple[str, tuple[str, ...]], KeySet] = {}
    published, texts = None, {}
    with reading.quiet_unraisable():
        for model in models.MODELS:
            rel = package.table_path(model)
            if rel not in readable or rel not in scans:
                continue
            threads = WORKERS > 1 and scans[rel].size >= THREADED_BYTES
            raw = structure.read_table(files[rel], rel, model, scans[rel], report, limits, threads)
            if raw is None:
                continue
            checked = field_checks(report, raw, limits)
            _encode_repeating(raw, checked)
            if model is models.Source:
                published = rules.publication_dates(raw, checked)
                texts = package.source_texts(root, files, raw, checked, declared, report, limits)
            key_sets.update(_key_sets(raw, checked, wanted))
            row_checks(report, raw, checked, published, texts, key_sets)
            raw.locate(report, checked.multiline)


def field_checks(report: Report, raw: RawTable, limits: Limits) -> Checked:
    """Every field check of a table (at once for a large table); the reports merge in field order.

    Arrow's kernels release the GIL, so the columns of a large table are checked side by
    side. Measured (benchmarks/validate.py --compare, 1M events, 2 shared cores): median
    36.6 s with two threads against 41.0 s on one, a gain of about a tenth (the machine was
    loaded by other work, so the spread is wide: 28.8-68.2 s against 26.7-71.3 s).
    """
    from .columns import Checked, check_field, field_specs

    specs = [s for s in field_specs(raw.model) if s.name in raw.table.column_names]
    checked = Checked()
    for result in _at_once(report, raw, [partial(check_field, raw=raw, spec=s, limits=limits) for s in specs]):
        checked.update(result)
    return checked


def row_checks(report: Report, raw: RawTable, checked: Checked, published: Any, texts: dict[str, str],
               key_sets: dict[tuple[str, tuple[str, ...]], KeySet]) -> None:
    """The checks of a table's rows once its fields are checked (at once for a large table):
    cross-field rules, evidence spans, repeated assertions, keys and record references.

    Measured on the 1M benchmark (pyinstrument, in process, one run each): the events' and
    participants' row checks in 2.2 s at once against 3.0 s one after another
    (LIBYADATA_THREADS=1): the spans' Python loop holds the GIL while the key lookups run in Arrow.
    """
    from .. import models
    from . import assertions, rules, spans

    model = raw.model
    tasks: list[Callable[[Report], Any]] = [partial(rules.check_rows, raw=raw, checked=checked, published=published)]
    if models.has_evidence(model):
        tasks.append(partial(spans.check_spans, raw=raw, checked=checked, texts=texts))
    if model.same_assertion:
        tasks.append(partial(assertions.check_duplicates, raw=raw, checked=checked))
    tasks.append(partial(key_checks, raw=raw, checked=checked, key_sets=key_sets))
    if model.record_reference:
        tasks.append(partial(assertions.check_record_references, raw=raw, checked=checked, key_sets=key_sets))
    _at_once(report, raw, tasks)


def _at_once(report: Report, raw: RawTable, tasks: list[Callable[[Report], Any]]) -> list[Any]:
    """Run ``tasks`` (each a check given its own report), WORKERS at a time when ``raw`` is large,
    and merge their reports in task order; return their results in that order.

    Each task fills a report of its own, so what is kept under ``max_errors`` is what
    running them one after another would keep.
    """
    def one(task: Callable[[Report], Any]) -> tuple[Report, Any]:
        part = Report(report.path, report.room())
        return part, task(part)

    if WORKERS > 1 and len(tasks) > 1 and raw.num_rows >= THREADED_ROWS:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="libyadata-checks") as pool:
            results = list(pool.map(one, tasks))
    else:
        results = [one(t) for t in tasks]
    for part, _ in results:
        report.extend(part)
    return [result for _, result in results]


def _encode_repeating(raw: RawTable, checked: Checked) -> None:
    """Hold a column whose values repeat as its distinct values and row codes from here on.

    The row and key checks read it the same; its text is freed (about 200 MB of Arrow
    memory at 1M events).
    """
    from . import _arrow as A

    for name, c in checked.cells.items():
        i = raw.table.schema.get_field_index(name)
        raw.table = raw.table.set_column(i, name, A.dictionary(c.codes, c.values))


def _key_sets(raw: RawTable, checked: Checked, wanted: set[tuple[str, tuple[str, ...]]]) -> dict[Any, KeySet]:
    from .keys import key_set

    return {(resource, reference): key_set(raw, checked, reference) for resource, reference in wanted
            if resource == raw.model.table and set(reference) <= set(raw.table.column_names)}


def key_checks(report: Report, raw: RawTable, checked: Checked,
               key_sets: dict[tuple[str, tuple[str, ...]], KeySet]) -> None:
    """The table's foreign keys, primary key and unique fields.

    A single-field foreign key's lookup codes its cells; a primary key that includes that
    field groups those codes rather than hashing the column again.
    """
    from .columns import field_specs
    from .keys import check_foreign_key, check_unique, reference_codes

    model = raw.model
    present = set(raw.table.column_names)
    known = {}
    for fk in model.foreign_keys:
        if set(fk.fields) <= present:
            parent = key_sets.get((fk.resource, fk.reference))
            codes = reference_codes(raw, checked, fk, parent) if parent is not None else None
            if codes is not None and len(fk.fields) == 1:
                known[fk.fields[0]] = codes
            check_foreign_key(report, raw, checked, fk, parent, codes)
    if set(model.primary_key) <= present:
        check_unique(report, raw, checked, model.primary_key, "primary-key", known)
    for spec in field_specs(model):
        if spec.unique and spec.name in present:
            check_unique(report, raw, checked, (spec.name,), "unique-error", known)


__all__ = ["GENERATED_DIR", "validate_package"]
