"""Regenerate (or --check) the files that describe and cite the dataset.

  docs/datacard.md     the data card ("Datasheets for Datasets")
  CITATION.cff         how to cite this version (Citation File Format 1.2.0)
  docs/croissant.json  schema.org Dataset / MLCommons Croissant 1.0 JSON-LD

All three are generated from the data, the models and src/libyadata/meta.py;
never edit them by hand. Run in a source checkout.

Example:
  libyadata metadata           # rewrite what differs
  libyadata metadata --check   # exit 1 if one is out of date
"""

from __future__ import annotations

import argparse
import sys

from ._common import require_repository

HELP = "regenerate (or --check) the data card, CITATION.cff and the Croissant description"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if any")


def run(args: argparse.Namespace) -> int:
    from .. import datacard

    root = require_repository()
    if args.check:
        stale = datacard.stale(root)
        for path in stale:
            print(f"out of date: {path.relative_to(root)} (run: libyadata metadata)", file=sys.stderr)
        if not stale:
            print("metadata files are up to date")
        return 1 if stale else 0
    written = datacard.write(root)
    for path in written:
        print(f"wrote {path.relative_to(root)}")
    if not written:
        print("metadata files are up to date")
    return 0
