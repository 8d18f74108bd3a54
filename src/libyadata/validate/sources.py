"""The article is pinned: with ``--base``, a stored source text cannot change.

A source the base package has must keep, in the contribution, the same row values that
identify its text (``text_path``, ``sha256``, ``char_count``) and the same bytes at that
path; so rewriting a word of the article, in the text and in every quote, with the hashes
recomputed, is an error and not a "correction". Removing a source is an error too (its
records' evidence would go). A source only the contribution has is allowed, and named
in the report's notes: it is a new resource, which the version check classifies.

Both sides are read through :mod:`libyadata.paths` (no link, regular files only) and
with a size cap; sources.csv is small (one row per source).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from .. import paths
from .report import Report

SOURCES_CSV = "data/sources.csv"
#: Fields of a sources row that pin its text.
PINNED = ("text_path", "sha256", "char_count")
#: Largest sources.csv compared with the base (it has one row per source).
SOURCES_CSV_BYTES = 16 * 2**20


def _rows(root: Path, text_limit: int) -> dict[str, dict[str, str]] | str:
    """source_id -> row of ``root``'s sources.csv, or why it cannot be read."""
    try:
        data = paths.read_bytes(root, SOURCES_CSV, SOURCES_CSV_BYTES)
        reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        return {row.get("source_id") or "": row for row in reader}
    except (paths.UnsafePath, UnicodeDecodeError, csv.Error, ValueError) as exc:
        return str(exc)[:200]


def check_against_base(root: Path, base: Path, report: Report, text_limit: int,
                       refused: Callable[[str], bool] = lambda rel: False) -> None:
    """Report every change of a base source's text or its pinning fields; note the new sources.

    ``refused(rel)``: whether the walk refused a path (a link on its way), reported already.
    """
    # Fail closed: a comparison that cannot be made is an error, never a silent skip (a
    # sources.csv over the cap once turned the whole pin off without a word).
    old = _rows(base, text_limit)
    if isinstance(old, str):
        report.add("source-text-error", f"the source texts cannot be compared with the base package: its "
                   f"{SOURCES_CSV}: {old}; refused", file=SOURCES_CSV)
        return
    new = _rows(root, text_limit)
    if isinstance(new, str) and any(p.file == SOURCES_CSV for p in report.problems):
        # Its own error (encoding, link, ragged row) fails the contribution already: one fault, one error.
        report.notes.append(f"the source texts were not compared with the base package: {SOURCES_CSV} could not "
                            "be read")
        return
    if isinstance(new, str):
        report.add("source-text-error", f"the source texts cannot be compared with the base package: "
                   f"{SOURCES_CSV}: {new}; refused (a contribution changes the article's sources only "
                   "through a maintainer)", file=SOURCES_CSV)
        return
    for sid, before in old.items():
        after = new.get(sid)
        if after is None:
            report.add("source-text-error", f"source {sid!r} of the base package was removed; the article's "
                       "stored texts are never removed by a contribution", file=SOURCES_CSV)
            continue
        for name in PINNED:
            if after.get(name) != before.get(name):
                report.add("source-text-error", f"source {sid!r}: {name} changed from {before.get(name)!r} to "
                           f"{after.get(name)!r}; a stored source text is never changed by a contribution",
                           file=SOURCES_CSV, field=name, cell=after.get(name))
        rel = before.get("text_path") or ""
        try:
            theirs = paths.read_bytes(base, rel, text_limit)
        except paths.UnsafePath as exc:
            report.add("source-text-error", f"source {sid!r}: the base package's text cannot be compared: "
                       f"{exc}; refused", file=rel)
            continue
        try:
            ours = paths.read_bytes(root, rel, text_limit)
        except paths.UnsafePath as exc:
            if refused(rel):  # its link is the walk's error; the text was not compared
                report.notes.append(f"source {sid!r}: {rel} was not compared with the base package's text: a link "
                                    "is on its way")
            else:
                report.add("source-text-error", f"source {sid!r}: the stored text {exc}", file=rel)
            continue
        if ours != theirs:
            report.add("source-text-error", f"source {sid!r}: {rel} differs from the base package's text; the "
                       "article is stored byte for byte and never edited", file=rel)
    added = sorted(set(new) - set(old))
    if added:
        report.notes.append(f"new source(s): {', '.join(repr(s) for s in added[:20])}"
                            f"{' …' if len(added) > 20 else ''}: a new resource, at least a minor version bump")
