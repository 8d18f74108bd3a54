"""Regenerate everything generated from the models and the data, or check it.

Schemas (schema/), both descriptors (with sizes and hashes), the data dictionary, the
validation-errors page, the Parquet files, the hash registry of the current version
while it has none (a released version's registry is never rewritten), the README's
table of tables and the validator's test corpus. Never edit those files by hand. Run in
a source checkout. The older verbs `schema`, `docs` and `build` each run one part.

--check writes nothing, names every stale file and exits 1 if there is one. A Parquet
file that holds the same data but was written by another pyarrow version is only
noted.

Example:
  libyadata generate           # rewrite what differs
  libyadata generate --check   # exit 1 and name every file that would change
"""

from __future__ import annotations

import argparse
import sys

from ._common import require_repository

HELP = "regenerate (or --check) every generated file: schemas, descriptors, docs, Parquet, registry, README"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only name the files that differ; exit 1 if any")


def run(args: argparse.Namespace) -> int:
    from .. import generate

    root = require_repository()
    outcome = generate.check(root) if args.check else generate.write(root)
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.check:
        for path in outcome.changed:
            print(f"out of date: {path}", file=sys.stderr)
        if outcome.changed:
            print("run: libyadata generate", file=sys.stderr)
            return 1
        print("generated files are up to date")
        return 0
    for path in outcome.changed:
        print(f"wrote {path}")
    if not outcome.changed:
        print("generated files are up to date")
    return 0
