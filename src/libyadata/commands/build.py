"""Build the Parquet files from the CSV tables, or check the committed ones.

Each CSV table is read with its declared types and written to
datapackage/parquet/<table>.parquet with fixed writer options (same CSV and pyarrow,
same bytes); datapackage/parquet/datapackage.json describes them. Run in a source
checkout.

--check compares the committed files with a fresh build by content and schema. It
exits 1 and names the table when the data, the schema or the descriptor differ. A
file that holds the same data but was written by another pyarrow version is only
noted (exit 0), unless --exact is given.

Example:
  libyadata build            # rewrite what differs
  libyadata build --check    # exit 1 and name every table that would change
  libyadata build --check path/to/datapackage
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import require_repository

HELP = "build (or --check) the Parquet files from the CSV tables"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help="data package directory (default: datapackage/ of this source checkout)")
    parser.add_argument("--check", action="store_true",
                        help="only compare the committed Parquet files with a fresh build; exit 1 if the data differ")
    parser.add_argument("--exact", action="store_true",
                        help="with --check: also fail when only the pyarrow version that wrote a file differs")


def run(args: argparse.Namespace) -> int:
    from .. import parquet

    package = args.path if args.path is not None else require_repository() / "datapackage"
    if args.check:
        found = parquet.check(package)
        failing = [d for d in found if d.is_data_change or args.exact]
        for d in found:
            label = "differs" if d in failing else "note"
            print(f"{label}: {d}", file=sys.stderr)
        if failing:
            print("run: libyadata build", file=sys.stderr)
            return 1
        print("Parquet files are up to date" + (" (same data; see the notes)" if found else ""))
        return 0
    written = parquet.build(package)
    for p in written:
        print(f"wrote {p}")
    if not written:
        print("Parquet files are up to date")
    return 0
