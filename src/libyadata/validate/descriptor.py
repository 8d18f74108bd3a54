"""The whole descriptor is pinned: it must equal what the models generate for the package's files.

Only the ``bytes`` and ``hash`` of each resource depend on the contributed files; they are
left out here and compared with the files themselves (``package.check_bytes_and_hash``,
where a missing or empty hash is an error). Everything else — dialect, encoding, format,
licences, package metadata, keys nobody generates — must be exactly what
``libyadata.schema.descriptor()`` writes, so nothing a contributor writes into
``datapackage.json`` can reach a reader (frictionless, pandas, a browser) that the
maintainers did not generate themselves.

The expected descriptor is generated for a placeholder folder holding empty files with
the package's names: the generator never opens a contributed file (it would follow a
link or block on a FIFO), and it stays the one definition of the descriptor.

>>> pointer(["resources", 2, "dialect", "comment/Char~"])
'/resources/2/dialect/comment~1Char~0'
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .report import Report
from .safety import DESCRIPTOR, binary_kind, is_source_text, path_problem, was_refused

#: Resource keys computed from the files, compared with the files rather than with the generated descriptor.
FILE_FACTS = ("bytes", "hash")
#: Package keys a version bump changes: checked for form here, for value by the version check.
RELEASE_STAMP = ("version", "created")
_SEMVER = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z.-]{1,64})?")
_CREATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})")
#: Resources a descriptor may declare (the models' tables and a few source texts are far fewer).
MAX_RESOURCES = 1_000
#: Differences reported (one problem each); a descriptor that differs more says how many more.
MAX_DIFFERENCES = 20
#: The command that regenerates the descriptor.
FIX = "libyadata generate"


def pointer(parts: list[Any]) -> str:
    """A JSON Pointer (RFC 6901) to ``parts``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def expected_descriptor(files: dict[str, Path], assumed: Iterable[str] = ()) -> dict[str, Any]:
    """What the models generate for a package holding ``files`` (relative path -> path), minus file facts.

    ``assumed``: source texts taken to be there, unread (the walk refused a link on their way,
    and reported it: the descriptor that declares them is not wrong for that).
    """
    from .. import models
    from ..schema import descriptor

    with tempfile.TemporaryDirectory(prefix="libyadata-expected-") as tmp:
        root = Path(tmp)
        for folder in ("data", "sources"):
            (root / folder).mkdir()
        # Only names the walk accepted (no link, hidden name, control character) reach here;
        # the generator decides which of them it describes.
        for model in models.MODELS:
            (root / "data" / f"{model.table}.csv").touch()
        for rel, path in files.items():
            if is_source_text(rel) and not binary_kind(path):
                (root / rel).touch()
        for rel in assumed:
            if is_source_text(rel) and not path_problem(rel):
                try:
                    (root / rel).touch()
                except (OSError, UnicodeError):  # a name no file can have (too long, a lone surrogate)
                    pass
        want = descriptor(root)
    return strip_file_facts(want)


def strip_file_facts(desc: Any) -> Any:
    """A copy of a descriptor without each resource's ``bytes`` and ``hash``, and without the release
    stamp (``version``, ``created``: a version bump sets them; ``libyadata diff --check-version`` judges them)."""
    if not isinstance(desc, dict):
        return desc
    out = {k: v for k, v in desc.items() if k not in RELEASE_STAMP}
    resources = desc.get("resources")
    if isinstance(resources, list):
        out["resources"] = [{k: v for k, v in r.items() if k not in FILE_FACTS} if isinstance(r, dict) else r
                            for r in resources]
    return out


def differences(got: Any, want: Any, where: list[Any] | None = None, limit: int = MAX_DIFFERENCES
                ) -> tuple[list[tuple[str, str]], int]:
    """(pointer, what differs) for up to ``limit`` differences, and how many there are in all.

    Iterative (no recursion on a contributed structure) and linear in the two values' sizes.
    """
    found: list[tuple[str, str]] = []
    total = 0
    stack: list[tuple[list[Any], Any, Any]] = [(where or [], got, want)]
    while stack:
        path, g, w = stack.pop()
        if type(g) is type(w) and isinstance(g, dict):
            keys = list(w) + [k for k in g if k not in w]
            for k in reversed(keys):
                if k not in g:
                    total += 1
                    if len(found) < limit:
                        found.append((pointer(path + [k]), f"is missing (generated: {_short(w[k])})"))
                elif k not in w:
                    total += 1
                    if len(found) < limit:
                        found.append((pointer(path + [k]), "is not generated by the models: remove it"))
                else:
                    stack.append((path + [k], g[k], w[k]))
        elif type(g) is type(w) and isinstance(g, list):
            common = min(len(g), len(w))
            for i in reversed(range(common)):
                stack.append((path + [i], g[i], w[i]))
            for i in range(common, max(len(g), len(w))):
                total += 1
                if len(found) < limit:
                    found.append((pointer(path + [i]), f"is missing (generated: {_short(w[i])})" if i < len(w)
                                  else "is not generated by the models: remove it"))
        elif g != w or type(g) is not type(w):
            total += 1
            if len(found) < limit:
                found.append((pointer(path), f"is {_short(g)}, the models generate {_short(w)}"))
    return found, total


def _short(value: Any, limit: int = 80) -> str:
    import json

    try:
        text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    except (TypeError, ValueError):  # pragma: no cover - parsed JSON always dumps
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_pinned(desc: dict[str, Any], files: dict[str, Path], report: Report) -> bool:
    """Report every difference between ``desc`` and the generated descriptor; True when they are equal."""
    declared = [r.get("path") for r in desc.get("resources") or [] if isinstance(r, dict)]
    want = expected_descriptor(files, [p for p in declared if isinstance(p, str) and was_refused(files, p)])
    problems_before = len(report.problems) + report.dropped
    for key, form in (("version", _SEMVER), ("created", _CREATED)):
        value = desc.get(key)
        if not (isinstance(value, str) and form.fullmatch(value)):
            report.add("package-error", f"{DESCRIPTOR} at /{key} is {_short(value)}: not a "
                       f"{'semantic version' if key == 'version' else 'RFC 3339 time'}; `libyadata bump` sets it",
                       file=DESCRIPTOR, field=f"/{key}")
    found, total = differences(strip_file_facts(desc), want)
    for where, what in found:
        report.add("package-error", f"{DESCRIPTOR} at {where} {what}; run `{FIX}` to regenerate it",
                   file=DESCRIPTOR, field=where)
    if total > len(found):
        report.add("package-error", f"{DESCRIPTOR} differs from the generated descriptor in {total - len(found)} "
                   f"more place(s); run `{FIX}` to regenerate it", file=DESCRIPTOR)
    return len(report.problems) + report.dropped == problems_before
