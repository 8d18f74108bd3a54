"""List the sentences of the source text that no record cites.

Sentences inside spans declared in the `exclusions` table (site navigation, title,
date line, headings) are not counted. Exits 1 when any sentence is uncited.

Example:
  libyadata coverage
  libyadata coverage --format json
"""

from __future__ import annotations

import argparse

from ._common import add_package_argument, package_path, print_json

HELP = "list sentences of the source that no record cites"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_package_argument(parser)
    parser.add_argument("--source", default=None, help="source_id (default: the only source)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    from ..coverage import sentences, uncited_sentences
    from ..dataset import load

    data = load(package_path(args.path))
    missing = uncited_sentences(data, args.source)
    total = len(sentences(data.source_text(args.source)))
    if args.format == "json":
        print_json({"sentences": total, "uncited": [s.__dict__ for s in missing]})
    else:
        for s in missing:
            print(f"{s.start}-{s.end}: {s.text}")
        print(f"{total - len(missing)} of {total} sentences cited or excluded; {len(missing)} uncited")
    return 1 if missing else 0
