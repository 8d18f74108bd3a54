"""The order of the checks, and the one place that decides what runs at once.

1. the package: its files (``safety.walk``), descriptor (``package.check_descriptor``)
   and which files belong (``package.check_files``);
2. every declared or table file's bytes, read once (``reading.scan``): size and hash
   against the descriptor, first CR, strict UTF-8 (a large table's while it is parsed, in 3);
3. each table in the models' order (parents before the tables that refer to them):
   structure (``structure.read_table``; a large file parsed on Arrow's threads beside its scan), fields
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
    from .reading import FileScan, Parsed
    from .structure import RawTable

#: Threads for a large table: its scan beside its parse, its field checks, its row checks
#: (LIBYADATA_THREADS=1 runs everything one after another, to compare). Re-measured together (1M
#: benchmark, 2 cores, 15 alternated runs of the command): median 2.98 s, against 3.65 s with only
#: Arrow's threaded parse and 3.98 s with LIBYADATA_THREADS=1; each alone was within the noise.
WORKERS = max(1, min(4, int(os.environ.get("LIBYADATA_THREADS", 0)) or os.cpu_count() or 1))
#: Smaller tables are checked on one thread: on the shipped package (a few hundred rows a table),
#: starting threads and handing the GIL over cost more than they saved (0.98 s against 0.43 s).
THREADED_ROWS = 100_000
#: A file this large is parsed on Arrow's thread pool (and scanned beside its parse): on the 1M
#: benchmark (5 alternated runs) a median of 5.71 s against 6.19 s serially, both without the
#: scan beside; below a few MB the two are within the noise.
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
    if base is not None and safety.safe_file(base, safety.DESCRIPTOR) is None:
        # The base is the maintainers' trusted package: a wrong one is the invocation's fault, not the contribution's.
        report.add("source-error", f"the base package {str(base)!r} has no datapackage.json (or it is a link): "
                   "pass the folder of the base branch's package with --base")
        return
    files = safety.walk(root, report, limits)
    desc = safety.read_descriptor(root, report, limits, refused=files.was_refused(safety.DESCRIPTOR))
    declared = package.descriptor_checks(desc, files, report)
    readable = package.check_files(root, files, declared, report, base)
    declared = declared or {}
    index = _resource_index(desc)
    ahead = _parsed_while_scanned(files, readable)
    scans = _scan_files(files, readable - ahead, declared, index, report)
    check_tables(root, files, readable, declared, scans, report, limits, ahead, index)
    if base is not None:
        from .sources import check_against_base

        check_against_base(root, base, report, limits.text_bytes, partial(safety.was_refused, files))


def _resource_index(desc: dict[str, Any] | None) -> dict[int, int]:
    """Each resource object's position in the descriptor (by identity), for the problems' pointers."""
    resources = desc.get("resources") if isinstance(desc, dict) else None
    return {id(r): i for i, r in enumerate(resources)} if isinstance(resources, list) else {}


def _parsed_while_scanned(files: dict[str, Path], readable: set[str]) -> set[str]:
    """The large table files: each is parsed while its bytes are scanned (``_scan_and_parse``)."""
    from .. import models

    if WORKERS < 2:
        return set()
    ahead = set()
    for rel in {package.table_path(m) for m in models.MODELS} & readable:
        try:
            if os.lstat(files[rel]).st_size >= THREADED_BYTES:
                ahead.add(rel)
        except OSError:  # gone since the walk: its scan reports it
            pass
    return ahead


def _scan_files(files: dict[str, Path], rels: set[str], declared: dict[str, dict[str, Any]],
                index: dict[int, int], report: Report) -> dict[str, FileScan]:
    """Read each of the files' bytes once; compare the declared ones' bytes and hash with the descriptor."""
    out = {}
    for rel in sorted(rels):
        found = _scan(files[rel], rel, declared, index, report)
        if found is not None:
            out[rel] = found
    return out


def _scan(path: Path, rel: str, declared: dict[str, dict[str, Any]], index: dict[int, int], report: Report,
          found: FileScan | OSError | None = None) -> FileScan | None:
    """One file's scan (``found``: made already, or the OSError it raised), judged against the descriptor."""
    from .reading import scan

    if found is None:
        try:
            found = scan(path)
        except OSError as exc:
            found = exc
    if isinstance(found, OSError):
        report.add("source-error", f"cannot read {rel}: {found.strerror or found}", file=rel)
        return None
    resource = declared.get(rel)
    if resource is not None:
        package.check_bytes_and_hash(rel, resource, index.get(id(resource), 0), found.size, found.digest, report)
    return found


def _scan_and_parse(path: Path, limits: Limits) -> tuple[FileScan | OSError, Parsed | None]:
    """A large table's bytes scanned on a thread while Arrow parses it (sha256 releases the GIL).

    Measured (1M benchmark, 2 cores, 5 alternated runs of the command): median 5.06 s against
    5.71 s with every file scanned before any is parsed.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .reading import parse_ahead, scan

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="libyadata-scan") as pool:
        job = pool.submit(scan, path)
        try:
            parsed = parse_ahead(path, limits.csv_bytes, limits.labels)
        except OSError:
            parsed = None  # the scan reports it
        try:
            return job.result(), parsed
        except OSError as exc:
            return exc, None


def check_tables(root: Path, files: dict[str, Path], readable: set[str], declared: dict[str, dict[str, Any]],
                 scans: dict[str, FileScan], report: Report, limits: Limits, ahead: set[str],
                 index: dict[int, int]) -> None:
    """Check the readable tables in the models' order, each against the key sets of those before it.

    ``ahead``: tables not yet scanned, each scanned while it is parsed (``_scan_and_parse``).
    """
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
            parsed = None
            if rel in ahead:
                found, parsed = _scan_and_parse(files[rel], limits)
                if (done := _scan(files[rel], rel, declared, index, report, found)) is not None:
                    scans[rel] = done
            if rel not in readable or rel not in scans:
                continue
            raw = structure.read_table(files[rel], rel, model, scans[rel], report, limits, parsed)
            del parsed
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
    side. Measured (1M benchmark, 2 cores, 5 alternated runs of the command): median 5.84 s
    against 6.81 s with the field checks one after another.
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

    Measured (1M benchmark, 2 cores, 5 alternated runs of the command): median 5.84 s against
    6.61 s with the row checks one after another: the spans' Python loop holds the GIL while
    the key lookups run in Arrow.
    """
    from .. import models
    from . import assertions, rules, spans

    model = raw.model
    # The longest first (keys, then spans), so that the others fill the time beside them.
    tasks: list[Callable[[Report], Any]] = [partial(key_checks, raw=raw, checked=checked, key_sets=key_sets)]
    if models.has_evidence(model):
        tasks.append(partial(spans.check_spans, raw=raw, checked=checked, texts=texts))
    tasks.append(partial(rules.check_rows, raw=raw, checked=checked, published=published))
    if model.same_assertion:
        tasks.append(partial(assertions.check_duplicates, raw=raw, checked=checked))
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
