"""Regenerate docs/data-dictionary.md from the models and vocabularies, or check it.

The data dictionary lists every table, field, type and constraint, and every
controlled vocabulary with each value's meaning (PLOVER/CAMEO for event types, ICD
203 bands for likelihood words). Never edit it by hand. Run in a source checkout.

Example:
  libyadata docs           # rewrite it if it differs
  libyadata docs --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys

from ._common import require_repository

HELP = "regenerate (or --check) the data dictionary docs/data-dictionary.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report whether it is out of date; exit 1 if so")


def run(args: argparse.Namespace) -> int:
    from .. import docs

    root = require_repository()
    if args.check:
        if docs.is_stale(root):
            print(f"out of date: {docs.OUTPUT} (run: libyadata docs)", file=sys.stderr)
            return 1
        print(f"{docs.OUTPUT} is up to date")
        return 0
    print(f"wrote {docs.OUTPUT}" if docs.write(root) else f"{docs.OUTPUT} is up to date")
    return 0
