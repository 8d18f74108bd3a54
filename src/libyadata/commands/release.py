"""Write the release artifacts of this version and the hash registry the package ships.

Writes dist/data/<version>/ (the Parquet files, their datapackage.json, the source
text and SHA256SUMS), flat, as GitHub release assets are. The files must be those that
src/libyadata/registry/<version>.sha256 records (the wheel ships it and
libyadata.download() verifies against it): `libyadata bump` writes that registry once,
and it is never rewritten. Run in a source checkout, after `libyadata generate`.

--check writes nothing and exits 1, naming each file, when the registry does not
match the files (run it before building the wheel).

Example:
  libyadata release                  # dist/data/<version>/
  libyadata release --out /tmp/rel   # elsewhere
  libyadata release --check
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import require_repository

HELP = "write dist/data/<version>/ and the shipped hash registry (or --check it)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="folder that receives <version>/ (default: dist/data in the checkout)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the shipped registry does not match the files")


def run(args: argparse.Namespace) -> int:
    from .. import __version__, release

    root = require_repository()
    package = root / "datapackage"
    registry = release.registry_file(root)
    if args.check:
        problems = release.registry_drift(root, package)
        for p in problems:
            print(f"{registry.relative_to(root)}: {p}", file=sys.stderr)
        if problems:
            print("the files differ from what this version's registry records: run `libyadata bump` (or, for "
                  "a version not yet released, `libyadata generate`), then commit", file=sys.stderr)
            return 1
        print(f"registry {registry.relative_to(root)} matches the files of {__version__}")
        return 0
    written = release.write_registry(root, package)
    if written is not None:
        print(f"wrote {written.relative_to(root)} (commit it: the wheel ships it)")
    target = release.make(args.out if args.out is not None else root / "dist" / "data", package)
    for p in sorted(target.iterdir()):
        print(f"{p}  {p.stat().st_size} bytes")
    return 0
