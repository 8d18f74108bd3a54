"""Regenerate schema/ and datapackage/datapackage.json from the models, or check them.

The Table Schemas, JSON Schemas and the descriptor (with each file's bytes and
sha256) are generated; never edit them by hand. Run in a source checkout.

Example:
  libyadata schema           # rewrite what differs
  libyadata schema --check   # exit 1 and name every file that would change
"""

from __future__ import annotations

import argparse
import sys

from ._common import require_repository

HELP = "regenerate (or --check) the generated schemas and descriptor"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report files that differ; exit 1 if any")


def run(args: argparse.Namespace) -> int:
    from .. import schema

    root = require_repository()
    if args.check:
        stale = schema.drift(root)
        for p in stale:
            print(f"out of date: {p.relative_to(root)} (run: libyadata schema)", file=sys.stderr)
        if not stale:
            print("generated files are up to date")
        return 1 if stale else 0
    written = schema.write(root)
    for p in written:
        print(f"wrote {p.relative_to(root)}")
    if not written:
        print("generated files are up to date")
    return 0
