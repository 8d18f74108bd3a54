"""Draw the README figures from the data: the events' timeline and the actors' graph.

Writes timeline.png (events 2011-2018 coloured by type; month- and year-precision dates
drawn as intervals; undated events listed apart) and actors.png (every actor, an arrow
per stated relationship and per affiliation). Needs libyadata[plot] (matplotlib).
Unchanged files are left alone; the same data and matplotlib version give the same bytes.

Example:
  libyadata plot                     # docs/figures/ of this checkout
  libyadata plot --output /tmp/figs
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import PACKAGE_HELP, package_path, require_repository

HELP = "draw docs/figures/timeline.png and docs/figures/actors.png (needs libyadata[plot])"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=None,
                        help="folder for the figures (default: docs/figures of this checkout)")
    parser.add_argument("--package", type=Path, default=None,
                        help=PACKAGE_HELP)


def run(args: argparse.Namespace) -> int:
    from .. import plot
    from ..dataset import load

    if args.output is None:
        root = require_repository()
        out, package = root / plot.FIGURES, args.package or root / "datapackage"
    else:
        out, package = args.output, package_path(args.package)
    written = plot.write_figures(out, load(package))
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"figures in {out} are up to date")
    return 0
