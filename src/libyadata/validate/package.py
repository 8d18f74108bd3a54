"""The package as a whole: its descriptor's resources, which files belong, the source texts.

Tables are found by the models' table names (``data/<table>.csv``) and cross-checked
with the directory's ``datapackage.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..hashing import digest, file_digest
from . import safety
from .report import Report
from .safety import DESCRIPTOR, GENERATED_DIR, SOURCES_DIR, Limits

if TYPE_CHECKING:  # pragma: no cover
    from .. import models

def table_path(model: type[models.Record]) -> str:
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


def check_descriptor(desc: dict[str, Any], report: Report) -> dict[str, dict[str, Any]] | None:
    """Declared resources by safe path; reports unsafe paths and resources the models do not expect.

    None when the descriptor has no list of resources: it declares nothing, so the files are not
    judged by it (a source text is then not "not part of the package").
    """
    from .. import models
    from ..schema import table_schema

    resources = desc.get("resources")
    if not isinstance(resources, list):
        report.add("package-error", "'resources' must be a list of resources", file=DESCRIPTOR)
        return None
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
            if path != table_path(model):
                report.add("package-error", f"resource {name!r} must have path {table_path(model)!r}, "
                           f"not {path!r}", file=DESCRIPTOR, field=f"{where}.path")
                continue
            want = table_schema(model)
            if res.get("schema") != want:
                report.add("package-error", f"resource {name!r}: its schema differs from the one the models "
                           f"generate (at {_first_difference(res.get('schema'), want)}); run `libyadata schema`",
                           file=DESCRIPTOR, field=f"{where}.schema")
        elif not safety.is_source_text(path):
            report.add("package-error", f"{where} ({name}) is not a table of the models nor a source text "
                       f"under sources/: {path!r}", file=DESCRIPTOR)
            continue
        by_path[path] = res
    for model in models.MODELS:
        if model.table not in names:
            report.add("package-error", f"the descriptor lacks the resource {model.table!r}; run "
                       "`libyadata schema`", file=DESCRIPTOR)
    return by_path


def descriptor_checks(desc: dict[str, Any] | None, files: dict[str, Path], report: Report
                      ) -> dict[str, dict[str, Any]] | None:
    """check_descriptor, then (when it found nothing) the whole descriptor against the generated one."""
    if desc is None:
        return None
    from . import descriptor

    resources = desc.get("resources")
    if isinstance(resources, list) and len(resources) > descriptor.MAX_RESOURCES:
        report.add("size-limit", f"{DESCRIPTOR} declares {len(resources)} resources, more than the "
                   f"{descriptor.MAX_RESOURCES} accepted; refused", file=DESCRIPTOR)
        return None
    part = Report(report.path, None)
    declared = check_descriptor(desc, part)
    if not part.problems:
        descriptor.check_pinned(desc, files, part)
    report.extend(part)
    return declared


def declared_sha256(resource: dict[str, Any], report: Report, index: int) -> str | None:
    """The hex sha256 a resource declares, or None after reporting a missing or malformed ``hash``."""
    declared = resource.get("hash")
    if declared is None or declared == "":
        # Not a skipped check: a resource without its hash could hold anything.
        report.add("package-error", f"resources[{index}].hash is {'missing' if declared is None else 'empty'}"
                   "; run `libyadata schema`", file=DESCRIPTOR, field=f"resources[{index}].hash")
        return None
    if not isinstance(declared, str):
        report.add("package-error", f"resources[{index}].hash must be a string", file=DESCRIPTOR)
        return None
    prefix, _, want = declared.rpartition(":")
    if prefix != "sha256" or not safety._SHA256_HEX.fullmatch(want):
        # The generated form only (MD5 is not collision-resistant; a bare hash is MD5 in the spec).
        report.add("package-error", f"resources[{index}].hash must be 'sha256:' and 64 hex digits, not "
                   f"{declared[:80]!r}; run `libyadata schema`", file=DESCRIPTOR, field=f"resources[{index}].hash")
        return None
    return want.lower()


def check_bytes_and_hash(rel: str, resource: dict[str, Any], index: int, size: int, sha256: str,
                         report: Report) -> None:
    """Compare the descriptor's ``bytes`` and ``hash`` for a resource with the file's size and sha256."""
    want = declared_sha256(resource, report, index)
    declared_bytes = resource.get("bytes")
    if declared_bytes is None:
        report.add("package-error", f"resources[{index}].bytes is missing; run `libyadata schema`",
                   file=DESCRIPTOR, field=f"resources[{index}].bytes")
    elif declared_bytes != size or type(declared_bytes) is not int:
        report.add("byte-count", f"{rel} has {size} bytes but the descriptor says {declared_bytes}; "
                   "run `libyadata schema`", file=rel)
    if want and want != sha256:
        report.add("hash-count", f"{rel} has sha256:{sha256} but the descriptor says {resource.get('hash')}; "
                   "run `libyadata schema`", file=rel)


def _compare_generated(rel: str, path: Path, base: Path | None, report: Report) -> None:
    if base is None:
        return
    theirs = safety.safe_file(base, rel)
    if theirs is None:
        report.add("forbidden-file", f"{rel} is a generated file that the base package does not have; "
                   "contributions change CSV and text only (maintainers run `libyadata build`)", file=rel)
        return
    if file_digest(path) != file_digest(theirs):
        report.add("forbidden-file", f"{rel} differs from the base package's; generated binary files are never "
                   "accepted from a contribution (maintainers run `libyadata build`)", file=rel)


def generated_files(base: Path) -> list[str]:
    """The generated files of the trusted base package (relative paths under ``parquet/``), links left out."""
    top = base / GENERATED_DIR
    if top.is_symlink() or not top.is_dir():
        return []
    return sorted(rel for p in top.rglob("*")
                  if safety.safe_file(base, rel := p.relative_to(base).as_posix()) is not None)


def check_files(root: Path, files: dict[str, Path], declared: dict[str, dict[str, Any]] | None, report: Report,
                base: Path | None) -> set[str]:
    """Classify every file; returns the paths whose content may be read.

    ``declared`` is None when the descriptor is unusable (already reported): source texts
    are then read unverified rather than reported a second time.
    """
    from .. import models

    unusable = declared is None
    declared = declared or {}
    tables = {table_path(m) for m in models.MODELS}
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
        elif unusable and safety.is_source_text(rel):
            readable.add(rel)
        else:
            report.add("forbidden-file", f"{rel} is not part of the package: only datapackage.json, "
                       "data/<table>.csv and the source texts the descriptor declares belong here", file=rel)
    if generated:
        report.notes.append(f"{GENERATED_DIR}/: {generated} generated file(s) not parsed"
                            + ("; compared with the base package" if base else
                               " (pass --base to require them unchanged)"))
    if base is not None:
        for rel in generated_files(base):
            if rel not in files and not safety.was_refused(files, rel):
                report.add("missing-file", f"{rel} is missing: the base package has it, and a contribution leaves "
                           "the generated files as they are (maintainers run `libyadata build`)", file=rel)
    for rel in sorted(set(declared) | tables):
        if rel not in files and not safety.was_refused(files, rel):  # a refused link or FIFO is reported already
            report.add("missing-file", f"{rel} is missing"
                       + (": every table of the models must be present" if rel in tables else
                          ": the descriptor declares it"), file=rel)
    return readable


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
    # Each distinct text is read, hashed and decoded once; every row citing it shares the object.
    loaded: dict[str, tuple[str | None, str | None, str]] = {}
    total = [0]
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
            if not safety.was_refused(files, rel):  # a link on its way: reported already
                fail(f"{rel} is missing or not a regular file inside the package")
            continue
        if declared and rel not in declared:
            report.add("package-error", f"the source text {rel} is not declared in the descriptor; run "
                       "`libyadata schema`", file=DESCRIPTOR)
        if rel not in loaded:
            loaded[rel] = _load_text(rel, files[rel], limits, total, report)
        got, text, why = loaded[rel]
        if got is None:
            continue
        if want is not None and got != want:
            fail(f"{rel} has sha256 {got} but sources.csv says {want}; evidence of this source is not checked",
                 "sha256")
            continue
        if text is None:
            fail(why)
            continue
        if count is not None and len(text) != count:
            fail(f"{rel} has {len(text)} code points but char_count says {count}", "char_count")
        texts[sid] = text
    # Nothing uncited ships: a file under sources/ that no row names would go into the wheel and
    # the release unchecked (any bytes after the first 16, invalid UTF-8, HTML).
    cited = {rel for rel in paths if rel is not None}
    for rel in sorted(files):
        if rel.startswith(SOURCES_DIR) and rel not in cited and not safety.binary_kind(files[rel]):  # binary: refused already
            report.add("forbidden-file", f"{rel} is not cited by any row of {raw.file}: a file under sources/ "
                       "is the stored text of a source row, and nothing uncited ships", file=rel)
    return texts


def _load_text(rel: str, path: Path, limits: Limits, total: list[int], report: Report
               ) -> tuple[str | None, str | None, str]:
    """(sha256, text or None, why not UTF-8) of one source text; (None, None, "") after a size-limit."""
    size = path.stat().st_size
    if size > limits.text_bytes:
        report.add("size-limit", f"{rel} has more than {limits.text_bytes} bytes; refused", file=rel)
        return None, None, ""
    if total[0] + size > limits.texts_total_bytes:
        report.add("size-limit", f"{rel}: the source texts together have more than {limits.texts_total_bytes} "
                   "bytes; refused", file=rel)
        return None, None, ""
    total[0] += size
    with path.open("rb") as f:
        data = f.read(limits.text_bytes + 1)
    if len(data) > limits.text_bytes:  # grew since the stat
        report.add("size-limit", f"{rel} has more than {limits.text_bytes} bytes; refused", file=rel)
        return None, None, ""
    got = digest(data)
    try:
        return got, data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        return got, None, f"{rel} is not UTF-8 (byte {exc.start})"
