"""Validate a data package directory: descriptor, files, tables, keys, spans, in dependency order.

Tables are found by the models' table names (``data/<table>.csv``) and cross-checked
with the directory's ``datapackage.json``. Each table is checked and reduced to the key
sets later tables refer to; the next one is parsed ahead once the field checks have
freed the text of the one before, and its key checks start while the row checks of the
one before finish, which is freed before the next one's field checks begin. So memory
holds one table in full at a time, and the reports merge in a fixed order whatever
finishes first.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import safety
from .report import Report
from .safety import DESCRIPTOR, GENERATED_DIR, Limits

if TYPE_CHECKING:  # pragma: no cover
    from .. import models
    from .reading import Prefetch

# The models (and pydantic) are imported where first needed, not here: reading the descriptor,
# hashing and parsing the files start while they load.

SOURCES_DIR = "sources/"

#: Check a table's primary key together with the first foreign key into it (keys.ParentKeys).
DEFER_KEYS = True


def _table_path(model: type[models.Record]) -> str:
    return f"data/{model.table}.csv"


def _first_difference(got: Any, want: Any, where: str = "") -> str:
    """Where two JSON values first differ, for a message."""
    if isinstance(got, dict) and isinstance(want, dict):
        for k in list(want) + [k for k in got if k not in want]:
            if got.get(k, ...) != want.get(k, ...):
                return _first_difference(got.get(k), want.get(k), f"{where}.{k}" if where else k)
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                name = w.get("name") if isinstance(w, dict) else None
                return _first_difference(g, w, f"{where}[{name or i}]")
    return where or "(top level)"


def check_descriptor(desc: dict[str, Any], report: Report) -> dict[str, dict[str, Any]]:
    """Declared resources by safe path; reports unsafe paths and resources the models do not expect."""
    from .. import models
    from ..schema import table_schema

    resources = desc.get("resources")
    if not isinstance(resources, list):
        report.add("package-error", "'resources' must be a list of resources", file=DESCRIPTOR)
        return {}
    by_path: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            report.add("package-error", f"{where} must be an object", file=DESCRIPTOR)
            continue
        name = res.get("name")
        if not isinstance(name, str):
            report.add("package-error", f"{where}.name must be a string", file=DESCRIPTOR)
            continue
        if name in names:
            report.add("package-error", f"{where}: resource name {name!r} is used twice", file=DESCRIPTOR)
        names.add(name)
        if "data" in res:
            report.add("package-error", f"{where} ({name}) holds inline data; resources must be files",
                       file=DESCRIPTOR)
        path = res.get("path")
        problem = safety.path_problem(path)
        if problem:
            report.add("unsafe-path", f"{where}.path {problem}", file=DESCRIPTOR, field=f"{where}.path")
            continue
        model = models.TABLES.get(name)
        if model is not None:
            if path != _table_path(model):
                report.add("package-error", f"resource {name!r} must have path {_table_path(model)!r}, "
                           f"not {path!r}", file=DESCRIPTOR, field=f"{where}.path")
                continue
            want = table_schema(model)
            if res.get("schema") != want:
                report.add("package-error", f"resource {name!r}: its schema differs from the one the models "
                           f"generate (at {_first_difference(res.get('schema'), want)}); run `libyadata schema`",
                           file=DESCRIPTOR, field=f"{where}.schema")
        elif not (path.startswith(SOURCES_DIR) and path.endswith(".txt") and path.count("/") == 1):
            report.add("package-error", f"{where} ({name}) is not a table of the models nor a source text "
                       f"under sources/: {path!r}", file=DESCRIPTOR)
            continue
        by_path[path] = res
    for model in models.MODELS:
        if model.table not in names:
            report.add("package-error", f"the descriptor lacks the resource {model.table!r}; run "
                       "`libyadata schema`", file=DESCRIPTOR)
    return by_path


def _descriptor_checks(desc: dict[str, Any] | None, files: dict[str, Path], report: Report
                       ) -> dict[str, dict[str, Any]] | None:
    """check_descriptor, then (when it found nothing) the whole descriptor against the generated one."""
    if desc is None:
        return None
    from . import descriptor

    part = Report(report.path, None)
    declared = check_descriptor(desc, part)
    if not part.problems:
        descriptor.check_pinned(desc, files, part)
    report.extend(part)
    return declared


def _compare_generated(rel: str, path: Path, base: Path | None, report: Report) -> None:
    if base is None:
        return
    theirs = safety.safe_file(base, rel)
    if theirs is None:
        report.add("forbidden-file", f"{rel} is a generated file that the base package does not have; "
                   "contributions change CSV and text only (maintainers run `libyadata build`)", file=rel)
        return
    if safety.file_digest(path, "sha256") != safety.file_digest(theirs, "sha256"):
        report.add("forbidden-file", f"{rel} differs from the base package's; generated binary files are never "
                   "accepted from a contribution (maintainers run `libyadata build`)", file=rel)


def check_files(root: Path, files: dict[str, Path], declared: dict[str, dict[str, Any]] | None, report: Report,
                base: Path | None) -> set[str]:
    """Classify every file; returns the paths whose content may be read.

    ``declared`` is None when the descriptor is unusable (already reported): source texts
    are then read unverified rather than reported a second time.
    """
    from .. import models

    unusable = declared is None
    declared = declared or {}
    tables = {_table_path(m) for m in models.MODELS}
    readable = set()
    generated = 0
    for rel, path in files.items():
        if rel.startswith(GENERATED_DIR + "/"):
            generated += 1
            _compare_generated(rel, path, base, report)
            continue
        kind = safety.binary_kind(path)
        if kind:
            report.add("forbidden-file", f"{rel}: binary file ({kind}) refused, never parsed: contribute CSV and "
                       "text only", file=rel)
        elif rel == DESCRIPTOR:
            pass
        elif rel in tables or rel in declared:
            readable.add(rel)
        elif unusable and rel.startswith(SOURCES_DIR) and rel.endswith(".txt") and rel.count("/") == 1:
            readable.add(rel)
        else:
            report.add("forbidden-file", f"{rel} is not part of the package: only datapackage.json, "
                       "data/<table>.csv and the source texts the descriptor declares belong here", file=rel)
    if generated:
        report.notes.append(f"{GENERATED_DIR}/: {generated} generated file(s) not parsed"
                            + ("; compared with the base package" if base else
                               " (pass --base to require them unchanged)"))
    for rel in sorted(set(declared) | tables):
        if rel not in files:
            report.add("missing-file", f"{rel} is missing"
                       + (": every table of the models must be present" if rel in tables else
                          ": the descriptor declares it"), file=rel)
    return readable


def validate_package(path: str | Path | None = None, max_errors: int | None = None,
                     limits: Limits | None = None, base: str | Path | None = None) -> Report:
    """Validate the data package directory ``path`` (default: the one shipped with libyadata)."""
    from ..resources import datapackage_dir

    limits = limits or Limits()
    root = Path(path) if path is not None else datapackage_dir()
    report = Report(str(path) if path is not None else str(root), max_errors)
    started = time.perf_counter()
    try:
        _validate(root, report, limits, Path(base) if base is not None else None)
    except OSError as exc:
        report.add("source-error", f"cannot read {exc.filename or root}: {exc.strerror or exc}")
    report.seconds = time.perf_counter() - started
    report.sort()
    return report


def _validate(root: Path, report: Report, limits: Limits, base: Path | None) -> None:
    if not os.path.lexists(root):
        report.add("source-error", f"path {str(root)!r} does not exist")
        return
    from .. import paths

    problem = paths.root_problem(root)
    if problem and "symbolic link" in problem:
        # A package folder that is a link (to the base package, or anywhere): never followed.
        report.add("unsafe-path", f"the package folder: {problem}")
        return
    if not root.is_dir():
        report.add("source-error", f"path {str(root)!r} is not a directory; pass the folder that holds "
                   "datapackage.json")
        return
    files = safety.walk(root, report, limits)
    desc = safety.read_descriptor(root, report, limits)
    # Hashing and parsing (I/O, hashlib and Arrow, all without the GIL) start now, beside the imports
    # and the descriptor checks, and run on beside the table checks.
    hashing = _Hashing(report, _declared_files(files, desc), files)
    try:
        from . import reading  # pyarrow only: the parse starts while the models load

        with reading.quiet_unraisable():
            prefetch = reading.Prefetch([(rel, files[rel]) for rel, _, _ in hashing.todo
                                           if _is_table_file(rel, files[rel], limits)])
            try:
                declared = _descriptor_checks(desc, files, report)
                readable = check_files(root, files, declared, report, base)
                declared = declared or {}
                check_tables(root, files, readable, declared, report, limits, prefetch, set(hashing.first_cr))
            finally:
                prefetch.close()
    finally:
        hashing.join()
    # Readable declared files are safe, present, non-binary declared paths: all were hashed ahead.
    from .structure import check_line_ends

    for rel in sorted(readable & set(declared)):
        report.extend(hashing.results[rel])
        if rel in hashing.first_cr and files[rel].stat().st_size <= limits.csv_bytes:
            check_line_ends(files[rel], rel, hashing.first_cr[rel], report)


def _declared_files(files: dict[str, Path], desc: dict[str, Any] | None) -> list[tuple[str, dict[str, Any], int]]:
    """(path, resource, index) of the descriptor's resources that name a safe, present, non-binary file."""
    out: dict[str, tuple[str, dict[str, Any], int]] = {}
    resources = desc.get("resources") if desc is not None else None
    for i, res in enumerate(resources if isinstance(resources, list) else []):
        rel = res.get("path") if isinstance(res, dict) else None
        if (isinstance(rel, str) and safety.path_problem(rel) is None and rel in files
                and not rel.startswith(GENERATED_DIR + "/") and not safety.binary_kind(files[rel])):
            out[rel] = (rel, res, resources.index(res))
    return list(out.values())


def _is_csv(rel: str) -> bool:
    return rel.startswith("data/") and rel.endswith(".csv") and rel.count("/") == 1


def _is_table_file(rel: str, path: Path, limits: Limits) -> bool:
    return _is_csv(rel) and path.stat().st_size <= limits.csv_bytes


class _Hashing:
    """Sizes and hashes of the declared files, computed on a thread; each file's findings apart.

    The thread runs only on cores the checks leave idle (on Linux): the hashes are needed
    only at the end, while the parse and the checks are the run's critical path.
    Measured at 1M rows on 2 cores: the parse gets both cores, about 0.04 s off the median run.
    """

    def __init__(self, report: Report, todo: list[tuple[str, dict[str, Any], int]], files: dict[str, Path]) -> None:
        self.results: dict[str, Report] = {}
        #: Offset of the first CR byte of each table file (None: there is none), found while hashing.
        self.first_cr: dict[str, int | None] = {rel: None for rel, _, _ in todo if _is_csv(rel)}
        self.todo = todo
        self._failure: list[BaseException] = []
        self._report = report
        self._files = files
        self._lock = threading.Lock()
        self._waited = False
        self._thread = threading.Thread(target=self._run, name="libyadata-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self._lock:
            if not self._waited:
                scheduling(threading.get_native_id(), idle=True)
        try:
            for rel, res, index in self.todo:
                part = Report(self._report.path, self._report.max_errors)
                try:
                    cr = safety.check_bytes_and_hash(rel, self._files[rel], res, part, index)
                    if rel in self.first_cr:
                        self.first_cr[rel] = cr
                except OSError as exc:
                    part.add("source-error", f"cannot read {rel}: {exc.strerror or exc}", file=rel)
                self.results[rel] = part
        except BaseException as exc:  # pragma: no cover - re-raised in the main thread
            self._failure.append(exc)

    def join(self) -> None:
        with self._lock:
            self._waited = True
            native = self._thread.native_id
            if self._thread.is_alive() and native is not None:
                # Everything else is done: the hashes are now the critical path (and other
                # processes may be keeping the cores busy).
                scheduling(native, idle=False)
        self._thread.join()
        if self._failure:  # pragma: no cover
            raise self._failure[0]


def scheduling(thread: int, idle: bool) -> bool:
    """Let the thread with native id ``thread`` run only on idle cores, or normally again.

    Returns whether the system took the request: an OS without these policies, or one
    that refuses (raising a thread's priority may need privileges), leaves it as it was.
    """
    policy = getattr(os, "SCHED_IDLE" if idle else "SCHED_OTHER", None)
    if policy is None or not hasattr(os, "sched_setscheduler"):
        return False
    try:
        os.sched_setscheduler(thread, policy, os.sched_param(0))
    except OSError:
        return False
    return True


def check_tables(root: Path, files: dict[str, Path], readable: set[str], declared: dict[str, dict[str, Any]],
                 report: Report, limits: Limits, prefetch: Prefetch | None = None,
                 scanned: set[str] = frozenset()) -> None:
    """Check the readable tables in the models' order (``scanned``: files whose line ends the hashing
    pass checks)."""
    from concurrent.futures import ThreadPoolExecutor

    from .. import models, vocab
    from . import assertions, columns, keys, reading, rules, spans, structure

    key_sets: dict[tuple[str, tuple[str, ...]], Any] = {}
    wanted = {(fk.resource, fk.reference) for m in models.MODELS for fk in m.foreign_keys}
    wanted |= {(t, models.TABLES[t].primary_key) for m in models.MODELS if m.record_reference
               for t in vocab.RECORD_TABLES}
    # Primary keys another table refers to by one field: checked with that foreign key.
    referenced = {(fk.resource, fk.reference) for m in models.MODELS for fk in m.foreign_keys
                  if fk.resource != m.table and len(fk.fields) == 1} if DEFER_KEYS else set()
    published = None
    texts: dict[str, str] = {}
    finish: Callable[[], None] | None = None  # the previous table's row checks, still running
    # Key checks of text fields need no typed column: they run beside the field checks, and
    # beside the row checks of the table before.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="libyadata-keys") as early, \
            ThreadPoolExecutor(max_workers=columns.WORKERS, thread_name_prefix="libyadata-rows") as row_checks:
        for model in models.MODELS:
            rel = _table_path(model)
            if rel not in readable:
                continue
            raw = structure.read_table(files[rel], rel, model, report, limits, prefetch, line_ends=rel not in scanned)
            if raw is None:
                if prefetch is not None:
                    prefetch.take(rel, -1)  # let go of a parse the checks refused to use
                continue
            pk = model.primary_key
            defer = (model.table, pk) in referenced and set(pk) <= set(raw.table.column_names) \
                and keys.deferrable(raw, pk[0])
            key_task, text_only = _key_checks(raw, key_sets, defer_primary_key=defer)
            pending = early.submit(_one, report, partial(key_task, checked=None)) if text_only else None
            if finish is not None:  # the table before is freed before this one's field checks
                finish()
                finish = None
            checked = columns.check_columns(report, raw, limits)
            if prefetch is not None and files[rel].stat().st_size > reading.LARGE_FILE:
                prefetch.allow_another()  # its cells' text is freed (check_columns): parse the next ahead
            if model is models.Source:
                published = rules.publication_dates(raw, checked)
                texts = source_texts(root, files, raw, checked, declared, report, limits)
            tasks: list[Callable[[Report], None]] = [
                partial(rules.check_rows, raw=raw, checked=checked, published=published)]
            if models.has_evidence(model):
                tasks.append(partial(spans.check_spans, raw=raw, checked=checked, texts=texts))
            if model.same_assertion:
                tasks.append(partial(assertions.check_duplicates, raw=raw, checked=checked))
            if model.record_reference:
                tasks.append(partial(assertions.check_record_references, raw=raw, checked=checked,
                                     key_sets=key_sets))
            if pending is None:
                tasks.append(partial(key_task, checked=checked))
            running = [row_checks.submit(_one, report, task) for task in tasks]
            for resource, reference in wanted:
                if resource == model.table and set(reference) <= set(raw.table.column_names):
                    key_sets[(resource, reference)] = keys.ParentKeys.of(raw, pk[0]) if defer and reference == pk \
                        else keys.key_set(raw, reference)
            finish = partial(_finish, report, raw, running, pending)
            del raw, checked, tasks, key_task, running, pending
        if finish is not None:
            finish()
    for parent in key_sets.values():  # primary keys no foreign key check came to
        if isinstance(parent, keys.ParentKeys):
            parent.check(report)


def _key_checks(raw: Any, key_sets: dict[tuple[str, tuple[str, ...]], Any],
                defer_primary_key: bool = False) -> tuple[Callable[..., None], bool]:
    """The table's foreign keys, then its primary key (unless deferred to the first foreign key
    into it, see keys.ParentKeys) and unique fields, as one task; and whether all those fields
    are text, so that the task needs no typed column (``checked`` may be None).

    Foreign keys go first: the codes they make for a field serve the key checks after them.
    """
    from . import columns, keys

    model = raw.model
    present = set(raw.table.column_names)
    parents = {}
    for fk in model.foreign_keys:
        if set(fk.fields) <= present:
            parents[fk] = keys.key_set(raw, fk.reference) if fk.resource == model.table \
                else key_sets.get((fk.resource, fk.reference))

    def run(report: Report, checked: Any) -> None:
        for fk, parent in parents.items():
            keys.check_foreign_key(report, raw=raw, checked=checked, fk=fk, parent_keys=parent)
        if set(model.primary_key) <= present and not defer_primary_key:
            keys.check_unique(report, raw=raw, checked=checked, fields=model.primary_key, kind="primary-key")
        for name in unique:
            keys.check_unique(report, raw=raw, checked=checked, fields=(name,), kind="unique-error")

    unique = [s.name for s in columns.field_specs(model) if s.unique and s.name in present]
    fields = {f for fk in parents for f in fk.fields} | set(model.primary_key) | set(unique)
    return run, keys.text_keys(model, tuple(fields))


def _finish(report: Report, raw: Any, running: list[Any], pending: Any) -> None:
    """Merge a table's row and key checks in a fixed order (whatever finished first), then locate its problems."""
    for future in running:
        report.extend(future.result())
    if pending is not None:
        report.extend(pending.result())
    raw.locate(report)


def _one(report: Report, task: Callable[[Report], None]) -> Report:
    part = Report(report.path, report.room())
    task(part)
    return part


def source_texts(root: Path, files: dict[str, Path], raw: Any, checked: Any, declared: dict[str, dict[str, Any]],
                 report: Report, limits: Limits) -> dict[str, str]:
    """The stored texts of the sources table, each checked against its sha256 and char_count."""
    from .keys import normalized

    t = raw.table
    if not {"source_id", "text_path", "sha256"} <= set(t.column_names):
        return {}
    ids = normalized(t.column("source_id")).to_pylist()
    paths = t.column("text_path").to_pylist()
    hashes = t.column("sha256").to_pylist()
    counts = checked.typed["char_count"].to_pylist() if "char_count" in checked.typed else [None] * len(ids)
    rows = raw.rows(list(range(raw.num_rows))).tolist()
    texts: dict[str, str] = {}
    for sid, rel, want, count, row in zip(ids, paths, hashes, counts, rows):
        if sid is None or rel is None:
            continue

        def fail(message: str, field: str = "text_path") -> None:
            report.add("source-text-error", message, file=raw.file, row=row, field=field, cell=rel)

        problem = safety.path_problem(rel)
        if problem:
            fail(f"text_path {problem}")
            continue
        if rel not in files:
            fail(f"{rel} is missing or not a regular file inside the package")
            continue
        if declared and rel not in declared:
            report.add("package-error", f"the source text {rel} is not declared in the descriptor; run "
                       "`libyadata schema`", file=DESCRIPTOR)
        path = files[rel]
        if path.stat().st_size > limits.text_bytes:
            report.add("size-limit", f"{rel} has more than {limits.text_bytes} bytes; refused", file=rel)
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if want is not None and digest != want:
            fail(f"{rel} has sha256 {digest} but sources.csv says {want}; evidence of this source is not checked",
                 "sha256")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            fail(f"{rel} is not UTF-8 (byte {exc.start})")
            continue
        if count is not None and len(text) != count:
            fail(f"{rel} has {len(text)} code points but char_count says {count}", "char_count")
        texts[sid] = text
    return texts
