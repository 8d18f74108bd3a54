"""Export every evidence span as a W3C Web Annotation (JSON-LD), for annotation tools.

One annotation per span: a TextQuoteSelector (quote, prefix, suffix) and a
TextPositionSelector in Unicode code points, on the stored source text (named by
its SHA-256, an RFC 6920 ni: URI). The context is the W3C one
(http://www.w3.org/ns/anno.jsonld).

Example:
  libyadata annotations > annotations.jsonld
  libyadata annotations --output annotations.jsonld
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import add_package_argument, package_path

HELP = "export the evidence spans as W3C Web Annotations (JSON-LD)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_package_argument(parser)
    parser.add_argument("--output", "-o", type=Path, default=None, help="file to write (default: standard output)")


def run(args: argparse.Namespace) -> int:
    from ..webannotations import collection
    from ..csvio import atomic_write
    from ..dataset import load
    from ..schema import dump_json

    doc = dump_json(collection(load(package_path(args.path))))
    if args.output is None:
        sys.stdout.write(doc.decode("utf-8"))
    else:
        atomic_write(args.output, doc)
        print(f"wrote {args.output}")
    return 0
