"""Show the dataset's version, tables with row counts, and source.

Example:
  libyadata info
  libyadata info --format json
"""

from __future__ import annotations

import argparse

from ._common import add_package_argument, package_path, print_json

HELP = "show version, tables, row counts and source"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_package_argument(parser)
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..dataset import load

    data = load(package_path(args.path))
    info = {
        "version": __version__,
        "path": str(data.path),
        "tables": data.counts(),
        "sources": [
            {"source_id": s.source_id, "title": s.title, "publisher": s.publisher,
             "published": s.published.isoformat(), "char_count": s.char_count, "sha256": s.sha256}
            for s in data.sources
        ],
    }
    if args.format == "json":
        print_json(info)
        return 0
    print(f"libyadata {info['version']}  ({info['path']})")
    print("\ntables:")
    for name, n in info["tables"].items():
        print(f"  {name:<15} {n:>5} rows")
    print("\nsources:")
    for s in info["sources"]:
        print(f"  {s['source_id']}: {s['title']}")
        print(f"    {s['publisher']}, {s['published']}; {s['char_count']} code points, sha256 {s['sha256'][:12]}…")
    return 0
