"""Regenerate docs/data-dictionary.md and the outputs shown in docs/cookbook.md, or check them.

The data dictionary lists every table, field, type and constraint, and every
controlled vocabulary with each value's meaning (PLOVER/CAMEO for event types, ICD
203 bands for likelihood words). Never edit it by hand. In the cookbook the code is
written by hand and the output shown after each question's first answer is what that
answer prints from the data: run this after a correction. Run in a source checkout.

Example:
  libyadata docs           # rewrite it if it differs
  libyadata docs --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys

from ._common import require_repository

HELP = "regenerate (or --check) the data dictionary and the cookbook's printed answers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report whether it is out of date; exit 1 if so")


def run(args: argparse.Namespace) -> int:
    from .. import docs

    root = require_repository()
    if args.check:
        stale = docs.stale(root)
        for path in stale:
            print(f"out of date: {path.relative_to(root).as_posix()} (run: libyadata docs)", file=sys.stderr)
        if stale:
            return 1
        print("the data dictionary and the cookbook are up to date")
        return 0
    written = docs.write(root)
    for path in written:
        print(f"wrote {path.relative_to(root).as_posix()}")
    if not written:
        print("the data dictionary and the cookbook are up to date")
    return 0
