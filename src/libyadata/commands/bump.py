"""Raise the version after the last release: patch, minor or major, as the data's changes allow.

Compares the data package with the last released version's data, record by record
(`libyadata diff`; the release is found in the git history: the tag v<version>, else
the commit holding the files its registry records), and refuses a bump lower than
the changes require, listing them. Otherwise it writes the new version to
src/libyadata/_version.py, records today's date (UTC) as its release date in
src/libyadata/releases.json, moves CHANGELOG.md's [Unreleased] entries under
"## [X.Y.Z] - YYYY-MM-DD" and runs `libyadata generate` (which writes the new
version's registry). A released version's registry is never rewritten. Run in a
source checkout with its full git history; then review, commit and tag vX.Y.Z.

Exit status: 0 bumped; 1 refused (too low); 2 on an error.

Example:
  libyadata bump patch     # corrected values only
  libyadata bump major     # removed records, stricter or renamed fields
"""

from __future__ import annotations

import argparse
import sys

from ._common import require_repository

HELP = "raise the version (patch|minor|major) after checking the changes since the last release"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("level", choices=["patch", "minor", "major"], help="which part of the version to raise")


def run(args: argparse.Namespace) -> int:
    from .. import versions

    root = require_repository()
    try:
        done = versions.bump(root, args.level)
    except versions.BumpRefused as refused:
        print(f"libyadata bump: refused: {refused}", file=sys.stderr)
        print("changes that require it:", file=sys.stderr)
        for reason in refused.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return 1
    print(f"bumped {done.old} -> {done.new} ({done.level}; the changes require {done.required}), "
          f"released {done.date}")
    print(f"next: review, commit, then tag v{done.new}")
    return 0
