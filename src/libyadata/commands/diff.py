"""Compare two versions of the data package, record by record, and state the version bump required.

OLD and NEW are each a data package directory (datapackage.json + data/*.csv), a built
release directory (CSV or Parquet files), or a git revision of this repository (its
datapackage/ folder). Tables are matched by primary key; schema changes are read from
the descriptors. The bump follows the Data Package Version recipe: major for breaking
schema changes, removed records and reused ids; minor for new records, resources and
looser constraints; patch for corrected values and descriptive metadata.

Exit status: 0; with --check-version, 1 when NEW's version is lower than the bump
requires; 2 on an error (unreadable package, unknown revision).

Example:
  libyadata diff HEAD datapackage                    # uncommitted changes
  libyadata diff v1.0.0 HEAD --format markdown       # for a pull-request comment
  libyadata diff origin/main datapackage --check-version
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "records and schema changed between two versions, and the version bump they require"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="package directory, release directory or git revision")
    parser.add_argument("new", metavar="NEW", help="package directory, release directory or git revision")
    parser.add_argument("--format", choices=["text", "json", "markdown"], default="text", help="output format")
    parser.add_argument("--check-version", action="store_true",
                        help="exit 1 when NEW's version is lower than the required bump")
    parser.add_argument("--history", metavar="REV", default=None,
                        help="git revision whose past lists removed ids (default: OLD if it is a revision)")
    parser.add_argument("--read-parquet", action="store_true",
                        help="also read Parquet files of directory sides: only for release directories you built "
                             "or verified, never for a contribution (by default only CSV is parsed)")
    parser.add_argument("--repo", type=Path, default=None,
                        help="git repository for revisions (default: the checkout of the current folder, else the current folder)")


def run(args: argparse.Namespace) -> int:
    from ..diff import RENDERERS, diff
    from ..errors import LibyadataError

    from ..resources import find_package

    # revisions are read from the checkout the current folder is in, as the other verbs find it
    repo = args.repo if args.repo is not None else find_package().root
    result = diff(args.old, args.new, repo=repo, history=args.history, binary=args.read_parquet)
    sys.stdout.write(RENDERERS[args.format](result))
    if not args.check_version:
        return 0
    if result.version_ok is None:
        side = "OLD" if result.old.version is None else "NEW"
        raise LibyadataError(f"--check-version: {side} has no version in its datapackage.json")
    if not result.version_ok:
        from ..inert import inert  # the version is the contribution's text

        print(inert(f"libyadata diff: NEW's version {result.new.version} is lower than the {result.bump} bump "
                    f"requires: at least {result.required_version}"), file=sys.stderr)
        return 1
    return 0
