"""Print the evidence fields (char_start, char_end, prefix, suffix) for a quote.

For contributors: paste the exact words of the source and get the cells to put in
the CSV row. Exits 1 when the quote is not in the text.

Example:
  libyadata anchor "his visit to Russia on August 14"
  libyadata anchor "Haftar" --occurrence 3
"""

from __future__ import annotations

import argparse

from ._common import print_json

HELP = "compute the evidence cells for a quote of the source text"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("quote", help="the exact words, as they appear in the source text")
    parser.add_argument("--source", default=None, help="source_id (default: the only source)")
    parser.add_argument("--occurrence", type=int, default=0, help="which occurrence, counting from 0")


def run(args: argparse.Namespace) -> int:
    import sys

    from ..dataset import load
    from ..evidence import anchor, occurrences

    data = load()
    text = data.source_text(args.source)
    try:
        span = anchor(text, args.quote, args.occurrence)
    except LookupError:
        n = len(occurrences(text, args.quote))
        print(f"the quote occurs {n} time(s) in the source text; occurrence {args.occurrence} does not exist",
              file=sys.stderr)
        return 1
    print_json({"source_id": args.source or data.sources[0].source_id, **span.__dict__})
    return 0
